/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct rootfs;
struct fs_op;

/* --overlay, --tmp-overlay and --ro-overlay. */
int op_overlay(struct rootfs *rfs, const struct fs_op *op);
