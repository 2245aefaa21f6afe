/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct rootfs;
struct fs_op;
struct host_kfs;

/* A part of the host's procfs or sysfs that a bind brings in. */
struct hostfs_part {
        const struct host_kfs *kfs;
        const char *sub;   /* where it is in the bind: "proc" or "sys" in a bind of the host's root, else "" */
        const char *bound; /* which part of the filesystem it is: "" for all of it */
};

struct hostfs_bind {
        size_t n;
        struct hostfs_part part[2];
        char bound[PATH_MAX];
};

/* Before the bind of src (st is its fstat()) is made: find the parts of the
 * host's procfs and sysfs that it brings in, and add MOUNT_ATTR_RDONLY to
 * *attrs when all of it lies where the kernel's settings are kept read-only.
 * name is the source as the messages call it. Returns 0, or -1 after one
 * error line. */
int hostfs_prepare(struct rootfs *rfs, const struct fs_op *op, const char *name, int src, const struct stat *st,
                   struct hostfs_bind *hb, uint64_t *attrs);

/* Once the bind is attached, tree being an fd of its root: hide and protect
 * what hostfs_prepare() found, as --proc and --sys do, except what --unmask
 * lifts and what a later operation mounts over. Returns 0, or -1 after one
 * error line. */
int hostfs_protect(struct rootfs *rfs, const struct fs_op *op, const struct hostfs_bind *hb, int tree, uint64_t attrs);

/* Forget what was learnt about the host. */
void hostfs_free(struct rootfs *rfs);
