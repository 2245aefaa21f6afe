/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One connection to the proxy, from its first byte to its close: the
 * request (HTTP or SOCKS5), the rules, the lookup, the connect, then a
 * tunnel with a bounded buffer each way and half-closes passed on. Every
 * refusal goes through proxy_refuse, the one place that answers no.
 */
#include "proxy-conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "plan.h"
#include "report.h"
#include "util.h"

enum refusal {
        R_NOT_ALLOWED, /* no --allow-host rule lists host:port */
        R_REBINDING,   /* a listed name resolved to a loopback, link-local or private address */
        R_MALFORMED,
        R_TOO_LARGE,
        R_UNSUPPORTED, /* SOCKS5 BIND, UDP ASSOCIATE, an unknown address type */
        R_NO_ADDRESS,  /* the name did not resolve */
        R_UNREACHABLE,
        R_TIMEOUT,
        R_CHUNKED, /* a plain request with Transfer-Encoding */
};

static const struct {
        int http;
        const char *status;
        unsigned char socks;
} answers[] = {
        [R_NOT_ALLOWED] = {403, "Forbidden", 0x02},   [R_REBINDING] = {403, "Forbidden", 0x02},
        [R_MALFORMED] = {400, "Bad Request", 0x01},   [R_TOO_LARGE] = {431, "Request Header Fields Too Large", 0x01},
        [R_UNSUPPORTED] = {400, "Bad Request", 0x07}, [R_NO_ADDRESS] = {502, "Bad Gateway", 0x04},
        [R_UNREACHABLE] = {502, "Bad Gateway", 0x05}, [R_TIMEOUT] = {504, "Gateway Timeout", 0x04},
        [R_CHUNKED] = {501, "Not Implemented", 0x01},
};

static void out_put(struct conn *c, const void *data, size_t len)
{
        if (len > sizeof c->out - c->out_len)
                len = sizeof c->out - c->out_len;
        memcpy(c->out + c->out_len, data, len);
        c->out_len += len;
}

/* "host:port", an IPv6 address in brackets. */
static void target_text(const char *host, unsigned port, char *out, size_t size)
{
        bool v6 = strchr(host, ':') != NULL;

        snprintf(out, size, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

static void note_refusal(struct proxy *p, const char *target)
{
        p->n_refused++;
        for (unsigned i = 0; i < p->n_listed; i++)
                if (strcmp(p->listed[i], target) == 0)
                        return;
        if (p->n_listed < 4)
                snprintf(p->listed[p->n_listed++], sizeof p->listed[0], "%s", target);
        else
                p->more = true;
}

/*
 * The one place where the proxy says no: an HTTP status with a line that
 * says why, or a SOCKS5 reply code; then the connection closes once that is
 * delivered. host is NULL when the request named none. Refusals by the rules
 * are counted for the summary at the end.
 */
static void proxy_refuse(struct proxy *p, struct conn *c, const char *host, unsigned port, enum refusal why)
{
        char target[PROXY_HOST_MAX + 8] = "", body[3 * PROXY_HOST_MAX + 200], head[256];

        if (host)
                target_text(host, port, target, sizeof target);
        switch (why) {
        case R_NOT_ALLOWED:
                snprintf(body, sizeof body, "cocoon: %s is not allowed: --allow-host %s would allow it\n", target,
                         target);
                break;
        case R_REBINDING:
                snprintf(body, sizeof body,
                         "cocoon: %s resolves to a loopback, link-local or private address, refused for a listed "
                         "name: list the address itself to allow it\n",
                         target);
                break;
        case R_NO_ADDRESS: snprintf(body, sizeof body, "cocoon: can't resolve %s\n", host ? host : ""); break;
        case R_UNREACHABLE: snprintf(body, sizeof body, "cocoon: can't connect to %s\n", target); break;
        case R_TIMEOUT: snprintf(body, sizeof body, "cocoon: %s did not answer in time\n", target); break;
        case R_TOO_LARGE:
                snprintf(body, sizeof body, "cocoon: the request head is larger than %d KiB\n", PROXY_HEAD_MAX / 1024);
                break;
        case R_CHUNKED:
                snprintf(body, sizeof body,
                         "cocoon: the proxy does not send on plain HTTP requests with Transfer-Encoding: use https "
                         "(CONNECT)\n");
                break;
        default: snprintf(body, sizeof body, "cocoon: the proxy can't serve this request\n"); break;
        }
        if (why == R_NOT_ALLOWED || why == R_REBINDING) {
                char allow[sizeof target + 16];

                note_refusal(p, target);
                snprintf(allow, sizeof allow, "--allow-host %s", target);
                /* pid 0: the proxy sees a connection, not the process behind it */
                report_event(&(struct report_event){
                        .kind = REPORT_NETWORK,
                        .address = target,
                        .verdict = "refused",
                        .cause = why == R_NOT_ALLOWED ? "the proxy refused a host:port that no --allow-host lists"
                                                      : "a listed name resolved to a loopback or private address",
                        .suggest = why == R_NOT_ALLOWED ? allow : NULL,
                        .learn = why == R_NOT_ALLOWED ? LEARN_REVIEW : LEARN_NONE});
        }
        closep(&c->ufd);
        c->u_armed = 0;
        dns_end(&c->dns);
        c->in_off = c->in_len = 0;
        c->out_off = c->out_len = 0;
        if (c->socks) {
                if (c->state == ST_SOCKS_REQUEST || c->state >= ST_RESOLVING) {
                        unsigned char reply[10] = {5, answers[why].socks, 0, 1};
                        out_put(c, reply, sizeof reply);
                }
        } else {
                int n = snprintf(head, sizeof head,
                                 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                                 "Connection: close\r\n\r\n",
                                 answers[why].http, answers[why].status, strlen(body));
                out_put(c, head, (size_t) n);
                out_put(c, body, strlen(body));
        }
        c->state = ST_CLOSING;
        c->deadline = proxy_now_ms() + PROXY_LINGER_MS;
}

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
        if (ss->ss_family == AF_INET)
                ((struct sockaddr_in *) ss)->sin_port = htons((uint16_t) port);
        else
                ((struct sockaddr_in6 *) ss)->sin6_port = htons((uint16_t) port);
}

/* Connect to the next address, without waiting. */
static void try_connect(struct proxy *p, struct conn *c)
{
        for (; c->next_addr < c->dns.n_addrs; c->next_addr++) {
                struct sockaddr_storage *ss = &c->dns.addrs[c->next_addr];
                socklen_t len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);

                c->ufd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (c->ufd < 0)
                        continue;
                if (connect(c->ufd, (struct sockaddr *) ss, len) == 0 || errno == EINPROGRESS) {
                        c->u_armed = 0;
                        c->state = ST_CONNECTING;
                        c->deadline = proxy_now_ms() + PROXY_CONNECT_MS;
                        return;
                }
                closep(&c->ufd);
        }
        proxy_refuse(p, c, c->host, c->port, c->timed_out ? R_TIMEOUT : R_UNREACHABLE);
}

/* The addresses are in: those a listed name may reach, then connect. */
static void resolved(struct proxy *p, struct conn *c)
{
        size_t kept = 0;

        dns_end(&c->dns);
        if (c->dns.n_addrs == 0) {
                proxy_refuse(p, c, c->host, c->port, R_NO_ADDRESS);
                return;
        }
        for (size_t i = 0; i < c->dns.n_addrs; i++)
                if (!proxy_rule_needs_public(c->rule) || proxy_addr_public((struct sockaddr *) &c->dns.addrs[i]))
                        c->dns.addrs[kept++] = c->dns.addrs[i];
        c->dns.n_addrs = kept;
        if (kept == 0) {
                proxy_refuse(p, c, c->host, c->port, R_REBINDING);
                return;
        }
        for (size_t i = 0; i < kept; i++)
                set_port(&c->dns.addrs[i], c->port);
        c->next_addr = 0;
        try_connect(p, c);
}

/* The request named c->host and c->port: check them, then resolve. */
static void check_target(struct proxy *p, struct conn *c)
{
        unsigned char bin[16];

        c->rule = proxy_rules_match(p->plan->allow_hosts, p->plan->n_allow_hosts, c->host, c->port);
        if (!c->rule) {
                proxy_refuse(p, c, c->host, c->port, R_NOT_ALLOWED);
                return;
        }
        memset(&c->dns, 0, sizeof c->dns);
        c->dns.fd = -1;
        if (inet_pton(AF_INET, c->host, bin) == 1 || inet_pton(AF_INET6, c->host, bin) == 1) {
                struct sockaddr_storage *ss = &c->dns.addrs[0];
                memset(ss, 0, sizeof *ss);
                if (inet_pton(AF_INET, c->host, &((struct sockaddr_in *) ss)->sin_addr) == 1)
                        ss->ss_family = AF_INET;
                else if (inet_pton(AF_INET6, c->host, &((struct sockaddr_in6 *) ss)->sin6_addr) == 1)
                        ss->ss_family = AF_INET6;
                c->dns.n_addrs = 1;
                resolved(p, c);
                return;
        }
        c->state = ST_RESOLVING;
        c->deadline = proxy_now_ms() + DNS_TRY_MS;
        if (dns_start(&c->dns, c->host) == 1)
                resolved(p, c);
}

static void consume_in(struct conn *c, size_t n)
{
        c->in_off += n;
        if (c->in_off == c->in_len)
                c->in_off = c->in_len = 0;
}

static void parse_http(struct proxy *p, struct conn *c)
{
        static char rewritten[CONN_IN_BUF];
        struct http_request req;
        size_t head = http_head_length(c->in + c->in_off, c->in_len - c->in_off), len;
        int r;

        if (!head) {
                if (c->in_len - c->in_off >= PROXY_HEAD_MAX)
                        proxy_refuse(p, c, NULL, 0, R_TOO_LARGE);
                return;
        }
        if (head > PROXY_HEAD_MAX) {
                proxy_refuse(p, c, NULL, 0, R_TOO_LARGE);
                return;
        }
        r = http_parse(c->in + c->in_off, head, &req, rewritten, sizeof rewritten, &len);
        if (r) {
                proxy_refuse(p, c, NULL, 0, r == 431 ? R_TOO_LARGE : r == 501 ? R_CHUNKED : R_MALFORMED);
                return;
        }
        consume_in(c, head);
        c->connect = req.connect;
        memcpy(c->host, req.host, sizeof c->host);
        c->port = req.port;
        if (!req.connect) { /* the head to send on, then what followed it of the body */
                size_t rest = c->in_len - c->in_off;

                if (rest > req.body_len)
                        rest = (size_t) req.body_len; /* a next request is not sent on */
                c->plain = true;
                c->body_left = req.body_len - rest;
                if (len + rest > sizeof c->in) {
                        proxy_refuse(p, c, NULL, 0, R_TOO_LARGE);
                        return;
                }
                memmove(c->in + len, c->in + c->in_off, rest);
                memcpy(c->in, rewritten, len);
                c->in_off = 0;
                c->in_len = len + rest;
        }
        check_target(p, c);
}

/* The greeting: version 5, the methods; we take "no authentication". */
static void parse_socks_hello(struct proxy *p, struct conn *c)
{
        const unsigned char *b = (const unsigned char *) c->in + c->in_off;
        size_t n = c->in_len - c->in_off;
        unsigned char reply[2] = {5, 0xff};

        (void) p;
        if (n < 2 || n < 2 + (size_t) b[1])
                return;
        for (unsigned i = 0; i < b[1]; i++)
                if (b[2 + i] == 0)
                        reply[1] = 0;
        consume_in(c, 2 + (size_t) b[1]);
        out_put(c, reply, sizeof reply);
        if (reply[1] == 0xff || b[1] == 0) {
                c->state = ST_CLOSING;
                c->deadline = proxy_now_ms() + PROXY_LINGER_MS;
                return;
        }
        c->state = ST_SOCKS_REQUEST;
}

/* The request: 5, the command, 0, an address (IPv4, a name, IPv6), a port. */
static void parse_socks_request(struct proxy *p, struct conn *c)
{
        const unsigned char *b = (const unsigned char *) c->in + c->in_off;
        size_t n = c->in_len - c->in_off, need;
        char name[PROXY_HOST_MAX];
        unsigned dummy;

        if (n < 5)
                return;
        if (b[0] != 5 || b[2] != 0) {
                proxy_refuse(p, c, NULL, 0, R_MALFORMED);
                return;
        }
        need = b[3] == 1 ? 10 : b[3] == 4 ? 22 : b[3] == 3 ? 7 + (size_t) b[4] : 0;
        if (!need) {
                proxy_refuse(p, c, NULL, 0, R_UNSUPPORTED);
                return;
        }
        if (n < need)
                return;
        c->port = (unsigned) (b[need - 2] << 8 | b[need - 1]);
        if (b[3] == 1)
                inet_ntop(AF_INET, b + 4, c->host, sizeof c->host);
        else if (b[3] == 4)
                inet_ntop(AF_INET6, b + 4, c->host, sizeof c->host);
        else if (b[4] == 0 || memchr(b + 5, ':', b[4]) ||
                 proxy_split_target((const char *) b + 5, b[4], 1, name, &dummy) < 0) {
                proxy_refuse(p, c, NULL, 0, R_MALFORMED);
                return;
        } else
                memcpy(c->host, name, sizeof name);
        if (b[1] != 1) { /* BIND, UDP ASSOCIATE */
                proxy_refuse(p, c, c->host, c->port, R_UNSUPPORTED);
                return;
        }
        if (c->port == 0) {
                proxy_refuse(p, c, NULL, 0, R_MALFORMED);
                return;
        }
        consume_in(c, need);
        check_target(p, c);
}

static void connected(struct conn *c)
{
        static const char established[] = "HTTP/1.1 200 Connection established\r\n\r\n";
        static const unsigned char socks_ok[10] = {5, 0, 0, 1};

        c->state = ST_RELAY;
        c->deadline = proxy_now_ms() + PROXY_IDLE_MS;
        if (c->socks)
                out_put(c, socks_ok, sizeof socks_ok);
        else if (c->connect)
                out_put(c, established, sizeof established - 1);
}

/* Read from fd into buf[*len, size): false on a fatal error. */
static bool fill(int fd, char *buf, size_t *len, size_t size, bool *eof)
{
        ssize_t n;

        if (*eof || *len >= size)
                return true;
        do
                n = recv(fd, buf + *len, size - *len, MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n > 0)
                *len += (size_t) n;
        else if (n == 0)
                *eof = true;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
                return false;
        return true;
}

/* Write buf[*off, *len) to fd: false on a fatal error (EPIPE, a reset). */
static bool flush(int fd, char *buf, size_t *off, size_t *len)
{
        ssize_t n;

        if (*off == *len)
                return true;
        do
                n = send(fd, buf + *off, *len - *off, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK;
        *off += (size_t) n;
        if (*off == *len)
                *off = *len = 0;
        return true;
}

static void compact_in(struct conn *c)
{
        if (c->in_off > 0) {
                memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
                c->in_len -= c->in_off;
                c->in_off = 0;
        }
}

void proxy_conn_event(struct proxy *p, struct conn *c, int side, uint32_t events)
{
        bool ok = true;

        /* An fd closed earlier in this round (a refusal, a new connect)
         * may still have an event in it. */
        if ((side == SIDE_UPSTREAM && c->ufd < 0) || (side == SIDE_DNS && (c->state != ST_RESOLVING || c->dns.fd < 0)))
                return;
        if (side == SIDE_DNS) {
                if (dns_on_readable(&c->dns) == 1)
                        resolved(p, c);
                proxy_conn_step(p, c);
                return;
        }
        if (side == SIDE_UPSTREAM && c->state == ST_CONNECTING) {
                struct sockaddr_storage peer;
                int err = 0;

                getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &(socklen_t){sizeof err});
                if (!err && !(events & EPOLLERR) &&
                    getpeername(c->ufd, (struct sockaddr *) &peer, &(socklen_t){sizeof peer}) < 0 && errno == ENOTCONN)
                        return; /* still connecting: the event was for an earlier socket */
                if (err || (events & EPOLLERR)) {
                        closep(&c->ufd);
                        c->next_addr++;
                        try_connect(p, c);
                } else {
                        connected(c);
                }
                proxy_conn_step(p, c);
                return;
        }
        if (side == SIDE_CLIENT && (events & EPOLLERR)) {
                proxy_conn_free(p, c);
                return;
        }
        if (side == SIDE_CLIENT && c->state == ST_CLOSING && (events & (EPOLLIN | EPOLLHUP))) {
                c->in_off = c->in_len = 0; /* what comes after a refusal is read and dropped */
                ok = fill(c->cfd, c->in, &c->in_len, sizeof c->in, &c->c_eof) && !(events & EPOLLHUP);
                c->in_len = 0;
        } else if (side == SIDE_CLIENT && (events & (EPOLLIN | EPOLLHUP))) {
                compact_in(c);
                size_t before = c->in_len;

                ok = fill(c->cfd, c->in, &c->in_len, c->state == ST_RELAY ? sizeof c->in : PROXY_HEAD_MAX, &c->c_eof);
                if (c->plain) { /* the body, and nothing after it */
                        size_t got = c->in_len - before;

                        if (got > c->body_left)
                                c->in_len = before + (size_t) c->body_left;
                        c->body_left -= c->in_len - before;
                }
                if ((events & EPOLLHUP) && c->state != ST_RELAY)
                        ok = false; /* gone before its request was served */
        }
        if (ok && side == SIDE_CLIENT && (events & EPOLLOUT))
                ok = flush(c->cfd, c->out, &c->out_off, &c->out_len);
        if (ok && side == SIDE_UPSTREAM && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                ok = fill(c->ufd, c->out, &c->out_len, sizeof c->out, &c->u_eof);
        if (ok && side == SIDE_UPSTREAM && (events & EPOLLOUT))
                ok = flush(c->ufd, c->in, &c->in_off, &c->in_len);
        if (!ok) {
                proxy_conn_free(p, c);
                return;
        }
        if (c->state == ST_RELAY)
                c->deadline = proxy_now_ms() + PROXY_IDLE_MS;
        proxy_conn_step(p, c);
}

void proxy_conn_timeout(struct proxy *p, struct conn *c)
{
        switch (c->state) {
        case ST_RESOLVING:
                if (c->dns.n_addrs > 0 || dns_retry(&c->dns) == 1)
                        resolved(p, c);
                else
                        c->deadline = proxy_now_ms() + DNS_TRY_MS;
                break;
        case ST_CONNECTING:
                closep(&c->ufd);
                c->timed_out = true;
                c->next_addr++;
                try_connect(p, c);
                break;
        default: /* a slow client, an idle tunnel, a refusal not taken */ proxy_conn_free(p, c); return;
        }
        proxy_conn_step(p, c);
}

/* Pass on an end of stream once everything before it is delivered (for a
 * plain request, the end of its body); close when both ways are done. */
static bool relay_done(struct conn *c)
{
        if ((c->c_eof || (c->plain && c->body_left == 0)) && c->in_off == c->in_len && !c->u_shut) {
                shutdown(c->ufd, SHUT_WR);
                c->u_shut = true;
        }
        if (c->u_eof && c->out_off == c->out_len && !c->c_shut) {
                shutdown(c->cfd, SHUT_WR);
                c->c_shut = true;
        }
        return c->u_shut && c->c_shut;
}

void proxy_conn_step(struct proxy *p, struct conn *c)
{
        uint32_t cw = 0, uw = 0;

        if (c->state == ST_FIRST && c->in_len > c->in_off) {
                c->socks = (unsigned char) c->in[c->in_off] == 5;
                c->state = c->socks ? ST_SOCKS_HELLO : ST_HTTP_HEAD;
        }
        if (c->state == ST_SOCKS_HELLO)
                parse_socks_hello(p, c);
        if (c->state == ST_SOCKS_REQUEST)
                parse_socks_request(p, c);
        else if (c->state == ST_HTTP_HEAD)
                parse_http(p, c);
        /* Gone before its request was whole; a tunnel, both ways done; a
         * refusal delivered and the client's end seen. */
        if ((c->state <= ST_SOCKS_REQUEST && c->c_eof) || (c->state == ST_RELAY && relay_done(c)) ||
            (c->state == ST_CLOSING && c->out_off == c->out_len && c->c_eof)) {
                proxy_conn_free(p, c);
                return;
        }
        if (c->state == ST_CLOSING && c->out_off == c->out_len && !c->c_shut) {
                shutdown(c->cfd, SHUT_WR); /* then wait for the client's end: a close now could reset the refusal */
                c->c_shut = true;
        }
        switch (c->state) {
        case ST_FIRST:
        case ST_HTTP_HEAD:
        case ST_SOCKS_HELLO:
        case ST_SOCKS_REQUEST: cw = EPOLLIN | (c->out_len > c->out_off ? EPOLLOUT : 0); break;
        case ST_CONNECTING: uw = EPOLLOUT; break;
        case ST_RELAY:
                cw = (!c->c_eof && c->in_len < sizeof c->in ? EPOLLIN : 0) | (c->out_len > c->out_off ? EPOLLOUT : 0);
                uw = (!c->u_eof && c->out_len < sizeof c->out ? EPOLLIN : 0) | (c->in_len > c->in_off ? EPOLLOUT : 0);
                break;
        case ST_CLOSING: cw = EPOLLIN | (c->out_len > c->out_off ? EPOLLOUT : 0); break;
        case ST_RESOLVING: break;
        }
        proxy_arm(p, c->cfd, KEY(c, SIDE_CLIENT), cw, &c->c_armed);
        proxy_arm(p, c->ufd, KEY(c, SIDE_UPSTREAM), uw, &c->u_armed);
        /* A lookup's socket is new with each question sent (see ask). */
        if (c->state == ST_RESOLVING && c->dns.fd >= 0 && c->dns.asked != c->dns_armed) {
                struct epoll_event ev = {.events = EPOLLIN, .data.u64 = KEY(c, SIDE_DNS)};
                if (epoll_ctl(p->ep, EPOLL_CTL_ADD, c->dns.fd, &ev) == 0)
                        c->dns_armed = c->dns.asked;
        }
}

uint64_t proxy_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* Watch fd in the proxy's own set for want (0: not at all, so that a hung
 * up peer we can't act on yet doesn't wake us again and again). */
void proxy_arm(struct proxy *p, int fd, uint64_t key, uint32_t want, uint32_t *armed)
{
        struct epoll_event ev = {.events = want, .data.u64 = key};

        if (fd < 0 || want == *armed)
                return;
        if (want == 0)
                epoll_ctl(p->ep, EPOLL_CTL_DEL, fd, NULL);
        else if (epoll_ctl(p->ep, *armed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
                return;
        *armed = want;
}

void proxy_conn_free(struct proxy *p, struct conn *c)
{
        closep(&c->cfd);
        closep(&c->ufd);
        dns_end(&c->dns);
        p->conns[c->slot] = NULL;
        p->n_conns--;
        free(c);
        /* room again for one more (see mon-proxy.c's accept_some) */
        proxy_arm(p, p->listen_fd, KEY_LISTEN, EPOLLIN, &p->listen_armed);
}
