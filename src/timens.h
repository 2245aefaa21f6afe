/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct plan;

/* --unshare-time: make a time namespace with the plan's clock offsets and
 * move into it, through the procfs at proc_fd. */
int timens_enter(const struct plan *p, int proc_fd);
