/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount_setattr's work by remounts, checked: see mountattr.h. */
#include "mountattr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "syscalls.h"
#include "util.h"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct mnt {
        int id, parent;
        char *point;         /* unescaped */
        unsigned long flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC of the mount itself */
};

struct table {
        struct mnt *m;
        size_t n;
};

static unsigned long ms_flags(uint64_t attrs)
{
        return ((attrs & MOUNT_ATTR_RDONLY) ? MS_RDONLY : 0) | ((attrs & MOUNT_ATTR_NOSUID) ? MS_NOSUID : 0) |
               ((attrs & MOUNT_ATTR_NODEV) ? MS_NODEV : 0) | ((attrs & MOUNT_ATTR_NOEXEC) ? MS_NOEXEC : 0);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *out = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
                    s[3] <= '7') {
                        *out++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
                        s += 3;
                } else {
                        *out++ = *s;
                }
        }
        *out = '\0';
}

static unsigned long option_flags(const char *opts)
{
        _cleanup_free_ char *copy = xstrdup(opts);
        unsigned long f = 0;
        char *save = NULL;

        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
                f |= strcmp(o, "ro") == 0       ? MS_RDONLY
                     : strcmp(o, "nosuid") == 0 ? MS_NOSUID
                     : strcmp(o, "nodev") == 0  ? MS_NODEV
                     : strcmp(o, "noexec") == 0 ? MS_NOEXEC
                                                : 0;
        return f;
}

static void table_free(struct table *t)
{
        for (size_t i = 0; i < t->n; i++)
                free(t->m[i].point);
        free(t->m);
        t->m = NULL;
        t->n = 0;
}

static int table_read(const char *proc_dir, struct table *t)
{
        _cleanup_free_ char *path = xasprintf("%s/self/mountinfo", proc_dir), *line = NULL;
        size_t cap = 0, size = 0;
        FILE *f = fopen(path, "re");

        if (!f)
                return -errno;
        while (getline(&line, &size, f) > 0) {
                char point[4096], opts[1024];
                int id, parent;

                if (sscanf(line, "%d %d %*s %*s %4095s %1023s", &id, &parent, point, opts) != 4)
                        continue;
                if (t->n == cap) {
                        cap = cap ? 2 * cap : 64;
                        t->m = xrealloc(t->m, cap * sizeof *t->m);
                }
                unescape(point);
                t->m[t->n++] =
                        (struct mnt){.id = id, .parent = parent, .point = xstrdup(point), .flags = option_flags(opts)};
        }
        fclose(f);
        return 0;
}

static const struct mnt *find(const struct table *t, int id)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->m[i].id == id)
                        return &t->m[i];
        return NULL;
}

/* Whether a is b or one of b's ancestors. */
static bool is_above(const struct table *t, int a, const struct mnt *b)
{
        for (size_t hops = 0; b && hops <= t->n; hops++) {
                if (b->id == a)
                        return true;
                if (b->parent == b->id)
                        return false;
                b = find(t, b->parent);
        }
        return false;
}

/* Whether no path leads to m: another mount, not on its way up, sits on
 * its mount point or on a directory above it. */
static bool covered(const struct table *t, const struct mnt *m)
{
        for (size_t i = 0; i < t->n; i++) {
                const struct mnt *c = &t->m[i];
                if (c != m && path_startswith(m->point, c->point) && !is_above(t, c->id, m))
                        return true;
        }
        return false;
}

static int fd_mnt_id(const char *proc_dir, int fd)
{
        _cleanup_free_ char *path = xasprintf("%s/self/fdinfo/%d", proc_dir, fd), *line = NULL;
        size_t size = 0;
        int id = -1;
        FILE *f = fopen(path, "re");

        if (!f)
                return -errno;
        while (id < 0 && getline(&line, &size, f) > 0)
                if (sscanf(line, "mnt_id: %d", &id) != 1)
                        id = -1;
        fclose(f);
        return id < 0 ? -ENOENT : id;
}

/* Add flags to the mount whose root fd is, keeping those it has: a remount
 * sets them all at once, and must neither clear one (nosymfollow is no
 * less a protection) nor try to (a user namespace may not clear those it
 * inherited locked). */
static int remount_fd(const char *proc_dir, int fd, unsigned long flags)
{
        _cleanup_free_ char *path = xasprintf("%s/self/fd/%d", proc_dir, fd);
        struct statvfs sv;

        if (fstatvfs(fd, &sv) < 0)
                return -errno;
        flags |= ((sv.f_flag & ST_RDONLY) ? MS_RDONLY : 0) | ((sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0) |
                 ((sv.f_flag & ST_NODEV) ? MS_NODEV : 0) | ((sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0) |
                 ((sv.f_flag & ST_NOSYMFOLLOW) ? MS_NOSYMFOLLOW : 0);
        /* No atime flag: a remount without one keeps the mount's own. */
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
                return -errno;
        return 0;
}

/* The mounts below root that a path leads to, remounted. Returns how many
 * mounts there are below root, covered or not, or a negative errno. */
static int remount_below(const char *proc_dir, const struct table *t, int root, unsigned long flags)
{
        int below = 0;

        for (size_t i = 0; i < t->n; i++) {
                const struct mnt *m = &t->m[i];
                _cleanup_close_ int fd = -1;

                if (m->id == root || !is_above(t, root, m))
                        continue;
                below++;
                if (covered(t, m))
                        continue;
                fd = open(m->point, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || fd_mnt_id(proc_dir, fd) != m->id || remount_fd(proc_dir, fd, flags) < 0)
                        return -ENOSYS;
        }
        return below;
}

/* Whether the mount fd is on shows flags (as statvfs reports them). */
static bool fd_has(int fd, unsigned long flags)
{
        struct statvfs sv;
        unsigned long f;

        if (fstatvfs(fd, &sv) < 0)
                return false;
        f = ((sv.f_flag & ST_RDONLY) ? MS_RDONLY : 0) | ((sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0) |
            ((sv.f_flag & ST_NODEV) ? MS_NODEV : 0) | ((sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0);
        return (f & flags) == flags;
}

/* The mount root, and with recursive every mount below it that a path
 * leads to, has flags now. */
static bool all_have(const struct table *t, int root, unsigned long flags, bool recursive)
{
        const struct mnt *top = find(t, root);

        if (!top || (top->flags & flags) != flags)
                return false;
        for (size_t i = 0; recursive && i < t->n; i++) {
                const struct mnt *m = &t->m[i];
                if (m != top && is_above(t, root, m) && !covered(t, m) && (m->flags & flags) != flags)
                        return false;
        }
        return true;
}

int mountattr_remount(const char *proc_dir, int fd, uint64_t attrs, bool recursive)
{
        unsigned long flags = ms_flags(attrs);
        struct table t = {0};
        int root, r, below = 0;

        root = fd_mnt_id(proc_dir, fd);
        if (root < 0)
                return root;
        r = remount_fd(proc_dir, fd, flags);
        if (r == -EINVAL)
                return r;
        if (r == 0 && recursive) {
                r = table_read(proc_dir, &t);
                if (r == 0)
                        r = below = remount_below(proc_dir, &t, root, flags);
                table_free(&t);
        }
        /* A tree of one mount (the usual bind) is checked on its fd; one
         * with mounts below, in the mount table read again. */
        if (r >= 0 && below == 0 && !fd_has(fd, flags))
                r = -ENOSYS;
        if (r > 0)
                r = table_read(proc_dir, &t);
        if (r == 0 && below > 0 && !all_have(&t, root, flags, recursive))
                r = -ENOSYS;
        table_free(&t);
        if (r < 0) {
                log_note_missing("mount_setattr (Linux 5.12)");
                return -ENOSYS;
        }
        return 0;
}
