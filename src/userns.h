/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

struct plan;

/* Whether this kernel lets the caller create user namespaces. */
bool userns_available(void);
/* In a fresh user namespace: deny setgroups and map exactly one uid and one
 * gid, the plan's inside ids onto the caller's. */
int userns_write_maps(const struct plan *p);
