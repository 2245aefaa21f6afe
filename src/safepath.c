/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "safepath.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "syscalls.h"
#include "log.h"
#include "util.h"

int root_open(int root_fd, const char *path, int flags)
{
        int fd;

        while (*path == '/')
                path++;
        do
                fd = sys_openat2(root_fd, *path ? path : ".", (uint64_t) (flags | O_CLOEXEC),
                                 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        while (fd < 0 && errno == EAGAIN);
        return fd < 0 ? -errno : fd;
}

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

/* Split path, ignoring leading and trailing slashes, at its last slash into
 * a parent ("" when the parent is the root) and a last component. */
static void split_last(const char *path, char **parent, char **base)
{
        size_t len, cut;

        while (*path == '/')
                path++;
        len = strlen(path);
        while (len > 0 && path[len - 1] == '/')
                len--;
        cut = len;
        while (cut > 0 && path[cut - 1] != '/')
                cut--;
        *base = strndup(path + cut, len - cut);
        *parent = strndup(path, cut);
        if (!*base || !*parent)
                die_oom();
}

mode_t parent_mode(mode_t perms)
{
        mode_t m = 0755;

        if (perms != (mode_t) -1 && !(perms & 070))
                m &= ~(mode_t) 070;
        if (perms != (mode_t) -1 && !(perms & 07))
                m &= ~(mode_t) 07;
        return m;
}

static int open_parent(int root_fd, const char *parent, mode_t pmode)
{
        return *parent ? root_mkdir_p(root_fd, parent, pmode, pmode) : root_open(root_fd, "", O_PATH | O_DIRECTORY);
}

int root_mkdir_p(int root_fd, const char *path, mode_t mode, mode_t pmode)
{
        _cleanup_free_ char *parent = NULL, *base = NULL;
        _cleanup_close_ int pfd = -1;
        int fd;

        fd = root_open(root_fd, path, O_PATH | O_DIRECTORY);
        if (fd >= 0 || fd != -ENOENT)
                return fd;

        split_last(path, &parent, &base);
        pfd = open_parent(root_fd, parent, pmode);
        if (pfd < 0)
                return pfd;
        if (mkdirat(pfd, base, mode) < 0 && errno != EEXIST)
                return -errno;
        return root_open(root_fd, path, O_PATH | O_DIRECTORY);
}

int root_parent(int root_fd, const char *path, mode_t pmode, char **base_out)
{
        _cleanup_free_ char *parent = NULL, *base = NULL;
        int fd;

        split_last(path, &parent, &base);
        fd = open_parent(root_fd, parent, pmode);
        if (fd >= 0)
                *base_out = base, base = NULL;
        return fd;
}

int root_ensure(int root_fd, const char *path, bool dir, mode_t mode, mode_t pmode)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int parent = -1;
        int fd;

        fd = root_open(root_fd, path, O_PATH);
        if (fd >= 0 || fd != -ENOENT)
                return fd;
        if (dir)
                return root_mkdir_p(root_fd, path, mode, pmode);

        parent = root_parent(root_fd, path, pmode, &base);
        if (parent < 0)
                return parent;
        fd = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
        if (fd < 0 && errno != EEXIST)
                return -errno;
        if (fd >= 0)
                close(fd);
        return root_open(root_fd, path, O_PATH);
}
