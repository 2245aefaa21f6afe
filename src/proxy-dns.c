/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names resolved for the proxy without blocking the monitor: /etc/hosts
 * first, then A and AAAA questions over UDP to the name servers of
 * /etc/resolv.conf, answered in the monitor's event loop. Not the C
 * library's getaddrinfo: cocoon is linked statically, and a static
 * getaddrinfo loads the host's NSS modules at run time (glibc warns at link
 * time that they must be of the very version linked), and it blocks, which
 * would take a thread or a process per lookup to keep away from the loop.
 * What a proxy for package registries needs is the hosts file and DNS.
 */
#include "proxy-dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

static void add_addr(struct dns_lookup *q, int family, const void *addr)
{
        struct sockaddr_storage *ss;

        if (q->n_addrs >= DNS_MAX_ADDRS)
                return;
        ss = &q->addrs[q->n_addrs++];
        memset(ss, 0, sizeof *ss);
        ss->ss_family = (sa_family_t) family;
        if (family == AF_INET)
                memcpy(&((struct sockaddr_in *) ss)->sin_addr, addr, 4);
        else
                memcpy(&((struct sockaddr_in6 *) ss)->sin6_addr, addr, 16);
}

/* /etc/hosts: "ADDRESS NAME ALIAS...", '#' comments. */
static void read_hosts(struct dns_lookup *q)
{
        FILE *f = fopen("/etc/hosts", "re");
        char line[1024];

        if (!f)
                return;
        while (fgets(line, sizeof line, f)) {
                char *save = NULL, *addr, *name;
                unsigned char bin[16];
                int family;

                line[strcspn(line, "#\n")] = '\0';
                addr = strtok_r(line, " \t", &save);
                if (!addr)
                        continue;
                family = inet_pton(AF_INET, addr, bin) == 1    ? AF_INET
                         : inet_pton(AF_INET6, addr, bin) == 1 ? AF_INET6
                                                               : 0;
                if (!family)
                        continue;
                while ((name = strtok_r(NULL, " \t", &save))) {
                        size_t n = strlen(name);
                        if (n > 0 && name[n - 1] == '.')
                                name[--n] = '\0';
                        if (strcasecmp(name, q->name) == 0)
                                add_addr(q, family, bin);
                }
        }
        fclose(f);
}

/* The name servers of /etc/resolv.conf, or 127.0.0.1 as the C library
 * does when it names none. */
static void read_servers(struct dns_lookup *q)
{
        FILE *f = fopen("/etc/resolv.conf", "re");
        char line[512];

        q->n_servers = 0;
        while (f && fgets(line, sizeof line, f) && q->n_servers < DNS_MAX_SERVERS) {
                char addr[INET6_ADDRSTRLEN + 1];
                struct sockaddr_storage *ss = &q->servers[q->n_servers];

                memset(ss, 0, sizeof *ss);
                if (sscanf(line, " nameserver %46s", addr) != 1)
                        continue;
                if (inet_pton(AF_INET, addr, &((struct sockaddr_in *) ss)->sin_addr) == 1) {
                        ss->ss_family = AF_INET;
                        ((struct sockaddr_in *) ss)->sin_port = htons(53);
                        q->n_servers++;
                } else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *) ss)->sin6_addr) == 1) {
                        ss->ss_family = AF_INET6;
                        ((struct sockaddr_in6 *) ss)->sin6_port = htons(53);
                        q->n_servers++;
                }
        }
        if (f)
                fclose(f);
        if (q->n_servers == 0) {
                struct sockaddr_in *sin = (struct sockaddr_in *) &q->servers[0];
                memset(&q->servers[0], 0, sizeof q->servers[0]);
                sin->sin_family = AF_INET;
                sin->sin_port = htons(53);
                sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                q->n_servers = 1;
        }
}

/* One question: header, name in labels, type, class IN. */
static size_t build_query(const char *name, uint16_t id, uint16_t type, unsigned char *buf)
{
        size_t n = 12;
        const char *p = name;

        memset(buf, 0, 12);
        buf[0] = (unsigned char) (id >> 8);
        buf[1] = (unsigned char) id;
        buf[2] = 0x01; /* recursion desired */
        buf[5] = 1;    /* one question */
        while (*p) {
                size_t l = strcspn(p, ".");
                buf[n++] = (unsigned char) l;
                memcpy(buf + n, p, l);
                n += l;
                p += l;
                if (*p == '.')
                        p++;
        }
        buf[n++] = 0;
        buf[n++] = (unsigned char) (type >> 8);
        buf[n++] = (unsigned char) type;
        buf[n++] = 0;
        buf[n++] = 1;
        return n;
}

/* Send both questions to the current server on a new socket. */
static int ask(struct dns_lookup *q)
{
        const struct sockaddr_storage *srv = &q->servers[q->server];
        unsigned char buf[300];
        uint16_t ids[2];

        closep(&q->fd);
        q->asked++;
        q->fd = socket(srv->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (q->fd < 0)
                return -errno;
        if (connect(q->fd, (const struct sockaddr *) srv,
                    srv->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0)
                return -errno;
        if (getrandom(ids, sizeof ids, GRND_NONBLOCK) != (ssize_t) sizeof ids)
                ids[0] = (uint16_t) (getpid() ^ q->server), ids[1] = (uint16_t) (ids[0] + 1);
        q->id[0] = ids[0];
        q->id[1] = ids[1];
        q->answered[0] = q->answered[1] = false;
        (void) !send(q->fd, buf, build_query(q->name, q->id[0], 1, buf), MSG_NOSIGNAL);
        (void) !send(q->fd, buf, build_query(q->name, q->id[1], 28, buf), MSG_NOSIGNAL);
        return 0;
}

int dns_start(struct dns_lookup *q, const char *name)
{
        memset(q, 0, sizeof *q);
        q->fd = -1;
        snprintf(q->name, sizeof q->name, "%s", name);
        if (strcmp(name, "localhost") == 0 ||
            (strlen(name) > 10 && strcmp(name + strlen(name) - 10, ".localhost") == 0)) {
                /* RFC 6761: loopback, whatever the files say */
                struct in_addr v4 = {htonl(INADDR_LOOPBACK)};
                add_addr(q, AF_INET, &v4);
                add_addr(q, AF_INET6, &in6addr_loopback);
                return 1;
        }
        read_hosts(q);
        if (q->n_addrs > 0)
                return 1;
        read_servers(q);
        return ask(q) < 0 ? dns_retry(q) : 0;
}

/* Skip a name in a message; the offset after it, or 0. */
static size_t skip_name(const unsigned char *m, size_t len, size_t at)
{
        while (at < len) {
                unsigned l = m[at];
                if (l == 0)
                        return at + 1;
                if ((l & 0xc0) == 0xc0)
                        return at + 2 <= len ? at + 2 : 0;
                if (l & 0xc0)
                        return 0;
                at += l + 1;
        }
        return 0;
}

/* One answer, for one of our two questions. */
static void take_answer(struct dns_lookup *q, const unsigned char *m, size_t len)
{
        uint16_t id, qd, an;
        size_t at = 12;
        int which;

        if (len < 12)
                return;
        id = (uint16_t) (m[0] << 8 | m[1]);
        which = id == q->id[0] ? 0 : id == q->id[1] ? 1 : -1;
        if (which < 0 || !(m[2] & 0x80) || q->answered[which])
                return;
        q->answered[which] = true;
        qd = (uint16_t) (m[4] << 8 | m[5]);
        an = (uint16_t) (m[6] << 8 | m[7]);
        for (unsigned i = 0; i < qd && at; i++)
                at = skip_name(m, len, at) + 4;
        for (unsigned i = 0; i < an && at && at < len; i++) {
                unsigned type, rdlen;

                at = skip_name(m, len, at);
                if (!at || at + 10 > len)
                        return;
                type = (unsigned) (m[at] << 8 | m[at + 1]);
                rdlen = (unsigned) (m[at + 8] << 8 | m[at + 9]);
                at += 10;
                if (at + rdlen > len)
                        return;
                if (type == 1 && rdlen == 4 && which == 0)
                        add_addr(q, AF_INET, m + at);
                else if (type == 28 && rdlen == 16 && which == 1)
                        add_addr(q, AF_INET6, m + at);
                at += rdlen;
        }
}

int dns_on_readable(struct dns_lookup *q)
{
        unsigned char m[1500];
        ssize_t n;

        for (int i = 0; i < 8; i++) {
                n = recv(q->fd, m, sizeof m, MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return 0;
                if (n < 0) /* refused: the next server */
                        return dns_retry(q);
                take_answer(q, m, (size_t) n);
                if (q->answered[0] && q->answered[1]) {
                        closep(&q->fd);
                        return 1;
                }
        }
        return 0;
}

int dns_retry(struct dns_lookup *q)
{
        while (++q->tries < DNS_MAX_TRIES) {
                q->server = (q->server + 1) % q->n_servers;
                if (ask(q) == 0)
                        return 0;
        }
        closep(&q->fd);
        return 1;
}

void dns_end(struct dns_lookup *q)
{
        closep(&q->fd);
}
