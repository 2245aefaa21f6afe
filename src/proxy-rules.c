/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --allow-host's rules, and the names and addresses they are checked
 * against. A name is matched without regard to case and without a trailing
 * dot; "*.example.com" matches any name below example.com but not
 * example.com itself (as a TLS wildcard certificate does: list both when
 * both are meant). "*" alone would allow everything and is refused. An IP
 * literal matches only itself, never a wildcard.
 */
#include "proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "util.h"

/* A port: 1 to 65535, decimal digits only. */
static int parse_port(const char *s, size_t len, unsigned *port)
{
        unsigned v = 0;

        if (len == 0 || len > 5)
                return -1;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return -1;
        *port = v;
        return 0;
}

/* An IP literal into its canonical text; -1 when s is not one. */
static int canon_ip(const char *s, size_t len, char out[PROXY_HOST_MAX])
{
        char tmp[INET6_ADDRSTRLEN + 1];
        unsigned char addr[16];

        if (len == 0 || len >= sizeof tmp)
                return -1;
        memcpy(tmp, s, len);
        tmp[len] = '\0';
        if (inet_pton(AF_INET, tmp, addr) == 1)
                return inet_ntop(AF_INET, addr, out, PROXY_HOST_MAX) ? 0 : -1;
        if (inet_pton(AF_INET6, tmp, addr) == 1)
                return inet_ntop(AF_INET6, addr, out, PROXY_HOST_MAX) ? 0 : -1;
        return -1;
}

/* A DNS name into lower case without its trailing dot: labels of 1 to 63
 * letters, digits, '-' (not first or last) or '_', 253 characters at most. */
static int canon_name(const char *s, size_t len, char out[PROXY_HOST_MAX])
{
        size_t label = 0;

        if (len > 0 && s[len - 1] == '.')
                len--;
        if (len == 0 || len > 253)
                return -1;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c == '.') {
                        if (label == 0 || s[i - 1] == '-')
                                return -1;
                        label = 0;
                } else if (c == '-' && label == 0) {
                        return -1; /* nor does a label start or end with '-' */
                } else if (isalnum(c) || c == '-' || c == '_') {
                        if (++label > 63)
                                return -1;
                } else {
                        return -1;
                }
                out[i] = (char) tolower(c);
        }
        if (label == 0 || s[len - 1] == '-')
                return -1;
        out[len] = '\0';
        return 0;
}

/* host (a name or an IP literal) into its canonical text. */
static int canon_host(const char *s, size_t len, char out[PROXY_HOST_MAX], bool *ip)
{
        *ip = canon_ip(s, len, out) == 0;
        return *ip ? 0 : canon_name(s, len, out);
}

/* Split "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 literal
 * (more than one colon, no brackets: no port). */
static int split(const char *s, size_t len, const char **host, size_t *host_len, const char **port, size_t *port_len)
{
        const char *colon;

        *port = NULL;
        *port_len = 0;
        if (len > 0 && s[0] == '[') {
                const char *close = memchr(s, ']', len);
                if (!close)
                        return -1;
                *host = s + 1;
                *host_len = (size_t) (close - s - 1);
                if (close + 1 == s + len)
                        return *host_len > 0 && memchr(*host, ':', *host_len) ? 0 : -1;
                if (close[1] != ':')
                        return -1;
                *port = close + 2;
                *port_len = (size_t) (s + len - *port);
                return memchr(*host, ':', *host_len) ? 0 : -1; /* brackets are for IPv6 */
        }
        *host = s;
        *host_len = len;
        colon = memchr(s, ':', len);
        if (colon && memchr(colon + 1, ':', (size_t) (s + len - colon - 1)))
                return 0; /* a bare IPv6 literal */
        if (colon) {
                *host_len = (size_t) (colon - s);
                *port = colon + 1;
                *port_len = (size_t) (s + len - *port);
        }
        return 0;
}

const char *proxy_rule_parse(const char *arg, struct allow_host *out)
{
        char host[PROXY_HOST_MAX];
        const char *h, *port;
        size_t hl, pl;
        bool ip = false;

        memset(out, 0, sizeof *out);
        if (arg[0] != '[' && strchr(arg, ':') && strchr(arg, ':') != strrchr(arg, ':'))
                return "write an IPv6 address in brackets: [ADDRESS] or [ADDRESS]:PORT";
        if (split(arg, strlen(arg), &h, &hl, &port, &pl) < 0)
                return "expected HOST[:PORT], with an IPv6 address in brackets ([::1]:8080)";
        if (port && parse_port(port, pl, &out->port) < 0)
                return "the port must be a number from 1 to 65535";
        if (hl == 0)
                return "the host is empty";
        if (hl == 1 && h[0] == '*')
                return "'*' would allow every host: name them, or use --share-net";
        if (hl >= 2 && h[0] == '*' && h[1] == '.') {
                out->wildcard = true;
                h += 2;
                hl -= 2;
                if (hl == 0)
                        return "'*.' needs a domain after it, as in *.example.com";
        }
        if (out->wildcard ? canon_name(h, hl, host) < 0 : canon_host(h, hl, host, &ip) < 0)
                return out->wildcard || memchr(h, '*', hl)
                               ? "a wildcard may only be a whole first label, as in *.example.com"
                               : "not a host name or an IP address";
        out->ip = ip;
        out->host = xstrdup(host);
        return NULL;
}

int proxy_split_target(const char *s, size_t len, unsigned default_port, char host[PROXY_HOST_MAX], unsigned *port)
{
        const char *h, *p;
        size_t hl, pl;
        bool ip;

        if (split(s, len, &h, &hl, &p, &pl) < 0 || canon_host(h, hl, host, &ip) < 0)
                return -1;
        if (p)
                return parse_port(p, pl, port);
        *port = default_port;
        return default_port ? 0 : -1;
}

bool proxy_host_is_ip(const char *host)
{
        unsigned char addr[16];

        return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

static bool host_matches(const struct allow_host *r, const char *host)
{
        size_t hl = strlen(host), rl = strlen(r->host);

        if (!r->wildcard)
                return strcmp(r->host, host) == 0;
        /* "*.example.com": at least one label, then ".example.com". */
        return !proxy_host_is_ip(host) && hl > rl + 1 && host[hl - rl - 1] == '.' &&
               strcmp(host + hl - rl, r->host) == 0;
}

const struct allow_host *proxy_rules_match(const struct allow_host *rules, size_t n, const char *host, unsigned port)
{
        for (size_t i = 0; i < n; i++) {
                bool port_ok = rules[i].port ? rules[i].port == port : port == 80 || port == 443;
                if (port_ok && host_matches(&rules[i], host))
                        return &rules[i];
        }
        return NULL;
}

bool proxy_rule_needs_public(const struct allow_host *rule)
{
        return !rule->ip && !(!rule->wildcard && strcmp(rule->host, "localhost") == 0);
}

static bool v4_public(uint32_t a)
{
        return !((a >> 24) == 0 ||             /* 0/8: this network */
                 (a >> 24) == 10 ||            /* private */
                 (a >> 24) == 127 ||           /* loopback */
                 (a >> 16) == 0xa9fe ||        /* 169.254/16: link-local */
                 (a >> 20) == 0xac1 ||         /* 172.16/12: private */
                 (a >> 16) == 0xc0a8 ||        /* 192.168/16: private */
                 (a >> 22) == (0x6440 >> 6) || /* 100.64/10: shared */
                 (a >> 8) == 0xc00000 ||       /* 192.0.0/24: protocol assignments */
                 (a >> 8) == 0xc00002 ||       /* 192.0.2/24: documentation */
                 (a >> 17) == (0xc612 >> 1) || /* 198.18/15: benchmarking */
                 (a >> 8) == 0xc63364 ||       /* 198.51.100/24: documentation */
                 (a >> 8) == 0xcb0071 ||       /* 203.0.113/24: documentation */
                 (a >> 28) >= 0xe);            /* multicast, 240/4 reserved, broadcast */
}

/* The IPv4 address an IPv6 one carries, when it carries one: mapped
 * (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96, in the last 32
 * bits) or 6to4 (2002::/16, in bits 16 to 47). */
static bool embedded_v4(const struct in6_addr *a, uint32_t *v4)
{
        static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
        const unsigned char *at;

        if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a) || memcmp(a->s6_addr, nat64, 12) == 0)
                at = &a->s6_addr[12];
        else if (a->s6_addr[0] == 0x20 && a->s6_addr[1] == 0x02)
                at = &a->s6_addr[2];
        else
                return false;
        memcpy(v4, at, 4);
        *v4 = ntohl(*v4);
        return true;
}

bool proxy_addr_public(const struct sockaddr *sa)
{
        static const unsigned char nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 1};

        if (sa->sa_family == AF_INET)
                return v4_public(ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr));
        if (sa->sa_family == AF_INET6) {
                const struct in6_addr *a = &((const struct sockaddr_in6 *) sa)->sin6_addr;
                uint32_t v4;

                if (embedded_v4(a, &v4))
                        return v4_public(v4);
                /* 64:ff9b:1::/48: NAT64 for local use only, where the IPv4
                 * address may sit at several places: never public. */
                if (memcmp(a->s6_addr, nat64_local, 6) == 0)
                        return false;
                return !(IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
                         IN6_IS_ADDR_SITELOCAL(a) || IN6_IS_ADDR_MULTICAST(a) ||
                         (a->s6_addr[0] & 0xfe) == 0xfc || /* fc00::/7: unique local */
                         (a->s6_addr[0] == 0x20 && a->s6_addr[1] == 0x01 && a->s6_addr[2] == 0x0d &&
                          a->s6_addr[3] == 0xb8)); /* 2001:db8::/32: documentation */
        }
        return false;
}

void proxy_rule_format(const struct allow_host *rule, char *out, size_t size)
{
        bool v6 = rule->ip && strchr(rule->host, ':');
        char port[16] = "";

        if (rule->port)
                snprintf(port, sizeof port, ":%u", rule->port);
        snprintf(out, size, "%s%s%s%s%s", rule->wildcard ? "*." : "", v6 && rule->port ? "[" : "", rule->host,
                 v6 && rule->port ? "]" : "", port);
}
