/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options for the command itself: argv[0], directory, environment, session. */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
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
        st->env_set = true;
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
        if (st->env_set)
                plan_warn(st->plan, "--clearenv undoes the --setenv and --keep-env before it: put --clearenv first");
        st->env_set = false;
        plan_clearenv(st->plan);
        return 0;
}

/* After --clearenv, what a clean environment should still carry: TERM,
 * LANG, LC_* and the like, when cocoon has them. */
int opt_keep_env(struct parse_state *st, char **a)
{
        size_t n = strlen(a[0]);
        bool prefix = n > 0 && a[0][n - 1] == '*';

        if (prefix)
                n--;
        if (n == 0 || memchr(a[0], '=', n) || memchr(a[0], '*', n))
                return fail(st, "'%s' is not a variable name, or a name ending in *", a[0]);
        for (char **e = environ; *e; e++) {
                const char *eq = strchr(*e, '=');
                size_t len = eq ? (size_t) (eq - *e) : 0;
                if (!eq || len < n || strncmp(*e, a[0], n) != 0 || (!prefix && len != n))
                        continue;
                _cleanup_free_ char *name = strndup(*e, len);
                if (!name)
                        die_oom();
                plan_setenv(st->plan, name, eq + 1);
        }
        st->env_set = true;
        return 0;
}

int opt_explain(struct parse_state *st, char **a)
{
        st->plan->explain = 1;
        return 0;
}

int opt_explain_json(struct parse_state *st, char **a)
{
        st->plan->explain = 2;
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
