/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * What mount_setattr does, on kernels without it (before Linux 5.12, or
 * behind a filter that answers ENOSYS): give attrs (MOUNT_ATTR_RDONLY,
 * NOSUID, NODEV, NOEXEC; only ever added) to the attached mount whose root
 * is fd and, when recursive, to every mount below it, with one
 * MS_REMOUNT|MS_BIND per mount.
 *
 * It fails closed. Each mount is reached by its path and remounted only when
 * the fd that path gave is on that very mount (a path changed meanwhile
 * reaches another one, or none); then the mount table is read again, and
 * every mount of the tree must show every attribute. A mount that another
 * covers (one mounted on the same point, or on a directory above it, that is
 * not on its own way up) can't be reached by any path, by cocoon or by the
 * sandbox: it is left as it is, as out of reach as anything else cocoon
 * mounts over. The sandbox can't uncover it: without CAP_SYS_ADMIN it can't
 * unmount, and with it cocoon locks its mounts (plan_locks_mounts).
 *
 * proc_dir is where the host's /proc is (/oldroot/proc during setup).
 * Returns 0, -EINVAL when fd is not the root of a mount, or -ENOSYS (with
 * mount_setattr noted as missing, log.h) when some mount was left without.
 */
int mountattr_remount(const char *proc_dir, int fd, uint64_t attrs, bool recursive);
