/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options for many ids: --map-users, --uid-map, --gid-map (idmap.c). */
#include <string.h>

#include "opts.h"

#include "idmap.h"

int opt_map_users(struct parse_state *st, char **a)
{
        if (strcmp(a[0], "auto") != 0)
                return fail(st, "'%s' is not a mode: the only one is 'auto'", a[0]);
        st->plan->map_users_auto = true;
        /* The command becomes root inside with a set of its own: what an
         * option before said of the capabilities (a profile's --cap-drop
         * ALL) is undone, and --cap-add and --cap-drop after edit it. */
        st->plan->caps_given = false;
        st->plan->caps_edit_add = st->plan->caps_edit_drop = 0;
        st->caps_added = 0;
        return 0;
}

static int add_line(struct parse_state *st, struct id_map *map, const char *s)
{
        const char *why;

        if (idmap_add_line(map, s, &why) < 0)
                return fail(st, "'%s' %s", s, why);
        return 0;
}

int opt_uid_map(struct parse_state *st, char **a)
{
        return add_line(st, &st->plan->uid_map, a[0]);
}

int opt_gid_map(struct parse_state *st, char **a)
{
        return add_line(st, &st->plan->gid_map, a[0]);
}
