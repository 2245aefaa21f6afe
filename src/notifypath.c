/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a call the sandbox makes will meet there (notifypath.h). */
#include "notifypath.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "exechint.h"
#include "inroot.h"
#include "landlock.h"
#include "learn.h"
#include "masks.h"
#include "pathname.h"
#include "plan.h"
#include "report.h"
#include "syscalls.h"
#include "util.h"

#ifndef ST_RDONLY
#define ST_RDONLY 1
#endif

enum what { READS, WRITES, CREATES, OPENS, OPENS2, EXECS, CONNECTS, BINDS };

struct call {
        int nr;
        const char *name;
        enum what what;
        int dirfd; /* the argument that holds it, or -1: AT_FDCWD */
        int path;  /* the path's (or address's) argument */
};

static const struct call calls[] = {
#ifdef SYS_open
        {SYS_open, "open", OPENS, -1, 0},
#endif
#ifdef SYS_creat
        {SYS_creat, "creat", CREATES, -1, 0},
#endif
#ifdef SYS_stat
        {SYS_stat, "stat", READS, -1, 0},
#endif
#ifdef SYS_lstat
        {SYS_lstat, "lstat", READS, -1, 0},
#endif
#ifdef SYS_access
        {SYS_access, "access", READS, -1, 0},
#endif
#ifdef SYS_readlink
        {SYS_readlink, "readlink", READS, -1, 0},
#endif
#ifdef SYS_mkdir
        {SYS_mkdir, "mkdir", CREATES, -1, 0},
#endif
#ifdef SYS_rmdir
        {SYS_rmdir, "rmdir", WRITES, -1, 0},
#endif
#ifdef SYS_unlink
        {SYS_unlink, "unlink", WRITES, -1, 0},
#endif
#ifdef SYS_rename
        {SYS_rename, "rename", WRITES, -1, 0},
#endif
#ifdef SYS_newfstatat
        {SYS_newfstatat, "newfstatat", READS, 0, 1},
#endif
        {SYS_openat, "openat", OPENS, 0, 1},
        {SYS_openat2, "openat2", OPENS2, 0, 1},
        {SYS_execve, "execve", EXECS, -1, 0},
        {SYS_execveat, "execveat", EXECS, 0, 1},
        {SYS_statx, "statx", READS, 0, 1},
        {SYS_faccessat, "faccessat", READS, 0, 1},
        {SYS_faccessat2, "faccessat2", READS, 0, 1},
        {SYS_readlinkat, "readlinkat", READS, 0, 1},
        {SYS_mkdirat, "mkdirat", CREATES, 0, 1},
        {SYS_unlinkat, "unlinkat", WRITES, 0, 1},
        {SYS_renameat, "renameat", WRITES, 0, 1},
        {SYS_renameat2, "renameat2", WRITES, 0, 1},
        {SYS_chdir, "chdir", READS, -1, 0},
        {SYS_truncate, "truncate", WRITES, -1, 0},
        {SYS_connect, "connect", CONNECTS, -1, 1},
        {SYS_bind, "bind", BINDS, -1, 1},
};

/* One call being looked at. */
struct look {
        const struct plan *p;
        int listener;
        const struct seccomp_notif *req;
        const struct call *call;
        pid_t pid;
        int root; /* /proc/PID/root, O_PATH */
};

static bool live(const struct look *l)
{
        uint64_t id = l->req->id;

        return ioctl(l->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* Up to size bytes of the caller's memory at addr, a page at a time (a
 * string may end just before an unmapped page): bytes read, or -1. */
static ssize_t read_mem(pid_t pid, uint64_t addr, void *buf, size_t size)
{
        const size_t page = 4096;
        size_t got = 0;

        while (got < size) {
                uint64_t at = addr + got;
                size_t chunk = page - (size_t) (at % page);
                struct iovec local, remote;
                ssize_t n;

                if (at < addr) /* wrapped */
                        break;
                if (chunk > size - got)
                        chunk = size - got;
                local = (struct iovec){.iov_base = (char *) buf + got, .iov_len = chunk};
                remote = (struct iovec){.iov_base = (void *) (uintptr_t) at, .iov_len = chunk};
                n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
                if (n <= 0)
                        break;
                got += (size_t) n;
                if (memchr((char *) buf + got - (size_t) n, '\0', (size_t) n))
                        break;
        }
        return got ? (ssize_t) got : -1;
}

/* A NUL-terminated string of at most size - 1 bytes; false for anything
 * else (a bad pointer, or longer than a path may be). */
static bool read_string(const struct look *l, uint64_t addr, char *buf, size_t size)
{
        ssize_t n = read_mem(l->pid, addr, buf, size);

        return n > 0 && memchr(buf, '\0', (size_t) n) && live(l);
}

/* A link of /proc/PID into buf: the caller's view of its working
 * directory or of an fd. */
static bool read_proc_link(const struct look *l, const char *what, char *buf, size_t size)
{
        char name[64];
        ssize_t n;

        snprintf(name, sizeof name, "/proc/%d/%s", (int) l->pid, what);
        n = readlink(name, buf, size - 1);
        if (n <= 0 || !live(l))
                return false;
        buf[n] = '\0';
        return buf[0] == '/';
}

/* base + "/" + rel, with ".", ".." and repeated slashes taken out, into out
 * (PATH_MAX): false when it does not fit. By the words alone: a symlink on
 * the way may lead elsewhere, which the lookup in the sandbox then sees. */
static bool join_path(const char *base, const char *rel, char *out)
{
        char tmp[2 * PATH_MAX + 2];
        size_t len = 0;
        char *save = NULL;

        if (snprintf(tmp, sizeof tmp, "%s/%s", rel[0] == '/' ? "" : base, rel) >= (int) sizeof tmp)
                return false;
        out[0] = '\0';
        for (char *c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        char *slash = strrchr(out, '/');
                        len = slash ? (size_t) (slash - out) : 0;
                        out[len] = '\0';
                        continue;
                }
                if (len + 1 + strlen(c) >= PATH_MAX)
                        return false;
                out[len++] = '/';
                strcpy(out + len, c);
                len += strlen(c);
        }
        if (len == 0)
                strcpy(out, "/");
        return true;
}

/* The sandbox's own view of path: an O_PATH fd, or a negative errno. */
static int in_sandbox(const struct look *l, const char *path)
{
        int fd = sys_openat2(l->root, path, O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);

        if (fd < 0 && errno == ENOSYS)
                return inroot_open(l->root, path);
        return fd < 0 ? -errno : fd;
}

static bool on_host(const char *path)
{
        struct stat st;

        return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Paths whose host counterparts are other things altogether. */
static bool kernel_path(const char *path)
{
        return path_startswith(path, "/proc") || path_startswith(path, "/sys") || path_startswith(path, "/dev");
}

static const char *dest_of(const struct fs_op *op)
{
        const char *d = op->dest ? op->dest : "";

        while (*d == '/')
                d++;
        return d;
}

/* Whether path (absolute) lies at or under dest (relative to the root). */
static bool under(const char *path, const char *dest)
{
        const char *rest = path + 1;
        size_t n = strlen(dest);

        return n == 0 || (strncmp(rest, dest, n) == 0 && (rest[n] == '\0' || rest[n] == '/'));
}

static void event(const struct look *l, enum report_kind kind, const char *path, const char *address,
                  const char *verdict, int err, const char *cause, const char *suggest, enum report_learn learn)
{
        char exe[256];

        notifypath_exe(l->pid, exe, sizeof exe);
        if (!live(l))
                return;
        report_event(&(struct report_event){.kind = kind,
                                            .pid = l->pid,
                                            .exe = exe[0] ? exe : NULL,
                                            .syscall = l->call->name,
                                            .path = path,
                                            .address = address,
                                            .verdict = verdict,
                                            .err = err,
                                            .cause = cause,
                                            .suggest = suggest,
                                            .learn = suggest ? learn : LEARN_NONE});
}

/* "OPTION PATH PATH", or NULL when the path can't be written as a word. */
static char *bind_option(const char *option, const char *path)
{
        _cleanup_free_ char *q = learn_quote(path);

        return q ? xasprintf("%s %s %s", option, q, q) : NULL;
}

/* A path of /proc that --proc hides. */
static bool masked(const struct look *l, const char *path)
{
        const struct plan *p = l->p;

        for (size_t i = 0; i < p->n_unmask; i++)
                if (strcmp(p->unmask[i], "all") == 0 || path_equal(p->unmask[i], path))
                        return false;
        for (size_t i = 0; i < p->n_ops; i++) {
                const char *d = dest_of(&p->ops[i]);
                if (p->ops[i].kind != FS_PROC || !under(path, d))
                        continue;
                for (size_t j = 0; j < n_proc_masked; j++) {
                        _cleanup_free_ char *hidden = xasprintf("/%s%s%s", d, *d ? "/" : "", proc_masked[j]);
                        if (path_startswith(path, hidden))
                                return true;
                }
        }
        return false;
}

/* The last operation that mounted something read-only over path. */
static const struct fs_op *readonly_op(const struct plan *p, const char *path)
{
        for (size_t i = p->n_ops; i-- > 0;) {
                const struct fs_op *op = &p->ops[i];
                bool ro = (op->kind == FS_BIND && (op->flags & BIND_READONLY)) || op->kind == FS_REMOUNT_RO ||
                          (op->kind == FS_OVERLAY && op->overlay == OVERLAY_RO) || op->kind == FS_SYS ||
                          op->kind == FS_MASK;
                if (plan_op_mounts(op) || op->kind == FS_REMOUNT_RO) {
                        if (under(path, dest_of(op)))
                                return ro ? op : NULL;
                }
        }
        return NULL;
}

static void report_readonly(const struct look *l, const char *path)
{
        const struct fs_op *op = readonly_op(l->p, path);
        _cleanup_free_ char *cause = NULL, *suggest = NULL;

        if (op && op->kind == FS_BIND) {
                _cleanup_free_ char *src = learn_quote(op->src ? op->src : ""), *dest = xasprintf("/%s", dest_of(op));
                _cleanup_free_ char *qdest = learn_quote(dest);
                cause = xasprintf("%s is read-only: %s %s %s made it so", path, op->flag ? op->flag : "--ro-bind",
                                  op->src ? op->src : "?", dest);
                if (src && qdest)
                        suggest = xasprintf("--bind %s %s", src, qdest);
        } else if (op) {
                cause = xasprintf("%s is read-only: %s /%s made it so", path, op->flag ? op->flag : "a mount",
                                  dest_of(op));
        } else {
                cause = xasprintf("%s is on a read-only mount", path);
        }
        event(l, REPORT_READONLY, path, NULL, "fails", EROFS, cause, suggest, LEARN_REVIEW);
}

/* A path missing in the sandbox: worth a word when the host has it. */
static void report_missing(const struct look *l, const char *path, bool writes)
{
        _cleanup_free_ char *cause = NULL, *suggest = NULL;

        if (kernel_path(path) || !on_host(path))
                return;
        cause = xasprintf("%s is not in the sandbox, but the host has it", path);
        suggest = bind_option(writes ? "--bind" : "--ro-bind", path);
        event(l, REPORT_MISSING, path, NULL, "fails", ENOENT, cause, suggest, writes ? LEARN_REVIEW : LEARN_ADD);
}

/* An exec: the interpreter the file names (#! or the ELF loader). */
static void look_at_exec(const struct look *l, int fd, const char *path)
{
        char self[64], interp[PATH_MAX];
        _cleanup_close_ int file = -1, ifd = -1;
        _cleanup_free_ char *cause = NULL, *suggest = NULL;
        struct stat st;

        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return;
        snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
        file = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (file < 0 || exechint_interp(file, interp, sizeof interp) != 1 || interp[0] != '/')
                return;
        ifd = in_sandbox(l, interp);
        if (ifd != -ENOENT && ifd != -ENOTDIR)
                return;
        if (!kernel_path(interp) && on_host(interp)) {
                cause = xasprintf("%s needs the interpreter %s, which is not in the sandbox; the host has it", path,
                                  interp);
                suggest = bind_option("--ro-bind", interp);
        } else {
                cause = xasprintf("%s needs the interpreter %s, which is missing (on the host too)", path, interp);
        }
        event(l, REPORT_INTERPRETER, path, NULL, "fails", ENOENT, cause, suggest, LEARN_ADD);
}

static bool writes(const struct look *l, uint64_t flags)
{
        switch (l->call->what) {
        case WRITES:
        case CREATES: return true;
        case OPENS:
        case OPENS2: return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
        default: return false;
        }
}

/* What the call needs of Landlock at path: LANDLOCK_MAY_* bits (0 for calls
 * that Landlock does not govern, such as stat). */
static unsigned landlock_need(const struct look *l, bool w)
{
        switch (l->call->what) {
        case EXECS: return LANDLOCK_MAY_EXEC;
        case WRITES:
        case CREATES: return LANDLOCK_MAY_WRITE;
        case OPENS:
        case OPENS2: return w ? LANDLOCK_MAY_WRITE : LANDLOCK_MAY_READ;
        default: return 0;
        }
}

/* path with the symlinks on its way followed inside the sandbox (at most
 * 40), as words: Landlock's rules hold for what a path leads to. What does
 * not exist is kept as it is written. False when it can't be told. */
static bool real_path(const struct look *l, const char *path, char out[PATH_MAX])
{
        char todo[PATH_MAX], name[NAME_MAX + 1];
        size_t pos = 0;
        unsigned links = 0;
        int r;

        if (snprintf(todo, sizeof todo, "%s", path) >= (int) sizeof todo)
                return false;
        strcpy(out, "/");
        while ((r = path_take_component(todo, &pos, name)) > 0) {
                char next[PATH_MAX], target[PATH_MAX], rest[PATH_MAX];
                _cleanup_close_ int dir = -1, fd = -1;
                ssize_t n;

                if (!join_path(out, name, next))
                        return false;
                if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                        strcpy(out, next);
                        continue;
                }
                dir = in_sandbox(l, out);
                fd = dir < 0 ? -1 : openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                n = fd < 0 ? -1 : readlinkat(fd, "", target, sizeof target - 1);
                if (n <= 0) { /* not a link, or missing: taken as written */
                        strcpy(out, next);
                        continue;
                }
                target[n] = '\0';
                if (++links > 40 || !live(l) ||
                    snprintf(rest, sizeof rest, "%s/%s", target, todo + pos) >= (int) sizeof rest)
                        return false;
                strcpy(todo, rest);
                pos = 0;
                if (target[0] == '/')
                        strcpy(out, "/");
        }
        return r == 0;
}

/* A refusal the plan's Landlock rules predict: true when reported. */
static bool report_landlock(const struct look *l, const char *path, unsigned need)
{
        static const struct {
                unsigned may;
                const char *option, *what;
                enum report_learn learn;
        } rights[] = {
                {LANDLOCK_MAY_EXEC, "--landlock-exec", "executed", LEARN_ADD},
                {LANDLOCK_MAY_WRITE, "--landlock-write", "written", LEARN_REVIEW},
                {LANDLOCK_MAY_READ, "--landlock-read", "read", LEARN_ADD},
        };
        char real[PATH_MAX];
        unsigned missing;

        if (!need || !landlock_fs_wanted(l->p) || !real_path(l, path, real))
                return false;
        missing = need & ~landlock_may(l->p, real);

        for (size_t i = 0; i < ARRAY_SIZE(rights); i++) {
                if (!(missing & rights[i].may))
                        continue;
                _cleanup_free_ char *q = learn_quote(path);
                _cleanup_free_ char *cause =
                        xasprintf("%s is outside the Landlock rules: it may not be %s", path, rights[i].what);
                _cleanup_free_ char *suggest = q ? xasprintf("%s %s", rights[i].option, q) : NULL;
                event(l, REPORT_LANDLOCK, path, NULL, "fails", EACCES, cause, suggest, rights[i].learn);
                return true;
        }
        return false;
}

static void look_at_path(const struct look *l, const char *path, uint64_t flags, unsigned depth);

/* path is missing in the sandbox: if its last component is a symlink there,
 * what is missing is where it leads (up to 8 links deep). */
static bool look_at_link(const struct look *l, const char *path, uint64_t flags, unsigned depth)
{
        _cleanup_close_ int dir_fd = -1, fd = -1;
        char target[PATH_MAX], dir[PATH_MAX], next[PATH_MAX];
        const char *base = strrchr(path, '/');
        ssize_t n;

        if (!base || !base[1] || depth >= 8 || (size_t) (base - path) >= sizeof dir)
                return false;
        /* Its directory inside the root, then the last component itself,
         * unfollowed: with openat2 or with the walk of inroot.c alike. */
        if (base == path) {
                strcpy(dir, "/");
        } else {
                memcpy(dir, path, (size_t) (base - path));
                dir[base - path] = '\0';
        }
        base++;
        dir_fd = in_sandbox(l, dir);
        if (dir_fd < 0)
                return false;
        fd = openat(dir_fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = readlinkat(fd, "", target, sizeof target - 1);
        if (n <= 0)
                return false;
        target[n] = '\0';
        if (!join_path(dir, target, next) || !live(l))
                return false;
        look_at_path(l, next, flags, depth + 1);
        return true;
}

static void look_at_path(const struct look *l, const char *path, uint64_t flags, unsigned depth)
{
        bool w = writes(l, flags);
        bool creates = l->call->what == CREATES || (flags & O_CREAT);
        _cleanup_close_ int fd = -1;
        struct statfs sfs;
        struct stat st;

        fd = in_sandbox(l, path);
        if (masked(l, path)) {
                _cleanup_free_ char *cause = xasprintf("%s is hidden by cocoon", path);
                _cleanup_free_ char *suggest = xasprintf("--unmask %s", path);
                event(l, REPORT_MASKED, path, NULL, fd < 0 ? "fails" : "hidden", fd < 0 ? -fd : 0, cause, suggest,
                      LEARN_COMMENT);
                return;
        }
        if ((fd == -ENOENT || fd == -ENOTDIR) && creates) {
                char parent[PATH_MAX];
                char *slash;

                snprintf(parent, sizeof parent, "%s", path);
                slash = strrchr(parent, '/');
                if (!slash || slash == parent)
                        return;
                *slash = '\0';
                fd = in_sandbox(l, parent);
                if (fd == -ENOENT || fd == -ENOTDIR) {
                        report_missing(l, parent, true);
                        return;
                }
                if (fd >= 0 && report_landlock(l, parent, LANDLOCK_MAY_WRITE))
                        return;
        } else if (fd == -ENOENT || fd == -ENOTDIR) {
                if (!look_at_link(l, path, flags, depth))
                        report_missing(l, path, w);
                return;
        }
        if (fd < 0 || !live(l))
                return;
        if (fstat(fd, &st) < 0)
                return;
        if (report_landlock(l, path, landlock_need(l, w)))
                return;
        /* A read-only mount refuses writes to files, directories and
         * links; devices, pipes and sockets are written all the same. */
        if (w && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) && fstatfs(fd, &sfs) == 0 &&
            (sfs.f_flags & ST_RDONLY))
                report_readonly(l, path);
        else if (l->call->what == EXECS)
                look_at_exec(l, fd, path);
}

/* The network: an address that an empty network namespace can't reach. */
static bool loopback(const struct sockaddr_storage *ss)
{
        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) ss;
                uint32_t a = ntohl(in->sin_addr.s_addr);
                return (a >> 24) == 127 || a == 0;
        }
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) ss;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) ||
               (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
}

static bool port_in(const struct port_range *r, size_t n, unsigned port)
{
        for (size_t i = 0; i < n; i++)
                if (port >= r[i].first && port <= r[i].last)
                        return true;
        return false;
}

static void look_at_address(const struct look *l, const char *cwd)
{
        const struct plan *p = l->p;
        uint64_t len = l->req->data.args[2];
        struct sockaddr_storage ss = {0};
        char host[INET6_ADDRSTRLEN], address[INET6_ADDRSTRLEN + 16];
        _cleanup_free_ char *cause = NULL, *suggest = NULL;
        bool connects = l->call->what == CONNECTS;
        const struct port_range *ranges = connects ? p->connect_tcp : p->bind_tcp;
        size_t n_ranges = connects ? p->n_connect_tcp : p->n_bind_tcp;
        unsigned port;

        if (len < sizeof(sa_family_t) || len > sizeof ss)
                return;
        if (read_mem(l->pid, l->req->data.args[1], &ss, (size_t) len) != (ssize_t) len || !live(l))
                return;
        if (ss.ss_family == AF_UNIX) {
                char path[sizeof((struct sockaddr_un *) 0)->sun_path + 1] = "", abs[PATH_MAX];
                memcpy(path, ((struct sockaddr_un *) &ss)->sun_path, (size_t) len - sizeof(sa_family_t));
                if (path[0] && cwd && connects && join_path(cwd, path, abs))
                        look_at_path(l, abs, 0, 0);
                return;
        }
        if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) &ss;
                inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
                port = ntohs(in->sin_port);
                snprintf(address, sizeof address, "%s:%u", host, port);
        } else if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) &ss;
                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
                port = ntohs(in6->sin6_port);
                snprintf(address, sizeof address, "[%s]:%u", host, port);
        } else {
                return;
        }
        if ((p->clone_flags & CLONE_NEWNET) && !loopback(&ss)) {
                cause = xasprintf("%s to %s: the sandbox has no network (--unshare-net or --unshare-all)",
                                  l->call->name, address);
                event(l, REPORT_NETWORK, NULL, address, "fails", connects ? ENETUNREACH : EADDRNOTAVAIL, cause,
                      "--share-net", LEARN_COMMENT);
        } else if (n_ranges && port && !port_in(ranges, n_ranges, port)) {
                cause = xasprintf("%s to %s: port %u is outside %s (TCP)", l->call->name, address, port,
                                  connects ? "--connect-tcp" : "--bind-tcp");
                suggest = xasprintf("%s %u", connects ? "--connect-tcp" : "--bind-tcp", port);
                event(l, REPORT_LANDLOCK, NULL, address, "fails", EACCES, cause, suggest, LEARN_REVIEW);
        }
}

void notifypath_exe(pid_t pid, char *buf, size_t size)
{
        char name[64];
        ssize_t n;

        snprintf(name, sizeof name, "/proc/%d/exe", (int) pid);
        n = readlink(name, buf, size - 1);
        buf[n > 0 ? n : 0] = '\0';
}

static const struct call *find_call(int nr)
{
        for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
                if (calls[i].nr == nr)
                        return &calls[i];
        return NULL;
}

void notifypath_look(const struct plan *p, int listener, const struct seccomp_notif *req)
{
        struct look l = {.p = p, .listener = listener, .req = req, .pid = (pid_t) req->pid, .root = -1};
        char name[64], cwd[PATH_MAX] = "", rel[PATH_MAX], path[PATH_MAX];
        const __u64 *a = req->data.args;
        uint64_t flags = 0;
        int dirfd;

        l.call = find_call(req->data.nr);
        if (!l.call || req->data.arch != seccomp_arch_native() || l.pid <= 0)
                return;
        snprintf(name, sizeof name, "/proc/%d/root", (int) l.pid);
        l.root = open(name, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (l.root < 0 || !live(&l))
                goto out;
        dirfd = l.call->dirfd < 0 ? AT_FDCWD : (int) a[l.call->dirfd];
        if (l.call->what == CONNECTS || l.call->what == BINDS) {
                look_at_address(&l, read_proc_link(&l, "cwd", cwd, sizeof cwd) ? cwd : NULL);
                goto out;
        }
        if (!read_string(&l, a[l.call->path], rel, sizeof rel) || rel[0] == '\0')
                goto out;
        if (l.call->what == OPENS)
                flags = a[l.call->dirfd < 0 ? 1 : 2];
        else if (l.call->what == OPENS2 && (read_mem(l.pid, a[2], &flags, sizeof flags) != sizeof flags || !live(&l)))
                goto out;
        if (rel[0] != '/') {
                char link[32];
                if (dirfd == AT_FDCWD)
                        snprintf(link, sizeof link, "cwd");
                else
                        snprintf(link, sizeof link, "fd/%d", dirfd);
                if (dirfd < 0 && dirfd != AT_FDCWD)
                        goto out;
                if (!read_proc_link(&l, link, cwd, sizeof cwd))
                        goto out;
        }
        if (join_path(cwd, rel, path))
                look_at_path(&l, path, flags, 0);
out:
        closep(&l.root);
}
