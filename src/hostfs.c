/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host's procfs and sysfs where a bind brings them into the sandbox:
 * a bind of the host's root takes /proc and /sys along, and a bind of /sys,
 * or of something in /proc, is a part of one. What --proc and --sys hide or
 * keep read-only (masks.c) is hidden and kept read-only there too, and
 * --unmask lifts it the same way.
 *
 * No mount table is read. The host's root, /proc and /sys are looked at
 * once, at the first bind, and each bind's source, which the bind fstat()s
 * anyway, is compared with them: an ordinary bind costs two comparisons.
 */
#include "hostfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>

#include "log.h"
#include "masks.h"
#include "mountutil.h"
#include "plan.h"
#include "rootctx.h"
#include "syscalls.h"
#include "util.h"

/* The host's procfs or sysfs, as the host has it. */
struct host_kfs {
        const struct kfs_masks *masks;
        bool present;
        dev_t dev; /* of its root */
        ino_t ino;
        char *path; /* of its root during setup (/oldroot/proc), once needed */
};

struct hostfs {
        dev_t root_dev; /* the host's root */
        ino_t root_ino;
        struct host_kfs kfs[2];
};

/* The host's kfs at its usual place, if a filesystem of that type is there. */
static void find_kfs(const struct rootfs *rfs, struct host_kfs *k, const struct kfs_masks *masks)
{
        _cleanup_close_ int fd = rootctx_open_source(rfs, masks->host);
        struct statfs sfs;
        struct stat st;

        k->masks = masks;
        if (fd < 0 || fstatfs(fd, &sfs) < 0 || (unsigned long) sfs.f_type != masks->magic || fstat(fd, &st) < 0)
                return;
        k->dev = st.st_dev;
        k->ino = st.st_ino;
        k->present = true;
}

/* The path the kernel gives the root of the host's kfs during setup, as it
 * gives the paths of fds on it; NULL if it can't be had. */
static const char *kfs_path(const struct rootfs *rfs, struct host_kfs *k)
{
        _cleanup_close_ int fd = -1;
        char link[ROOTCTX_FD_LINK_MAX], path[PATH_MAX];
        ssize_t n;

        if (k->path)
                return k->path;
        fd = rootctx_open_source(rfs, k->masks->host);
        if (fd < 0)
                return NULL;
        rootctx_fd_link(fd, link);
        n = readlink(link, path, sizeof path - 1);
        if (n <= 0)
                return NULL;
        path[n] = '\0';
        k->path = xstrdup(path);
        return k->path;
}

static struct hostfs *hostfs_get(struct rootfs *rfs)
{
        struct stat st;

        if (rfs->hostfs)
                return rfs->hostfs;
        if (fstat(rfs->oldroot_fd, &st) < 0)
                return log_errno(errno, "can't stat the host's root"), NULL;
        rfs->hostfs = xcalloc(1, sizeof *rfs->hostfs);
        rfs->hostfs->root_dev = st.st_dev;
        rfs->hostfs->root_ino = st.st_ino;
        find_kfs(rfs, &rfs->hostfs->kfs[0], &kfs_proc);
        find_kfs(rfs, &rfs->hostfs->kfs[1], &kfs_sys);
        return rfs->hostfs;
}

void hostfs_free(struct rootfs *rfs)
{
        if (!rfs->hostfs)
                return;
        for (size_t i = 0; i < ARRAY_SIZE(rfs->hostfs->kfs); i++)
                free(rfs->hostfs->kfs[i].path);
        free(rfs->hostfs);
        rfs->hostfs = NULL;
}

static bool unmask_all(const struct plan *p)
{
        for (size_t i = 0; i < p->n_unmask; i++)
                if (strcmp(p->unmask[i], "all") == 0)
                        return true;
        return false;
}

/* The path in the sandbox of loc, in the part of a bind. */
static void sandbox_path(const struct fs_op *op, const struct hostfs_part *part, const char *loc, char *buf,
                         size_t size)
{
        const char *const pieces[] = {op->dest, part->sub, loc};
        size_t len = 0;

        for (size_t i = 0; i < ARRAY_SIZE(pieces) && len < size; i++) {
                const char *piece = pieces[i] + strspn(pieces[i], "/");
                if (*piece)
                        len += (size_t) snprintf(buf + len, size - len, "/%s", piece);
        }
        if (len == 0)
                snprintf(buf, size, "/");
}

/* Whether --unmask lifts the protection at loc; a read-only one (tunable)
 * only where the host's settings are out of reach anyway, as for --proc
 * (see tunables_guarded). */
static bool lifted(const struct rootfs *rfs, const struct fs_op *op, const struct hostfs_part *part, const char *loc,
                   bool tunable)
{
        char path[PATH_MAX];

        if ((tunable && !rfs->tunables_guarded) || rfs->plan->n_unmask == 0)
                return false;
        sandbox_path(op, part, loc, path, sizeof path);
        return mask_lifted_path(rfs, path);
}

/* A source on the host's procfs or sysfs: which part of it the bind is. Its
 * path comes from the kernel (the fd's magic link), and must lie under the
 * host's /proc or /sys, or we can't tell what in it to protect. */
static int bound_part(struct rootfs *rfs, const struct fs_op *op, const char *name, int src, struct host_kfs *k,
                      struct hostfs_bind *hb, uint64_t *attrs)
{
        char link[ROOTCTX_FD_LINK_MAX], path[PATH_MAX];
        struct hostfs_part *part = &hb->part[0];
        const char *root = kfs_path(rfs, k);
        const char *rest = NULL;
        ssize_t n;

        rootctx_fd_link(src, link);
        n = readlink(link, path, sizeof path - 1);
        if (n > 0 && root) {
                path[n] = '\0';
                rest = path_startswith(path, root);
        }
        if (!rest) {
                if (!unmask_all(rfs->plan))
                        return log_error("%s: %s is part of the host's %s but not under %s, so cocoon can't tell what "
                                         "in it to hide (--unmask all binds it as it is)",
                                         op->flag, name, k->masks->what, k->masks->host),
                               -1;
                /* Where the kernel's settings are in it is unknown too. */
                if (!rfs->tunables_guarded)
                        *attrs |= MOUNT_ATTR_RDONLY;
                return 0;
        }
        snprintf(hb->bound, sizeof hb->bound, "%s", rest);
        *part = (struct hostfs_part){.kfs = k, .sub = "", .bound = hb->bound};
        hb->n = 1;
        for (size_t i = 0; i < k->masks->n_readonly; i++) {
                const char *loc = mask_entry_in_bind(k->masks->readonly[i], part->bound);
                if (loc && !*loc && !lifted(rfs, op, part, loc, true))
                        *attrs |= MOUNT_ATTR_RDONLY;
        }
        return 0;
}

int hostfs_prepare(struct rootfs *rfs, const struct fs_op *op, const char *name, int src, const struct stat *st,
                   struct hostfs_bind *hb, uint64_t *attrs)
{
        struct hostfs *h;

        hb->n = 0;
        if (rfs->tunables_guarded && unmask_all(rfs->plan))
                return 0; /* nothing would be protected */
        h = hostfs_get(rfs);
        if (!h)
                return -1;
        if (st->st_dev == h->root_dev && st->st_ino == h->root_ino) {
                for (size_t i = 0; i < ARRAY_SIZE(h->kfs); i++)
                        if (h->kfs[i].present)
                                hb->part[hb->n++] = (struct hostfs_part){
                                        .kfs = &h->kfs[i], .sub = h->kfs[i].masks->host + 1, .bound = ""};
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(h->kfs); i++)
                if (h->kfs[i].present && st->st_dev == h->kfs[i].dev)
                        return bound_part(rfs, op, name, src, &h->kfs[i], hb, attrs);
        return 0;
}

/* The later operations that surely mount something on their destination,
 * and so hide what lies at or below it there. A -try bind may mount nothing. */
static bool mounts_over(const struct fs_op *op)
{
        return plan_op_mounts(op) && !(op->kind == FS_BIND && (op->flags & BIND_TRY));
}

/* Whether a destination is a plain path, without "." or "..", which a lexical
 * comparison can't follow. */
static bool plain_path(const char *path)
{
        for (const char *c = path + strspn(path, "/"); *c; c += strspn(c, "/")) {
                size_t n = strcspn(c, "/");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
        }
        return true;
}

/* The later operations that mount near the parts of the host's procfs and
 * sysfs in a bind, found once per bind; root is where the bind really is in
 * the new root (symlinks resolved). None are found when nothing later comes
 * near, or when where the bind is can't be told: then nothing is skipped. */
struct cover {
        const struct plan *plan;
        char root[PATH_MAX];
        size_t *later;
        size_t n_later;
};

/* Whether a destination, rest relative to the bind's root, is on, above or
 * below one of the parts of the host's procfs and sysfs in it. */
static bool near_parts(const struct hostfs_bind *hb, const char *rest)
{
        for (size_t i = 0; i < hb->n; i++)
                if (path_startswith(rest, hb->part[i].sub) || path_startswith(hb->part[i].sub, rest))
                        return true;
        return false;
}

/* Whether a later operation's destination comes near the bind at root: true
 * when it is on or above it, else, in *below, whether it is near one of the
 * parts in it. */
static bool later_near(const struct hostfs_bind *hb, const char *root, const char *dest, bool *below)
{
        const char *rest = path_startswith(dest, root);

        *below = rest && near_parts(hb, rest);
        return path_startswith(root, dest) != NULL;
}

/* Fill c in; returns whether a later operation mounts on or above the bind's
 * root, which hides all of it. */
static bool cover_init(struct rootfs *rfs, const struct fs_op *op, const struct hostfs_bind *hb, int tree,
                       struct cover *c)
{
        const struct plan *p = rfs->plan;
        size_t first = (size_t) (op - p->ops) + 1;
        bool near = !plain_path(op->dest), below;

        c->plan = p;
        c->n_later = 0;
        c->later = NULL;
        /* Lexically first: usually nothing later comes near, and where the
         * bind really is (a magic link to read) isn't needed. */
        for (size_t j = first; j < p->n_ops && !near; j++)
                near = mounts_over(&p->ops[j]) && (later_near(hb, op->dest, p->ops[j].dest, &below) || below);
        if (!near || rootctx_new_root_path(tree, c->root, sizeof c->root) < 0)
                return false;
        for (size_t j = first; j < p->n_ops; j++) {
                const struct fs_op *later = &p->ops[j];
                if (!mounts_over(later) || !plain_path(later->dest))
                        continue;
                if (later_near(hb, c->root, later->dest, &below)) {
                        free(c->later);
                        return true;
                }
                if (below) {
                        if (!c->later)
                                c->later = xcalloc(p->n_ops - first, sizeof *c->later);
                        c->later[c->n_later++] = j;
                }
        }
        return false;
}

static bool covered(const struct cover *c, const struct hostfs_part *part, const char *loc)
{
        char path[PATH_MAX];

        if (!c->n_later || snprintf(path, sizeof path, "%s/%s/%s", c->root, part->sub, loc) >= (int) sizeof path)
                return false;
        for (size_t i = 0; i < c->n_later; i++)
                if (path_startswith(path, c->plan->ops[c->later[i]].dest))
                        return true;
        return false;
}

/* Where loc of the part is, relative to the bind's root ("" for the root). */
static void part_path(const struct hostfs_part *part, const char *loc, char *buf, size_t size)
{
        snprintf(buf, size, "%s%s%s", part->sub, *part->sub && *loc ? "/" : "", loc);
}

/* The part's own mount, all of which lies in a read-only entry, made
 * read-only with everything below it. */
static int part_readonly(int tree, const char *rel)
{
        _cleanup_close_ int fd = *rel ? openat(tree, rel, O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;

        if (*rel && fd < 0)
                return -errno;
        return mount_set_attrs(*rel ? fd : tree, MOUNT_ATTR_RDONLY, 1);
}

/* Keep entry of the filesystem read-only in the part, as --proc does: a
 * read-only clone of it on itself. */
static int keep_readonly(struct rootfs *rfs, const struct fs_op *op, const struct hostfs_part *part, int tree,
                         const struct cover *c, const char *entry)
{
        const char *loc = mask_entry_in_bind(entry, part->bound);
        char rel[PATH_MAX], path[PATH_MAX];
        int r;

        if (!loc || lifted(rfs, op, part, loc, true) || covered(c, part, loc))
                return 0;
        part_path(part, loc, rel, sizeof rel);
        r = *loc ? mount_clone_onto(tree, rel, MOUNT_ATTR_RDONLY, tree, rel) : part_readonly(tree, rel);
        if (r == -ENOENT || r == 0)
                return 0;
        sandbox_path(op, part, loc, path, sizeof path);
        return log_errno(r, "%s: can't make %s read-only", op->flag, path), -1;
}

static int hide(struct rootfs *rfs, const struct fs_op *op, const struct hostfs_part *part, int tree,
                const struct cover *c, const char *entry)
{
        const char *loc = mask_entry_in_bind(entry, part->bound);
        char rel[PATH_MAX], path[PATH_MAX];
        int r;

        if (!loc || lifted(rfs, op, part, loc, false) || covered(c, part, loc))
                return 0;
        part_path(part, loc, rel, sizeof rel);
        r = *rel ? mask_at(rfs, tree, rel) : mask_fd(rfs, tree);
        if (r == 0)
                return 0;
        sandbox_path(op, part, loc, path, sizeof path);
        return log_errno(r, "%s: can't hide %s", op->flag, path), -1;
}

/* "cpuN" among the first n characters of name. */
static bool cpu_name(const char *name, size_t n)
{
        if (n < 4 || strncmp(name, "cpu", 3) != 0)
                return false;
        return strspn(name + 3, "0123456789") == n - 3;
}

/* Every cpu's thermal_throttle in the part: when the bind lies in one cpu's
 * directory that one, else those of the cpu directory in the bind. */
static int hide_cpus(struct rootfs *rfs, const struct fs_op *op, const struct hostfs_part *part, int tree,
                     const struct cover *c)
{
        const char *loc = mask_entry_in_bind(SYS_CPU_DIR, part->bound);
        const char *inside = path_startswith(part->bound, SYS_CPU_DIR);
        char entry[PATH_MAX], rel[PATH_MAX];
        struct dirent *de;
        int dir, r = 0;
        DIR *d;

        if (!loc)
                return 0;
        if (inside && *inside) {
                size_t n = strcspn(inside, "/");
                if (!cpu_name(inside, n))
                        return 0;
                snprintf(entry, sizeof entry, "%s/%.*s/thermal_throttle", SYS_CPU_DIR, (int) n, inside);
                return hide(rfs, op, part, tree, c, entry);
        }
        part_path(part, loc, rel, sizeof rel);
        dir = openat(tree, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        d = dir < 0 ? NULL : fdopendir(dir);
        if (!d) {
                closep(&dir);
                return 0;
        }
        while (r == 0 && (de = readdir(d)))
                if (cpu_name(de->d_name, strlen(de->d_name))) {
                        snprintf(entry, sizeof entry, "%s/%s/thermal_throttle", SYS_CPU_DIR, de->d_name);
                        r = hide(rfs, op, part, tree, c, entry);
                }
        closedir(d);
        return r;
}

static int protect_part(struct rootfs *rfs, const struct fs_op *op, const struct hostfs_part *part, int tree,
                        const struct cover *c, bool readonly)
{
        const struct kfs_masks *m = part->kfs->masks;
        struct stat st;

        /* What a bind of the host's root has at proc or sys must really be
         * the host's procfs or sysfs. */
        if (*part->sub && (fstatat(tree, part->sub, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != part->kfs->dev ||
                           st.st_ino != part->kfs->ino))
                return 0;
        /* Read-only first: what is hidden then lies on top of it. */
        for (size_t i = 0; i < m->n_readonly && !readonly; i++)
                if (keep_readonly(rfs, op, part, tree, c, m->readonly[i]) < 0)
                        return -1;
        for (size_t i = 0; i < m->n_hidden; i++)
                if (hide(rfs, op, part, tree, c, m->hidden[i]) < 0)
                        return -1;
        return m->cpus ? hide_cpus(rfs, op, part, tree, c) : 0;
}

int hostfs_protect(struct rootfs *rfs, const struct fs_op *op, const struct hostfs_bind *hb, int tree, uint64_t attrs)
{
        struct cover c;
        int r = 0;

        if (hb->n == 0 || cover_init(rfs, op, hb, tree, &c))
                return 0;
        for (size_t i = 0; i < hb->n && r == 0; i++)
                r = protect_part(rfs, op, &hb->part[i], tree, &c, attrs & MOUNT_ATTR_RDONLY);
        free(c.later);
        return r;
}
