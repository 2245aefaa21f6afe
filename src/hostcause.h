/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why the host refused a kernel feature, and how to fix it: the one line a
 * failed launch ends with, and the words --check uses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct host_cause {
        char why[384];
        char fix[384];
};

/* Why making a user namespace failed with err (positive errno). */
void hostcause_userns(int err, struct host_cause *c);
/* Why making the other namespaces (mount, pid, ...) failed with err. */
void hostcause_namespaces(int err, struct host_cause *c);
/* Why a mount, or the id maps, failed with err inside a user namespace that
 * was made (AppArmor's restriction, a container's profile). */
void hostcause_mount(int err, bool maps, struct host_cause *c);

/* The launch's last line when making the namespaces (flags) failed with
 * err; under the bwrap name, bwrap's own wording. */
void hostcause_log_clone(int err, int flags);
/* The same for a step inside the new namespaces: what is "can't make / a
 * slave mount", bwrap_what its bwrap wording ("Failed to make / slave"). */
void hostcause_log_setup(int err, bool maps, const char *what, const char *bwrap_what);
