/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct rootfs;
struct fs_op;

/* --proc DEST: a fresh procfs in a pid namespace of our own or joined with
 * --pidns, else the host's /proc bound recursively; the kernel tunables in it
 * are then made read-only, and what tells about the host hidden. */
int proc_mount(struct rootfs *rfs, const struct fs_op *op);
