/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a row of the option table is (options.c holds the table). Code that
 * reads the table, such as suggest.c and --profile, is handed it, so that
 * it need not call back into the parser. */
#pragma once

#include <stddef.h>
#include <string.h>

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

/* The row named name in a table of n rows, or NULL. */
static inline const struct option_def *optdef_find(const struct option_def *t, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(t[i].name, name) == 0)
                        return &t[i];
        return NULL;
}
