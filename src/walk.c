/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Walking a destination one component at a time from an fd of the new root,
 * asking the link policy about every symlink on the way. */
#include "walk.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "log.h"
#include "pathname.h"
#include "util.h"

void link_policy_forget_refusal(struct link_policy *links)
{
        free(links->refused_link);
        free(links->refused_target);
        links->refused_link = links->refused_target = NULL;
        links->refused_scope = 0;
}

void link_policy_clear(struct link_policy *links)
{
        link_policy_forget_refusal(links);
        free(links->noted);
        links->noted = NULL;
}

/* Symlinks one walk may follow, as in the kernel's own lookups. */
#define MAX_LINKS 40

/* A directory on the way or, on top at the end, what the walk found. */
struct level {
        int fd;           /* O_PATH, opened without following; the root's is borrowed */
        mode_t type;      /* S_IFDIR, S_IFREG, S_IFLNK... */
        size_t depth;     /* components below the root */
        size_t canon_len; /* of the canonical path up to here ("" is the root) */
};

/* A link being followed within a scope. The walk may pass outside it while
 * it walks the link's text (as "../proj/x" or "/proj/x" do from /proj), but
 * makes nothing there, and must be back inside when the text is walked
 * through. */
struct confinement {
        size_t tail; /* how much of the rest comes after the link's text */
        int scope;
        char *link, *text;
};

struct walk {
        const struct walk_request *rq;
        struct level *lv;
        size_t n, cap;
        char canon[PATH_MAX];
        char *rest; /* what is left to walk: rest + pos */
        size_t pos, rest_len;
        struct confinement cf[MAX_LINKS];
        size_t n_cf;
        unsigned n_links;
        bool fresh; /* the top level was just made: nothing is below it yet */
        bool got_base;
};

static size_t path_depth(const char *canon)
{
        size_t n = 0;

        for (; *canon; canon++)
                n += *canon == '/' && canon[1];
        return n;
}

static const char *here(const struct walk *w)
{
        return w->lv[w->n - 1].canon_len ? w->canon : "/";
}

/* Where a link at canonical path link with this text leads, lexically. */
static char *link_target(const char *link, const char *text)
{
        const char *slash = strrchr(link, '/');
        _cleanup_free_ char *dir = strndup(link, slash > link ? (size_t) (slash - link) : 1);

        if (!dir)
                die_oom();
        return path_normalize(dir, text);
}

static int refuse(struct walk *w, const char *link, const char *text, int scope)
{
        struct link_policy *links = w->rq->links;

        if (links) {
                free(links->refused_link);
                free(links->refused_target);
                links->refused_link = xstrdup(link);
                links->refused_target = link_target(link, text);
                links->refused_scope = scope;
        }
        return -ELOOP;
}

static bool allowed(const struct walk *w, const struct confinement *c)
{
        const struct link_policy *links = w->rq->links;

        return links->allows && links->allows(links->ctx, c->scope, here(w));
}

/* Whether the walk stands inside the scope of every link being followed:
 * before it makes anything, and where it stops. */
static int check_inside(struct walk *w)
{
        for (size_t i = 0; i < w->n_cf; i++)
                if (!allowed(w, &w->cf[i]))
                        return refuse(w, w->cf[i].link, w->cf[i].text, w->cf[i].scope);
        return 0;
}

/* A link whose text has been walked through has led where the walk stands,
 * which must be inside its scope; it binds the walk no more. */
static int end_confinements(struct walk *w)
{
        size_t left = w->rest_len - w->pos;

        while (w->n_cf > 0 && w->cf[w->n_cf - 1].tail >= left) {
                struct confinement *c = &w->cf[w->n_cf - 1];
                if (!allowed(w, c))
                        return refuse(w, c->link, c->text, c->scope);
                free(c->link);
                free(c->text);
                w->n_cf--;
        }
        return 0;
}

static int push(struct walk *w, int fd, mode_t type, const char *name)
{
        size_t depth = w->lv[w->n - 1].depth + 1, at = w->lv[w->n - 1].canon_len;
        size_t len = at + 1 + strlen(name);

        if (len >= sizeof w->canon) {
                close(fd);
                return -ENAMETOOLONG;
        }
        if (w->n == w->cap) {
                w->cap *= 2;
                w->lv = xrealloc(w->lv, w->cap * sizeof *w->lv);
        }
        w->canon[at] = '/';
        memcpy(w->canon + at + 1, name, len - at); /* with its NUL */
        w->lv[w->n++] = (struct level){.fd = fd, .type = type, .depth = depth, .canon_len = len};
        return 0;
}

static int go_up(struct walk *w)
{
        w->fresh = false;
        if (w->n == 1)
                return 0; /* the root's ".." is the root */
        /* Above a seed, only a walk from the root knows what is there. */
        if (w->lv[w->n - 1].depth - w->lv[w->n - 2].depth != 1)
                return -EAGAIN;
        closep(&w->lv[--w->n].fd);
        w->canon[w->lv[w->n - 1].canon_len] = '\0';
        return 0;
}

static void to_root(struct walk *w)
{
        while (w->n > 1)
                closep(&w->lv[--w->n].fd);
        w->canon[0] = '\0';
}

/* Walk text next, then what was left. */
static void splice_text(struct walk *w, const char *text)
{
        char *rest = xasprintf("%s/%s", text, w->rest + w->pos);

        free(w->rest);
        w->rest = rest;
        w->rest_len = strlen(rest);
        w->pos = 0;
}

static int follow(struct walk *w, int link_fd, const char *name)
{
        _cleanup_close_ int fd = link_fd;
        _cleanup_free_ char *link = xasprintf("%s/%s", w->lv[w->n - 1].canon_len ? w->canon : "", name);
        struct link_policy *links = w->rq->links;
        char text[PATH_MAX];
        struct statfs sfs;
        ssize_t n;
        int r;

        w->fresh = false;
        if (++w->n_links > MAX_LINKS)
                return -ELOOP;
        n = readlinkat(fd, "", text, sizeof text);
        if (n < 0)
                return -errno;
        if ((size_t) n >= sizeof text)
                return -ENAMETOOLONG;
        text[n] = '\0';
        /* A link of procfs or sysfs (the magic ones among them) says where a
         * process or the kernel points: no place of the new root. */
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        if (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC)
                return refuse(w, link, text, 0);
        r = links && links->judge ? links->judge(links->ctx, link) : -ELOOP;
        if (r < 0)
                return refuse(w, link, text, 0);
        if (r > 0) {
                w->cf[w->n_cf++] = (struct confinement){
                        .tail = w->rest_len - w->pos, .scope = r, .link = link, .text = xstrdup(text)};
                link = NULL;
        }
        splice_text(w, text);
        if (text[0] == '/')
                to_root(w);
        return 0;
}

/* Open name in dir without following it; *type says what it is. When it is
 * expected to be a directory, that takes one call. */
static int open_entry(int dir, const char *name, bool expect_dir, mode_t *type)
{
        struct stat st;
        int fd, r;

        if (expect_dir) {
                fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0) {
                        *type = S_IFDIR;
                        return fd;
                }
                if (errno != ENOTDIR)
                        return -errno;
        }
        fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        *type = st.st_mode & S_IFMT;
        return fd;
}

/* Make name in dir: a new empty file, or a directory. 0 or -errno (-EEXIST
 * when something is there already). */
static int make(const struct walk_request *rq, int dir, const char *name, bool file, bool last)
{
        mode_t mode = last ? rq->mode : rq->pmode;
        int fd;

        if (!file)
                return mkdirat(dir, name, mode) < 0 ? -errno : 0;
        fd = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

/* Make name, but only inside the scope of every link being followed: a
 * link may pass by another bind on its way, never leave anything there. */
static int make_inside(struct walk *w, int dir, const char *name, bool file, bool last)
{
        int r = check_inside(w);

        return r < 0 ? r : make(w->rq, dir, name, file, last);
}

/* One component that is neither "." nor "..". What was just made is opened
 * again like anything else: if it was swapped for a symlink in between, the
 * link goes to the policy; nothing is followed blindly. */
static int step(struct walk *w, const char *name, bool last)
{
        const struct walk_request *rq = w->rq;
        bool file = last && rq->want == WANT_ENSURE && !rq->dir;
        bool nofollow = last && rq->want == WANT_OPEN && (rq->flags & O_NOFOLLOW);
        int dir = w->lv[w->n - 1].fd;
        bool made = false;
        mode_t type = 0;
        int fd, r;

        if (w->fresh) {
                r = make_inside(w, dir, name, file, last);
                if (r < 0 && r != -EEXIST)
                        return r;
                made = r == 0;
        }
        fd = open_entry(dir, name, !file, &type);
        if (fd == -ENOENT && rq->want != WANT_OPEN && !made) {
                r = make_inside(w, dir, name, file, last);
                if (r < 0 && r != -EEXIST)
                        return r;
                made = r == 0;
                fd = open_entry(dir, name, !file, &type);
        }
        if (fd < 0)
                return fd;
        if (S_ISLNK(type) && !nofollow)
                return follow(w, fd, name);
        if (!S_ISDIR(type) && !last) {
                close(fd);
                return -ENOTDIR;
        }
        r = push(w, fd, type, name);
        w->fresh = made && r == 0;
        return r;
}

static int walk_components(struct walk *w)
{
        for (;;) {
                char name[NAME_MAX + 1];
                bool last;
                int r;

                w->pos += strspn(w->rest + w->pos, "/");
                r = end_confinements(w);
                if (r < 0)
                        return r;
                r = path_take_component(w->rest, &w->pos, name);
                if (r <= 0)
                        return r;
                last = w->rest[w->pos + strspn(w->rest + w->pos, "/")] == '\0';
                if (last && w->rq->want == WANT_PARENT) {
                        /* What is made there is made inside every scope. */
                        r = check_inside(w);
                        if (r < 0)
                                return r;
                        *w->rq->base_out = xstrdup(name);
                        w->got_base = true;
                        return 0;
                }
                if (strcmp(name, ".") == 0)
                        continue;
                r = strcmp(name, "..") == 0 ? go_up(w) : step(w, name, last);
                if (r < 0)
                        return r;
        }
}

/* The fd to hand back, from the top level. */
static int finish(struct walk *w)
{
        const struct walk_request *rq = w->rq;
        struct level *top = &w->lv[w->n - 1];
        int flags = rq->want == WANT_OPEN ? rq->flags : O_PATH;
        int fd;

        if (rq->want == WANT_PARENT && !w->got_base)
                *rq->base_out = xstrdup("");
        if ((rq->want == WANT_DIR || (flags & O_DIRECTORY)) && !S_ISDIR(top->type))
                return -ENOTDIR;
        if (w->n > 1 && (flags & O_PATH))
                return take_fd(&top->fd);
        /* The root (borrowed), or a directory to open for reading. */
        if (!S_ISDIR(top->type))
                return S_ISLNK(top->type) ? -ELOOP : -EINVAL;
        fd = openat(top->fd, ".", flags | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static void walk_free(struct walk *w)
{
        for (size_t i = 1; i < w->n; i++)
                closep(&w->lv[i].fd);
        free(w->lv);
        free(w->rest);
        for (size_t i = 0; i < w->n_cf; i++) {
                free(w->cf[i].link);
                free(w->cf[i].text);
        }
}

/* Start at the root or, with a seed, at the seed's directory. */
static int start(struct walk *w, int seed_fd, const char *seed)
{
        w->cap = 16;
        w->lv = xmalloc(w->cap * sizeof *w->lv);
        w->lv[w->n++] = (struct level){.fd = w->rq->root_fd, .type = S_IFDIR};
        w->canon[0] = '\0';
        if (!seed)
                return 0;
        /* The seed's child was missing a moment ago: make it first. */
        w->fresh = true;
        if (path_is_root(seed)) {
                if (seed_fd >= 0)
                        close(seed_fd);
                return 0;
        }
        if (strlen(seed) >= sizeof w->canon) {
                close(seed_fd);
                return -EAGAIN;
        }
        strcpy(w->canon, seed);
        w->lv[w->n++] =
                (struct level){.fd = seed_fd, .type = S_IFDIR, .depth = path_depth(seed), .canon_len = strlen(seed)};
        return 0;
}

int root_walk(const struct walk_request *rq, int seed_fd, const char *seed, const char *rest)
{
        struct walk w = {.rq = rq};
        struct link_policy *links = rq->links;
        int r;

        w.rest = xstrdup(rest);
        w.rest_len = strlen(rest);
        r = start(&w, seed_fd, seed);
        if (r == 0)
                r = walk_components(&w);
        if (r == 0)
                r = finish(&w);
        if (r >= 0 && rq->want != WANT_PARENT && links && links->watch && strcmp(links->watch, rq->path) == 0) {
                free(links->noted);
                links->noted = xstrdup(here(&w));
        }
        walk_free(&w);
        return r;
}
