/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* SELinux labels. Where cocoon is built without libselinux, or SELinux is
 * not enabled, labels are accepted and have no effect, as with bwrap. */

/* --exec-label: the context the command is executed in. */
int label_exec(const char *label);
/* --file-label: the mount option that labels a new tmpfs, or NULL. */
const char *label_mount_option(const char *label);
