/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --allow-host: the rules, the names and addresses they are checked against,
 * and the HTTP request heads the proxy reads (proxy-rules.c, proxy-http.c).
 * Pure functions over bytes, with no I/O: the monitor's proxy service
 * (mon-proxy.c) feeds them what the sandbox sends, which is hostile.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct allow_host;

/* Where the proxy listens inside the sandbox: 127.0.0.1:PROXY_PORT. The
 * network namespace is the sandbox's own, made empty: the port is free. */
#define PROXY_PORT 3128

/* A host name (253 characters) or an IP literal, with its NUL. */
#define PROXY_HOST_MAX 256

/* Parse --allow-host's argument. Returns NULL, or what is wrong with it. */
const char *proxy_rule_parse(const char *arg, struct allow_host *out);

/* A target as the sandbox names it (CONNECT's authority, a Host header, a
 * SOCKS5 domain): host, optionally ":PORT", an IPv6 literal in brackets.
 * Fills host (canonical: lower case, no trailing dot; an IP literal in its
 * canonical text) and port (default_port when none is given; 0 refuses a
 * missing port). Returns 0 or -1 when malformed. */
int proxy_split_target(const char *s, size_t len, unsigned default_port, char host[PROXY_HOST_MAX], unsigned *port);

/* The rule that allows host:port (host canonical), or NULL. */
const struct allow_host *proxy_rules_match(const struct allow_host *rules, size_t n, const char *host, unsigned port);

/* Whether the host is an IP literal (canonical). */
bool proxy_host_is_ip(const char *host);

/* Whether an address may be reached for a listed name: not loopback,
 * link-local, private, shared (100.64/10), benchmarking, documentation,
 * reserved, multicast, broadcast or unspecified, in IPv4, IPv6, or IPv4
 * carried in IPv6 (mapped, NAT64, 6to4). A name that resolves to one of these
 * is refused (DNS rebinding), unless the rule is the address itself or
 * localhost. */
bool proxy_addr_public(const struct sockaddr *sa);
/* Whether addresses of host, allowed by rule, must be public. */
bool proxy_rule_needs_public(const struct allow_host *rule);

/* The rule as the user would write it: "example.com:8443", "*.example.com",
 * "[::1]:80". */
void proxy_rule_format(const struct allow_host *rule, char *out, size_t size);

/* ---- HTTP (proxy-http.c) ---- */

/* The head of a request may be at most this long. */
#define PROXY_HEAD_MAX (16 * 1024)

struct http_request {
        bool connect;              /* CONNECT host:port, else a plain request to forward */
        char host[PROXY_HOST_MAX]; /* canonical */
        unsigned port;
        size_t head_len;             /* bytes of the head, its blank line included */
        unsigned long long body_len; /* of a plain request: its Content-Length, else 0 */
};

/* The length of the head in buf (its blank line included), or 0 while it is
 * not complete. */
size_t http_head_length(const char *buf, size_t len);

/* Parse a complete head. For a plain request, out receives the head to send
 * on: the request line in origin form, the hop-by-hop headers dropped,
 * "Connection: close" added (and Host, when the request had none). Returns 0,
 * or the HTTP status to refuse it with (400; 431 when out is too small; 501
 * for a plain request with Transfer-Encoding). */
int http_parse(const char *head, size_t len, struct http_request *req, char *out, size_t cap, size_t *out_len);
