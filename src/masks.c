/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hiding paths: the /proc and /sys masks, and --mask. */
#include "masks.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "log.h"
#include "mountutil.h"
#include "plan.h"
#include "rootctx.h"
#include "syscalls.h"
#include "util.h"

const char *const proc_masked[] = {
        "acpi", "interrupts", "kcore", "keys", "latency_stats", "sched_debug", "scsi", "timer_list", "timer_stats",
};
const size_t n_proc_masked = ARRAY_SIZE(proc_masked);
const char *const proc_readonly[] = {"asound", "bus", "fs", "irq", "sys", "sysrq-trigger"};
const size_t n_proc_readonly = ARRAY_SIZE(proc_readonly);
const char *const sys_masked[] = {
        "firmware", "kernel/security", "kernel/debug", "fs/selinux", "devices/virtual/powercap",
};
const size_t n_sys_masked = ARRAY_SIZE(sys_masked);

/* A bind of the host's sysfs is read-only as a whole, as --sys is: most of
 * its writable files are kernel settings. */
static const char *const sys_readonly[] = {""};

const struct kfs_masks kfs_proc = {
        .what = "procfs",
        .host = "/proc",
        .magic = PROC_SUPER_MAGIC,
        .hidden = proc_masked,
        .n_hidden = ARRAY_SIZE(proc_masked),
        .readonly = proc_readonly,
        .n_readonly = ARRAY_SIZE(proc_readonly),
};
const struct kfs_masks kfs_sys = {
        .what = "sysfs",
        .host = "/sys",
        .magic = SYSFS_MAGIC,
        .hidden = sys_masked,
        .n_hidden = ARRAY_SIZE(sys_masked),
        .readonly = sys_readonly,
        .n_readonly = ARRAY_SIZE(sys_readonly),
        .cpus = true,
};

#define MASK_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* One empty file on the base tmpfs, bound onto itself with the masks'
 * attributes: a clone of that mount, which keeps them, hides a file. */
static int empty_file(struct rootfs *rfs)
{
        if (rfs->empty_fd < 0) {
                _cleanup_close_ int fd = open("/masked", O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
                int mnt;

                if (fd < 0)
                        return -errno;
                mnt = mount_clone_attach(fd, "", MASK_ATTRS, fd, "");
                if (mnt < 0)
                        return mnt;
                rfs->empty_fd = mnt;
        }
        return rfs->empty_fd;
}

/* One empty read-only tmpfs on the base tmpfs: a clone of it hides a
 * directory, for much less than a new tmpfs each time. (mount(2) makes it in
 * one call, with its options as a string.) */
static int empty_dir(struct rootfs *rfs)
{
        if (rfs->empty_dir_fd < 0) {
                int fd;

                if (mkdir("/masked.d", 0555) < 0 ||
                    mount("tmpfs", "/masked.d", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "mode=0555,size=4096") < 0)
                        return -errno;
                fd = open("/masked.d", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                rfs->empty_dir_fd = fd;
        }
        return rfs->empty_dir_fd;
}

/* Hide (dirfd, name), which st describes, with a clone of the empty file or
 * directory; an empty name means dirfd itself. */
static int mask_with(struct rootfs *rfs, const struct stat *st, int dirfd, const char *name)
{
        int empty;

        if (S_ISLNK(st->st_mode))
                return 0; /* a link leads elsewhere; what it names is masked there */
        empty = S_ISDIR(st->st_mode) ? empty_dir(rfs) : empty_file(rfs);
        if (empty < 0)
                return empty;
        return mount_clone_onto(empty, "", 0, dirfd, name);
}

int mask_fd(struct rootfs *rfs, int target_fd)
{
        struct stat st;

        if (fstat(target_fd, &st) < 0)
                return -errno;
        return mask_with(rfs, &st, target_fd, "");
}

int mask_at(struct rootfs *rfs, int dirfd, const char *name)
{
        struct stat st;

        /* Not following a link at name, which the mount then goes on. */
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        return mask_with(rfs, &st, dirfd, name);
}

const char *mask_entry_in_bind(const char *entry, const char *bound)
{
        const char *rest = path_startswith(entry, bound);

        if (rest)
                return rest;
        return path_startswith(bound, entry) ? "" : NULL;
}

bool mask_lifted_path(const struct rootfs *rfs, const char *path)
{
        const struct plan *p = rfs->plan;

        for (size_t i = 0; i < p->n_unmask; i++)
                if (strcmp(p->unmask[i], "all") == 0 || path_equal(path, p->unmask[i]))
                        return true;
        return false;
}

bool mask_lifted(const struct rootfs *rfs, const char *mount_dest, const char *name)
{
        char full[4096];

        snprintf(full, sizeof full, "/%s/%s", mount_dest, name);
        return mask_lifted_path(rfs, full);
}
