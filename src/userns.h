/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

struct plan;

/* Whether this kernel lets the caller create user namespaces. */
bool userns_available(void);
/* Whether the kernel lets us create one now: 0, or the negative errno it
 * gave. Under a seccomp filter, which may refuse what the sysctls allow,
 * this costs a short-lived process that tries. */
int userns_try_create(void);
/* In a fresh user namespace: deny setgroups and map exactly one uid and one
 * gid, the plan's inside ids onto the caller's. */
int userns_write_maps(const struct plan *p);

/* --userns-block-fd: wait for the caller to write our maps (with newuidmap,
 * say); if it wrote none, write our own. */
int userns_wait_for_maps(const struct plan *p);
/* Move into a user namespace nested in ours, keeping our ids, for either of
 * two reasons. --disable-userns: cap the outer namespace at this one, from
 * which the limit can't be raised again. lock: a command that holds
 * CAP_SYS_ADMIN over the sandbox's mounts could clear their read-only flags
 * (mount_setattr, which Landlock doesn't see); in a mount namespace of the
 * nested one, every mount is locked. proc_fd is a procfs to do it through. */
int userns_nest(const struct plan *p, int proc_fd, bool lock);
/* The namespaces that the lock makes again, besides the user namespace. */
int userns_nest_flags(const struct plan *p);
/* --assert-userns-disabled: fail unless making a user namespace fails. */
int userns_assert_disabled(void);
