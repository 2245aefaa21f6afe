/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Subordinate ids: the ranges an administrator granted a user in
 * /etc/subuid and /etc/subgid ("owner:first:count", one a line). */
#include "subid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static bool owner_is(const char *owner, const char *name, uid_t uid)
{
        uint32_t v;

        if (name && strcmp(owner, name) == 0)
                return true;
        return parse_id(owner, &v) == 0 && v == uid;
}

int subid_read(const char *file, const char *name, uid_t uid, struct subid_range **out, size_t *n)
{
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        FILE *f = fopen(file, "re");

        *out = NULL;
        *n = 0;
        if (!f)
                return errno == ENOENT ? 0 : -errno;
        while (getline(&line, &cap, f) > 0) {
                char *owner = strtok(line, ":\n"), *first = strtok(NULL, ":\n"), *count = strtok(NULL, ":\n");
                uint64_t a, c;

                if (!owner || !first || !count || strtok(NULL, ":\n") || !owner_is(owner, name, uid))
                        continue;
                if (parse_u64(first, 10, &a) < 0 || parse_u64(count, 10, &c) < 0 || c == 0 || a + c > UINT32_MAX)
                        continue;
                *out = xrealloc(*out, sizeof **out * (*n + 1));
                (*out)[(*n)++] = (struct subid_range){(uint32_t) a, (uint32_t) c};
        }
        fclose(f);
        return 0;
}

char *subid_user_name(uid_t uid)
{
        _cleanup_free_ char *line = NULL;
        char *name = NULL;
        size_t cap = 0;
        FILE *f = fopen("/etc/passwd", "re");

        while (f && !name && getline(&line, &cap, f) > 0) {
                char *user = strtok(line, ":\n"), *pass = strtok(NULL, ":\n"), *id = strtok(NULL, ":\n");
                uint32_t v;

                if (user && pass && id && parse_id(id, &v) == 0 && v == uid)
                        name = xstrdup(user);
        }
        if (f)
                fclose(f);
        return name;
}

uint64_t subid_free_start(const char *file)
{
        _cleanup_free_ char *line = NULL;
        uint64_t end = 100000, a, c;
        size_t cap = 0;
        FILE *f = fopen(file, "re");

        while (f && getline(&line, &cap, f) > 0) {
                char *owner = strtok(line, ":\n"), *first = strtok(NULL, ":\n"), *count = strtok(NULL, ":\n");

                if (owner && first && count && parse_u64(first, 10, &a) == 0 && parse_u64(count, 10, &c) == 0 &&
                    a + c > end)
                        end = a + c;
        }
        if (f)
                fclose(f);
        return (end + 65535) / 65536 * 65536;
}
