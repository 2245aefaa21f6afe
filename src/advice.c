/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Advice on a validated plan: choices that are risky, or that change
 * nothing. It only reads the plan and looks at host paths; it never fails. */
#include "advice.h"

#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pathname.h"
#include "plan.h"
#include "util.h"

/* The X server's sockets. */
#define X11_SOCKETS "/tmp/.X11-unix"

/* Whether the operation puts something over what was at its destination. */
static bool covers(const struct fs_op *op)
{
        /* a -try bind of a missing source is skipped */
        return plan_op_mounts(op) && (op->kind != FS_BIND || !(op->flags & BIND_TRY) || access(op->src, F_OK) == 0);
}

/* What the checks ask of every operation, worked out once: its canonical
 * destination, and whether it covers what was there. */
struct ops_seen {
        char **dest;
        bool *covers;
};

static void ops_seen_init(struct ops_seen *s, const struct plan *p)
{
        s->dest = xcalloc(p->n_ops ? p->n_ops : 1, sizeof(char *));
        s->covers = xcalloc(p->n_ops ? p->n_ops : 1, sizeof(bool));
        for (size_t i = 0; i < p->n_ops; i++) {
                s->dest[i] = path_normalize(NULL, p->ops[i].dest);
                s->covers[i] = covers(&p->ops[i]);
        }
}

static void ops_seen_free(struct ops_seen *s, const struct plan *p)
{
        for (size_t i = 0; i < p->n_ops; i++)
                free(s->dest[i]);
        free(s->dest);
        free(s->covers);
}

/* The first operation after the i-th that covers the canonical path inside
 * (at it or above it), or -1. */
static ssize_t covered_after(const struct plan *p, const struct ops_seen *s, size_t i, const char *inside)
{
        for (size_t j = i + 1; j < p->n_ops; j++)
                if (s->covers[j] && path_within(inside, s->dest[j]))
                        return (ssize_t) j;
        return -1;
}

static void hidden_mounts(struct plan *p, const struct ops_seen *s)
{
        for (size_t i = 0; i < p->n_ops; i++) {
                ssize_t j;

                if (!s->covers[i])
                        continue;
                j = covered_after(p, s, i, s->dest[i]);
                if (j >= 0)
                        plan_warn(p, "%s %s is hidden by the %s %s after it, and has no effect", p->ops[i].flag,
                                  p->ops[i].dest, p->ops[j].flag, p->ops[j].dest);
        }
}

/* Where the host path host (canonical) shows in the sandbox through the
 * i-th operation, a bind of the canonical source src: a heap string, or
 * NULL when the bind doesn't reach it or a later operation covers it. */
static char *shown_through(const struct plan *p, const struct ops_seen *s, size_t i, const char *src, const char *host)
{
        const char *rest = path_startswith(host, src);
        char *inside;

        if (!rest)
                return NULL;
        inside = xasprintf("%s/%s", strcmp(s->dest[i], "/") == 0 ? "" : s->dest[i], rest);
        if (covered_after(p, s, i, inside) >= 0) {
                free(inside);
                return NULL;
        }
        return inside;
}

static void host_paths(struct plan *p, const struct ops_seen *s)
{
        _cleanup_free_ char *home = NULL, *x11 = realpath(X11_SOCKETS, NULL);
        /* The caller's home, whatever HOME says inside. */
        const char *h = getenv("HOME");

        if (h && *h)
                home = realpath(h, NULL);
        for (size_t i = 0; i < p->n_ops; i++) {
                const struct fs_op *op = &p->ops[i];
                _cleanup_free_ char *src = NULL, *in_home = NULL, *in_x11 = NULL;

                if (op->kind != FS_BIND || !op->src || !(src = realpath(op->src, NULL)))
                        continue;
                if (home && !(op->flags & BIND_READONLY) && (in_home = shown_through(p, s, i, src, home)))
                        plan_warn(p, "%s %s: the home directory %s is writable in the sandbox", op->flag, op->src,
                                  home);
                if (x11 && (in_x11 = shown_through(p, s, i, src, x11)))
                        plan_warn(p,
                                  "%s %s: the X11 sockets (%s) are in the sandbox: an X11 client can read every "
                                  "key typed and every window shown",
                                  op->flag, op->src, X11_SOCKETS);
        }
}

void advice_check(struct plan *p)
{
        uint64_t caps = plan_command_caps(p);
        struct ops_seen s;

        /* bwrap prints no such advice: under its name only --explain needs it. */
        if (log_is_bwrap() && !p->explain)
                return;
        ops_seen_init(&s, p);
        hidden_mounts(p, &s);
        host_paths(p, &s);
        ops_seen_free(&s, p);
        if ((p->n_connect_tcp || p->n_bind_tcp) && (p->clone_flags & CLONE_NEWNET) && p->net_mode != NET_PASTA)
                plan_warn(p,
                          "%s: the sandbox has a network namespace of its own, with only a loopback: the rule "
                          "only concerns ports on it (add --share-net for the host's network)",
                          p->n_connect_tcp ? "--connect-tcp" : "--bind-tcp");
        if (p->caller_uid == 0 && p->uid == 0 && caps && !p->maps_wide) /* else they are the namespace's */
                plan_warn(p, "the command runs as root with %d capabilities%s: add --cap-drop ALL unless it needs them",
                          __builtin_popcountll(caps),
                          (caps & (UINT64_C(1) << CAP_SYS_ADMIN)) ? ", CAP_SYS_ADMIN among them" : "");
}
