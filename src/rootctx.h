/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The root under construction, as every mechanism (proc.c, sys.c, dev.c,
 * dataops.c, overlay.c, hostfs.c, masks.c) sees it: its state, and the
 * helpers they share. rootfs.c dispatches to the mechanisms; they use
 * this, and nothing here calls back up. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "safepath.h"

struct plan;
struct fs_op;

/* Where the new root is being built: fds of the host's root and the new one. */
struct rootfs {
        const struct plan *plan;
        /* How destinations treat symlinks on their way (owners.h): the
         * policy, and where the mount of each operation applied so far
         * landed, by index (a canonical path, or NULL). */
        struct link_policy links;
        char **landed;
        size_t current; /* the operation being applied */
        int oldroot_fd;
        int newroot_fd;
        const char *console; /* the caller's terminal, for --dev; may be NULL */
        int new_pidns;
        int in_userns;
        /* The kernel's settings under /proc/sys and /sys are out of reach by
         * themselves: a user namespace of our own whose ids are not the host's
         * root (a root caller's sandbox is host uid 0, whatever its map). */
        int tunables_guarded;
        const char *file_label; /* --file-label, for the tmpfs mounts */
        int empty_fd;           /* a read-only mount of an empty file on the base tmpfs, for masks */
        /* set up by rootfs_enter(): */
        int empty_dir_fd;      /* an empty read-only tmpfs on the base tmpfs, for masks */
        struct hostfs *hostfs; /* what binds need to know about the host: hostfs.c */
};

/* Mount a kernel file system (proc, sysfs) on op->dest: a fresh instance of
 * fstype when fresh is set, else the host's host_path bound recursively;
 * with attrs either way. Returns an O_PATH fd of the mounted directory, or
 * -1 after one error line. */
int rootctx_mount_kernel_fs(struct rootfs *rfs, const struct fs_op *op, const char *fstype, const char *host_path,
                            bool fresh, uint64_t attrs);

/* The /proc magic link of one of our fds, as a path usable during setup (the
 * host's /proc is at /oldroot/proc then): it names exactly what the fd is,
 * for interfaces that only take paths. */
#define ROOTCTX_FD_LINK_MAX 48
void rootctx_fd_link(int fd, char buf[ROOTCTX_FD_LINK_MAX]);

/* The path of fd, something in the new root, as it will be seen inside the
 * sandbox, symlinks resolved; a negative errno if it is not in the new root. */
int rootctx_new_root_path(int fd, char *buf, size_t size);

/* Open one of our own namespace files (/proc/self/ns/NAME) for reading, as
 * ioctls on it need, through the host's /proc. */
int rootctx_open_own_ns(const char *name);

/* Open a source path on the host, resolved as the caller sees it. */
int rootctx_open_source(const struct rootfs *rfs, const char *path);

/* Before op binds src (of mode src_mode; src_name as the command line gave
 * it) on the object dest refers to: a directory goes only on a directory and
 * anything else only on something that is not, which the kernel reports as a
 * bare EINVAL. Under the cocoon name, one error line that says which side is
 * which, and -1; else 0. */
int rootctx_check_bind_types(const struct fs_op *op, const char *src_name, unsigned src_mode, int dest);
