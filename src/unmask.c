/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which --unmask paths make sense: those that --proc, --sys or a bind of the
 * host's /proc or /sys protects. Binds are recognised by the paths of their
 * sources, lexically; at launch hostfs.c finds them by what they are. */
#include "unmask.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "masks.h"
#include "plan.h"
#include "util.h"

/* What an --unmask path names. */
struct verdict {
        bool masked;  /* something hidden */
        bool tunable; /* something kept read-only */
};

static bool in_list(const char *mount_dest, const char *want, const char *const *list, size_t n)
{
        char full[PATH_MAX];

        for (size_t i = 0; i < n; i++) {
                snprintf(full, sizeof full, "/%s/%s", mount_dest, list[i]);
                if (path_equal(full, want))
                        return true;
        }
        return false;
}

/* A host path cleaned lexically: no repeated slashes, no ".", and ".." taking
 * back the component before it. */
static void clean_path(const char *in, char *out, size_t size)
{
        size_t len = 0;

        out[0] = '\0';
        for (const char *c = in + strspn(in, "/"); *c; c += strspn(c, "/")) {
                size_t n = strcspn(c, "/");
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        char *slash = strrchr(out, '/');
                        len = slash ? (size_t) (slash - out) : 0;
                        out[len] = '\0';
                } else if (!(n == 1 && c[0] == '.') && len + n + 2 <= size) {
                        out[len++] = '/';
                        memcpy(out + len, c, n);
                        len += n;
                        out[len] = '\0';
                }
                c += n;
        }
        if (len == 0)
                snprintf(out, size, "/");
}

/* The host path that a bind's source names, cleaned; false for other
 * operations. A --bind-fd's is the path the kernel reports for its fd. */
static bool bind_source(const struct fs_op *op, char *out, size_t size)
{
        char link[64], path[PATH_MAX];
        ssize_t n;

        if (op->kind == FS_BIND) {
                clean_path(op->src, out, size);
                return true;
        }
        if (op->kind != FS_BIND_FD)
                return false;
        snprintf(link, sizeof link, "/proc/self/fd/%d", op->fd);
        n = readlink(link, path, sizeof path - 1);
        if (n <= 0 || path[0] != '/')
                return false;
        path[n] = '\0';
        clean_path(path, out, size);
        return true;
}

/* want against what m protects in a bind, at dest/sub, of its part bound. */
static void check_bound(const struct kfs_masks *m, const char *dest, const char *sub, const char *bound,
                        const char *want, struct verdict *v)
{
        char path[PATH_MAX];

        for (size_t i = 0; i < m->n_hidden; i++) {
                const char *loc = mask_entry_in_bind(m->hidden[i], bound);
                snprintf(path, sizeof path, "/%s/%s/%s", dest, sub, loc ? loc : "");
                v->masked |= loc && path_equal(path, want);
        }
        for (size_t i = 0; i < m->n_readonly; i++) {
                const char *loc = mask_entry_in_bind(m->readonly[i], bound);
                snprintf(path, sizeof path, "/%s/%s/%s", dest, sub, loc ? loc : "");
                v->tunable |= loc && path_equal(path, want);
        }
        /* The cpus' thermal_throttle directories, by name, as for --sys. */
        snprintf(path, sizeof path, "/%s/%s", dest, sub);
        if (m->cpus && mask_entry_in_bind(SYS_CPU_DIR, bound) && strstr(want, "/thermal_throttle") &&
            path_startswith(want, path))
                v->masked = true;
}

static void check_bind(const struct fs_op *op, const char *want, struct verdict *v)
{
        const struct kfs_masks *const all[] = {&kfs_proc, &kfs_sys};
        char src[PATH_MAX];

        if (!bind_source(op, src, sizeof src))
                return;
        for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
                const char *bound = path_startswith(src, all[i]->host);
                if (strcmp(src, "/") == 0)
                        check_bound(all[i], op->dest, all[i]->host, "", want, v);
                else if (bound)
                        check_bound(all[i], op->dest, "", bound, want, v);
        }
}

int unmask_check(const struct plan *p)
{
        bool own_userns = plan_in_userns(p);
        bool guarded = plan_tunables_guarded(p);

        for (size_t i = 0; i < p->n_unmask; i++) {
                const char *u = p->unmask[i];
                char want[PATH_MAX];
                struct verdict v = {false, false};

                if (strcmp(u, "all") == 0)
                        continue;
                snprintf(want, sizeof want, "/%s", u);
                for (size_t j = 0; j < p->n_ops; j++) {
                        const struct fs_op *op = &p->ops[j];
                        if (op->kind == FS_PROC) {
                                v.masked |= in_list(op->dest, want, proc_masked, n_proc_masked);
                                v.tunable |= in_list(op->dest, want, proc_readonly, n_proc_readonly);
                        } else if (op->kind == FS_SYS) {
                                v.masked |= in_list(op->dest, want, sys_masked, n_sys_masked) ||
                                            (strstr(want, "/thermal_throttle") != NULL);
                        } else {
                                check_bind(op, want, &v);
                        }
                }
                /* A path that names something hidden too lifts that,
                 * and stays read-only (a bind of a part of sysfs). */
                if (v.tunable && !v.masked && !guarded)
                        return log_error("--unmask: %s stays read-only: %s the sandbox would write the host's "
                                         "kernel settings",
                                         u,
                                         own_userns ? "its processes are the host's root, so"
                                                    : "without a user namespace of its own"),
                               -1;
                if (!v.masked && !v.tunable)
                        return log_error("--unmask: %s is not a path that --proc, --sys or a bind of the host's "
                                         "/proc or /sys hides",
                                         u),
                               -1;
        }
        return 0;
}
