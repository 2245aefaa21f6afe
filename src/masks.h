/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

struct rootfs;

/* Hide what target_fd (an O_PATH fd) is: a directory goes under an empty
 * read-only tmpfs, anything else under an empty read-only file. */
int mask_fd(struct rootfs *rfs, int target_fd);
/* The same for dirfd/name, which may be missing (then nothing happens). */
int mask_at(struct rootfs *rfs, int dirfd, const char *name);
/* Whether --unmask lifts the mask or read-only bind on mount_dest/name. */
bool mask_lifted(const struct rootfs *rfs, const char *mount_dest, const char *name);
