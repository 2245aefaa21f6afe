/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RESOLVE_IN_ROOT in user space: see inroot.h. */
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pathname.h"
#include "util.h"

/* Symlinks one lookup may follow, as in the kernel's own lookups. */
#define MAX_LINKS 40

struct lookup {
        int *fd; /* the directories passed; fd[0] is the root, borrowed */
        size_t n, cap;
        char *rest; /* what is left to walk: rest + pos */
        size_t pos;
        unsigned links;
};

static void push(struct lookup *l, int fd)
{
        if (l->n == l->cap) {
                l->cap *= 2;
                l->fd = xrealloc(l->fd, l->cap * sizeof *l->fd);
        }
        l->fd[l->n++] = fd;
}

static void pop_to(struct lookup *l, size_t n)
{
        while (l->n > n)
                closep(&l->fd[--l->n]);
}

/* Walk text next, then what was left after the link. */
static void splice_text(struct lookup *l, const char *text)
{
        char *rest = xasprintf("%s%s", text, l->rest + l->pos);

        free(l->rest);
        l->rest = rest;
        l->pos = 0;
}

/* The link name, opened as fd in the top directory: its text goes in front
 * of what is left (0), or, on procfs, the kernel follows it and *to gets
 * what it led to (1). */
static int follow(struct lookup *l, int fd, const char *name, int *to)
{
        char text[PATH_MAX];
        struct statfs sfs;
        ssize_t n;

        if (++l->links > MAX_LINKS)
                return -ELOOP;
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        if (sfs.f_type == PROC_SUPER_MAGIC) {
                *to = openat(l->fd[l->n - 1], name, O_PATH | O_CLOEXEC);
                return *to < 0 ? -errno : 1;
        }
        n = readlinkat(fd, "", text, sizeof text);
        if (n < 0)
                return -errno;
        if ((size_t) n >= sizeof text)
                return -ENAMETOOLONG;
        text[n] = '\0';
        splice_text(l, text);
        if (text[0] == '/')
                pop_to(l, 1);
        return 0;
}

/* One component that is neither "." nor "..": 0, or a negative errno. */
static int step(struct lookup *l, const char *name, bool want_dir)
{
        _cleanup_close_ int fd = openat(l->fd[l->n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        int r, to = -1;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode)) {
                r = follow(l, fd, name, &to);
                if (r <= 0)
                        return r;
                closep(&fd);
                fd = to;
                if (fstat(fd, &st) < 0)
                        return -errno;
        }
        if (want_dir && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
        push(l, take_fd(&fd));
        return 0;
}

static int walk(struct lookup *l)
{
        for (;;) {
                char name[NAME_MAX + 1];
                int r = path_take_component(l->rest, &l->pos, name);

                if (r <= 0)
                        return r;
                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        pop_to(l, l->n > 1 ? l->n - 1 : 1);
                        continue;
                }
                /* Anything but the very end, a trailing slash included,
                 * must be a directory. */
                r = step(l, name, l->rest[l->pos] == '/');
                if (r < 0)
                        return r;
        }
}

int inroot_open(int root_fd, const char *path)
{
        struct lookup l = {.cap = 16};
        int r;

        l.fd = xmalloc(l.cap * sizeof *l.fd);
        l.fd[l.n++] = root_fd;
        l.rest = xstrdup(path);
        r = walk(&l);
        if (r == 0 && l.n == 1) {
                r = openat(root_fd, ".", O_PATH | O_CLOEXEC);
                if (r < 0)
                        r = -errno;
        } else if (r == 0) {
                r = take_fd(&l.fd[--l.n]);
        }
        pop_to(&l, 1);
        free(l.fd);
        free(l.rest);
        return r;
}
