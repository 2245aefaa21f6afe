/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

struct plan;

/* The best Landlock ABI this kernel offers, 0 when it has none. */
int landlock_abi(void);
/* Whether the plan asks for any Landlock restriction. */
bool landlock_wanted(const struct plan *p);
/* At validation: check the kernel has what the plan asks of Landlock. With
 * --landlock-best-effort, drop what it lacks, with one warning. */
int landlock_settle(struct plan *p);
/* Restrict the calling process (in the finished root) as the plan asks.
 * Returns 0, or -1 after one error line. */
int landlock_apply(const struct plan *p);

/* What the plan's Landlock rules let a process do at path (absolute, inside
 * the sandbox), judged by the words of the path: LANDLOCK_MAY_* bits, all of
 * them when the plan has no filesystem rules. For --report, which must guess:
 * the kernel tells an unprivileged process nothing of a Landlock denial. */
/* Whether the plan has Landlock rules for the filesystem. */
bool landlock_fs_wanted(const struct plan *p);
enum { LANDLOCK_MAY_READ = 1, LANDLOCK_MAY_WRITE = 2, LANDLOCK_MAY_EXEC = 4 };
unsigned landlock_may(const struct plan *p, const char *path);
