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
