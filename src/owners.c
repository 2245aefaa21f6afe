/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who owns each part of the new root, and so which symlinks a destination
 * may follow. */
#include "owners.h"

#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "log.h"
#include "plan.h"
#include "rootctx.h"
#include "safepath.h"
#include "util.h"

static bool makes_mount(enum fs_op_kind kind)
{
        switch (kind) {
        case FS_REMOUNT_RO:
        case FS_DIR:
        case FS_SYMLINK:
        case FS_FILE:
        case FS_CHMOD: return false;
        default: return true;
        }
}

/* Mounts whose content comes from the host, where others may write. */
static bool from_host(enum fs_op_kind kind)
{
        return kind == FS_BIND || kind == FS_BIND_FD || kind == FS_OVERLAY;
}

/* Mounts that setup did not fill: a link from elsewhere must not lead in. */
static bool foreign(enum fs_op_kind kind)
{
        return from_host(kind) || kind == FS_PROC || kind == FS_SYS;
}

/* The last operation before the current one whose mount lies at or above
 * path; -1 for the base tmpfs. */
static ssize_t owner_of(const struct rootfs *rfs, const char *path)
{
        for (size_t i = rfs->current; i-- > 0;)
                if (rfs->landed[i] && path_within(path, rfs->landed[i]))
                        return (ssize_t) i;
        return -1;
}

/* A link in a mount that setup made and filled (the base tmpfs, --tmpfs,
 * --dev, --mqueue, data binds, masks) was made by setup: it is followed.
 * One in a mount of host content is followed within that mount's scope (the
 * operation's index + 1), and one in procfs or sysfs never. */
static int judge(void *ctx, const char *link)
{
        const struct rootfs *rfs = ctx;
        ssize_t i = owner_of(rfs, link);
        enum fs_op_kind kind;

        if (i < 0)
                return 0;
        kind = rfs->plan->ops[i].kind;
        if (kind == FS_PROC || kind == FS_SYS)
                return -ELOOP;
        return from_host(kind) ? (int) i + 1 : 0;
}

/* A link in mount i may lead anywhere inside i's destination that is still
 * i's, or into a mount that setup made below it; never into another mount
 * of host content (a bind nested in it included), nor procfs or sysfs. */
static bool allows(void *ctx, int scope, const char *path)
{
        const struct rootfs *rfs = ctx;
        size_t i = (size_t) scope - 1;
        ssize_t j;

        if (!path_within(path, rfs->landed[i]))
                return false;
        j = owner_of(rfs, path);
        return (size_t) j == i || !foreign(rfs->plan->ops[j].kind);
}

void owners_init(struct rootfs *rfs)
{
        rfs->landed = xcalloc(rfs->plan->n_ops, sizeof *rfs->landed);
        rfs->links.judge = judge;
        rfs->links.allows = allows;
        rfs->links.ctx = rfs;
}

void owners_begin(struct rootfs *rfs, size_t i)
{
        rfs->current = i;
        rfs->links.watch = rfs->plan->ops[i].dest;
        free(rfs->links.noted);
        rfs->links.noted = NULL;
}

static char *take_noted(struct rootfs *rfs)
{
        char *s = rfs->links.noted;

        rfs->links.noted = NULL;
        return s;
}

void owners_applied(struct rootfs *rfs, size_t i)
{
        /* A skipped -try bind looked nothing up, and records nothing. */
        if (makes_mount(rfs->plan->ops[i].kind))
                rfs->landed[i] = take_noted(rfs);
        rfs->links.watch = NULL;
}

void owners_free(struct rootfs *rfs)
{
        for (size_t i = 0; rfs->landed && i < rfs->plan->n_ops; i++)
                free(rfs->landed[i]);
        free(rfs->landed);
        rfs->landed = NULL;
        link_policy_clear(&rfs->links);
}

int dest_error(const struct rootfs *rfs, const struct fs_op *op, int err, const char *what)
{
        const struct link_policy *l = &rfs->links;
        const struct fs_op *owner, *into;
        _cleanup_free_ char *dest = NULL, *lead = NULL;
        ssize_t j;

        if (err != -ELOOP || !l->refused_link)
                return log_errno(err, "%s: %s %s", op->flag, what, op->dest), -1;
        /* Name the destination too when the link is only on its way. */
        dest = path_normalize(NULL, op->dest);
        lead = strcmp(dest, l->refused_link) == 0 ? xstrdup("") : xasprintf("%s: ", op->dest);
        if (l->refused_scope <= 0)
                return log_error("%s: %s%s is a symlink to %s on procfs or sysfs; refusing to follow it", op->flag,
                                 lead, l->refused_link, l->refused_target),
                       -1;
        owner = &rfs->plan->ops[l->refused_scope - 1];
        j = path_within(l->refused_target, rfs->landed[l->refused_scope - 1]) ? owner_of(rfs, l->refused_target) : -1;
        into = j >= 0 ? &rfs->plan->ops[j] : NULL;
        if (into && into != owner && foreign(into->kind))
                return log_error("%s: %s%s is a symlink to %s, from %s %s into %s %s; refusing to follow it", op->flag,
                                 lead, l->refused_link, l->refused_target, owner->flag, owner->dest, into->flag,
                                 into->dest),
                       -1;
        return log_error("%s: %s%s is a symlink to %s, outside %s %s; refusing to follow it", op->flag, lead,
                         l->refused_link, l->refused_target, owner->flag, owner->dest),
               -1;
}
