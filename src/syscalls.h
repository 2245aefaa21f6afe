/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Thin wrappers for the fd-based mount and path syscalls, so that we do not
 * depend on the C library having them.
 *
 * A kernel may lack one of them (too old), or answer ENOSYS for it anyway:
 * gVisor lacks openat2, systemd's RestrictSUIDSGID= makes openat2 answer
 * ENOSYS, container runtimes do the same for calls they don't know. What
 * cocoon does then, call by call (README's "Requirements" and the man page's
 * KERNEL REQUIREMENTS say the same):
 *
 *  openat2 (5.6)          a walk in user space, as safe: one component at a
 *                         time from an fd of the root, each opened O_NOFOLLOW
 *                         relative to its parent's fd, ".." and absolute
 *                         links kept in the root, at most 40 links
 *                         (safepath.c, inroot.c). Never a plain lookup.
 *  mount_setattr (5.12)   remounts, one per mount, each checked to be the
 *                         mount it meant, then the mount table read again:
 *                         a mount left without an attribute it was given
 *                         fails the launch (mountattr.c).
 *  open_tree, move_mount, fsopen, fsconfig, fsmount (5.2)
 *                         no fallback: every mount cocoon makes goes through
 *                         them. One error naming the call.
 *  pidfd_open (5.3)       the sandbox asks /proc whether the monitor lives
 *                         (process.c). No fallback, one error naming it, for
 *                         --die-with-parent without --unshare-pid, and for a
 *                         command given CAP_SYS_ADMIN with a new network,
 *                         UTS, IPC or cgroup namespace, whose namespaces pid
 *                         1 joins through a pidfd (setns on one: 5.8).
 *  landlock_* (5.13)      --landlock fails naming what the kernel lacks;
 *                         --landlock-best-effort skips it with a warning.
 *  memfd_create, execveat (3.17, 3.19)
 *                         without them pid 1 runs the reaper's loop itself
 *                         instead of exec'ing the sealed image (pid1.c).
 *  clone3, pidfd_send_signal, close_range: not used.
 *
 * The wrappers of calls without a fallback note a missing one for the error
 * message (log.h). */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef FSCONFIG_SET_FLAG
#define FSCONFIG_SET_FLAG   0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV  0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif

struct cocoon_mount_attr {
        uint64_t attr_set;
        uint64_t attr_clr;
        uint64_t propagation;
        uint64_t userns_fd;
};

/* r, after noting call as missing when it answered ENOSYS. */
static inline int sys_noted(long r, const char *call)
{
        if (r < 0 && errno == ENOSYS)
                log_note_missing(call);
        return (int) r;
}

/* openat2, or -1 with errno ENOSYS at once when it answered that before:
 * its callers then walk (see above), and a kernel without it pays nothing
 * for asking again. */
int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve);
/* Whether openat2 answered ENOSYS. */
bool sys_lacks_openat2(void);

static inline int sys_open_tree(int dirfd, const char *path, unsigned flags)
{
        return sys_noted(syscall(SYS_open_tree, dirfd, path, flags), "open_tree (Linux 5.2)");
}

static inline int sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned flags)
{
        return sys_noted(syscall(SYS_move_mount, from_dirfd, from, to_dirfd, to, flags), "move_mount (Linux 5.2)");
}

static inline int sys_mount_setattr(int dirfd, const char *path, unsigned flags, uint64_t set, uint64_t clr)
{
        struct cocoon_mount_attr attr = {.attr_set = set, .attr_clr = clr};
        /* Not noted: mountattr.c does without, and notes it if it can't. */
        return (int) syscall(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof attr);
}

static inline int sys_fsopen(const char *fsname, unsigned flags)
{
        return sys_noted(syscall(SYS_fsopen, fsname, flags), "fsopen (Linux 5.2)");
}

static inline int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
        return sys_noted(syscall(SYS_fsconfig, fd, cmd, key, value, aux), "fsconfig (Linux 5.2)");
}

static inline int sys_fsmount(int fd, unsigned flags, unsigned attr)
{
        return sys_noted(syscall(SYS_fsmount, fd, flags, attr), "fsmount (Linux 5.2)");
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
        return (int) syscall(SYS_pivot_root, new_root, put_old);
}
