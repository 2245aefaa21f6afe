/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* SELinux labels. Where cocoon is built without libselinux, or SELinux is
 * not enabled, a label is refused when parsed, as bwrap refuses it. */

/* Is label usable here? Returns 0, or -1 with the reason in err. */
int label_check(const char *label, char *err, size_t err_size);

/* --exec-label: the context the command is executed in. */
int label_exec(const char *label);
/* --file-label: the mount option that labels a new tmpfs, or NULL. */
const char *label_mount_option(const char *label);
