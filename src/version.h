/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

/* cocoon --version: the version line, then one line each for how cocoon was
 * built (static or dynamic, libseccomp, SELinux) and for the kernel features
 * it found (Landlock ABI, user namespaces, seccomp user notification,
 * openat2, mount_setattr). */
void version_print(FILE *out);
