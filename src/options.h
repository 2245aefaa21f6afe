/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

struct plan;
struct parse_state;

/* How a shell completion should complete one argument of an option. */
enum complete_kind {
        COMPLETE_NONE,   /* free text: nothing to offer */
        COMPLETE_FILE,   /* any path */
        COMPLETE_DIR,    /* a directory */
        COMPLETE_FD,     /* a file descriptor number */
        COMPLETE_CAP,    /* a capability name, or ALL */
        COMPLETE_ENV,    /* an environment variable name */
        COMPLETE_NUMBER, /* a number (id, octal mode, size) */
};

#define OPTION_MAX_ARGS 3

/* One row of the option table: the only place an option is defined. */
struct option_def {
        const char *name;    /* "--bind" */
        unsigned nargs;      /* arguments it consumes */
        const char *metavar; /* "SRC DEST", or NULL */
        int (*handler)(struct parse_state *st, char **args);
        const char *help; /* one line for --help */
        enum complete_kind complete[OPTION_MAX_ARGS];
};

const struct option_def *option_table(size_t *n);
/* The row of the option named name ("--bind"), or NULL. */
const struct option_def *option_lookup(const char *name);
const char *complete_kind_name(enum complete_kind k);

/* Parse argv (without argv[0]) into plan. Returns 0, or -1 after printing one
 * error line. Sets *exit_now to 1 when --help or --version was handled. */
int parse_command_line(struct plan *plan, int argc, char **argv, int *exit_now);
void print_help(FILE *out);
