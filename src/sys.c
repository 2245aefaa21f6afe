/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /sys inside the sandbox. */
#include "sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "masks.h"
#include "mountutil.h"
#include "plan.h"
#include "rootctx.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

static int mask_one(struct rootfs *rfs, const struct fs_op *op, int sys, const char *name)
{
        int r;

        if (mask_lifted(rfs, op->dest, name))
                return 0;
        r = mask_at(rfs, sys, name);
        if (r < 0)
                return log_errno(r, "%s: can't hide %s/%s", op->flag, op->dest, name), -1;
        return 0;
}

/* Every devices/system/cpu/cpuN/thermal_throttle. */
static int mask_thermal_throttle(struct rootfs *rfs, const struct fs_op *op, int sys)
{
        int fd = openat(sys, "devices/system/cpu", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (fd < 0)
                return 0;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        while (r == 0 && (de = readdir(d))) {
                char name[300];
                if (strncmp(de->d_name, "cpu", 3) != 0 || de->d_name[3] < '0' || de->d_name[3] > '9')
                        continue;
                snprintf(name, sizeof name, "devices/system/cpu/%s/thermal_throttle", de->d_name);
                r = mask_one(rfs, op, sys, name);
        }
        closedir(d);
        return r;
}

int sys_mount(struct rootfs *rfs, const struct fs_op *op)
{
        const uint64_t attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        /* sysfs shows the network devices of the namespace that mounts it:
         * a fresh one is only right, and only allowed, with our own. */
        _cleanup_close_ int sys =
                rootctx_mount_kernel_fs(rfs, op, "sysfs", "/sys", rfs->plan->clone_flags & CLONE_NEWNET, attrs);

        if (sys < 0)
                return -1;
        for (size_t i = 0; i < n_sys_masked; i++)
                if (mask_one(rfs, op, sys, sys_masked[i]) < 0)
                        return -1;
        return mask_thermal_throttle(rfs, op, sys);
}
