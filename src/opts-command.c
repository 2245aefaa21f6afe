/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options for the command itself: argv[0], directory, environment, session. */
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#include "log.h"
#include "util.h"

int opt_argv0(struct parse_state *st, char **a)
{
        /* bwrap (0.9+) refuses a second --argv0 rather than warning. */
        if (st->plan->argv0)
                return log_is_bwrap() ? (log_error("--argv0 used multiple times"), -1)
                                      : fail(st, "given more than once; give it once");
        free(st->plan->argv0);
        st->plan->argv0 = xstrdup(a[0]);
        return 0;
}

int opt_chdir(struct parse_state *st, char **a)
{
        if (st->plan->chdir_path)
                warn_given_again(st);
        if (want_path(st, "the directory", a[0]) < 0)
                return -1;
        free(st->plan->chdir_path);
        st->plan->chdir_path = xstrdup(a[0]);
        return 0;
}

static int check_env_name(struct parse_state *st, const char *name)
{
        if (!*name || strchr(name, '='))
                return fail(st, "'%s' is not a valid variable name", name);
        return 0;
}

int opt_setenv(struct parse_state *st, char **a)
{
        if (check_env_name(st, a[0]) < 0)
                return -1;
        plan_setenv(st->plan, a[0], a[1]);
        return 0;
}

int opt_unsetenv(struct parse_state *st, char **a)
{
        if (check_env_name(st, a[0]) < 0)
                return -1;
        plan_unsetenv(st->plan, a[0]);
        return 0;
}

int opt_clearenv(struct parse_state *st, char **a)
{
        plan_clearenv(st->plan);
        return 0;
}

int opt_new_session(struct parse_state *st, char **a)
{
        st->plan->new_session = true;
        return 0;
}

int opt_die_with_parent(struct parse_state *st, char **a)
{
        st->plan->die_with_parent = true;
        return 0;
}

int opt_as_pid_1(struct parse_state *st, char **a)
{
        st->plan->as_pid_1 = true;
        return 0;
}
