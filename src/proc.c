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
        _cleanup_close_ int dest = root_mkdir_p(rfs->newroot_fd, op->dest, 0755, 0755);
        _cleanup_close_ int proc = -1;
        int r;

        if (dest < 0)
                return log_errno(dest, "%s: can't create mount point %s", op->flag, op->dest), -1;
        if (rfs->new_pidns) {
                r = mount_new_onto("proc", NULL, attrs, dest);
        } else {
                _cleanup_close_ int host = rootfs_open_source(rfs, "/proc");
                r = host < 0 ? host : mount_clone_onto(host, "", attrs, dest, "");
        }
        if (r < 0)
                return log_errno(r, "%s: can't mount proc on %s", op->flag, op->dest), -1;

        /* Look again: the fd we had is the directory under the new mount. */
        proc = root_open(rfs->newroot_fd, op->dest, O_PATH | O_DIRECTORY);
        if (proc < 0)
                return log_errno(proc, "%s: can't open %s", op->flag, op->dest), -1;
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
