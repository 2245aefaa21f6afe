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
/* Like mkdir -p: missing components are made with mode 0755, the last one
 * with mode. Returns an O_PATH fd of the directory. */
int root_mkdir_p(int root_fd, const char *path, mode_t mode);
/* Make sure path exists, creating an empty file (or a directory when dir is
 * set) if it does not; missing parents are made 0755. */
int root_ensure(int root_fd, const char *path, bool dir, mode_t mode);
/* Split path into its parent (returned, resolved and created as needed) and
 * its last component (*base points into path). */
int root_parent(int root_fd, const char *path, char **base_out);
/* Whether path names the root itself ("/", "", ".", "//"...). */
bool path_is_root(const char *path);
