/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

struct plan;

/* Whether this kernel lets the caller create user namespaces. */
bool userns_available(void);
/* In a fresh user namespace: deny setgroups and map exactly one uid and one
 * gid, the plan's inside ids onto the caller's. */
int userns_write_maps(const struct plan *p);

/* --userns-block-fd: wait for the caller to write our maps (with newuidmap,
 * say); if it wrote none, write our own. */
int userns_wait_for_maps(const struct plan *p);
/* --disable-userns: cap the outer user namespace at the one we are about to
 * make, then move into that nested namespace, from which the limit can't be
 * raised again. proc_fd is a procfs to do it through. */
int userns_disable(const struct plan *p, int proc_fd);
/* --assert-userns-disabled: fail unless making a user namespace fails. */
int userns_assert_disabled(void);
