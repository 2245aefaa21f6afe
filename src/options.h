/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "optdef.h"

struct plan;
struct parse_state;

const struct option_def *option_table(size_t *n);
/* The row of the option named name ("--bind"), or NULL. */
const struct option_def *option_lookup(const char *name);
const char *complete_kind_name(enum complete_kind k);

/* Parse argv (without argv[0]) into plan. Returns 0, or -1 after printing one
 * error line. Sets *exit_now to 1 when --help or --version was handled. */
int parse_command_line(struct plan *plan, int argc, char **argv, int *exit_now);
void print_help(FILE *out);
