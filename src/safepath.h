/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/*
 * Paths inside the new root. Every lookup is made with openat2() and
 * RESOLVE_IN_ROOT against an fd of the root, so a symlink inside it (planted
 * or not) is followed as if the root were "/", and can never lead back to the
 * host. Anything created is created relative to an fd of its resolved parent.
 * All functions return an fd (O_PATH, close-on-exec) or a negative errno.
 */

/* Look up path (absolute or relative: both mean "from the root"). */
int root_open(int root_fd, const char *path, int flags);
/* The mode of missing parent directories: 0755, less the group and other
 * bits that an explicit --perms (perms, or PERMS_UNSET) leaves empty, as
 * bwrap does. */
mode_t parent_mode(mode_t perms);

/* Like mkdir -p: missing parents are made with pmode, the last component
 * with mode. Returns an O_PATH fd of the directory. */
int root_mkdir_p(int root_fd, const char *path, mode_t mode, mode_t pmode);
/* Make sure path exists, creating an empty file (or a directory when dir is
 * set) with mode if it does not; missing parents get pmode. */
int root_ensure(int root_fd, const char *path, bool dir, mode_t mode, mode_t pmode);
/* Resolve (creating as needed, with pmode) the parent of path; *base_out
 * gets a copy of the last component. */
int root_parent(int root_fd, const char *path, mode_t pmode, char **base_out);
/* Whether path names the root itself ("/", "", ".", "//"...). */
bool path_is_root(const char *path);
/* Whether the canonical path lies at or below the canonical path scope. */
bool path_within(const char *path, const char *scope);
/* Whether a ".." in path would climb above the root, worked out lexically
 * ("/usr/../lib" does not; "../x" and "/a/../../b" do). */
bool path_climbs_above_root(const char *path);
/* The canonical form of path, worked out lexically: relative to base (a
 * canonical path; NULL for the root) unless it is absolute, with ".."
 * stopping at the root. A heap string. */
char *path_normalize(const char *base, const char *path);
