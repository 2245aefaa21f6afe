/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A lookup that follows symlinks as if root_fd were the root, the way
 * openat2's RESOLVE_IN_ROOT does, for kernels without openat2 (syscalls.h):
 * the sources of binds, under the host's old root.
 *
 * One component at a time, each opened O_PATH|O_NOFOLLOW relative to the fd
 * of its parent. The walk keeps the fd of every directory it passed, so ".."
 * goes back to the one it came from and stops at the root, and an absolute
 * symlink starts again from the root: nothing leads out of it. At most 40
 * symlinks (then -ELOOP), as in the kernel. A symlink of procfs (the magic
 * ones, such as /proc/self/ns/user, among them) is followed by the kernel
 * from its own directory, as the lookup with openat2 does for them.
 *
 * Returns an O_PATH fd (close-on-exec) of what path leads to, or a negative
 * errno. path is absolute or relative: both mean "from the root".
 */
int inroot_open(int root_fd, const char *path);
