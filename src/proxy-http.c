/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The head of an HTTP request to the proxy: "CONNECT host:port", or a plain
 * request with an absolute URI ("GET http://host/path") or a Host header.
 * When a request has both, they must name the same host and port: a
 * request that says one thing to the proxy and another to the server is
 * refused. Plain requests are sent on with "Connection: close", and only
 * the one message is (its head, then Content-Length bytes of body): the next
 * request, maybe to another host, comes on a new connection that is checked
 * again. A plain request with Transfer-Encoding is refused: its body's end
 * would need a chunked parser to find, and https (CONNECT) does without.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxy.h"

size_t http_head_length(const char *buf, size_t len)
{
        for (size_t i = 0; i + 1 < len; i++) {
                if (buf[i] != '\n')
                        continue;
                if (buf[i + 1] == '\n')
                        return i + 2;
                if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
                        return i + 3;
        }
        return 0;
}

/* One line of the head, without its line end. */
struct line {
        const char *s;
        size_t len;
};

static bool next_line(const char **at, const char *end, struct line *l)
{
        const char *nl = memchr(*at, '\n', (size_t) (end - *at));

        if (!nl)
                return false;
        l->s = *at;
        l->len = (size_t) (nl - *at);
        if (l->len > 0 && l->s[l->len - 1] == '\r')
                l->len--;
        *at = nl + 1;
        return true;
}

static bool is_header(const struct line *l, const char *name, const char **value, size_t *value_len)
{
        size_t n = strlen(name);
        const char *v, *e;

        if (l->len <= n || l->s[n] != ':' || strncasecmp(l->s, name, n) != 0)
                return false;
        v = l->s + n + 1;
        e = l->s + l->len;
        while (v < e && (*v == ' ' || *v == '\t'))
                v++;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
        *value = v;
        *value_len = (size_t) (e - v);
        return true;
}

/* A header line: a field name of token characters (RFC 9112 5.1: no space
 * before the colon), then a colon. A name that a server might read one way
 * and the proxy another ("Host :") is refused. */
static bool good_field_name(const struct line *l)
{
        const char *colon = memchr(l->s, ':', l->len);

        if (!colon || colon == l->s)
                return false;
        for (const char *c = l->s; c < colon; c++)
                if (!isalnum((unsigned char) *c) && !strchr("!#$%&'*+-.^_`|~", *c))
                        return false;
        return true;
}

/* Content-Length: decimal digits only, at most 18 of them. */
static bool parse_length(const char *v, size_t vl, unsigned long long *n)
{
        if (vl == 0 || vl > 18)
                return false;
        *n = 0;
        for (size_t i = 0; i < vl; i++) {
                if (v[i] < '0' || v[i] > '9')
                        return false;
                *n = *n * 10 + (unsigned) (v[i] - '0');
        }
        return true;
}

/* Headers that concern this hop only, never sent on. */
static bool hop_by_hop(const struct line *l)
{
        static const char *const names[] = {"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                                            "te",         "upgrade"};
        const char *v;
        size_t vl;

        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                if (is_header(l, names[i], &v, &vl))
                        return true;
        return false;
}

/* Bytes a head may hold: printable ASCII, tabs, and any byte above 127 in
 * header values (some servers send UTF-8). */
static bool clean_line(const struct line *l)
{
        for (size_t i = 0; i < l->len; i++) {
                unsigned char c = (unsigned char) l->s[i];
                if (c < 0x20 && c != '\t')
                        return false;
                if (c == 0x7f)
                        return false;
        }
        return true;
}

static bool append(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
        if (*len + n > cap)
                return false;
        memcpy(out + *len, s, n);
        *len += n;
        return true;
}

int http_parse(const char *head, size_t len, struct http_request *req, char *out, size_t cap, size_t *out_len)
{
        const char *at = head, *end = head + len, *sp1, *sp2, *target, *path = "/", *authority = NULL;
        size_t target_len, path_len = 1, authority_len = 0;
        struct line rl, l;
        char host_hdr[PROXY_HOST_MAX];
        unsigned host_port = 0;
        bool have_host = false, have_length = false, chunked = false;
        const char *v;
        size_t vl;

        memset(req, 0, sizeof *req);
        req->head_len = len;
        *out_len = 0;
        if (!next_line(&at, end, &rl) || !clean_line(&rl))
                return 400;
        sp1 = memchr(rl.s, ' ', rl.len);
        sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t) (rl.s + rl.len - sp1 - 1)) : NULL;
        if (!sp1 || !sp2 || sp1 == rl.s || (size_t) (rl.s + rl.len - sp2 - 1) != 8 ||
            strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || !isdigit((unsigned char) sp2[8]))
                return 400;
        for (const char *c = rl.s; c < sp1; c++)
                if (!isalpha((unsigned char) *c) && *c != '-')
                        return 400;
        target = sp1 + 1;
        target_len = (size_t) (sp2 - target);
        req->connect = (size_t) (sp1 - rl.s) == 7 && strncmp(rl.s, "CONNECT", 7) == 0;

        /* The headers: Host and Content-Length once at most, no folded lines. */
        while (next_line(&at, end, &l) && l.len > 0) {
                if (!clean_line(&l) || !good_field_name(&l))
                        return 400;
                if (is_header(&l, "host", &v, &vl)) {
                        if (have_host || proxy_split_target(v, vl, 80, host_hdr, &host_port) < 0)
                                return 400;
                        have_host = true;
                }
                if (is_header(&l, "content-length", &v, &vl)) {
                        if (have_length || !parse_length(v, vl, &req->body_len))
                                return 400;
                        have_length = true;
                }
                if (is_header(&l, "transfer-encoding", &v, &vl))
                        chunked = true;
        }

        if (req->connect) {
                if (proxy_split_target(target, target_len, 0, req->host, &req->port) < 0)
                        return 400;
                return 0; /* a Host header of CONNECT is the client's business */
        }
        if (chunked)
                return 501;
        if (target_len > 7 && strncasecmp(target, "http://", 7) == 0) {
                authority = target + 7;
                path = memchr(authority, '/', target_len - 7);
                authority_len = path ? (size_t) (path - authority) : target_len - 7;
                path_len = path ? (size_t) (target + target_len - path) : 1;
                if (!path)
                        path = "/";
                if (memchr(authority, '@', authority_len) ||
                    proxy_split_target(authority, authority_len, 80, req->host, &req->port) < 0)
                        return 400;
                if (have_host && (strcmp(host_hdr, req->host) != 0 || host_port != req->port))
                        return 400;
        } else if (target_len > 0 && target[0] == '/' && have_host) {
                memcpy(req->host, host_hdr, sizeof host_hdr);
                req->port = host_port;
                path = target;
                path_len = target_len;
        } else {
                return 400; /* https:// without CONNECT, or no host at all */
        }

        /* The head to send on. */
        at = head;
        next_line(&at, end, &rl);
        if (!append(out, cap, out_len, rl.s, (size_t) (sp1 - rl.s) + 1) || !append(out, cap, out_len, path, path_len) ||
            !append(out, cap, out_len, sp2, 9) || !append(out, cap, out_len, "\r\n", 2))
                return 431;
        while (next_line(&at, end, &l) && l.len > 0)
                if (!hop_by_hop(&l) &&
                    (!append(out, cap, out_len, l.s, l.len) || !append(out, cap, out_len, "\r\n", 2)))
                        return 431;
        if (!have_host &&
            (!append(out, cap, out_len, "Host: ", 6) || !append(out, cap, out_len, authority, authority_len) ||
             !append(out, cap, out_len, "\r\n", 2)))
                return 431;
        if (!append(out, cap, out_len, "Connection: close\r\n\r\n", 21))
                return 431;
        return 0;
}
