/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct plan;

/* At validation: every --unmask must name something that --proc, --sys or a
 * bind of the host's /proc or /sys protects, and a root caller without a
 * user namespace can't unmask the kernel's tunables. Returns 0, or -1 after
 * one error line. */
int unmask_check(const struct plan *p);
