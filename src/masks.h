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
/* Where the cpu*'s directories are in sysfs. */
#define SYS_CPU_DIR "devices/system/cpu"

/* The protections of one of the host's kernel filesystems, wherever a bind
 * brings it into the sandbox: paths relative to the filesystem's root. */
struct kfs_masks {
        const char *what; /* "procfs", "sysfs" */
        const char *host; /* where the host has it: "/proc", "/sys" */
        unsigned long magic;
        const char *const *hidden;
        size_t n_hidden;
        const char *const *readonly; /* "" is the whole filesystem */
        size_t n_readonly;
        bool cpus; /* also every SYS_CPU_DIR/cpuN/thermal_throttle */
};
extern const struct kfs_masks kfs_proc, kfs_sys;

/* Where the protected path entry of a kernel filesystem falls in a bind of
 * the part bound of that filesystem (both relative to its root, "" for the
 * root): the path relative to the bind's root where it is, "" when the bind
 * lies inside it, or NULL when they don't meet. */
const char *mask_entry_in_bind(const char *entry, const char *bound);

/* Whether --unmask lifts the mask or read-only bind on mount_dest/name. */
bool mask_lifted(const struct rootfs *rfs, const char *mount_dest, const char *name);
/* The same for a path inside the sandbox. */
bool mask_lifted_path(const struct rootfs *rfs, const char *path);
