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

static int open_parent(int root_fd, const char *parent)
{
        return *parent ? root_mkdir_p(root_fd, parent, 0755) : root_open(root_fd, "", O_PATH | O_DIRECTORY);
}

int root_mkdir_p(int root_fd, const char *path, mode_t mode)
{
        _cleanup_free_ char *parent = NULL, *base = NULL;
        _cleanup_close_ int pfd = -1;
        int fd;

        fd = root_open(root_fd, path, O_PATH | O_DIRECTORY);
        if (fd >= 0 || fd != -ENOENT)
                return fd;

        split_last(path, &parent, &base);
        pfd = open_parent(root_fd, parent);
        if (pfd < 0)
                return pfd;
        if (mkdirat(pfd, base, mode) < 0 && errno != EEXIST)
                return -errno;
        return root_open(root_fd, path, O_PATH | O_DIRECTORY);
}

int root_parent(int root_fd, const char *path, char **base_out)
{
        _cleanup_free_ char *parent = NULL, *base = NULL;
        int fd;

        split_last(path, &parent, &base);
        fd = open_parent(root_fd, parent);
        if (fd >= 0)
                *base_out = base, base = NULL;
        return fd;
}

int root_ensure(int root_fd, const char *path, bool dir, mode_t mode)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int parent = -1;
        int fd;

        fd = root_open(root_fd, path, O_PATH);
        if (fd >= 0 || fd != -ENOENT)
                return fd;
        if (dir)
                return root_mkdir_p(root_fd, path, mode);

        parent = root_parent(root_fd, path, &base);
        if (parent < 0)
                return parent;
        fd = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
        if (fd < 0 && errno != EEXIST)
                return -errno;
        if (fd >= 0)
                close(fd);
        return root_open(root_fd, path, O_PATH);
}
