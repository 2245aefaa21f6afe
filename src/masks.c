/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hiding paths: the /proc and /sys masks, and --mask. */
#include "masks.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mountutil.h"
#include "plan.h"
#include "rootfs.h"
#include "syscalls.h"
#include "util.h"

#define MASK_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* One empty file on the base tmpfs, bound read-only over every masked file. */
static int empty_file(struct rootfs *rfs)
{
        if (rfs->empty_fd < 0) {
                int fd = open("/masked", O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
                if (fd < 0)
                        return -errno;
                rfs->empty_fd = fd;
        }
        return rfs->empty_fd;
}

int mask_fd(struct rootfs *rfs, int target_fd)
{
        static const char *const dir_opts[] = {"mode=0555", "size=4096", NULL};
        struct stat st;
        int empty;

        if (fstat(target_fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return 0; /* a link leads elsewhere; what it names is masked there */
        if (S_ISDIR(st.st_mode))
                return mount_new_onto("tmpfs", dir_opts, MASK_ATTRS, target_fd);
        empty = empty_file(rfs);
        if (empty < 0)
                return empty;
        return mount_clone_onto(empty, "", MASK_ATTRS, target_fd, "");
}

int mask_at(struct rootfs *rfs, int dirfd, const char *name)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        return mask_fd(rfs, fd);
}

/* Compare paths ignoring repeated and trailing slashes. */
static bool same_path(const char *a, const char *b)
{
        for (;;) {
                while (*a == '/' && (a[1] == '/' || a[1] == '\0'))
                        a++;
                while (*b == '/' && (b[1] == '/' || b[1] == '\0'))
                        b++;
                if (*a != *b)
                        return false;
                if (!*a)
                        return true;
                a++, b++;
        }
}

bool mask_lifted(const struct rootfs *rfs, const char *mount_dest, const char *name)
{
        const struct plan *p = rfs->plan;
        char full[4096];

        snprintf(full, sizeof full, "/%s/%s", mount_dest, name);
        for (size_t i = 0; i < p->n_unmask; i++) {
                char want[4096];

                if (strcmp(p->unmask[i], "all") == 0)
                        return true;
                snprintf(want, sizeof want, "/%s", p->unmask[i]);
                if (same_path(full, want))
                        return true;
        }
        return false;
}
