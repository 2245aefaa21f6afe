/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* Small helpers over the fd-based mount API. All return 0 or a negative errno. */

/* Clone the mount tree at (dirfd, path) -- recursively -- give every mount in
 * the clone the attributes in attrs (MOUNT_ATTR_*), and attach it on the
 * object that to_fd refers to. An empty path means dirfd itself. */
int mount_clone_onto(int dirfd, const char *path, uint64_t attrs, int to_fd, const char *to_path);
/* The same, returning an fd of the clone's root instead of 0: once attached,
 * it is a handle on the new mount that needs no second lookup of its path. */
int mount_clone_attach(int dirfd, const char *path, uint64_t attrs, int to_fd, const char *to_path);
/* The same, but when submount_error is not NULL and the attributes can't be
 * given to the whole tree, they go on the top mount only, and the error
 * (for the submounts) lands in *submount_error. For --not-a-security-boundary. */
int mount_clone_attach_lenient(int dirfd, const char *path, uint64_t attrs, int to_fd, const char *to_path,
                               int *submount_error);

/* Create a new filesystem of type fstype, with "key=value" options (NULL
 * terminated; a bare "key" sets a flag), mount attributes attrs, and attach it
 * on to_fd. */
int mount_new_onto(const char *fstype, const char *const *options, uint64_t attrs, int to_fd);

/* Add attrs to the mount whose root is fd (and to its submounts if
 * recursive). Without mount_setattr, by remounts that fail closed
 * (mountattr.h); they need the host's /proc, at dir: see below. */
int mount_set_attrs(int fd, uint64_t attrs, int recursive);

/* Where the host's /proc is ("/proc" until told otherwise). */
void mount_set_proc_dir(const char *dir);

/* What the kernel said about the last mount_new_onto() that failed (its
 * filesystem context log), or "". */
const char *mount_error_detail(void);
