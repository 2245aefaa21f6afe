/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options that lock the command down: capabilities, SELinux labels, seccomp, Landlock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"

#include "bpf.h"
#include "caps.h"
#include "label.h"
#include "util.h"

/* The set starts as the caller's own (empty unless it is root); each
 * --cap-add and --cap-drop then edits it in command-line order. */
static int edit_caps(struct parse_state *st, const char *name, bool add)
{
        struct plan *p = st->plan;
        uint64_t mask;

        if (caps_parse(name, &mask) < 0)
                return fail(st, "'%s' is not a capability name (like CAP_NET_ADMIN) or ALL", name);
        if (!p->caps_given) {
                p->caps = p->caller_caps;
                p->caps_given = true;
        }
        if (!add && (st->caps_added & mask))
                plan_warn(p, "--cap-drop %s takes back what a --cap-add before it gave: put the --cap-add after it",
                          name);
        if (add)
                st->caps_added |= mask;
        else
                st->caps_added &= ~mask;
        p->caps = add ? (p->caps | mask) : (p->caps & ~mask);
        p->caps_edit_add = add ? (p->caps_edit_add | mask) : (p->caps_edit_add & ~mask);
        p->caps_edit_drop = add ? (p->caps_edit_drop & ~mask) : (p->caps_edit_drop | mask);
        return 0;
}

int opt_cap_add(struct parse_state *st, char **a)
{
        return edit_caps(st, a[0], true);
}

int opt_cap_drop(struct parse_state *st, char **a)
{
        return edit_caps(st, a[0], false);
}

static int set_label(struct parse_state *st, const char *label, char **field)
{
        char err[256];

        if (*field)
                warn_given_again(st);
        if (!*label)
                return fail(st, "the label must not be an empty string");
        if (label_check(label, err, sizeof err) < 0)
                return fail(st, "%s", err);
        free(*field);
        *field = xstrdup(label);
        return 0;
}

int opt_exec_label(struct parse_state *st, char **a)
{
        return set_label(st, a[0], &st->plan->exec_label);
}

int opt_file_label(struct parse_state *st, char **a)
{
        return set_label(st, a[0], &st->plan->file_label);
}

/* A BPF program on an fd: read it all and check it now. */
static int read_program(struct parse_state *st, const char *arg, struct bpf_prog *out)
{
        char err[256];
        char *data;
        size_t len;
        int fd, r;

        if (fd_arg(st, arg, FD_READ, &fd) < 0)
                return -1;
        r = read_all(fd, &data, &len, BPF_MAX_INSNS * sizeof(struct sock_filter) + 1);
        close(fd);
        if (r < 0)
                return fail(st, "can't read fd %d: %s", fd,
                            r == -EFBIG ? "more than the largest program allowed" : strerror(-r));
        r = bpf_parse(data, len, out, err, sizeof err);
        free(data);
        if (r < 0)
                return fail(st, "the program on fd %d is not valid: %s", fd, err);
        return 0;
}

int opt_seccomp(struct parse_state *st, char **a)
{
        struct bpf_prog prog;

        if (st->plan->seccomp_fd_prog.insns)
                warn_given_again(st);
        if (read_program(st, a[0], &prog) < 0)
                return -1;
        free(st->plan->seccomp_fd_prog.insns); /* the last one given is used */
        st->plan->seccomp_fd_prog = prog;
        return 0;
}

int opt_add_seccomp_fd(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;
        struct bpf_prog prog;

        if (read_program(st, a[0], &prog) < 0)
                return -1;
        p->added_progs = xrealloc(p->added_progs, sizeof *p->added_progs * (p->n_added_progs + 1));
        p->added_progs[p->n_added_progs++] = prog;
        return 0;
}

int opt_seccomp_profile(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;

        if (want_path(st, "the profile", a[0]) < 0)
                return -1;
        p->profiles = xrealloc(p->profiles, sizeof(char *) * (p->n_profiles + 1));
        p->profiles[p->n_profiles++] = xstrdup(a[0]);
        return 0;
}

int opt_seccomp_export(struct parse_state *st, char **a)
{
        if (want_path(st, "the file", a[0]) < 0)
                return -1;
        free(st->plan->seccomp_export);
        st->plan->seccomp_export = xstrdup(a[0]);
        return 0;
}

int opt_not_a_security_boundary(struct parse_state *st, char **a)
{
        st->plan->not_a_security_boundary = true;
        return 0;
}

int opt_landlock(struct parse_state *st, char **a)
{
        st->plan->landlock = true;
        return 0;
}

int opt_landlock_best_effort(struct parse_state *st, char **a)
{
        st->plan->landlock_best_effort = true;
        return 0;
}

static int add_landlock_path(struct parse_state *st, const char *path, enum landlock_rights rights)
{
        struct plan *p = st->plan;

        if (want_path(st, "the path", path) < 0)
                return -1;
        p->landlock_paths = xrealloc(p->landlock_paths, sizeof *p->landlock_paths * (p->n_landlock_paths + 1));
        p->landlock_paths[p->n_landlock_paths++] =
                (struct landlock_path){.path = xstrdup(path), .rights = rights, .flag = st->flag};
        return 0;
}

int opt_landlock_read(struct parse_state *st, char **a)
{
        return add_landlock_path(st, a[0], LANDLOCK_READ);
}

int opt_landlock_write(struct parse_state *st, char **a)
{
        return add_landlock_path(st, a[0], LANDLOCK_WRITE);
}

int opt_landlock_exec(struct parse_state *st, char **a)
{
        return add_landlock_path(st, a[0], LANDLOCK_EXEC);
}

/* PORT or FIRST-LAST, 1..65535. */
static int add_ports(struct parse_state *st, const char *arg, struct port_range **list, size_t *n)
{
        uint64_t first, last;
        const char *dash = strchr(arg, '-');
        char buf[16];

        if (dash) {
                if ((size_t) (dash - arg) >= sizeof buf)
                        return fail(st, "'%s' is not a port or a range like 8000-8080", arg);
                memcpy(buf, arg, (size_t) (dash - arg));
                buf[dash - arg] = '\0';
        }
        if (parse_u64(dash ? buf : arg, 10, &first) < 0 || parse_u64(dash ? dash + 1 : arg, 10, &last) < 0 ||
            first < 1 || last > 65535 || first > last)
                return fail(st, "'%s' is not a port (1-65535) or a range like 8000-8080", arg);
        *list = xrealloc(*list, sizeof **list * (*n + 1));
        (*list)[(*n)++] = (struct port_range){(unsigned) first, (unsigned) last};
        return 0;
}

int opt_connect_tcp(struct parse_state *st, char **a)
{
        return add_ports(st, a[0], &st->plan->connect_tcp, &st->plan->n_connect_tcp);
}

int opt_bind_tcp(struct parse_state *st, char **a)
{
        return add_ports(st, a[0], &st->plan->bind_tcp, &st->plan->n_bind_tcp);
}

int opt_scope_abstract_unix(struct parse_state *st, char **a)
{
        st->plan->scope_abstract_unix = true;
        return 0;
}

int opt_scope_signals(struct parse_state *st, char **a)
{
        st->plan->scope_signals = true;
        return 0;
}
