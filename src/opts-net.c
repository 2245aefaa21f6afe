/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options for the network beyond the namespace: --net MODE, and --forward
 * for the ports that pasta opens on the host (see netpasta.h). */
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#include "util.h"

int opt_net(struct parse_state *st, char **a)
{
        if (strcmp(a[0], "pasta") == 0) {
                st->plan->net_mode = NET_PASTA;
                return opt_unshare_net(st, a);
        }
        st->plan->net_mode = NET_DEFAULT;
        if (strcmp(a[0], "none") == 0)
                return opt_unshare_net(st, a);
        if (strcmp(a[0], "host") == 0)
                return opt_share_net(st, a);
        return fail(st, "unknown mode '%s' (pasta, none or host)", a[0]);
}

/* A port number, 1 to 65535, the whole word. */
static int parse_port(const char *s, unsigned *out)
{
        uint64_t v;

        if (!*s || strspn(s, "0123456789") != strlen(s) || parse_u64(s, 10, &v) < 0 || v == 0 || v > 65535)
                return -1;
        *out = (unsigned) v;
        return 0;
}

/* tcp:HOSTPORT[:SANDBOXPORT] or udp:HOSTPORT[:SANDBOXPORT] */
int opt_forward(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;
        struct net_forward f = {0};
        char *spec = a[0], *colon;
        const char *ports;

        if (strncmp(spec, "tcp:", 4) == 0)
                f.udp = false;
        else if (strncmp(spec, "udp:", 4) == 0)
                f.udp = true;
        else
                return fail(st, "'%s' is not tcp:HOSTPORT[:SANDBOXPORT] or udp:HOSTPORT[:SANDBOXPORT]", spec);
        ports = spec + 4;
        colon = strchr(ports, ':');
        if (colon) {
                char host[8];
                size_t len = (size_t) (colon - ports);

                if (len >= sizeof host)
                        return fail(st, "'%.*s' is not a port (1 to 65535)", (int) len, ports);
                memcpy(host, ports, len);
                host[len] = '\0';
                if (parse_port(host, &f.host_port) < 0)
                        return fail(st, "'%s' is not a port (1 to 65535)", host);
                if (parse_port(colon + 1, &f.sandbox_port) < 0)
                        return fail(st, "'%s' is not a port (1 to 65535)", colon + 1);
        } else {
                if (parse_port(ports, &f.host_port) < 0)
                        return fail(st, "'%s' is not a port (1 to 65535)", ports);
                f.sandbox_port = f.host_port;
        }
        for (size_t i = 0; i < p->n_forwards; i++)
                if (p->forwards[i].udp == f.udp && p->forwards[i].host_port == f.host_port)
                        return fail(st, "%s port %u of the host is forwarded twice", f.udp ? "udp" : "tcp",
                                    f.host_port);
        if (p->n_forwards == NET_MAX_FORWARDS)
                return fail(st, "at most %d forwarded ports", NET_MAX_FORWARDS);
        p->forwards = xrealloc(p->forwards, (p->n_forwards + 1) * sizeof *p->forwards);
        p->forwards[p->n_forwards++] = f;
        return 0;
}
