/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal /dev. */
#include "dev.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "label.h"
#include "log.h"
#include "mountutil.h"
#include "owners.h"
#include "plan.h"
#include "rootctx.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
        const char *name;
        const char *target;
} dev_links[] = {
        {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
        {"fd", "/proc/self/fd"},      {"core", "/proc/kcore"},       {"ptmx", "pts/ptmx"},
};

/* Bind the host file at src onto a new empty file dev/name. The bind is
 * read-only: that doesn't stop reads, writes or ioctls on a device, but it
 * does stop chmod, chown, utimes and xattrs on the node, which are the
 * host's node's. A root caller owns the host's /dev/null, and any caller
 * owns the terminal that becomes the console. */
static int bind_node(struct rootfs *rfs, int dev, const char *src, const char *name)
{
        _cleanup_close_ int from = rootctx_open_source(rfs, src);
        int fd;

        if (from < 0)
                return from;
        fd = openat(dev, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0444);
        if (fd < 0)
                return -errno;
        close(fd);
        return mount_clone_onto(from, "", MOUNT_ATTR_NOSUID | MOUNT_ATTR_RDONLY, dev, name);
}

int dev_mount(struct rootfs *rfs, const struct fs_op *op)
{
        const char *tmpfs_opts[] = {"mode=0755", label_mount_option(rfs->plan->file_label), NULL};
        static const char *const pts_opts[] = {"newinstance", "ptmxmode=0666", "mode=620", NULL};
        _cleanup_close_ int dest = root_mkdir_p(rfs->newroot_fd, &rfs->links, op->dest, 0755, plan_op_parent_mode(op));
        _cleanup_close_ int dev = -1, pts = -1;
        int r;

        if (dest < 0)
                return dest_error(rfs, op, dest, "can't create mount point");
        r = mount_new_onto("tmpfs", tmpfs_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest);
        if (r < 0)
                return log_errno(r, "%s: can't mount a tmpfs on %s", op->flag, op->dest), -1;
        /* From here on we work inside the fresh tmpfs, which only we can see. */
        dev = root_open(rfs->newroot_fd, &rfs->links, op->dest, O_RDONLY | O_DIRECTORY);
        if (dev < 0)
                return dest_error(rfs, op, dev, "can't open");

        for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
                _cleanup_free_ char *src = xasprintf("/dev/%s", dev_nodes[i]);
                r = bind_node(rfs, dev, src, dev_nodes[i]);
                if (r < 0)
                        return log_errno(r, "%s: can't bind /dev/%s", op->flag, dev_nodes[i]), -1;
        }
        for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
                if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0)
                        return log_errno(errno, "%s: can't create %s/%s", op->flag, op->dest, dev_links[i].name), -1;
        if (mkdirat(dev, "shm", 0755) < 0 || mkdirat(dev, "pts", 0755) < 0)
                return log_errno(errno, "%s: can't create directories in %s", op->flag, op->dest), -1;

        pts = openat(dev, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (pts < 0)
                return log_errno(errno, "%s: can't open %s/pts", op->flag, op->dest), -1;
        r = mount_new_onto("devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, pts);
        if (r < 0)
                return log_errno(r, "%s: can't mount devpts on %s/pts", op->flag, op->dest), -1;

        /* The caller's terminal, when there is one, becomes the console. */
        if (rfs->console) {
                r = bind_node(rfs, dev, rfs->console, "console");
                if (r < 0)
                        return log_errno(r, "%s: can't bind %s on %s/console", op->flag, rfs->console, op->dest), -1;
        }
        return 0;
}
