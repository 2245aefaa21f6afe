/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proxy's resolver (proxy-dns.c): non-blocking, driven by the monitor's loop. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proxy.h"

#define DNS_MAX_ADDRS   8
#define DNS_MAX_SERVERS 3
#define DNS_MAX_TRIES   4 /* questions sent, over the servers in turn */
#define DNS_TRY_MS      2000

struct dns_lookup {
        char name[PROXY_HOST_MAX];
        int fd; /* the UDP socket to watch while the answer is due, or -1 */
        struct sockaddr_storage servers[DNS_MAX_SERVERS];
        unsigned n_servers, server, tries;
        unsigned asked; /* questions sent so far: each on a new fd */
        uint16_t id[2]; /* of the A and the AAAA question */
        bool answered[2];
        struct sockaddr_storage addrs[DNS_MAX_ADDRS]; /* the answer, ports unset */
        size_t n_addrs;
};

/* Start resolving a canonical name: 1 when the answer is known already
 * (localhost, /etc/hosts), 0 when q->fd is to be watched. */
int dns_start(struct dns_lookup *q, const char *name);
/* q->fd is readable: 1 when done (q->n_addrs may be 0), else 0. */
int dns_on_readable(struct dns_lookup *q);
/* The try timed out: ask again (0), or 1 when out of tries. */
int dns_retry(struct dns_lookup *q);
void dns_end(struct dns_lookup *q);
