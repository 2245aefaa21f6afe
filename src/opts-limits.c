/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options that limit resources: rlimits, cgroup limits, the timeout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#include "rlimits.h"
#include "util.h"

int opt_rlimit(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;
        struct rlimit_setting r;
        char err[256];

        if (rlimit_parse(a[0], &r, err, sizeof err) < 0)
                return fail(st, "%s", err);
        p->rlimits = xrealloc(p->rlimits, sizeof *p->rlimits * (p->n_rlimits + 1));
        p->rlimits[p->n_rlimits++] = r;
        return 0;
}

int opt_memory_max(struct parse_state *st, char **a)
{
        if (parse_size(a[0], &st->plan->memory_max) < 0 || st->plan->memory_max == 0)
                return fail(st, "'%s' is not a size like 512M", a[0]);
        return 0;
}

int opt_pids_max(struct parse_state *st, char **a)
{
        if (parse_u64(a[0], 10, &st->plan->pids_max) < 0 || st->plan->pids_max == 0 || st->plan->pids_max > INT32_MAX)
                return fail(st, "'%s' is not a number of processes", a[0]);
        return 0;
}

int opt_cpu_max(struct parse_state *st, char **a)
{
        uint64_t v;
        const char *s = a[0];
        char buf[16];
        size_t len = strlen(s);

        /* "50" or "50%" of one CPU; "200%" is two CPUs' worth. */
        if (len && s[len - 1] == '%' && len < sizeof buf) {
                memcpy(buf, s, len - 1);
                buf[len - 1] = '\0';
                s = buf;
        }
        if (parse_u64(s, 10, &v) < 0 || v == 0 || v > 100000)
                return fail(st, "'%s' is not a percentage of one CPU, like 50 or 200%%", a[0]);
        st->plan->cpu_max_percent = (unsigned) v;
        return 0;
}

int opt_timeout(struct parse_state *st, char **a)
{
        uint64_t v;

        if (parse_u64(a[0], 10, &v) < 0 || v == 0 || v > 31536000)
                return fail(st, "'%s' is not a number of seconds (1 to 31536000)", a[0]);
        st->plan->timeout = (unsigned) v;
        return 0;
}
