/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Many ids for build steps: --map-users auto, --uid-map, --gid-map. */
#pragma once

#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct plan;
struct id_map;

/* The setuid helpers of the package uidmap, by absolute path: what PATH
 * says is the caller's choice, but these decide which ids a sandbox gets,
 * and only the system's own copies are trusted to (see idmap-write.c). */
#define NEWUIDMAP "/usr/bin/newuidmap"
#define NEWGIDMAP "/usr/bin/newgidmap"

/* What the command holds as root inside a sandbox of many ids, unless
 * --cap-add or --cap-drop say otherwise: enough to unpack and install
 * (chown, override modes, switch ids), the set container runtimes give a
 * container by default. Never CAP_SYS_ADMIN: with it, the mounts would have
 * to be locked in a nested user namespace, which maps only one id. */
#define IDMAP_ROOT_CAPS                                                                                                \
        ((UINT64_C(1) << CAP_CHOWN) | (UINT64_C(1) << CAP_DAC_OVERRIDE) | (UINT64_C(1) << CAP_FOWNER) |                \
         (UINT64_C(1) << CAP_FSETID) | (UINT64_C(1) << CAP_KILL) | (UINT64_C(1) << CAP_SETGID) |                       \
         (UINT64_C(1) << CAP_SETUID) | (UINT64_C(1) << CAP_SETPCAP) | (UINT64_C(1) << CAP_SETFCAP) |                   \
         (UINT64_C(1) << CAP_NET_BIND_SERVICE) | (UINT64_C(1) << CAP_SYS_CHROOT) | (UINT64_C(1) << CAP_MKNOD) |        \
         (UINT64_C(1) << CAP_AUDIT_WRITE))

/* Parse "INSIDE:OUTSIDE:COUNT" onto map. 0, or -1 with *why set to what is
 * wrong (for the option's error line). */
int idmap_add_line(struct id_map *map, const char *s, const char **why);

/* Validation: resolve --map-users auto from the caller's subordinate ids,
 * complete and check the maps, settle the ids the command runs as and
 * whether the monitor writes the maps. 0, or -1 after one error line. */
int idmap_settle(struct plan *p);

/* The monitor: write the maps of the sandbox's first process (pid, in our
 * pid namespace), which waits. 0, or -1 after one error line. */
int idmap_write(const struct plan *p, pid_t pid);

/* The sandbox's first process: wait on sync (a pipe, whose write end we
 * close) until the monitor has written our maps; then take the ids the
 * command runs as. -1 when the monitor failed (it said why) or a switch
 * failed. */
int idmap_await(const struct plan *p, int sync[2]);

/* Move into a nested user namespace (and the namespaces in flags) that
 * maps every id of ours to itself: a forked writer that stays behind, with
 * CAP_SETUID and CAP_SETGID here, writes its maps through proc_fd, a procfs.
 * setgroups stays as it is here. 0, or -1 after one error line. */
int idmap_nest(const struct plan *p, int proc_fd, int flags);
