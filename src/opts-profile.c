/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --profile: the words of a profile take its place on the command line, so
 * options after it refine it, as options do. Profiles may name others. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"

#include "log.h"
#include "preset.h"
#include "suggest.h"
#include "util.h"

/* How deep profiles may name profiles. */
#define PROFILE_DEPTH_MAX 8

struct profile_state {
        struct preset *loaded; /* every profile read, alive until the end */
        size_t n_loaded;
        /* The profiles being expanded, outermost first: which one (an index
         * into loaded), and where its words end in st->args. */
        struct {
                size_t which;
                size_t end;
        } open[PROFILE_DEPTH_MAX];
        size_t depth;
        char where[PATH_MAX + 32];
};

/* Close the profiles whose words all come before the word at pos. */
static void close_finished(struct parse_state *st, size_t pos)
{
        struct profile_state *ps = st->profiles;

        while (ps->depth > 0 && ps->open[ps->depth - 1].end <= pos)
                ps->depth--;
}

const char *opts_profile_where(struct parse_state *st)
{
        struct profile_state *ps = st->profiles;

        if (!ps)
                return NULL;
        close_finished(st, st->pos);
        for (size_t d = ps->depth; d-- > 0;) {
                const struct preset *pr = &ps->loaded[ps->open[d].which];
                for (size_t i = 0; i < pr->n; i++)
                        if (pr->words[i] == st->args[st->pos]) {
                                snprintf(ps->where, sizeof ps->where, "%s:%u", pr->origin, pr->lines[i]);
                                return ps->where;
                        }
        }
        return NULL;
}

void opts_profile_free(struct parse_state *st)
{
        struct profile_state *ps = st->profiles;

        if (!ps)
                return;
        for (size_t i = 0; i < ps->n_loaded; i++)
                preset_free(&ps->loaded[i]);
        free(ps->loaded);
        free(ps);
        st->profiles = NULL;
}

/* Options that mean nothing in a profile. */
static bool allowed_in_profile(const char *name)
{
        return strcmp(name, "--args") != 0 && strcmp(name, "--help") != 0 && strcmp(name, "--version") != 0;
}

/* Every word is an option with its arguments on its line. */
static int check_words(const struct parse_state *st, const struct preset *pr)
{
        for (size_t i = 0; i < pr->n;) {
                const char *w = pr->words[i];
                const struct option_def *o = optdef_find(st->table, st->n_table, w);
                unsigned line = pr->lines[i];

                if (w[0] != '-' || strcmp(w, "--") == 0)
                        return log_error("%s:%u: %s: a profile holds options, not a command", pr->origin, line, w), -1;
                if (!o) {
                        static char where[PATH_MAX + 32];
                        snprintf(where, sizeof where, "%s:%u", pr->origin, line);
                        log_set_context(where); /* cleared when parsing ends */
                        suggest_unknown_option(w, st->table, st->n_table);
                        return -1;
                }
                if (!allowed_in_profile(o->name))
                        return log_error("%s:%u: %s can't be used in a profile", pr->origin, line, w), -1;
                for (unsigned k = 1; k <= o->nargs; k++)
                        if (i + k >= pr->n || pr->lines[i + k] != line)
                                return log_error("%s:%u: %s: needs %u argument%s (%s) on its line", pr->origin, line, w,
                                                 o->nargs, o->nargs > 1 ? "s" : "", o->metavar),
                                       -1;
                i += 1 + o->nargs;
        }
        return 0;
}

static int refuse_loop(struct parse_state *st, const struct preset *pr)
{
        struct profile_state *ps = st->profiles;
        char chain[1024] = "";
        size_t at = SIZE_MAX;

        for (size_t d = 0; d < ps->depth; d++)
                if (strcmp(ps->loaded[ps->open[d].which].key, pr->key) == 0)
                        at = d;
        if (at == SIZE_MAX)
                return 0;
        for (size_t d = at; d < ps->depth; d++) {
                size_t len = strlen(chain);
                snprintf(chain + len, sizeof chain - len, "%s -> ", ps->loaded[ps->open[d].which].origin);
        }
        return fail(st, "%s: the profiles include each other: %s%s", pr->origin, chain, pr->origin);
}

int opt_profile(struct parse_state *st, char **a)
{
        struct profile_state *ps = st->profiles;
        struct preset pr;
        size_t count;

        if (!ps)
                ps = st->profiles = xcalloc(1, sizeof *ps);
        /* The handler runs with st->pos past "--profile NAME": the profile
         * that gave these two words (if one did) is still open. */
        close_finished(st, st->pos - 2);
        if (ps->depth >= PROFILE_DEPTH_MAX)
                return fail(st, "%s: profiles nest more than %d deep", a[0], PROFILE_DEPTH_MAX);
        if (preset_load(a[0], &pr) < 0)
                return -1;
        if (refuse_loop(st, &pr) < 0 || check_words(st, &pr) < 0)
                goto bad;
        count = pr.n;
        if (st->n_args + count > OPTIONS_MAX_ARGS) {
                fail(st, "%s: too many arguments (the limit is %d)", a[0], OPTIONS_MAX_ARGS);
                goto bad;
        }

        /* Splice the words in right after this option. */
        st->args = xrealloc(st->args, sizeof(char *) * (st->n_args + count + 1));
        memmove(&st->args[st->pos + count], &st->args[st->pos], sizeof(char *) * (st->n_args - st->pos + 1));
        if (count) /* an empty profile has no words: pr.words is NULL */
                memcpy(&st->args[st->pos], pr.words, sizeof(char *) * count);
        st->n_args += count;
        for (size_t d = 0; d < ps->depth; d++)
                ps->open[d].end += count;
        if (st->args_end > st->pos)
                st->args_end += count;

        ps->loaded = xrealloc(ps->loaded, sizeof(struct preset) * (ps->n_loaded + 1));
        ps->loaded[ps->n_loaded] = pr;
        ps->open[ps->depth].which = ps->n_loaded++;
        ps->open[ps->depth++].end = st->pos + count;
        return 0;
bad:
        preset_free(&pr);
        return -1;
}
