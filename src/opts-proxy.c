/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --allow-host: the network through the monitor's proxy, to listed hosts only (see mon-proxy.c). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "opts.h"

#include "proxy.h"
#include "util.h"

int opt_allow_host(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;
        struct allow_host rule;
        const char *why;

        if (st->share_net_given)
                return fail(st, "can't be combined with --share-net: the sandbox reaches the network only through "
                                "the proxy");
        why = proxy_rule_parse(a[0], &rule);
        if (why)
                return fail(st, "'%s': %s", a[0], why);
        p->allow_hosts = xrealloc(p->allow_hosts, (p->n_allow_hosts + 1) * sizeof *p->allow_hosts);
        p->allow_hosts[p->n_allow_hosts++] = rule;
        p->clone_flags |= CLONE_NEWNET;
        return 0;
}

/* The command finds the proxy through the variables that curl, pip, npm,
 * git and apt's http method read; SOCKS5 with names resolved by the proxy
 * (socks5h) for the rest. Set last, over any the caller had. */
void opts_proxy_env(struct plan *p)
{
        static const char *const names[] = {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"};
        char http[64], socks[64];

        if (!p->n_allow_hosts)
                return;
        snprintf(http, sizeof http, "http://127.0.0.1:%d", PROXY_PORT);
        snprintf(socks, sizeof socks, "socks5h://127.0.0.1:%d", PROXY_PORT);
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                plan_setenv(p, names[i], http);
        plan_setenv(p, "all_proxy", socks);
        plan_setenv(p, "ALL_PROXY", socks);
        plan_setenv(p, "no_proxy", "localhost,127.0.0.1,::1");
        plan_setenv(p, "NO_PROXY", "localhost,127.0.0.1,::1");
}
