/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Destinations inside the new root: the one-call lookup, and what it falls
 * back to when a symlink is on the way (walk.c). */
#include "safepath.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "syscalls.h"
#include "util.h"
#include "walk.h"

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

/* The whole path in one call, or -ELOOP when a symlink is on the way (magic
 * or not), or when the kernel lacks openat2: then the walk does it all. ".."
 * stops at the root. */
static int fast_open(int root_fd, const char *path, int flags)
{
        int fd;

        while (*path == '/')
                path++;
        do
                fd = sys_openat2(root_fd, *path ? path : ".", (uint64_t) (flags | O_CLOEXEC),
                                 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS);
        while (fd < 0 && errno == EAGAIN);
        if (fd < 0 && errno == ENOSYS)
                return -ELOOP;
        return fd < 0 ? -errno : fd;
}

static void note_lexical(struct link_policy *links, const char *path)
{
        if (links && links->watch && strcmp(links->watch, path) == 0) {
                free(links->noted);
                links->noted = path_normalize(NULL, path);
        }
}

static bool is_dot_or_dotdot(const char *s)
{
        return strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

/* Usually only the last component is missing: start the walk, which makes
 * it, from the parent. -EAGAIN: walk from the root instead. */
static int create_last(const struct walk_request *rq, const char *parent, const char *base)
{
        _cleanup_free_ char *canon = NULL;
        int pfd;

        if (!*base || is_dot_or_dotdot(base))
                return -EAGAIN;
        if (!*parent)
                return root_walk(rq, -1, "/", base);
        pfd = fast_open(rq->root_fd, parent, O_PATH | O_DIRECTORY);
        if (pfd == -ENOENT || pfd == -ELOOP)
                return -EAGAIN;
        if (pfd < 0)
                return pfd;
        canon = path_normalize(NULL, parent);
        return root_walk(rq, pfd, canon, base);
}

static int fast_flags(const struct walk_request *rq)
{
        switch (rq->want) {
        case WANT_OPEN: return rq->flags;
        case WANT_DIR: return O_PATH | O_DIRECTORY;
        default: return O_PATH;
        }
}

/* The fast path, then the walk. A path without symlinks costs one call when
 * it exists, and one more (for its parent) when its last component is to be
 * made. */
static int resolve(const struct walk_request *rq)
{
        _cleanup_free_ char *parent = NULL, *base = NULL;
        int fd;

        if (rq->links)
                link_policy_forget_refusal(rq->links);
        /* Without openat2 (syscalls.h), only the walk: never a plain lookup. */
        if (sys_lacks_openat2())
                return root_walk(rq, -1, NULL, rq->path);
        split_last(rq->path, &parent, &base);
        if (rq->want == WANT_PARENT) {
                fd = fast_open(rq->root_fd, parent, O_PATH | O_DIRECTORY);
                if (fd >= 0) {
                        *rq->base_out = base, base = NULL;
                        return fd;
                }
        } else {
                fd = fast_open(rq->root_fd, rq->path, fast_flags(rq));
                if (fd >= 0) {
                        note_lexical(rq->links, rq->path);
                        return fd;
                }
                if (fd == -ENOENT && rq->want != WANT_OPEN) {
                        fd = create_last(rq, parent, base);
                        if (fd != -EAGAIN)
                                return fd;
                }
        }
        /* A symlink on the way, or missing parents to create: walk. */
        if (fd == -ELOOP || (rq->want != WANT_OPEN && (fd == -ENOENT || fd == -EAGAIN)))
                return root_walk(rq, -1, NULL, rq->path);
        return fd;
}

int root_open(int root_fd, struct link_policy *links, const char *path, int flags)
{
        struct walk_request rq = {.root_fd = root_fd, .links = links, .path = path, .want = WANT_OPEN, .flags = flags};
        return resolve(&rq);
}

int root_mkdir_p(int root_fd, struct link_policy *links, const char *path, mode_t mode, mode_t pmode)
{
        struct walk_request rq = {
                .root_fd = root_fd, .links = links, .path = path, .want = WANT_DIR, .mode = mode, .pmode = pmode};
        return resolve(&rq);
}

int root_ensure(int root_fd, struct link_policy *links, const char *path, bool dir, mode_t mode, mode_t pmode)
{
        struct walk_request rq = {.root_fd = root_fd,
                                  .links = links,
                                  .path = path,
                                  .want = WANT_ENSURE,
                                  .dir = dir,
                                  .mode = mode,
                                  .pmode = pmode};
        return resolve(&rq);
}

int root_parent(int root_fd, struct link_policy *links, const char *path, mode_t pmode, char **base_out)
{
        struct walk_request rq = {.root_fd = root_fd,
                                  .links = links,
                                  .path = path,
                                  .want = WANT_PARENT,
                                  .pmode = pmode,
                                  .base_out = base_out};
        return resolve(&rq);
}
