/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "pathname.h"
#include "walk.h"

/*
 * Paths inside the new root: the destinations of setup operations.
 *
 * A lookup first asks the kernel for the whole path with RESOLVE_IN_ROOT and
 * RESOLVE_NO_SYMLINKS: one system call when no symlink is on the way, which
 * is the usual case. When there is one, the path is walked one component at
 * a time from an fd of the root. The walk holds an O_PATH fd of every
 * directory it passed, so ".." goes back to the fd it came from (and stops at
 * the root) and no path string is ever looked up twice: a concurrent rename
 * or swap can't redirect it. Every symlink it meets goes to a policy first.
 * Anything missing is created relative to the fd of its parent and then
 * opened with O_NOFOLLOW, so what the walk holds is always what it checked.
 *
 * Canonical paths are the paths inside the root with every symlink and "."
 * or ".." worked out: "/" or "/a/b".
 *
 * All functions return an fd (close-on-exec) or a negative errno. -ELOOP with
 * links->refused_link set means that a symlink was refused.
 */

/* Look up path (absolute or relative: both mean "from the root"). flags are
 * O_PATH (with O_DIRECTORY and O_NOFOLLOW as needed, O_NOFOLLOW returning a
 * symlink in the last component itself), or O_RDONLY|O_DIRECTORY. */
int root_open(int root_fd, struct link_policy *links, const char *path, int flags);

/* Like mkdir -p: missing parents are made with pmode, the last component
 * with mode. Returns an O_PATH fd of the directory. */
int root_mkdir_p(int root_fd, struct link_policy *links, const char *path, mode_t mode, mode_t pmode);
/* Make sure path exists, creating an empty file (or a directory when dir is
 * set) with mode if it does not; missing parents get pmode. Returns an
 * O_PATH fd of what is there. */
int root_ensure(int root_fd, struct link_policy *links, const char *path, bool dir, mode_t mode, mode_t pmode);
/* Resolve (creating as needed, with pmode) the parent of path; *base_out
 * gets a copy of the last component, which is not looked at. */
int root_parent(int root_fd, struct link_policy *links, const char *path, mode_t pmode, char **base_out);
