/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <jansson.h>
#include <stdio.h>

struct plan;

/* Print the plan as --explain shows it (plan->explain: 1 text, 2 JSON).
 * 0, or -1 when the output could not be written. */
int explain(const struct plan *p, FILE *out);
/* The text form, from the JSON description (explain-text.c). */
int explain_text(const json_t *d, FILE *out);
