/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options that build the sandbox's filesystem: binds, tmpfs, data, overlays, masks. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#include "log.h"
#include "util.h"

static int add_bind(struct parse_state *st, char **a, unsigned flags)
{
        struct fs_op *op;

        if (want_path(st, "the source", a[0]) < 0 || want_dest(st, a[1]) < 0)
                return -1;
        op = plan_add_op(st->plan, FS_BIND, st->flag);
        op->flags = flags;
        op->src = xstrdup(a[0]);
        op->dest = xstrdup(a[1]);
        return 0;
}

int opt_bind(struct parse_state *st, char **a)
{
        return add_bind(st, a, 0);
}

int opt_bind_try(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_TRY);
}

int opt_ro_bind(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_READONLY);
}

int opt_ro_bind_try(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_READONLY | BIND_TRY);
}

int opt_dev_bind(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_DEVICES);
}

int opt_dev_bind_try(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_DEVICES | BIND_TRY);
}

int opt_remount_ro(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_REMOUNT_RO, a[0]) ? 0 : -1;
}

int opt_tmpfs(struct parse_state *st, char **a)
{
        struct fs_op *op = add_dest_op(st, FS_TMPFS, a[0]);
        if (!op)
                return -1;
        take_perms(st, op);
        if (st->size_pending) {
                op->size = st->size;
                st->size_pending = false;
        }
        return 0;
}

int opt_dir(struct parse_state *st, char **a)
{
        struct fs_op *op = add_dest_op(st, FS_DIR, a[0]);
        return op ? take_perms(st, op) : -1;
}

int opt_symlink(struct parse_state *st, char **a)
{
        struct fs_op *op;

        if (want_path(st, "the link target", a[0]) < 0)
                return -1;
        op = add_dest_op(st, FS_SYMLINK, a[1]);
        if (!op)
                return -1;
        op->src = xstrdup(a[0]);
        return 0;
}

int opt_proc(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_PROC, a[0]) ? 0 : -1;
}

int opt_dev(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_DEV, a[0]) ? 0 : -1;
}

int opt_sys(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_SYS, a[0]) ? 0 : -1;
}

int opt_mask(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_MASK, a[0]) ? 0 : -1;
}

int opt_unmask(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;

        if (want_path(st, "the path", a[0]) < 0)
                return -1;
        p->unmask = xrealloc(p->unmask, sizeof(char *) * (p->n_unmask + 1));
        p->unmask[p->n_unmask++] = xstrdup(a[0]);
        return 0;
}

int opt_perms(struct parse_state *st, char **a)
{
        if (parse_octal_mode(a[0], &st->perms) < 0)
                return fail(st, "'%s' is not an octal mode between 0 and 07777", a[0]);
        if (st->perms_pending)
                return fail(st, "given twice for the same operation");
        st->perms_pending = true;
        return 0;
}

/* As bwrap reads it (strtoull with base 0): 0x100000 is hex, 0100000 octal
 * (32 KiB). cocoon adds the K, M, G and T suffixes. The largest is half the
 * address space, as in bwrap. */
int opt_size(struct parse_state *st, char **a)
{
        int r = parse_size_c(a[0], &st->size);

        if (r < 0 || st->size == 0)
                return log_is_bwrap() ? (log_error("--size takes a non-zero number of bytes"), -1)
                                      : fail(st, "'%s' is not a valid size in bytes", a[0]);
        if (st->size > (uint64_t) SSIZE_MAX)
                return log_is_bwrap() ? (log_error("--size (for tmpfs) is limited to %zu", (size_t) SSIZE_MAX), -1)
                                      : fail(st, "'%s' is larger than a tmpfs can be (at most %zu bytes)", a[0],
                                             (size_t) SSIZE_MAX);
        if (st->size_pending)
                return fail(st, "given twice for the same --tmpfs");
        st->size_pending = true;
        return 0;
}

static int add_data_op(struct parse_state *st, char **a, enum fs_op_kind kind, unsigned flags, enum fd_use use)
{
        struct fs_op *op;
        int fd;

        if (fd_arg(st, a[0], use, &fd) < 0)
                return -1;
        op = add_dest_op(st, kind, a[1]);
        if (!op)
                return -1;
        op->fd = fd;
        op->flags = flags;
        return kind == FS_BIND_FD ? 0 : take_perms(st, op);
}

int opt_file(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_FILE, 0, FD_READ);
}

int opt_bind_data(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_DATA, 0, FD_READ);
}

int opt_ro_bind_data(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_DATA, BIND_READONLY, FD_READ);
}

int opt_bind_fd(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_FD, 0, FD_ANY);
}

int opt_ro_bind_fd(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_FD, BIND_READONLY, FD_ANY);
}

int opt_chmod(struct parse_state *st, char **a)
{
        mode_t mode;
        struct fs_op *op;

        if (parse_octal_mode(a[0], &mode) < 0)
                return fail(st, "'%s' is not an octal mode between 0 and 07777", a[0]);
        op = add_dest_op(st, FS_CHMOD, a[1]);
        if (!op)
                return -1;
        op->perms = mode;
        return 0;
}

int opt_mqueue(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_MQUEUE, a[0]) ? 0 : -1;
}

int opt_overlay_src(struct parse_state *st, char **a)
{
        if (want_path(st, "the source", a[0]) < 0)
                return -1;
        st->layers = xrealloc(st->layers, sizeof(char *) * (st->n_layers + 1));
        st->layers[st->n_layers++] = xstrdup(a[0]);
        return 0;
}

/* An overlay takes every --overlay-src given right before it. */
static struct fs_op *add_overlay(struct parse_state *st, enum overlay_kind kind, const char *dest, size_t min_layers)
{
        struct fs_op *op;

        if (st->n_layers < min_layers) {
                if (log_is_bwrap())
                        log_error("%s requires at least %s --overlay-src", st->flag, min_layers > 1 ? "two" : "one");
                else
                        fail(st, "needs at least %zu --overlay-src before it", min_layers);
                return NULL;
        }
        op = add_dest_op(st, FS_OVERLAY, dest);
        if (!op)
                return NULL;
        op->overlay = kind;
        op->layers = st->layers;
        op->n_layers = st->n_layers;
        st->layers = NULL;
        st->n_layers = 0;
        return op;
}

int opt_overlay(struct parse_state *st, char **a)
{
        struct fs_op *op;

        if (want_path(st, "the upper directory", a[0]) < 0 || want_path(st, "the work directory", a[1]) < 0)
                return -1;
        op = add_overlay(st, OVERLAY_RW, a[2], 1);
        if (!op)
                return -1;
        op->src = xstrdup(a[0]);
        op->work = xstrdup(a[1]);
        return 0;
}

int opt_tmp_overlay(struct parse_state *st, char **a)
{
        return add_overlay(st, OVERLAY_TMP, a[0], 1) ? 0 : -1;
}

int opt_ro_overlay(struct parse_state *st, char **a)
{
        return add_overlay(st, OVERLAY_RO, a[0], 2) ? 0 : -1;
}
