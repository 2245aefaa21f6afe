/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc inside the sandbox. */
#include "proc.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"
#include "masks.h"
#include "mountutil.h"
#include "plan.h"
#include "rootctx.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

/* Whether the user namespace that owns the pid namespace we live in is ours
 * or lies below ours: the kernel mounts a procfs of a pid namespace only for
 * a process privileged over its owner. NS_GET_USERNS answers just that: it
 * hands out the owner only when it is within our user namespace's reach, and
 * fails with EPERM otherwise. */
static bool pidns_owner_in_reach(void)
{
        _cleanup_close_ int pid = rootctx_open_own_ns("pid");
        _cleanup_close_ int owner = -1;

        if (pid < 0)
                return true; /* can't tell: the mount itself will say */
        owner = ioctl(pid, NS_GET_USERNS);
        return owner >= 0 || errno != EPERM;
}

int proc_mount(struct rootfs *rfs, const struct fs_op *op)
{
        const uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        /* We were forked into the pid namespace of --pidns, if there is one,
         * or made one of our own: a fresh procfs then shows that namespace.
         * Only in the caller's own is the host's /proc bound. */
        bool joined = rfs->plan->pidns_fd >= 0 && !rfs->new_pidns;
        _cleanup_close_ int proc = -1;
        int r;

        if (joined && !pidns_owner_in_reach())
                return log_error("%s: can't show the pid namespace of --pidns on %s: it belongs to a user namespace "
                                 "the sandbox has no privilege over (join that one with --userns)",
                                 op->flag, op->dest),
                       -1;
        proc = rootctx_mount_kernel_fs(rfs, op, "proc", "/proc", rfs->new_pidns || joined, attrs);
        if (proc < 0)
                return -1;
        for (size_t i = 0; i < n_proc_readonly; i++) {
                const char *sub = proc_readonly[i];
                /* Only a user namespace of our own, whose processes are not
                 * the host's root, guards the host's tunables by itself;
                 * otherwise they stay read-only, --unmask or not. */
                if (rfs->tunables_guarded && mask_lifted(rfs, op->dest, sub))
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
