/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rootctx.h"

struct plan;

/* In a private mount namespace: make propagation slave, mount a private
 * tmpfs as a base, and pivot into it, with the host at /oldroot and an empty
 * tmpfs at /newroot. */
int rootfs_enter(struct rootfs *rfs);
/* Apply the plan's filesystem operations inside /newroot, in order. */
int rootfs_apply(struct rootfs *rfs, const struct plan *p);
/* Make /newroot the root and detach everything else, host included. */
int rootfs_finish(struct rootfs *rfs);
