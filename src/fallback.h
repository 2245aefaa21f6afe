/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --fallback landlock: when the host refuses namespaces, and only when asked,
 * the plan is enforced with what needs none (Landlock, seccomp, rlimits,
 * no_new_privs), and every part it can't enforce is named on stderr. */
#pragma once

#include <stdbool.h>

struct plan;

/* The parts of a plan that the fallback may fail to enforce; --require NAME
 * makes one of them a reason to refuse to run. */
enum fallback_part {
        PART_ROOT,     /* a private root: other paths can't be opened, but stat sees them */
        PART_TMPFS,    /* --tmpfs, --mqueue */
        PART_DEV,      /* --dev */
        PART_PROC,     /* --proc */
        PART_HIDDEN,   /* --mask, the masks of /proc and /sys */
        PART_FILES,    /* --dir, --file, --symlink, --chmod, the data and fd binds */
        PART_DEST,     /* binds whose destination is not their source */
        PART_OVERLAY,  /* the overlays */
        PART_READONLY, /* --remount-ro, read-only binds inside writable ones */
        PART_IDS,      /* the user namespace: uid and gid maps, groups */
        PART_PID,
        PART_NET,
        PART_IPC,
        PART_UTS,
        PART_CGROUP,
        PART_TIME,
        PART_LIMITS, /* --memory-max, --pids-max, --cpu-max, --timeout */
        PART_COORD,  /* status and sync fds, lock files, joined namespaces */
        PART_COUNT,
};

/* --require NAME: the part's bit into *mask ("all": every one). -1 when
 * the name is unknown. */
int fallback_part_parse(const char *name, unsigned *mask);
/* The names, for messages: "root, tmpfs, ...". */
const char *fallback_part_list(void);

/* With --fallback landlock: whether the host refuses the namespaces the plan
 * needs (a probe in a short-lived child). */
bool fallback_needed(const struct plan *p);
/* Run the command without namespaces. Returns only on failure, with the
 * exit status (1), after one error line. */
int fallback_run(const struct plan *p);
