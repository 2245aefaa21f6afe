/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --net pasta: what the sandbox does, and pasta's command line (see netpasta.h). */
#include "netpasta.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "util.h"

int netpasta_send_namespaces(int fd)
{
        _cleanup_close_ int user = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

        if (user < 0 || net < 0)
                return log_errno(errno, "--net pasta: can't open the sandbox's namespaces"), -1;
        if (send_fds(fd, NETPASTA_NAMESPACES, (int[]){user, net}, 2) != 1)
                return log_errno(errno, "--net pasta: can't hand the namespaces to the monitor"), -1;
        return 0;
}

int netpasta_wait_ready(int fd)
{
        char word = 0;
        ssize_t n;

        do
                n = read(fd, &word, 1);
        while (n < 0 && errno == EINTR);
        /* Without the word, the monitor has said why already. */
        return n == 1 && word == NETPASTA_READY ? 0 : -1;
}

static bool executable_at(char *buf, size_t size, const char *dir, size_t len)
{
        int n = snprintf(buf, size, "%.*s/pasta", (int) len, dir);

        return n > 0 && (size_t) n < size && dir[0] == '/' && access(buf, X_OK) == 0;
}

int netpasta_find(char *buf, size_t size)
{
        const char *path = getenv("PATH");

        /* Only absolute directories of $PATH: a relative one would name a
         * different pasta for each working directory. */
        for (const char *p = path; p && *p;) {
                size_t len = strcspn(p, ":");

                if (len && executable_at(buf, size, p, len))
                        return 0;
                p += len + (p[len] == ':');
        }
        if (executable_at(buf, size, "/usr/bin", 8) || executable_at(buf, size, "/usr/sbin", 9))
                return 0;
        return -1;
}

/* Append one argument, formatted into buf. */
static int add(char **argv, size_t n, size_t *i, char *buf, size_t size, size_t *used, const char *fmt, ...)
{
        va_list ap;
        int len;

        if (*i + 2 > n || *used >= size)
                return -1;
        va_start(ap, fmt);
        len = vsnprintf(buf + *used, size - *used, fmt, ap);
        va_end(ap);
        if (len < 0 || (size_t) len >= size - *used)
                return -1;
        argv[(*i)++] = buf + *used;
        argv[*i] = NULL;
        *used += (size_t) len + 1;
        return 0;
}

int netpasta_argv(const struct plan *p, const char *path, int userns_fd, int netns_fd, int pid_fd, char **argv,
                  size_t n, char *buf, size_t size)
{
        size_t i = 0, used = 0;
        int r = 0;
        /* One --tcp-ports (-t) or --udp-ports (-u) each: a list, or none. */
        char tcp[NET_MAX_FORWARDS * 12 + 8] = "", udp[NET_MAX_FORWARDS * 12 + 8] = "";

        for (size_t k = 0; k < p->n_forwards; k++) {
                const struct net_forward *f = &p->forwards[k];
                char *list = f->udp ? udp : tcp;
                size_t at = strlen(list);

                snprintf(list + at, sizeof tcp - at, "%s%u:%u", at ? "," : "", f->host_port, f->sandbox_port);
        }
        /* In the foreground, so that it stays our child and dies with us;
         * quiet but for errors, which go to stderr. */
        r |= add(argv, n, &i, buf, size, &used, "%s", path);
        r |= add(argv, n, &i, buf, size, &used, "--foreground");
        r |= add(argv, n, &i, buf, size, &used, "--quiet");
        r |= add(argv, n, &i, buf, size, &used, "--stderr");
        r |= add(argv, n, &i, buf, size, &used, "--config-net");
        /* Nothing of the host reaches in but what --forward asks for, and
         * nothing of the sandbox reaches the host's loopback: no ports
         * bound on either side's loopback for the other (-T, -U), and the
         * gateway's address is not the host's (--no-map-gw). */
        r |= add(argv, n, &i, buf, size, &used, "--tcp-ports");
        r |= add(argv, n, &i, buf, size, &used, "%s", tcp[0] ? tcp : "none");
        r |= add(argv, n, &i, buf, size, &used, "--udp-ports");
        r |= add(argv, n, &i, buf, size, &used, "%s", udp[0] ? udp : "none");
        r |= add(argv, n, &i, buf, size, &used, "--tcp-ns");
        r |= add(argv, n, &i, buf, size, &used, "none");
        r |= add(argv, n, &i, buf, size, &used, "--udp-ns");
        r |= add(argv, n, &i, buf, size, &used, "none");
        r |= add(argv, n, &i, buf, size, &used, "--no-map-gw");
        if (userns_fd >= 0) {
                r |= add(argv, n, &i, buf, size, &used, "--userns");
                r |= add(argv, n, &i, buf, size, &used, "/proc/self/fd/%d", userns_fd);
        }
        /* Started as root, pasta turns into nobody before it joins the
         * namespaces, which nobody may not (the user namespace a root caller
         * makes is root's, and without one the network namespace is too):
         * a root caller's sandbox is served by a pasta that stays root, as
         * the caller is. (It keeps only the capabilities it needs, and the
         * sandbox can't see it.) */
        if (getuid() == 0) {
                r |= add(argv, n, &i, buf, size, &used, "--runas");
                r |= add(argv, n, &i, buf, size, &used, "0:0");
        }
        r |= add(argv, n, &i, buf, size, &used, "--netns");
        r |= add(argv, n, &i, buf, size, &used, "/proc/self/fd/%d", netns_fd);
        /* Written once it has configured the namespace: our sign to go. */
        r |= add(argv, n, &i, buf, size, &used, "--pid");
        r |= add(argv, n, &i, buf, size, &used, "/proc/self/fd/%d", pid_fd);
        return r ? -1 : 0;
}
