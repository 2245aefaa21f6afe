/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the option handlers share: error lines, path and fd arguments. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "opts.h"

#include "log.h"
#include "pathname.h"
#include "util.h"

int fail(struct parse_state *st, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        log_error("%s: %s", st->flag, msg);
        return -1;
}

void warn_given_again(struct parse_state *st)
{
        if (log_is_bwrap())
                log_warning("Only the last %s option will take effect", st->flag);
        else
                log_warning("%s: given more than once; only the last one takes effect", st->flag);
}

/* A path argument: never empty (bwrap would bind the whole host for ""). */
int want_path(struct parse_state *st, const char *what, const char *s)
{
        if (!*s)
                return fail(st, "%s must not be an empty string", what);
        return 0;
}

/* A destination inside the sandbox. Relative ones are relative to its root,
 * and a ".." may not climb above that root: such a path is a mistake, not a
 * way to name "/". */
int want_dest(struct parse_state *st, const char *s)
{
        if (want_path(st, "the destination", s) < 0)
                return -1;
        if (path_climbs_above_root(s))
                return fail(st, "the destination %s climbs above the root of the sandbox", s);
        return 0;
}

/* Check an fd argument when it is parsed: it must be open and of the kind the
 * option needs. It is then made close-on-exec: an fd an option consumes never
 * reaches the command. */
int fd_arg(struct parse_state *st, const char *s, enum fd_use use, int *out)
{
        int fd, fl;

        if (parse_fd(s, &fd) < 0)
                return fail(st, "'%s' is not a valid file descriptor", s);
        fl = fcntl(fd, F_GETFL);
        if (fl < 0)
                return fail(st, "fd %d is not open", fd);
        switch (use) {
        case FD_ANY: break;
        case FD_READ:
                if ((fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY)
                        return fail(st, "fd %d is not open for reading", fd);
                break;
        case FD_WRITE:
                if ((fl & O_PATH) || (fl & O_ACCMODE) == O_RDONLY)
                        return fail(st, "fd %d is not open for writing", fd);
                break;
        case FD_USERNS:
        case FD_PIDNS: {
                int want = use == FD_USERNS ? CLONE_NEWUSER : CLONE_NEWPID;
                if (ioctl(fd, NS_GET_NSTYPE) != want)
                        return fail(st, "fd %d is not a %s namespace", fd, use == FD_USERNS ? "user" : "pid");
                break;
        }
        }
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return fail(st, "fd %d: %s", fd, strerror(errno));
        *out = fd;
        return 0;
}

int take_perms(struct parse_state *st, struct fs_op *op)
{
        if (st->perms_pending) {
                op->perms = st->perms;
                st->perms_pending = false;
        }
        return 0;
}

struct fs_op *add_dest_op(struct parse_state *st, enum fs_op_kind kind, const char *dest)
{
        struct fs_op *op;

        if (want_dest(st, dest) < 0)
                return NULL;
        op = plan_add_op(st->plan, kind, st->flag);
        op->dest = xstrdup(dest);
        return op;
}
