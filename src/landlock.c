/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock: a ruleset derived from the filesystem plan, plus TCP ports and
 * scoping. It holds even against a process that gains mount rights inside. */
#include "landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "util.h"

/* Newer than the C library's headers may be. */
#define LL_FS_EXECUTE          (1ULL << 0)
#define LL_FS_WRITE_FILE       (1ULL << 1)
#define LL_FS_READ_FILE        (1ULL << 2)
#define LL_FS_READ_DIR         (1ULL << 3)
#define LL_FS_REMOVE_DIR       (1ULL << 4)
#define LL_FS_REMOVE_FILE      (1ULL << 5)
#define LL_FS_MAKE_CHAR        (1ULL << 6)
#define LL_FS_MAKE_DIR         (1ULL << 7)
#define LL_FS_MAKE_REG         (1ULL << 8)
#define LL_FS_MAKE_SOCK        (1ULL << 9)
#define LL_FS_MAKE_FIFO        (1ULL << 10)
#define LL_FS_MAKE_BLOCK       (1ULL << 11)
#define LL_FS_MAKE_SYM         (1ULL << 12)
#define LL_FS_REFER            (1ULL << 13) /* ABI 2 */
#define LL_FS_TRUNCATE         (1ULL << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV        (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP        (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP     (1ULL << 1)  /* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)  /* ABI 6 */
#define LL_SCOPE_SIGNAL        (1ULL << 1)  /* ABI 6 */
#define LL_RULE_PATH_BENEATH   1
#define LL_RULE_NET_PORT       2

#define LL_READ (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_WRITE                                                                                                       \
        (LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR | LL_FS_MAKE_REG | \
         LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM | LL_FS_REFER | LL_FS_TRUNCATE)
/* Rights that make sense on a file rather than a directory. */
#define LL_FILE_RIGHTS (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

struct ll_ruleset_attr {
        uint64_t handled_access_fs;
        uint64_t handled_access_net;
        uint64_t scoped;
};

struct ll_path_beneath {
        uint64_t allowed_access;
        int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port {
        uint64_t allowed_access;
        uint64_t port;
};

int landlock_abi(void)
{
        long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        return v < 0 ? 0 : (int) v;
}

/* The filesystem rights each ABI knows. */
static uint64_t fs_rights(int abi)
{
        uint64_t r = LL_READ | (LL_WRITE & ~(LL_FS_REFER | LL_FS_TRUNCATE));
        if (abi >= 2)
                r |= LL_FS_REFER;
        if (abi >= 3)
                r |= LL_FS_TRUNCATE;
        if (abi >= 5)
                r |= LL_FS_IOCTL_DEV;
        return r;
}

/* What a destination of each kind of operation may do. 0: no rule. */
static uint64_t op_rights(const struct fs_op *op)
{
        switch (op->kind) {
        case FS_BIND:
                if (op->flags & BIND_READONLY)
                        return LL_READ;
                return LL_READ | LL_WRITE | ((op->flags & BIND_DEVICES) ? LL_FS_IOCTL_DEV : 0);
        case FS_BIND_FD:
        case FS_BIND_DATA: return (op->flags & BIND_READONLY) ? LL_READ : LL_READ | LL_WRITE;
        case FS_OVERLAY: return op->overlay == OVERLAY_RO ? LL_READ : LL_READ | LL_WRITE;
        case FS_TMPFS:
        case FS_MQUEUE: return LL_READ | LL_WRITE;
        case FS_FILE: return LL_READ | LL_FS_WRITE_FILE | LL_FS_TRUNCATE;
        case FS_PROC:
                /* /proc/self/... takes writes (comm, oom_score_adj), and a
                 * shell's > opens with O_TRUNC */
                return LL_READ | LL_FS_WRITE_FILE | LL_FS_TRUNCATE;
        case FS_DEV:
                /* terminals and null take writes (> truncates) and ioctls;
                 * dev/shm gets a rule of its own below */
                return LL_READ | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
        case FS_SYS: return LL_READ;
        case FS_DIR:
        case FS_SYMLINK:
        case FS_REMOUNT_RO:
        case FS_CHMOD:
        case FS_MASK: return 0;
        }
        return 0;
}

/* What every filesystem rule needs: the ruleset, the rights it handles, and
 * an fd of "/" (destinations are looked up from the root, not the cwd). */
struct fs_rules {
        int ruleset;
        uint64_t handled;
        int root_fd;
};

static const char *relative(const char *path)
{
        while (*path == '/')
                path++;
        return *path ? path : ".";
}

static int add_path_rule(const struct fs_rules *r, const char *path, uint64_t rights, const char *flag)
{
        struct ll_path_beneath rule;
        struct stat st;
        _cleanup_close_ int fd = openat(r->root_fd, relative(path), O_PATH | O_CLOEXEC);

        if (fd < 0) {
                if (errno == ENOENT && !flag)
                        return 0; /* a derived rule for something that went away */
                return log_errno(errno, "%s: can't open %s", flag ? flag : "--landlock", path), -1;
        }
        if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
                rights &= LL_FILE_RIGHTS;
        rule.allowed_access = rights & r->handled;
        rule.parent_fd = fd;
        if (!rule.allowed_access)
                return 0;
        if (syscall(SYS_landlock_add_rule, r->ruleset, LL_RULE_PATH_BENEATH, &rule, 0) < 0)
                return log_errno(errno, "%s: can't add a rule for %s", flag ? flag : "--landlock", path), -1;
        return 0;
}

static int add_port_rules(int ruleset, const struct port_range *ranges, size_t n, uint64_t right)
{
        for (size_t i = 0; i < n; i++)
                for (unsigned port = ranges[i].first; port <= ranges[i].last; port++) {
                        struct ll_net_port rule = {.allowed_access = right, .port = port};
                        if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &rule, 0) < 0)
                                return log_errno(errno, "can't add a Landlock rule for TCP port %u", port), -1;
                }
        return 0;
}

static bool wants_fs(const struct plan *p)
{
        return p->landlock || p->n_landlock_paths;
}

bool landlock_fs_wanted(const struct plan *p)
{
        return wants_fs(p);
}

static bool wants_net(const struct plan *p)
{
        return p->n_connect_tcp || p->n_bind_tcp;
}

static bool wants_scope(const struct plan *p)
{
        return p->scope_abstract_unix || p->scope_signals;
}

static const char *first_landlock_flag(const struct plan *p)
{
        if (wants_net(p))
                return p->n_connect_tcp ? "--connect-tcp" : "--bind-tcp";
        if (wants_scope(p))
                return p->scope_abstract_unix ? "--scope-abstract-unix" : "--scope-signals";
        return p->landlock ? "--landlock" : p->landlock_paths[0].flag;
}

bool landlock_wanted(const struct plan *p)
{
        return wants_fs(p) || wants_net(p) || wants_scope(p);
}

int landlock_settle(struct plan *p)
{
        int abi;
        char missing[256] = "";

        if (!wants_fs(p) && !wants_net(p) && !wants_scope(p))
                return 0;
        abi = landlock_abi();
        if (abi < 1)
                snprintf(missing, sizeof missing, "Landlock itself");
        if (abi >= 1 && wants_net(p) && abi < 4)
                snprintf(missing, sizeof missing, "TCP port rules (Landlock ABI 4; this kernel has %d)", abi);
        if (abi >= 1 && wants_scope(p) && abi < 6)
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
                         "%sscoping (Landlock ABI 6; this kernel has %d)", *missing ? " and " : "", abi);
        if (!*missing)
                return 0;
        if (!p->landlock_best_effort)
                return log_error("%s: this kernel lacks %s (--landlock-best-effort skips it)", first_landlock_flag(p),
                                 missing),
                       -1;
        log_warning("--landlock-best-effort: skipping %s", missing);
        if (abi < 1)
                p->landlock = false, p->n_landlock_paths = 0;
        if (abi < 4)
                p->n_connect_tcp = p->n_bind_tcp = 0;
        if (abi < 6)
                p->scope_abstract_unix = p->scope_signals = false;
        return 0;
}

int landlock_apply(const struct plan *p)
{
        struct ll_ruleset_attr attr = {0};
        bool want_fs = wants_fs(p), want_net = wants_net(p), want_scope = wants_scope(p);
        _cleanup_close_ int ruleset = -1;
        int abi;

        if (!want_fs && !want_net && !want_scope)
                return 0;
        abi = landlock_abi();
        if (want_fs)
                attr.handled_access_fs = fs_rights(abi);
        if (want_net)
                attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        if (want_scope)
                attr.scoped = (p->scope_abstract_unix ? LL_SCOPE_ABSTRACT_UNIX : 0) |
                              (p->scope_signals ? LL_SCOPE_SIGNAL : 0);
        /* The kernel takes the shortest structure that says it all. */
        ruleset = (int) syscall(SYS_landlock_create_ruleset, &attr,
                                want_scope ? sizeof attr
                                : want_net ? 2 * sizeof(uint64_t)
                                           : sizeof(uint64_t),
                                0);
        if (ruleset < 0)
                return log_errno(errno, "--landlock: can't create a ruleset"), -1;

        if (want_fs) {
                _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                struct fs_rules r = {.ruleset = ruleset, .handled = attr.handled_access_fs, .root_fd = root};

                if (root < 0)
                        return log_errno(errno, "--landlock: can't open /"), -1;
                /* The root tmpfs is readable; what was mounted or made on it gets
                 * what its operation gives. Later rules only add: Landlock grants
                 * the union of the rules on a path and its parents. */
                if (p->landlock && add_path_rule(&r, "/", LL_READ, NULL) < 0)
                        return -1;
                for (size_t i = 0; p->landlock && i < p->n_ops; i++) {
                        const struct fs_op *op = &p->ops[i];
                        uint64_t rights = op_rights(op);
                        if (rights && add_path_rule(&r, op->dest, rights, NULL) < 0)
                                return -1;
                        /* POSIX shared memory lives in dev/shm, a plain directory. */
                        if (op->kind == FS_DEV) {
                                _cleanup_free_ char *shm = xasprintf("%s/shm", op->dest);
                                if (add_path_rule(&r, shm, LL_READ | LL_WRITE, NULL) < 0)
                                        return -1;
                        }
                }
                for (size_t i = 0; i < p->n_landlock_paths; i++) {
                        const struct landlock_path *lp = &p->landlock_paths[i];
                        if (add_path_rule(&r, lp->path,
                                          lp->rights == LANDLOCK_WRITE  ? LL_READ | LL_WRITE
                                          : lp->rights == LANDLOCK_EXEC ? LL_READ
                                                                        : LL_FS_READ_FILE | LL_FS_READ_DIR,
                                          lp->flag) < 0)
                                return -1;
                }
        }
        if (want_net && (add_port_rules(ruleset, p->connect_tcp, p->n_connect_tcp, LL_NET_CONNECT_TCP) < 0 ||
                         add_port_rules(ruleset, p->bind_tcp, p->n_bind_tcp, LL_NET_BIND_TCP) < 0))
                return -1;
        if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
                return log_errno(errno, "--landlock: can't restrict the sandbox"), -1;
        return 0;
}

/* Whether a rule on dest (with or without its leading slash) covers path. */
static bool covers(const char *dest, const char *path)
{
        size_t n;

        while (*dest == '/')
                dest++;
        while (*path == '/')
                path++;
        n = strlen(dest);
        return n == 0 || (strncmp(path, dest, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

unsigned landlock_may(const struct plan *p, const char *path)
{
        uint64_t r = 0;
        unsigned may = 0;

        if (!wants_fs(p))
                return LANDLOCK_MAY_READ | LANDLOCK_MAY_WRITE | LANDLOCK_MAY_EXEC;
        /* The same rules as landlock_apply's, by path instead of by fd. */
        if (p->landlock)
                r |= LL_READ;
        for (size_t i = 0; p->landlock && i < p->n_ops; i++) {
                const struct fs_op *op = &p->ops[i];

                if (op_rights(op) && covers(op->dest, path))
                        r |= op_rights(op);
                if (op->kind == FS_DEV) {
                        _cleanup_free_ char *shm = xasprintf("%s/shm", op->dest);
                        if (covers(shm, path))
                                r |= LL_READ | LL_WRITE;
                }
        }
        for (size_t i = 0; i < p->n_landlock_paths; i++) {
                const struct landlock_path *lp = &p->landlock_paths[i];

                if (covers(lp->path, path))
                        r |= lp->rights == LANDLOCK_WRITE  ? LL_READ | LL_WRITE
                             : lp->rights == LANDLOCK_EXEC ? LL_READ
                                                           : LL_FS_READ_FILE | LL_FS_READ_DIR;
        }
        if (r & (LL_FS_READ_FILE | LL_FS_READ_DIR))
                may |= LANDLOCK_MAY_READ;
        if (r & LL_FS_WRITE_FILE)
                may |= LANDLOCK_MAY_WRITE;
        if (r & LL_FS_EXECUTE)
                may |= LANDLOCK_MAY_EXEC;
        return may;
}
