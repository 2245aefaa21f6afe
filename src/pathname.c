/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lexical path arithmetic (pathname.h). */
#include "pathname.h"

#include <errno.h>
#include <string.h>

#include "util.h"

bool path_is_root(const char *path)
{
        /* true when every component is empty, "." or ".." (clamped at the root) */
        while (*path) {
                size_t n = strcspn(path, "/");
                if (!(n == 0 || (n == 1 && path[0] == '.') || (n == 2 && path[0] == '.' && path[1] == '.')))
                        return false;
                path += n;
                path += strspn(path, "/");
        }
        return true;
}

bool path_within(const char *path, const char *scope)
{
        size_t n = strlen(scope);

        if (strcmp(scope, "/") == 0)
                return true;
        return strncmp(path, scope, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool is_dotdot(const char *s, size_t n)
{
        return n == 2 && s[0] == '.' && s[1] == '.';
}

bool path_climbs_above_root(const char *path)
{
        size_t depth = 0;

        for (path += strspn(path, "/"); *path; path += strspn(path, "/")) {
                size_t n = strcspn(path, "/");
                if (is_dotdot(path, n)) {
                        if (depth == 0)
                                return true;
                        depth--;
                } else if (!(n == 1 && path[0] == '.')) {
                        depth++;
                }
                path += n;
        }
        return false;
}

char *path_normalize(const char *base, const char *path)
{
        size_t cap = (path[0] == '/' || !base ? 0 : strlen(base)) + strlen(path) + 2, len = 0;
        char *out = xmalloc(cap);

        if (path[0] != '/' && base && strcmp(base, "/") != 0) {
                len = strlen(base);
                memcpy(out, base, len);
        }
        for (path += strspn(path, "/"); *path; path += strspn(path, "/")) {
                size_t n = strcspn(path, "/");
                if (is_dotdot(path, n)) {
                        while (len > 0 && out[len - 1] != '/')
                                len--;
                        if (len > 0)
                                len--; /* the slash before it */
                } else if (!(n == 1 && path[0] == '.')) {
                        out[len++] = '/';
                        memcpy(out + len, path, n);
                        len += n;
                }
                path += n;
        }
        if (len == 0)
                out[len++] = '/';
        out[len] = '\0';
        return out;
}

int path_take_component(const char *path, size_t *pos, char name[NAME_MAX + 1])
{
        const char *p;
        size_t len;

        *pos += strspn(path + *pos, "/");
        p = path + *pos;
        len = strcspn(p, "/");
        if (len > NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(name, p, len);
        name[len] = '\0';
        *pos += len;
        return (int) len;
}
