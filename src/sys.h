/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct rootfs;
struct fs_op;

/* --sys DEST: a read-only sysfs (a fresh one with a new network namespace,
 * else the host's bound recursively), its sensitive parts masked. */
int sys_mount(struct rootfs *rfs, const struct fs_op *op);
