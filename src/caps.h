/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct plan;

/* Parse "CAP_NAME" (case-insensitive) or "ALL" into a bitmask. */
int caps_parse(const char *name, uint64_t *mask);
/* Every capability the running kernel knows. */
uint64_t caps_all(void);
/* The calling process's bounding set (within caps_all). */
uint64_t caps_bounding(void);
/* The calling process's permitted capabilities. */
uint64_t caps_permitted(void);
/* Give the calling process exactly the plan's capabilities (see caps.c). */
int caps_apply(const struct plan *p, bool new_userns);
/* Lower the effective set to what caps_apply will leave the command, for
 * checks the kernel makes on its behalf before it runs (entering the working
 * directory); caps_act_as_self raises it back to the permitted set. */
int caps_act_as_command(const struct plan *p, bool new_userns);
int caps_act_as_self(void);
/* Drop every capability of the calling process (not the bounding set):
 * 0 once it has none, or a negative errno. */
int caps_clear(void);
