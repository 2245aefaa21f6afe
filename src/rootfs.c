/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The new root: a private tmpfs base, the plan's operations, the switch. */
#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "dataops.h"
#include "dev.h"
#include "hostcause.h"
#include "hostfs.h"
#include "label.h"
#include "log.h"
#include "masks.h"
#include "mountutil.h"
#include "overlay.h"
#include "owners.h"
#include "plan.h"
#include "proc.h"
#include "safepath.h"
#include "sys.h"
#include "syscalls.h"
#include "util.h"

/* Directories the base tmpfs may go on. It is mounted only in our own mount
 * namespace, never created on the host; the first that exists is used. */
static const char *const base_candidates[] = {"/tmp", "/run", "/mnt", "/var/tmp"};

int rootfs_enter(struct rootfs *rfs)
{
        const char *base = NULL;

        rfs->empty_dir_fd = -1;
        rfs->hostfs = NULL;
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return hostcause_log_setup(errno, false, "can't make / a slave mount", "Failed to make / slave"), -1;

        for (size_t i = 0; i < ARRAY_SIZE(base_candidates) && !base; i++)
                if (mount("tmpfs", base_candidates[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0)
                        base = base_candidates[i];
        if (!base)
                return log_errno(errno, "can't mount the base tmpfs"), -1;

        if (chdir(base) < 0 || mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0755) < 0)
                return log_errno(errno, "can't prepare the base tmpfs on %s", base), -1;
        if (mount("tmpfs", "newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                return log_errno(errno, "can't mount the new root tmpfs"), -1;
        if (sys_pivot_root(".", "oldroot") < 0)
                return log_errno(errno, "can't pivot_root into the base tmpfs"), -1;
        if (chdir("/") < 0)
                return log_errno(errno, "can't chdir to /"), -1;
        mount_set_proc_dir("/oldroot/proc");

        rfs->oldroot_fd = open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
        rfs->newroot_fd = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rfs->oldroot_fd < 0 || rfs->newroot_fd < 0)
                return log_errno(errno, "can't open the base directories"), -1;
        return 0;
}

/* After a mount on the new root itself, our fd points below it. */
static int reopen_newroot(struct rootfs *rfs)
{
        int fd = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        close(rfs->newroot_fd);
        rfs->newroot_fd = fd;
        return 0;
}

static int op_bind(struct rootfs *rfs, const struct fs_op *op)
{
        _cleanup_close_ int src = -1, dest = -1, tree = -1;
        struct hostfs_bind hb;
        uint64_t attrs = 0;
        struct stat st;
        int sub = 0;

        src = rootctx_open_source(rfs, op->src);
        if (src < 0) {
                if (src == -ENOENT && (op->flags & BIND_TRY))
                        return 0;
                if (log_is_bwrap()) /* bwrap's own words, which its tests and callers match */
                        return log_errno(src, "Can't find source path %s", op->src), -1;
                return log_errno(src, "%s: can't find source path %s", op->flag, op->src), -1;
        }
        if (fstat(src, &st) < 0)
                return log_errno(errno, "%s: can't stat %s", op->flag, op->src), -1;

        dest = root_ensure(rfs->newroot_fd, &rfs->links, op->dest, S_ISDIR(st.st_mode),
                           S_ISDIR(st.st_mode) ? 0755 : 0444, plan_op_parent_mode(op));
        if (dest < 0)
                return dest_error(rfs, op, dest, "can't create mount point");
        if (rootctx_check_bind_types(op, op->src, st.st_mode, dest) < 0)
                return -1;

        /* --dev-bind keeps device access, never setuid: only nodev is left off. */
        attrs |= MOUNT_ATTR_NOSUID;
        if (!(op->flags & BIND_DEVICES))
                attrs |= MOUNT_ATTR_NODEV;
        if (op->flags & BIND_READONLY)
                attrs |= MOUNT_ATTR_RDONLY;
        if (hostfs_prepare(rfs, op, op->src, src, &st, &hb, &attrs) < 0)
                return -1;
        /* --not-a-security-boundary: as in bwrap, the submounts' flags may
         * fail to change; the bind itself still gets them. */
        tree = mount_clone_attach_lenient(src, "", attrs, dest, "", rfs->plan->not_a_security_boundary ? &sub : NULL);
        if (tree < 0)
                return log_errno(tree, "%s: can't bind %s on %s", op->flag, op->src, op->dest), -1;
        if (sub < 0)
                log_warning("%s: the submounts of %s keep their flags (%s), as --not-a-security-boundary allows",
                            op->flag, op->dest, strerror(-sub));
        return hostfs_protect(rfs, op, &hb, tree, attrs);
}

static int op_remount_ro(struct rootfs *rfs, const struct fs_op *op)
{
        _cleanup_close_ int fd = root_open(rfs->newroot_fd, &rfs->links, op->dest, O_PATH);
        int r;

        if (fd < 0)
                return dest_error(rfs, op, fd, "can't find");
        /* As bwrap's: nosuid and nodev too, also on a --dev-bind. Not
         * recursive, as bwrap's isn't. */
        r = mount_set_attrs(fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0);
        if (r == -EINVAL)
                return log_error("%s: %s is not a mount point", op->flag, op->dest), -1;
        if (r < 0)
                return log_errno(r, "%s: can't remount %s read-only", op->flag, op->dest), -1;
        return 0;
}

static int op_tmpfs(struct rootfs *rfs, const struct fs_op *op)
{
        _cleanup_close_ int dest = root_mkdir_p(rfs->newroot_fd, &rfs->links, op->dest, 0755, plan_op_parent_mode(op));
        char mode[32], size[40];
        const char *opts[4] = {mode, NULL, NULL, NULL};
        size_t n = 1;
        int r;

        if (dest < 0)
                return dest_error(rfs, op, dest, "can't create mount point");
        snprintf(mode, sizeof mode, "mode=0%o", (unsigned) plan_op_mode(op));
        if (op->size) {
                snprintf(size, sizeof size, "size=%llu", (unsigned long long) op->size);
                opts[n++] = size;
        }
        opts[n] = label_mount_option(rfs->file_label);
        r = mount_new_onto("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest);
        if (r < 0)
                return log_errno(r, "%s: can't mount a tmpfs on %s", op->flag, op->dest), -1;
        return 0;
}

static int op_dir(struct rootfs *rfs, const struct fs_op *op)
{
        _cleanup_close_ int fd =
                root_mkdir_p(rfs->newroot_fd, &rfs->links, op->dest, plan_op_mode(op), plan_op_parent_mode(op));
        if (fd < 0)
                return dest_error(rfs, op, fd, "can't create directory");
        return 0;
}

static int op_symlink(struct rootfs *rfs, const struct fs_op *op)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int parent =
                root_parent(rfs->newroot_fd, &rfs->links, op->dest, plan_op_parent_mode(op), &base);
        char existing[PATH_MAX];
        ssize_t n;

        if (parent < 0)
                return dest_error(rfs, op, parent, "can't create the parent of");
        if (symlinkat(op->src, parent, base) == 0)
                return 0;
        if (errno != EEXIST)
                return log_errno(errno, "%s: can't create symlink %s", op->flag, op->dest), -1;
        /* An identical link is fine; anything else at DEST is a conflict. */
        n = readlinkat(parent, base, existing, sizeof existing - 1);
        if (n >= 0) {
                existing[n] = '\0';
                if (strcmp(existing, op->src) == 0)
                        return 0;
                if (log_is_bwrap())
                        return log_error("Can't make symlink at %s: existing destination is %s", op->dest, existing),
                               -1;
                return log_error("%s: %s already exists and points to %s", op->flag, op->dest, existing), -1;
        }
        if (log_is_bwrap())
                return log_error("Can't make symlink at %s: destination exists and is not a symlink", op->dest), -1;
        return log_error("%s: %s already exists and is not a symlink", op->flag, op->dest), -1;
}

/* --chmod never follows a symlink in its last component: the link may have
 * been planted to turn the mode change onto another file. */
static int op_chmod(struct rootfs *rfs, const struct fs_op *op)
{
        _cleanup_close_ int fd = root_open(rfs->newroot_fd, &rfs->links, op->dest, O_PATH | O_NOFOLLOW);
        char link[ROOTCTX_FD_LINK_MAX], target[PATH_MAX];
        struct stat st;
        ssize_t n;

        if (fd < 0)
                return dest_error(rfs, op, fd, "can't find");
        if (fstat(fd, &st) < 0)
                return log_errno(errno, "%s: can't stat %s", op->flag, op->dest), -1;
        if (S_ISLNK(st.st_mode)) {
                n = readlinkat(fd, "", target, sizeof target - 1);
                target[n < 0 ? 0 : n] = '\0';
                return log_error("%s: %s is a symlink to %s; --chmod never follows one in its last component", op->flag,
                                 op->dest, target),
                       -1;
        }
        /* An O_PATH fd can't be chmod'ed directly; its magic link can, and
         * it names exactly the file checked above. */
        rootctx_fd_link(fd, link);
        if (chmod(link, op->perms) < 0)
                return log_errno(errno, "%s: can't change the mode of %s", op->flag, op->dest), -1;
        return 0;
}

static int op_mqueue(struct rootfs *rfs, const struct fs_op *op)
{
        _cleanup_close_ int dest = root_mkdir_p(rfs->newroot_fd, &rfs->links, op->dest, 0755, plan_op_parent_mode(op));
        int r;

        if (dest < 0)
                return dest_error(rfs, op, dest, "can't create mount point");
        r = mount_new_onto("mqueue", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, dest);
        if (r < 0)
                return log_errno(r, "%s: can't mount mqueue on %s", op->flag, op->dest), -1;
        return 0;
}

static int op_mask(struct rootfs *rfs, const struct fs_op *op)
{
        /* A symlink is followed (inside the root): what it names is hidden. */
        _cleanup_close_ int fd = root_open(rfs->newroot_fd, &rfs->links, op->dest, O_PATH);
        int r;

        if (fd < 0)
                return dest_error(rfs, op, fd, "can't find");
        r = mask_fd(rfs, fd);
        if (r < 0)
                return log_errno(r, "%s: can't hide %s", op->flag, op->dest), -1;
        return 0;
}

/* Whether op i's mount covers the new root itself (through a link, maybe). */
static bool on_root(const struct rootfs *rfs, size_t i)
{
        return path_is_root(rfs->plan->ops[i].dest) || (rfs->landed[i] && strcmp(rfs->landed[i], "/") == 0);
}

static int apply_ops(struct rootfs *rfs, const struct plan *p)
{
        for (size_t i = 0; i < p->n_ops; i++) {
                const struct fs_op *op = &p->ops[i];
                int r = -1;

                owners_begin(rfs, i);
                switch (op->kind) {
                case FS_BIND: r = op_bind(rfs, op); break;
                case FS_REMOUNT_RO: r = op_remount_ro(rfs, op); break;
                case FS_TMPFS: r = op_tmpfs(rfs, op); break;
                case FS_DIR: r = op_dir(rfs, op); break;
                case FS_SYMLINK: r = op_symlink(rfs, op); break;
                case FS_PROC: r = proc_mount(rfs, op); break;
                case FS_DEV: r = dev_mount(rfs, op); break;
                case FS_FILE: r = op_file(rfs, op); break;
                case FS_BIND_DATA: r = op_bind_data(rfs, op); break;
                case FS_BIND_FD: r = op_bind_fd(rfs, op); break;
                case FS_CHMOD: r = op_chmod(rfs, op); break;
                case FS_MQUEUE: r = op_mqueue(rfs, op); break;
                case FS_OVERLAY: r = op_overlay(rfs, op); break;
                case FS_SYS: r = sys_mount(rfs, op); break;
                case FS_MASK: r = op_mask(rfs, op); break;
                }
                if (r < 0)
                        return -1;
                owners_applied(rfs, i);
                /* A mount on the root itself hides what our fd points to. */
                if (on_root(rfs, i) && reopen_newroot(rfs) < 0)
                        return log_errno(errno, "can't reopen the new root"), -1;
        }
        return 0;
}

int rootfs_apply(struct rootfs *rfs, const struct plan *p)
{
        int r;

        owners_init(rfs);
        r = apply_ops(rfs, p);
        owners_free(rfs);
        return r;
}

int rootfs_finish(struct rootfs *rfs)
{
        close(rfs->oldroot_fd);
        close(rfs->newroot_fd);
        closep(&rfs->empty_fd);
        closep(&rfs->empty_dir_fd);
        rfs->oldroot_fd = rfs->newroot_fd = -1;
        hostfs_free(rfs);

        if (chdir("/newroot") < 0)
                return log_errno(errno, "can't enter the new root"), -1;
        /* Stack the base over the new root and detach it, with the host's
         * tree (at /oldroot, below the base) in the same call: a lazy
         * unmount takes the whole subtree. Every unmount waits for an RCU
         * grace period, which is most of what it costs, so one is cheaper
         * than two. */
        if (sys_pivot_root(".", ".") < 0)
                return log_errno(errno, "can't pivot_root into the new root"), -1;
        if (umount2(".", MNT_DETACH) < 0)
                return log_errno(errno, "can't detach the base tmpfs and the old root"), -1;
        if (chdir("/") < 0)
                return log_errno(errno, "can't chdir to the new root"), -1;
        return 0;
}
