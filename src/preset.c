/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Profiles: finding one, and reading it into words (preset.h). */
#include "preset.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* A profile is a page of options, not a data file. */
#define PRESET_MAX_BYTES (64u * 1024)

struct embedded_file {
        const char *name, *text;
};
extern const struct embedded_file builtin_profiles[];

const char *const *preset_builtin_names(void)
{
        static const char *names[64];

        if (!names[0])
                for (size_t i = 0; builtin_profiles[i].name && i + 1 < ARRAY_SIZE(names); i++)
                        names[i] = builtin_profiles[i].name;
        return names;
}

const char *preset_builtin_text(const char *name)
{
        for (size_t i = 0; builtin_profiles[i].name; i++)
                if (strcmp(builtin_profiles[i].name, name) == 0)
                        return builtin_profiles[i].text;
        return NULL;
}

void preset_free(struct preset *p)
{
        for (size_t i = 0; i < p->n; i++)
                free(p->words[i]);
        free(p->words);
        free(p->lines);
        free(p->origin);
        free(p->key);
        *p = (struct preset){0};
}

/* ---- words ------------------------------------------------------------- */

struct lexer {
        struct preset *pr;
        const char *p;
        unsigned line;
        char *buf; /* the word being built */
        size_t len, cap;
};

static int lex_fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lex_fail(struct lexer *lx, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        log_error("%s:%u: %s", lx->pr->origin, lx->line, msg);
        return -1;
}

static void put(struct lexer *lx, const char *s, size_t n)
{
        if (lx->len + n + 1 > lx->cap) {
                lx->cap = (lx->len + n + 1) * 2;
                lx->buf = xrealloc(lx->buf, lx->cap);
        }
        memcpy(lx->buf + lx->len, s, n);
        lx->len += n;
        lx->buf[lx->len] = '\0';
}

/* ${PROJECT}: the current directory, when it can be a project's. Binding
 * it writable must never mean the whole system or the whole home. getcwd()
 * gives the path with symlinks resolved, so the home is compared both as
 * HOME spells it and resolved: with HOME=/home/u a symlink to /data/u, the
 * directory /data/u is the home too. Without an absolute HOME there is no
 * telling, so no project. */
static int project_dir(struct lexer *lx, char *out, size_t size)
{
        const char *home = getenv("HOME");
        _cleanup_free_ char *real_home = NULL;

        if (!home)
                return lex_fail(lx, "${PROJECT}: HOME is not set: it must be the home directory's absolute path");
        if (home[0] != '/')
                return lex_fail(lx, "${PROJECT}: HOME is '%s': it must be the home directory's absolute path", home);
        /* Linux's getcwd() may give "(unreachable)/..." for a directory
         * outside the root. */
        if (!getcwd(out, size))
                return lex_fail(lx, "${PROJECT}: can't read the current directory: %s", strerror(errno));
        if (out[0] != '/')
                return lex_fail(lx, "${PROJECT}: the current directory is unreachable");
        real_home = realpath(home, NULL);
        if (strcmp(out, "/") == 0 || path_startswith(home, out) || (real_home && path_startswith(real_home, out)))
                return lex_fail(lx,
                                "${PROJECT}: the current directory %s is not a project directory (it is /, the home "
                                "directory, or above it); run cocoon from the project",
                                out);
        return 0;
}

static int expand(struct lexer *lx);

/* The WORD of ${NAME:-WORD}, lx->p at its start: taken when NAME is unset
 * or empty. It may hold variables, not quotes. */
static int expand_default(struct lexer *lx, bool take)
{
        for (;;) {
                char c = *lx->p;
                if (c == '}') {
                        lx->p++;
                        return 0;
                }
                if (c == '\0' || c == '\n' || c == '\'' || c == '"' || c == '\\')
                        return lex_fail(lx, "${NAME:-WORD}: the WORD must end with } on its line, without quotes");
                lx->p++;
                if (c == '$') {
                        size_t len = lx->len;
                        if (expand(lx) < 0)
                                return -1;
                        if (!take)
                                lx->len = len, lx->buf[len] = '\0';
                } else if (take) {
                        put(lx, &c, 1);
                }
        }
}

/* $NAME, ${NAME} or ${NAME:-WORD}, with lx->p just past the $. */
static int expand(struct lexer *lx)
{
        char name[128], cwd[PATH_MAX];
        bool braced = *lx->p == '{', fallback;
        const char *s = lx->p + braced, *value;
        size_t n = 0;

        while ((isalnum((unsigned char) s[n]) || s[n] == '_') && n < sizeof name - 1)
                n++;
        fallback = braced && s[n] == ':' && s[n + 1] == '-';
        if (n == 0 || isdigit((unsigned char) s[0]) || (braced && s[n] != '}' && !fallback))
                return lex_fail(lx, "a $ must start a variable, $NAME or ${NAME}; write '$' or \\$ for the character");
        memcpy(name, s, n);
        name[n] = '\0';
        lx->p = s + n + (fallback ? 2 : braced);
        if (strcmp(name, "PROJECT") == 0) {
                if (project_dir(lx, cwd, sizeof cwd) < 0)
                        return -1;
                value = cwd;
        } else {
                value = getenv(name);
        }
        if (fallback)
                return value && *value ? (put(lx, value, strlen(value)), expand_default(lx, false))
                                       : expand_default(lx, true);
        if (!value)
                return lex_fail(lx, "$%s is not set", name);
        put(lx, value, strlen(value));
        return 0;
}

static void add_word(struct lexer *lx)
{
        struct preset *pr = lx->pr;

        pr->words = xrealloc(pr->words, sizeof(char *) * (pr->n + 1));
        pr->lines = xrealloc(pr->lines, sizeof(unsigned) * (pr->n + 1));
        pr->words[pr->n] = xstrdup(lx->buf ? lx->buf : "");
        pr->lines[pr->n++] = lx->line;
        lx->len = 0;
        if (lx->buf)
                lx->buf[0] = '\0';
}

/* One word, lx->p at its first character. */
static int lex_word(struct lexer *lx)
{
        char quote = 0;

        for (;;) {
                char c = *lx->p;
                if (c == '\0' || (!quote && (c == ' ' || c == '\t' || c == '\n'))) {
                        if (quote)
                                return lex_fail(lx, "the quote %c is not closed on its line", quote);
                        add_word(lx);
                        return 0;
                }
                if (c == '\n')
                        return lex_fail(lx, "the quote %c is not closed on its line", quote);
                lx->p++;
                if (quote == '\'' && c != '\'') {
                        put(lx, &c, 1);
                } else if (c == quote) {
                        quote = 0;
                } else if (!quote && (c == '\'' || c == '"')) {
                        quote = c;
                        put(lx, "", 0); /* '' is a word too: an empty one */
                } else if (c == '\\') {
                        if (*lx->p == '\0' || *lx->p == '\n')
                                return lex_fail(lx, "a \\ at the end of a line: an option stays on one line");
                        put(lx, lx->p++, 1);
                } else if (c == '$') {
                        if (expand(lx) < 0)
                                return -1;
                } else {
                        put(lx, &c, 1);
                }
        }
}

static int lex(struct preset *pr, const char *text, size_t len)
{
        struct lexer lx = {.pr = pr, .p = text, .line = 1};
        int r = 0;

        if (memchr(text, '\0', len))
                return log_error("%s: holds a NUL byte: not a profile", pr->origin), -1;
        while (*lx.p && r == 0) {
                char c = *lx.p;
                if (c == '\n') {
                        lx.line++;
                        lx.p++;
                } else if (c == ' ' || c == '\t' || c == '\r') {
                        lx.p++;
                } else if (c == '#') {
                        lx.p += strcspn(lx.p, "\n");
                } else {
                        r = lex_word(&lx);
                }
        }
        free(lx.buf);
        return r;
}

/* ---- finding a profile ----------------------------------------------------- */

/* Read the regular file at path into *text. 1 when it is there, 0 when it
 * is not (ENOENT), -1 after an error line. */
static int read_profile(const char *path, const char *name, struct preset *out, char **text, size_t *len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;
        int r;

        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && !strchr(name, '/'))
                return 0;
        if (fd < 0)
                return log_error("--profile %s: can't open %s: %s", name, path, strerror(errno)), -1;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return log_error("--profile %s: %s is not a regular file", name, path), -1;
        if ((uint64_t) st.st_size > PRESET_MAX_BYTES)
                return log_error("--profile %s: %s is larger than %u KiB: not a profile", name, path,
                                 PRESET_MAX_BYTES / 1024),
                       -1;
        r = read_all(fd, text, len, PRESET_MAX_BYTES);
        if (r < 0)
                return log_error("--profile %s: can't read %s: %s", name, path,
                                 r == -EFBIG ? "it grew past the size limit" : strerror(-r)),
                       -1;
        out->origin = xstrdup(path);
        out->key = xasprintf("file %ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
        return 1;
}

static bool good_name(const char *name)
{
        if (!isalnum((unsigned char) name[0]))
                return false;
        for (const char *s = name; *s; s++)
                if (!isalnum((unsigned char) *s) && !strchr("._-", *s))
                        return false;
        return strlen(name) <= NAME_MAX;
}

int preset_load(const char *name, struct preset *out)
{
        _cleanup_free_ char *text = NULL, *user_dir = NULL;
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        size_t len = 0;
        int r = 0;

        *out = (struct preset){0};
        if (!*name)
                return log_error("--profile: the name must not be empty"), -1;
        if (strchr(name, '/')) {
                r = read_profile(name, name, out, &text, &len);
        } else {
                if (!good_name(name))
                        return log_error("--profile %s: a profile name is letters, digits, '.', '_' and '-', "
                                         "or a path with a /",
                                         name),
                               -1;
                if (xdg && xdg[0] == '/')
                        user_dir = xasprintf("%s/cocoon/profiles", xdg);
                else if (home && home[0] == '/')
                        user_dir = xasprintf("%s/.config/cocoon/profiles", home);
                const char *dirs[] = {user_dir, "/etc/cocoon/profiles"};
                for (size_t i = 0; i < ARRAY_SIZE(dirs) && r == 0; i++) {
                        _cleanup_free_ char *path = NULL;
                        if (!dirs[i])
                                continue;
                        path = xasprintf("%s/%s", dirs[i], name);
                        r = read_profile(path, name, out, &text, &len);
                }
                if (r == 0 && preset_builtin_text(name)) {
                        text = xstrdup(preset_builtin_text(name));
                        len = strlen(text);
                        out->origin = xasprintf("%s (built-in)", name);
                        out->key = xasprintf("built-in %s", name);
                        r = 1;
                }
                if (r == 0)
                        return log_error("--profile %s: no such profile in %s, /etc/cocoon/profiles or the "
                                         "built-ins (cocoon --help lists them)",
                                         name, user_dir ? user_dir : "$XDG_CONFIG_HOME/cocoon/profiles"),
                               -1;
        }
        if (r < 0 || lex(out, text, len) < 0) {
                preset_free(out);
                return -1;
        }
        return 0;
}
