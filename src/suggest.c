/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a mistyped option was probably meant to be. The distance is the
 * optimal string alignment distance (insertions, deletions, substitutions and
 * swaps of two neighbours each cost one), case ignored, over the option
 * table's names. Only a close and unambiguous match is offered.
 */
#include "suggest.h"

#include <ctype.h>
#include <string.h>

#include "log.h"
#include "optdef.h"

#define NAME_MAX_LEN 64 /* longer words are no typo of an option name */

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
        unsigned m = a < b ? a : b;
        return m < c ? m : c;
}

/* The distance between a[0..la) and b[0..lb), both shorter than NAME_MAX_LEN. */
static unsigned distance(const char *a, size_t la, const char *b, size_t lb)
{
        unsigned d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];

        for (size_t i = 0; i <= la; i++)
                d[i][0] = (unsigned) i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = (unsigned) j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        unsigned cost = tolower((unsigned char) a[i - 1]) != tolower((unsigned char) b[j - 1]);
                        d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                            d[i - 2][j - 2] + 1 < d[i][j])
                                d[i][j] = d[i - 2][j - 2] + 1;
                }
        return d[la][lb];
}

/* How far a word of len characters (dashes included) may be from a name and
 * still be taken as a typo of it: a third of its letters, at most three. */
static unsigned allowed(const char *word, size_t len)
{
        size_t letters = len - strspn(word, "-");
        return letters <= 5 ? 1 : letters <= 8 ? 2 : 3;
}

/* The closest names to word[0..len): *best, and *second when another is as
 * close. Returns how many are (0, 1 or 2, capped). */
static int nearest(const struct option_def *t, size_t n, const char *word, size_t len, const struct option_def **best,
                   const struct option_def **second)
{
        unsigned limit = allowed(word, len), found = limit + 1;
        int count = 0;

        if (len >= NAME_MAX_LEN)
                return 0;
        for (size_t i = 0; i < n; i++) {
                size_t nl = strlen(t[i].name);
                unsigned dist;

                if (nl >= NAME_MAX_LEN)
                        continue;
                dist = distance(word, len, t[i].name, nl);
                if (dist < found) {
                        found = dist;
                        *best = &t[i];
                        count = 1;
                } else if (dist == found && count == 1) {
                        *second = &t[i];
                        count = 2;
                }
        }
        return count;
}

static const struct option_def *exact(const struct option_def *t, size_t n, const char *word, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(t[i].name) == len && strncmp(t[i].name, word, len) == 0)
                        return &t[i];
        return NULL;
}

/* One line that offers o for arg, with value where it was written --opt=value. */
static void offer(const char *arg, const struct option_def *o, const char *value)
{
        const char *rest = o->nargs > 1 ? strchr(o->metavar, ' ') : NULL;

        if (!value)
                log_error("unknown option %s (did you mean %s?)", arg, o->name);
        else if (o->nargs == 0)
                log_error("unknown option %s (%s takes no value)", arg, o->name);
        else if (!*value)
                log_error("unknown option %s (did you mean %s %s?)", arg, o->name, o->metavar);
        else
                log_error("unknown option %s (did you mean %s %s%s?)", arg, o->name, value, rest ? rest : "");
}

void suggest_unknown_option(const char *arg, const struct option_def *table, size_t n)
{
        const struct option_def *best = NULL, *second = NULL;
        size_t len = strcspn(arg, "=");
        const char *value = arg[len] ? arg + len + 1 : NULL;
        int count;

        if (log_is_bwrap()) {
                log_error("unknown option %s", arg);
                return;
        }
        /* --opt=value: values come as separate words, as in bwrap. */
        best = value ? exact(table, n, arg, len) : NULL;
        count = best ? 1 : nearest(table, n, arg, len, &best, &second);
        if (count == 1)
                offer(arg, best, value);
        else if (count == 2)
                log_error("unknown option %s (did you mean %s or %s?)", arg, best->name, second->name);
        else
                log_error("unknown option %s", arg);
}
