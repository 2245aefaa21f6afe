/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc inside the sandbox. */
#include "proc.h"

#include <fcntl.h>
#include <string.h>

#include "log.h"
#include "masks.h"
#include "mountutil.h"
#include "plan.h"
#include "rootfs.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

int proc_mount(struct rootfs *rfs, const struct fs_op *op)
{
        const uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        /* A procfs of our own only with a pid namespace of our own. */
        _cleanup_close_ int proc = rootfs_mount_kernel_fs(rfs, op, "proc", "/proc", rfs->new_pidns, attrs);
        int r;

        if (proc < 0)
                return -1;
        for (size_t i = 0; i < n_proc_readonly; i++) {
                const char *sub = proc_readonly[i];
                /* Only a user namespace of our own guards the host's tunables
                 * by itself; without one they stay read-only, --unmask or not. */
                if (rfs->in_userns && mask_lifted(rfs, op->dest, sub))
                        continue;
                r = mount_clone_onto(proc, sub, attrs | MOUNT_ATTR_RDONLY, proc, sub);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return log_errno(r, "%s: can't make %s/%s read-only", op->flag, op->dest, sub), -1;
        }
        for (size_t i = 0; i < n_proc_masked; i++) {
                const char *sub = proc_masked[i];
                if (mask_lifted(rfs, op->dest, sub))
                        continue;
                r = mask_at(rfs, proc, sub);
                if (r < 0)
                        return log_errno(r, "%s: can't hide %s/%s", op->flag, op->dest, sub), -1;
        }
        return 0;
}
