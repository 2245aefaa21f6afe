/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options for restricted hosts: --check, --fallback, --require. */
#include <string.h>

#include "opts.h"

#include "fallback.h"

int opt_check(struct parse_state *st, char **a)
{
        st->plan->check = 1;
        return 0;
}

int opt_check_json(struct parse_state *st, char **a)
{
        st->plan->check = 2;
        return 0;
}

int opt_fallback(struct parse_state *st, char **a)
{
        if (strcmp(a[0], "landlock") != 0)
                return fail(st, "unknown mode '%s' (the one there is: landlock)", a[0]);
        st->plan->fallback_landlock = true;
        return 0;
}

int opt_require(struct parse_state *st, char **a)
{
        unsigned mask;

        if (fallback_part_parse(a[0], &mask) < 0)
                return fail(st, "unknown part '%s' (one of: %s)", a[0], fallback_part_list());
        st->plan->require |= mask;
        return 0;
}
