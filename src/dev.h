/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct rootfs;
struct fs_op;

/* --dev DEST: a small tmpfs /dev with the safe host nodes (bound read-only),
 * the usual symlinks, and a private devpts instance. */
int dev_mount(struct rootfs *rfs, const struct fs_op *op);
