/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct rootfs;

/* Hide what target_fd (an O_PATH fd) is: a directory goes under an empty
 * read-only tmpfs, anything else under an empty read-only file. */
int mask_fd(struct rootfs *rfs, int target_fd);
/* The same for dirfd/name, which may be missing (then nothing happens). */
int mask_at(struct rootfs *rfs, int dirfd, const char *name);
/* What OCI runtimes hide of /proc: reading them tells about the host's
 * hardware, its kernel's state and its memory, or other users' keys. */
extern const char *const proc_masked[];
extern const size_t n_proc_masked;
/* Writable kernel knobs, kept read-only even for a root caller. */
extern const char *const proc_readonly[];
extern const size_t n_proc_readonly;
/* What OCI runtimes hide of /sys (and every cpu*'s thermal_throttle). */
extern const char *const sys_masked[];
extern const size_t n_sys_masked;

struct plan;
/* At validation: every --unmask must name something masked, and a root
 * caller without a user namespace can't unmask the kernel's tunables. */
int masks_check_unmask(const struct plan *p);

/* Whether --unmask lifts the mask or read-only bind on mount_dest/name. */
bool mask_lifted(const struct rootfs *rfs, const char *mount_dest, const char *name);
