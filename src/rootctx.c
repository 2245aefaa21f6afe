/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the mechanisms share while the new root is built. */
#include "rootctx.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "inroot.h"
#include "log.h"
#include "mountutil.h"
#include "owners.h"
#include "plan.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

int rootctx_open_source(const struct rootfs *rfs, const char *path)
{
        _cleanup_free_ char *full = NULL;
        int fd;

        /* Resolve as the caller would: absolute symlinks lead to the host's
         * root, not to the base tmpfs we now stand in. */
        while (*path == '/')
                path++;
        do
                fd = sys_openat2(rfs->oldroot_fd, *path ? path : ".", O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT);
        while (fd < 0 && errno == EAGAIN);
        /* Without openat2 (syscalls.h), the same lookup in user space. */
        if (fd < 0 && errno == ENOSYS)
                return inroot_open(rfs->oldroot_fd, path);
        /* A scoped lookup refuses a magic link with EXDEV (ELOOP on some
         * kernels); nothing else makes RESOLVE_IN_ROOT fail that way. */
        if (fd >= 0 || (errno != EXDEV && errno != ELOOP))
                return fd < 0 ? -errno : fd;

        /* RESOLVE_IN_ROOT refuses magic links such as /proc/self/ns/user,
         * which clients do bind. Those live in procfs, where a plain lookup
         * under the old root means the same thing. */
        full = xasprintf("/oldroot/%s", path);
        fd = open(full, O_PATH | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int rootctx_mount_kernel_fs(struct rootfs *rfs, const struct fs_op *op, const char *fstype, const char *host_path,
                            bool fresh, uint64_t attrs)
{
        _cleanup_close_ int dest = root_mkdir_p(rfs->newroot_fd, &rfs->links, op->dest, 0755, plan_op_parent_mode(op));
        int r, fd;

        if (dest < 0)
                return dest_error(rfs, op, dest, "can't create mount point");
        if (fresh) {
                r = mount_new_onto(fstype, NULL, attrs, dest);
        } else {
                _cleanup_close_ int host = rootctx_open_source(rfs, host_path);
                r = host < 0 ? host : mount_clone_onto(host, "", attrs, dest, "");
        }
        if (r < 0)
                return log_errno(r, "%s: can't mount %s on %s", op->flag, fstype, op->dest), -1;
        /* Look again: the fd we had is the directory under the new mount. */
        fd = root_open(rfs->newroot_fd, &rfs->links, op->dest, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return dest_error(rfs, op, fd, "can't open");
        return fd;
}

void rootctx_fd_link(int fd, char buf[ROOTCTX_FD_LINK_MAX])
{
        snprintf(buf, ROOTCTX_FD_LINK_MAX, "/oldroot/proc/self/fd/%d", fd);
}

int rootctx_new_root_path(int fd, char *buf, size_t size)
{
        char link[ROOTCTX_FD_LINK_MAX], path[PATH_MAX];
        const char *rest;
        ssize_t n;

        rootctx_fd_link(fd, link);
        n = readlink(link, path, sizeof path - 1);
        if (n < 0)
                return -errno;
        path[n] = '\0';
        rest = path_startswith(path, "/newroot");
        if (!rest)
                return -EXDEV;
        snprintf(buf, size, "/%s", rest);
        return 0;
}

int rootctx_open_own_ns(const char *name)
{
        char path[64];
        int fd;

        snprintf(path, sizeof path, "/oldroot/proc/self/ns/%s", name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static const char *kind_of(unsigned mode)
{
        switch (mode & S_IFMT) {
        case S_IFDIR: return "a directory";
        case S_IFREG: return "a file";
        case S_IFCHR: return "a character device";
        case S_IFBLK: return "a block device";
        case S_IFSOCK: return "a socket";
        case S_IFIFO: return "a FIFO";
        case S_IFLNK: return "a symlink";
        default: return "neither a file nor a directory";
        }
}

int rootctx_check_bind_types(const struct fs_op *op, const char *src_name, unsigned src_mode, int dest)
{
        struct stat st;

        /* Under the bwrap name, the mount's own error stays as it was. */
        if (log_is_bwrap() || fstat(dest, &st) < 0 || S_ISDIR(st.st_mode) == S_ISDIR(src_mode))
                return 0;
        return log_error("%s %s %s: the source is %s and the destination is %s", op->flag, src_name, op->dest,
                         kind_of(src_mode), kind_of(st.st_mode)),
               -1;
}
