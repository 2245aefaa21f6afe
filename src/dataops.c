/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Operations fed by file descriptors: data files and fd binds. */
#include "dataops.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "hostfs.h"
#include "log.h"
#include "mountutil.h"
#include "owners.h"
#include "plan.h"
#include "rootctx.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

/* Copy everything from `from` into `to`. A regular file (a memfd, an
 * O_TMPFILE or unlinked file) is read from its start with pread, so the same
 * file may come on two fds that share an offset; anything else is read to
 * its end. */
static int copy_data(int from, int to)
{
        char buf[65536];
        struct stat st;
        off_t off = 0;
        bool regular;

        if (fstat(from, &st) < 0)
                return -errno;
        regular = S_ISREG(st.st_mode);
        for (;;) {
                ssize_t n = regular ? pread(from, buf, sizeof buf, off) : read(from, buf, sizeof buf);
                int r;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return 0;
                off += n;
                r = write_all(to, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
}

int op_file(struct rootfs *rfs, const struct fs_op *op)
{
        mode_t mode = plan_op_mode(op);
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int parent = -1, fd = -1;
        int r;

        parent = root_parent(rfs->newroot_fd, &rfs->links, op->dest, plan_op_parent_mode(op), &base);
        if (parent < 0)
                return dest_error(rfs, op, parent, "can't create the parent of");
        /* O_NOFOLLOW: a symlink planted at DEST is refused, not followed. */
        fd = openat(parent, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
        if (fd < 0)
                return log_errno(errno, "%s: can't create %s", op->flag, op->dest), -1;
        r = copy_data(op->fd, fd);
        if (r < 0)
                return log_errno(r, "%s: can't copy fd %d to %s", op->flag, op->fd, op->dest), -1;
        close(op->fd);
        return 0;
}

int op_bind_data(struct rootfs *rfs, const struct fs_op *op)
{
        static unsigned counter;
        mode_t mode = plan_op_mode(op);
        uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        char name[64], fd_name[16];
        _cleanup_close_ int fd = -1, dest = -1;
        int r;

        /* The file lives in the base tmpfs we stand in: private to this
         * mount namespace, detached with it, never on the host. */
        snprintf(name, sizeof name, "/bind-data.%u", counter++);
        fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return log_errno(errno, "%s: can't create a data file", op->flag), -1;
        r = copy_data(op->fd, fd);
        if (r < 0)
                return log_errno(r, "%s: can't read fd %d", op->flag, op->fd), -1;
        close(op->fd);

        dest = root_ensure(rfs->newroot_fd, &rfs->links, op->dest, false, 0444, plan_op_parent_mode(op));
        if (dest < 0)
                return dest_error(rfs, op, dest, "can't create mount point");
        snprintf(fd_name, sizeof fd_name, "%d", op->fd);
        if (rootctx_check_bind_types(op, fd_name, S_IFREG, dest) < 0)
                return -1;
        if (op->flags & BIND_READONLY)
                attrs |= MOUNT_ATTR_RDONLY;
        r = mount_clone_onto(fd, "", attrs, dest, "");
        if (r < 0)
                return log_errno(r, "%s: can't bind the data on %s", op->flag, op->dest), -1;
        return 0;
}

/*
 * The fd's mount belongs to the caller's mount namespace, not to our copy of
 * it, so it cannot be cloned directly. Find the same object in our copy by
 * the path the kernel reports for the fd, and bind it only if it is the very
 * same inode on the same device: a path swapped in between is refused.
 */
int op_bind_fd(struct rootfs *rfs, const struct fs_op *op)
{
        char link[ROOTCTX_FD_LINK_MAX], path[PATH_MAX], fd_name[16];
        struct stat want, got;
        _cleanup_close_ int src = -1, dest = -1, tree = -1;
        uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        struct hostfs_bind hb;
        ssize_t n;

        if (fstat(op->fd, &want) < 0)
                return log_errno(errno, "%s: can't stat fd %d", op->flag, op->fd), -1;
        rootctx_fd_link(op->fd, link);
        n = readlink(link, path, sizeof path - 1);
        if (n < 0)
                return log_errno(errno, "%s: can't find the path of fd %d", op->flag, op->fd), -1;
        path[n] = '\0';
        if (path[0] != '/')
                return log_error("%s: fd %d is not a file or directory (%s)", op->flag, op->fd, path), -1;

        src = rootctx_open_source(rfs, path);
        if (src < 0 || fstat(src, &got) < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino)
                return log_error("%s: fd %d (%s) is not reachable in this mount namespace", op->flag, op->fd, path), -1;

        dest = root_ensure(rfs->newroot_fd, &rfs->links, op->dest, S_ISDIR(want.st_mode),
                           S_ISDIR(want.st_mode) ? 0755 : 0444, plan_op_parent_mode(op));
        if (dest < 0)
                return dest_error(rfs, op, dest, "can't create mount point");
        snprintf(fd_name, sizeof fd_name, "%d", op->fd);
        if (rootctx_check_bind_types(op, fd_name, want.st_mode, dest) < 0)
                return -1;
        if (op->flags & BIND_READONLY)
                attrs |= MOUNT_ATTR_RDONLY;
        if (hostfs_prepare(rfs, op, path, src, &got, &hb, &attrs) < 0)
                return -1;
        tree = mount_clone_attach(src, "", attrs, dest, "");
        if (tree < 0)
                return log_errno(tree, "%s: can't bind fd %d on %s", op->flag, op->fd, op->dest), -1;
        close(op->fd);
        return hostfs_protect(rfs, op, &hb, tree, attrs);
}
