/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proxy's connections (proxy-conn.c), served by mon-proxy.c's loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "proxy-dns.h"
#include "proxy.h"

#define MAX_CONNS        256
#define PROXY_HEAD_MS    10000        /* for a whole request head, or the SOCKS5 greeting and request */
#define PROXY_CONNECT_MS 10000        /* per address */
#define PROXY_IDLE_MS    (600 * 1000) /* a tunnel with nothing moving */
#define PROXY_LINGER_MS  5000         /* to deliver a refusal */
#define CONN_BUF         (16 * 1024)
#define CONN_IN_BUF      (PROXY_HEAD_MAX + 512) /* a head, rewritten (see http_parse) */

/* What an event in the proxy's epoll set is about. */
enum { SIDE_CLIENT, SIDE_UPSTREAM, SIDE_DNS };
#define KEY(c, side) ((uint64_t) (c)->gen << 32 | (uint64_t) (c)->slot << 2 | (uint64_t) (side))
#define KEY_GEN(k)   ((uint32_t) ((k) >> 32))
#define KEY_SLOT(k)  ((unsigned) ((k) >> 2) & 0x3ff)
#define KEY_SIDE(k)  ((int) ((k) &3))
#define KEY_LISTEN   UINT64_MAX
#define KEY_TIMER    (UINT64_MAX - 1)

enum conn_state {
        ST_FIRST,         /* nothing read yet */
        ST_HTTP_HEAD,     /* reading a request head */
        ST_SOCKS_HELLO,   /* reading the SOCKS5 greeting */
        ST_SOCKS_REQUEST, /* reading the SOCKS5 request */
        ST_RESOLVING,
        ST_CONNECTING,
        ST_RELAY,   /* a tunnel: bytes both ways */
        ST_CLOSING, /* delivering a refusal, then closing */
};

struct conn {
        unsigned slot;
        uint32_t gen;
        enum conn_state state;
        bool socks, connect;
        int cfd, ufd; /* the client's, in the sandbox; the server's */
        uint32_t c_armed, u_armed;
        unsigned dns_armed; /* the lookup's question watched (dns.asked) */
        struct dns_lookup dns;
        char host[PROXY_HOST_MAX];
        unsigned port;
        const struct allow_host *rule;
        size_t next_addr;
        bool timed_out;
        uint64_t deadline;    /* proxy_now_ms() */
        char in[CONN_IN_BUF]; /* client to server: [in_off, in_len) */
        size_t in_off, in_len;
        char out[CONN_BUF]; /* server (or the proxy) to client */
        size_t out_off, out_len;
        bool c_eof, u_eof, c_shut, u_shut;
        /* A plain request: the bytes of its body still to send on. What the
         * client sends after them is read and dropped. */
        bool plain;
        unsigned long long body_left;
};

struct proxy {
        const struct plan *plan;
        int chan;      /* where the listening socket comes from */
        int listen_fd; /* in the sandbox's network namespace */
        int ep;        /* the proxy's own epoll set */
        int timer;     /* a tick a second, for the deadlines */
        uint32_t listen_armed;
        struct conn *conns[MAX_CONNS];
        unsigned n_conns;
        uint32_t gen;
        unsigned n_refused; /* by the rules, for the summary at the end */
        char listed[4][PROXY_HOST_MAX + 8];
        unsigned n_listed;
        bool more;
};

uint64_t proxy_now_ms(void);
void proxy_arm(struct proxy *p, int fd, uint64_t key, uint32_t want, uint32_t *armed);
void proxy_conn_free(struct proxy *p, struct conn *c);

/* Move c on after what happened to it: read what came, parse, connect,
 * relay, and watch what it waits for next. */
void proxy_conn_step(struct proxy *p, struct conn *c);
void proxy_conn_event(struct proxy *p, struct conn *c, int side, uint32_t events);
void proxy_conn_timeout(struct proxy *p, struct conn *c);
