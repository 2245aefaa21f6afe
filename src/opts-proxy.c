/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --allow-host: the network through the monitor's proxy, to listed hosts only (see mon-proxy.c). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Whether a rule covers what a no_proxy entry names: "localhost" covers
 * localhost and the names below it, an address only itself. */
static bool rule_names(const struct allow_host *r, const char *entry)
{
        size_t hl = strlen(r->host), el = strlen(entry);

        if (strcmp(r->host, entry) == 0)
                return true;
        return !r->ip && strcmp(entry, "localhost") == 0 && hl > el && r->host[hl - el - 1] == '.' &&
               strcmp(r->host + hl - el, entry) == 0;
}

/* The command finds the proxy through the variables that curl, pip, npm,
 * git and apt's http method read; SOCKS5 with names resolved by the proxy
 * (socks5h) for the rest. Set last, over any the caller had. no_proxy keeps
 * the sandbox's own loopback direct, but not a loopback name that a rule
 * lists: "--allow-host localhost:8080" means the host's localhost:8080, which
 * only the proxy reaches. */
void opts_proxy_env(struct plan *p)
{
        static const char *const names[] = {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"};
        static const char *const loopback[] = {"localhost", "127.0.0.1", "::1"};
        char http[64], socks[64], direct[32] = "";

        if (!p->n_allow_hosts)
                return;
        snprintf(http, sizeof http, "http://127.0.0.1:%d", PROXY_PORT);
        snprintf(socks, sizeof socks, "socks5h://127.0.0.1:%d", PROXY_PORT);
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                plan_setenv(p, names[i], http);
        plan_setenv(p, "all_proxy", socks);
        plan_setenv(p, "ALL_PROXY", socks);
        for (size_t i = 0; i < ARRAY_SIZE(loopback); i++) {
                bool listed = false;

                for (size_t j = 0; j < p->n_allow_hosts; j++)
                        listed = listed || rule_names(&p->allow_hosts[j], loopback[i]);
                if (!listed)
                        snprintf(direct + strlen(direct), sizeof direct - strlen(direct), "%s%s", *direct ? "," : "",
                                 loopback[i]);
        }
        plan_setenv(p, "no_proxy", direct);
        plan_setenv(p, "NO_PROXY", direct);
}
