/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

struct rootfs;
struct fs_op;

/*
 * Which symlinks the destinations of setup may follow. A link belongs to the
 * mount it sits in: the last operation so far whose mount lies at or above
 * it. In a mount that setup made and filled itself (the base tmpfs, --tmpfs,
 * --dev, --mqueue...) links were made by setup and are followed. In a mount
 * of host content (a bind or an overlay) anyone who can write there may have
 * planted them, so they are followed only as long as every step stays inside
 * that mount's destination: one bind never redirects an operation onto
 * another. Links in --proc and --sys are never followed.
 */

/* Before the first operation: set up rfs->links. */
void owners_init(struct rootfs *rfs);
/* Operation i is about to be applied. */
void owners_begin(struct rootfs *rfs, size_t i);
/* Operation i was applied: remember where its mount, if it made one, landed. */
void owners_applied(struct rootfs *rfs, size_t i);
/* After the last one. */
void owners_free(struct rootfs *rfs);

/* One error line for op's destination, which a lookup failed to resolve with
 * err: why a symlink on the way was refused, when that was the cause, else
 * "FLAG: WHAT DEST: ERROR". Returns -1. */
int dest_error(const struct rootfs *rfs, const struct fs_op *op, int err, const char *what);
