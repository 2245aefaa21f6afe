/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The option table and the parser that turns argv into a plan. */
#include <stdio.h>

#include "options.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <stdarg.h>
#include <sched.h>
#include <string.h>

#include "bpf.h"
#include "caps.h"
#include "label.h"
#include "log.h"
#include "rlimits.h"
#include "plan.h"
#include "safepath.h"
#include "util.h"

#include "config.h"

/* bwrap refuses more than this many arguments, counting --args data. */
#define MAX_ARGS 9000
/* Upper bound on the bytes read from one --args fd. */
#define MAX_ARGS_BYTES (16u * 1024 * 1024)

struct parse_state {
        struct plan *plan;
        const char *flag; /* the option being handled, for messages */

        /* --perms and --size modify only the next operation */
        bool perms_pending;
        mode_t perms;
        bool size_pending;
        uint64_t size;
        /* --overlay-src layers waiting for their overlay option */
        char **layers;
        size_t n_layers;

        /* the argument vector, with --args data spliced in */
        char **args;
        size_t n_args;
        size_t pos;
        char **buffers; /* --args data, owned */
        size_t n_buffers;
        size_t args_end; /* where the --args data spliced in last ends */
};

static int fail(struct parse_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse_state *st, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        log_error("%s: %s", st->flag, msg);
        return -1;
}

/* A path argument: never empty (bwrap would bind the whole host for ""). */
static int want_path(struct parse_state *st, const char *what, const char *s)
{
        if (!*s)
                return fail(st, "%s must not be an empty string", what);
        return 0;
}

/* A destination inside the sandbox. Relative ones are relative to its root,
 * and a ".." may not climb above that root: such a path is a mistake, not a
 * way to name "/". */
static int want_dest(struct parse_state *st, const char *s)
{
        if (want_path(st, "the destination", s) < 0)
                return -1;
        if (path_climbs_above_root(s))
                return fail(st, "the destination %s climbs above the root of the sandbox", s);
        return 0;
}

enum fd_use {
        FD_ANY,    /* any open fd, O_PATH included */
        FD_READ,   /* open for reading */
        FD_WRITE,  /* open for writing */
        FD_USERNS, /* a user namespace */
        FD_PIDNS,  /* a pid namespace */
};

/* Check an fd argument when it is parsed: it must be open and of the kind the
 * option needs. It is then made close-on-exec: an fd an option consumes never
 * reaches the command. */
static int fd_arg(struct parse_state *st, const char *s, enum fd_use use, int *out)
{
        int fd, fl;

        if (parse_fd(s, &fd) < 0)
                return fail(st, "'%s' is not a valid file descriptor", s);
        fl = fcntl(fd, F_GETFL);
        if (fl < 0)
                return fail(st, "fd %d is not open", fd);
        switch (use) {
        case FD_ANY: break;
        case FD_READ:
                if ((fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY)
                        return fail(st, "fd %d is not open for reading", fd);
                break;
        case FD_WRITE:
                if ((fl & O_PATH) || (fl & O_ACCMODE) == O_RDONLY)
                        return fail(st, "fd %d is not open for writing", fd);
                break;
        case FD_USERNS:
        case FD_PIDNS: {
                int want = use == FD_USERNS ? CLONE_NEWUSER : CLONE_NEWPID;
                if (ioctl(fd, NS_GET_NSTYPE) != want)
                        return fail(st, "fd %d is not a %s namespace", fd, use == FD_USERNS ? "user" : "pid");
                break;
        }
        }
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return fail(st, "fd %d: %s", fd, strerror(errno));
        *out = fd;
        return 0;
}

static int take_perms(struct parse_state *st, struct fs_op *op)
{
        if (st->perms_pending) {
                op->perms = st->perms;
                st->perms_pending = false;
        }
        return 0;
}

/* ---- handlers ---------------------------------------------------------- */

static int opt_help(struct parse_state *st, char **a)
{
        return 1;
}
static int opt_version(struct parse_state *st, char **a)
{
        return 2;
}

static int opt_args(struct parse_state *st, char **a)
{
        char *data, *p, *end;
        size_t len, count = 0;
        int fd, r;

        /* The word --args itself stood two places back. */
        if (st->pos - 2 < st->args_end)
                return fail(st, "--args data must not contain --args");
        if (fd_arg(st, a[0], FD_READ, &fd) < 0)
                return -1;
        r = read_all(fd, &data, &len, MAX_ARGS_BYTES);
        if (r < 0)
                return fail(st, "can't read arguments from fd %d: %s", fd,
                            r == -EFBIG ? "more than 16 MiB of data" : strerror(-r));
        close(fd);

        for (p = data, end = data + len; p < end; p += strlen(p) + 1)
                count++;
        if (st->n_args + count > MAX_ARGS) {
                free(data);
                return fail(st, "too many arguments (the limit is %d)", MAX_ARGS);
        }
        st->buffers = xrealloc(st->buffers, sizeof(char *) * (st->n_buffers + 1));
        st->buffers[st->n_buffers++] = data;

        /* Splice the new arguments in right after this option. */
        st->args = xrealloc(st->args, sizeof(char *) * (st->n_args + count + 1));
        memmove(&st->args[st->pos + count], &st->args[st->pos], sizeof(char *) * (st->n_args - st->pos + 1));
        for (p = data, count = 0; p < end; p += strlen(p) + 1)
                st->args[st->pos + count++] = p;
        st->n_args += count;
        st->args_end = st->pos + count;
        return 0;
}

static int opt_argv0(struct parse_state *st, char **a)
{
        free(st->plan->argv0);
        st->plan->argv0 = xstrdup(a[0]);
        return 0;
}

static int opt_level_prefix(struct parse_state *st, char **a)
{
        log_set_level_prefix(true);
        return 0;
}

static int set_ns(struct parse_state *st, int flag)
{
        st->plan->clone_flags |= flag;
        return 0;
}

static int opt_unshare_user(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWUSER);
}
static int opt_unshare_ipc(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWIPC);
}
static int opt_unshare_pid(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWPID);
}
static int opt_unshare_net(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWNET);
}
static int opt_unshare_uts(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWUTS);
}
static int opt_unshare_cgroup(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWCGROUP);
}

static int opt_unshare_user_try(struct parse_state *st, char **a)
{
        st->plan->unshare_user_try = true;
        return 0;
}

static int opt_unshare_cgroup_try(struct parse_state *st, char **a)
{
        st->plan->unshare_cgroup_try = true;
        return 0;
}

static int opt_unshare_all(struct parse_state *st, char **a)
{
        st->plan->unshare_user_try = true;
        st->plan->unshare_cgroup_try = true;
        return set_ns(st, CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS);
}

/* Order matters, as in bwrap: the last of --share-net and --unshare-net
 * (or --unshare-all) wins. */
static int opt_share_net(struct parse_state *st, char **a)
{
        st->plan->clone_flags &= ~CLONE_NEWNET;
        return 0;
}

static int opt_uid(struct parse_state *st, char **a)
{
        uint32_t v;
        int r = parse_id(a[0], &v);
        if (r < 0)
                return fail(st, "'%s' is not a valid user id", a[0]);
        st->plan->uid = v;
        st->plan->uid_set = true;
        return 0;
}

static int opt_gid(struct parse_state *st, char **a)
{
        uint32_t v;
        int r = parse_id(a[0], &v);
        if (r < 0)
                return fail(st, "'%s' is not a valid group id", a[0]);
        st->plan->gid = v;
        st->plan->gid_set = true;
        return 0;
}

static int opt_hostname(struct parse_state *st, char **a)
{
        if (!*a[0] || strlen(a[0]) > 64)
                return fail(st, "a hostname must have 1 to 64 characters");
        free(st->plan->hostname);
        st->plan->hostname = xstrdup(a[0]);
        return 0;
}

static int opt_chdir(struct parse_state *st, char **a)
{
        if (want_path(st, "the directory", a[0]) < 0)
                return -1;
        free(st->plan->chdir_path);
        st->plan->chdir_path = xstrdup(a[0]);
        return 0;
}

static int check_env_name(struct parse_state *st, const char *name)
{
        if (!*name || strchr(name, '='))
                return fail(st, "'%s' is not a valid variable name", name);
        return 0;
}

static int opt_setenv(struct parse_state *st, char **a)
{
        if (check_env_name(st, a[0]) < 0)
                return -1;
        plan_setenv(st->plan, a[0], a[1]);
        return 0;
}

static int opt_unsetenv(struct parse_state *st, char **a)
{
        if (check_env_name(st, a[0]) < 0)
                return -1;
        plan_unsetenv(st->plan, a[0]);
        return 0;
}

static int opt_clearenv(struct parse_state *st, char **a)
{
        plan_clearenv(st->plan);
        return 0;
}

static int add_bind(struct parse_state *st, char **a, unsigned flags)
{
        struct fs_op *op;

        if (want_path(st, "the source", a[0]) < 0 || want_dest(st, a[1]) < 0)
                return -1;
        op = plan_add_op(st->plan, FS_BIND, st->flag);
        op->flags = flags;
        op->src = xstrdup(a[0]);
        op->dest = xstrdup(a[1]);
        return 0;
}

static int opt_bind(struct parse_state *st, char **a)
{
        return add_bind(st, a, 0);
}
static int opt_bind_try(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_TRY);
}
static int opt_ro_bind(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_READONLY);
}
static int opt_ro_bind_try(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_READONLY | BIND_TRY);
}
static int opt_dev_bind(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_DEVICES);
}
static int opt_dev_bind_try(struct parse_state *st, char **a)
{
        return add_bind(st, a, BIND_DEVICES | BIND_TRY);
}

static struct fs_op *add_dest_op(struct parse_state *st, enum fs_op_kind kind, const char *dest)
{
        struct fs_op *op;

        if (want_dest(st, dest) < 0)
                return NULL;
        op = plan_add_op(st->plan, kind, st->flag);
        op->dest = xstrdup(dest);
        return op;
}

static int opt_remount_ro(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_REMOUNT_RO, a[0]) ? 0 : -1;
}

static int opt_tmpfs(struct parse_state *st, char **a)
{
        struct fs_op *op = add_dest_op(st, FS_TMPFS, a[0]);
        if (!op)
                return -1;
        take_perms(st, op);
        if (st->size_pending) {
                op->size = st->size;
                st->size_pending = false;
        }
        return 0;
}

static int opt_dir(struct parse_state *st, char **a)
{
        struct fs_op *op = add_dest_op(st, FS_DIR, a[0]);
        return op ? take_perms(st, op) : -1;
}

static int opt_symlink(struct parse_state *st, char **a)
{
        struct fs_op *op;

        if (want_path(st, "the link target", a[0]) < 0)
                return -1;
        op = add_dest_op(st, FS_SYMLINK, a[1]);
        if (!op)
                return -1;
        op->src = xstrdup(a[0]);
        return 0;
}

static int opt_proc(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_PROC, a[0]) ? 0 : -1;
}
static int opt_dev(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_DEV, a[0]) ? 0 : -1;
}

static int opt_perms(struct parse_state *st, char **a)
{
        if (parse_octal_mode(a[0], &st->perms) < 0)
                return fail(st, "'%s' is not an octal mode between 0 and 07777", a[0]);
        if (st->perms_pending)
                return fail(st, "given twice for the same operation");
        st->perms_pending = true;
        return 0;
}

static int opt_size(struct parse_state *st, char **a)
{
        int r = parse_size(a[0], &st->size);
        if (r < 0 || st->size == 0 || st->size > (uint64_t) SSIZE_MAX)
                return fail(st, "'%s' is not a valid size in bytes", a[0]);
        if (st->size_pending)
                return fail(st, "given twice for the same --tmpfs");
        st->size_pending = true;
        return 0;
}

static int opt_new_session(struct parse_state *st, char **a)
{
        st->plan->new_session = true;
        return 0;
}

static int opt_die_with_parent(struct parse_state *st, char **a)
{
        st->plan->die_with_parent = true;
        return 0;
}

static int opt_as_pid_1(struct parse_state *st, char **a)
{
        st->plan->as_pid_1 = true;
        return 0;
}

/* The set starts as the caller's own (empty unless it is root); each
 * --cap-add and --cap-drop then edits it in command-line order. */
static int edit_caps(struct parse_state *st, const char *name, bool add)
{
        struct plan *p = st->plan;
        uint64_t mask;

        if (caps_parse(name, &mask) < 0)
                return fail(st, "'%s' is not a capability name (like CAP_NET_ADMIN) or ALL", name);
        if (!p->caps_given) {
                p->caps = p->caller_caps;
                p->caps_given = true;
        }
        p->caps = add ? (p->caps | mask) : (p->caps & ~mask);
        return 0;
}

static int opt_cap_add(struct parse_state *st, char **a)
{
        return edit_caps(st, a[0], true);
}
static int opt_cap_drop(struct parse_state *st, char **a)
{
        return edit_caps(st, a[0], false);
}

static int add_data_op(struct parse_state *st, char **a, enum fs_op_kind kind, unsigned flags, enum fd_use use)
{
        struct fs_op *op;
        int fd;

        if (fd_arg(st, a[0], use, &fd) < 0)
                return -1;
        op = add_dest_op(st, kind, a[1]);
        if (!op)
                return -1;
        op->fd = fd;
        op->flags = flags;
        return kind == FS_BIND_FD ? 0 : take_perms(st, op);
}

static int opt_file(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_FILE, 0, FD_READ);
}
static int opt_bind_data(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_DATA, 0, FD_READ);
}
static int opt_ro_bind_data(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_DATA, BIND_READONLY, FD_READ);
}
static int opt_bind_fd(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_FD, 0, FD_ANY);
}
static int opt_ro_bind_fd(struct parse_state *st, char **a)
{
        return add_data_op(st, a, FS_BIND_FD, BIND_READONLY, FD_ANY);
}

static int opt_chmod(struct parse_state *st, char **a)
{
        mode_t mode;
        struct fs_op *op;

        if (parse_octal_mode(a[0], &mode) < 0)
                return fail(st, "'%s' is not an octal mode between 0 and 07777", a[0]);
        op = add_dest_op(st, FS_CHMOD, a[1]);
        if (!op)
                return -1;
        op->perms = mode;
        return 0;
}

static int opt_mqueue(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_MQUEUE, a[0]) ? 0 : -1;
}

static int opt_overlay_src(struct parse_state *st, char **a)
{
        if (want_path(st, "the source", a[0]) < 0)
                return -1;
        st->layers = xrealloc(st->layers, sizeof(char *) * (st->n_layers + 1));
        st->layers[st->n_layers++] = xstrdup(a[0]);
        return 0;
}

/* An overlay takes every --overlay-src given right before it. */
static struct fs_op *add_overlay(struct parse_state *st, enum overlay_kind kind, const char *dest, size_t min_layers)
{
        struct fs_op *op;

        if (st->n_layers < min_layers)
                return fail(st, "needs at least %zu --overlay-src before it", min_layers), NULL;
        op = add_dest_op(st, FS_OVERLAY, dest);
        if (!op)
                return NULL;
        op->overlay = kind;
        op->layers = st->layers;
        op->n_layers = st->n_layers;
        st->layers = NULL;
        st->n_layers = 0;
        return op;
}

static int opt_overlay(struct parse_state *st, char **a)
{
        struct fs_op *op;

        if (want_path(st, "the upper directory", a[0]) < 0 || want_path(st, "the work directory", a[1]) < 0)
                return -1;
        op = add_overlay(st, OVERLAY_RW, a[2], 1);
        if (!op)
                return -1;
        op->src = xstrdup(a[0]);
        op->work = xstrdup(a[1]);
        return 0;
}

static int opt_tmp_overlay(struct parse_state *st, char **a)
{
        return add_overlay(st, OVERLAY_TMP, a[0], 1) ? 0 : -1;
}

static int opt_ro_overlay(struct parse_state *st, char **a)
{
        return add_overlay(st, OVERLAY_RO, a[0], 2) ? 0 : -1;
}

static int opt_lock_file(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;

        if (want_path(st, "the lock file", a[0]) < 0)
                return -1;
        p->lock_files = xrealloc(p->lock_files, sizeof(char *) * (p->n_lock_files + 1));
        p->lock_files[p->n_lock_files++] = xstrdup(a[0]);
        return 0;
}

static int opt_sync_fd(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_ANY, &st->plan->sync_fd);
}
static int opt_block_fd(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_READ, &st->plan->block_fd);
}
static int opt_userns_block_fd(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_READ, &st->plan->userns_block_fd);
}
static int opt_info_fd(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_WRITE, &st->plan->info_fd);
}
static int opt_json_status_fd(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_WRITE, &st->plan->json_status_fd);
}
static int opt_userns(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_USERNS, &st->plan->userns_fd);
}
static int opt_userns2(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_USERNS, &st->plan->userns2_fd);
}
static int opt_pidns(struct parse_state *st, char **a)
{
        return fd_arg(st, a[0], FD_PIDNS, &st->plan->pidns_fd);
}

static int opt_disable_userns(struct parse_state *st, char **a)
{
        st->plan->disable_userns = true;
        return 0;
}

static int opt_assert_userns_disabled(struct parse_state *st, char **a)
{
        st->plan->assert_userns_disabled = true;
        return 0;
}

static int set_label(struct parse_state *st, const char *label, char **field)
{
        char err[256];

        if (!*label)
                return fail(st, "the label must not be an empty string");
        if (label_check(label, err, sizeof err) < 0)
                return fail(st, "%s", err);
        free(*field);
        *field = xstrdup(label);
        return 0;
}

static int opt_exec_label(struct parse_state *st, char **a)
{
        return set_label(st, a[0], &st->plan->exec_label);
}
static int opt_file_label(struct parse_state *st, char **a)
{
        return set_label(st, a[0], &st->plan->file_label);
}

/* A BPF program on an fd: read it all and check it now. */
static int read_program(struct parse_state *st, const char *arg, struct bpf_prog *out)
{
        char err[256];
        char *data;
        size_t len;
        int fd, r;

        if (fd_arg(st, arg, FD_READ, &fd) < 0)
                return -1;
        r = read_all(fd, &data, &len, BPF_MAX_INSNS * sizeof(struct sock_filter) + 1);
        close(fd);
        if (r < 0)
                return fail(st, "can't read fd %d: %s", fd,
                            r == -EFBIG ? "more than the largest program allowed" : strerror(-r));
        r = bpf_parse(data, len, out, err, sizeof err);
        free(data);
        if (r < 0)
                return fail(st, "the program on fd %d is not valid: %s", fd, err);
        return 0;
}

static int opt_seccomp(struct parse_state *st, char **a)
{
        struct bpf_prog prog;

        if (read_program(st, a[0], &prog) < 0)
                return -1;
        free(st->plan->seccomp_fd_prog.insns); /* the last one given is used */
        st->plan->seccomp_fd_prog = prog;
        return 0;
}

static int opt_add_seccomp_fd(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;
        struct bpf_prog prog;

        if (read_program(st, a[0], &prog) < 0)
                return -1;
        p->added_progs = xrealloc(p->added_progs, sizeof *p->added_progs * (p->n_added_progs + 1));
        p->added_progs[p->n_added_progs++] = prog;
        return 0;
}

static int opt_seccomp_profile(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;

        if (want_path(st, "the profile", a[0]) < 0)
                return -1;
        p->profiles = xrealloc(p->profiles, sizeof(char *) * (p->n_profiles + 1));
        p->profiles[p->n_profiles++] = xstrdup(a[0]);
        return 0;
}

static int opt_seccomp_export(struct parse_state *st, char **a)
{
        if (want_path(st, "the file", a[0]) < 0)
                return -1;
        free(st->plan->seccomp_export);
        st->plan->seccomp_export = xstrdup(a[0]);
        return 0;
}

static int opt_sys(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_SYS, a[0]) ? 0 : -1;
}
static int opt_mask(struct parse_state *st, char **a)
{
        return add_dest_op(st, FS_MASK, a[0]) ? 0 : -1;
}

static int opt_unmask(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;

        if (want_path(st, "the path", a[0]) < 0)
                return -1;
        p->unmask = xrealloc(p->unmask, sizeof(char *) * (p->n_unmask + 1));
        p->unmask[p->n_unmask++] = xstrdup(a[0]);
        return 0;
}

static int opt_landlock(struct parse_state *st, char **a)
{
        st->plan->landlock = true;
        return 0;
}

static int opt_landlock_best_effort(struct parse_state *st, char **a)
{
        st->plan->landlock_best_effort = true;
        return 0;
}

static int add_landlock_path(struct parse_state *st, const char *path, enum landlock_rights rights)
{
        struct plan *p = st->plan;

        if (want_path(st, "the path", path) < 0)
                return -1;
        p->landlock_paths = xrealloc(p->landlock_paths, sizeof *p->landlock_paths * (p->n_landlock_paths + 1));
        p->landlock_paths[p->n_landlock_paths++] =
                (struct landlock_path){.path = xstrdup(path), .rights = rights, .flag = st->flag};
        return 0;
}

static int opt_landlock_read(struct parse_state *st, char **a)
{
        return add_landlock_path(st, a[0], LANDLOCK_READ);
}
static int opt_landlock_write(struct parse_state *st, char **a)
{
        return add_landlock_path(st, a[0], LANDLOCK_WRITE);
}
static int opt_landlock_exec(struct parse_state *st, char **a)
{
        return add_landlock_path(st, a[0], LANDLOCK_EXEC);
}

/* PORT or FIRST-LAST, 1..65535. */
static int add_ports(struct parse_state *st, const char *arg, struct port_range **list, size_t *n)
{
        uint64_t first, last;
        const char *dash = strchr(arg, '-');
        char buf[16];

        if (dash) {
                if ((size_t) (dash - arg) >= sizeof buf)
                        return fail(st, "'%s' is not a port or a range like 8000-8080", arg);
                memcpy(buf, arg, (size_t) (dash - arg));
                buf[dash - arg] = '\0';
        }
        if (parse_u64(dash ? buf : arg, 10, &first) < 0 || parse_u64(dash ? dash + 1 : arg, 10, &last) < 0 ||
            first < 1 || last > 65535 || first > last)
                return fail(st, "'%s' is not a port (1-65535) or a range like 8000-8080", arg);
        *list = xrealloc(*list, sizeof **list * (*n + 1));
        (*list)[(*n)++] = (struct port_range){(unsigned) first, (unsigned) last};
        return 0;
}

static int opt_connect_tcp(struct parse_state *st, char **a)
{
        return add_ports(st, a[0], &st->plan->connect_tcp, &st->plan->n_connect_tcp);
}

static int opt_bind_tcp(struct parse_state *st, char **a)
{
        return add_ports(st, a[0], &st->plan->bind_tcp, &st->plan->n_bind_tcp);
}

static int opt_scope_abstract_unix(struct parse_state *st, char **a)
{
        st->plan->scope_abstract_unix = true;
        return 0;
}

static int opt_scope_signals(struct parse_state *st, char **a)
{
        st->plan->scope_signals = true;
        return 0;
}

static int opt_rlimit(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;
        struct rlimit_setting r;
        char err[256];

        if (rlimit_parse(a[0], &r, err, sizeof err) < 0)
                return fail(st, "%s", err);
        p->rlimits = xrealloc(p->rlimits, sizeof *p->rlimits * (p->n_rlimits + 1));
        p->rlimits[p->n_rlimits++] = r;
        return 0;
}

static int opt_memory_max(struct parse_state *st, char **a)
{
        if (parse_size(a[0], &st->plan->memory_max) < 0 || st->plan->memory_max == 0)
                return fail(st, "'%s' is not a size like 512M", a[0]);
        return 0;
}

static int opt_pids_max(struct parse_state *st, char **a)
{
        if (parse_u64(a[0], 10, &st->plan->pids_max) < 0 || st->plan->pids_max == 0 || st->plan->pids_max > INT32_MAX)
                return fail(st, "'%s' is not a number of processes", a[0]);
        return 0;
}

static int opt_cpu_max(struct parse_state *st, char **a)
{
        uint64_t v;
        const char *s = a[0];
        char buf[16];
        size_t len = strlen(s);

        /* "50" or "50%" of one CPU; "200%" is two CPUs' worth. */
        if (len && s[len - 1] == '%' && len < sizeof buf) {
                memcpy(buf, s, len - 1);
                buf[len - 1] = '\0';
                s = buf;
        }
        if (parse_u64(s, 10, &v) < 0 || v == 0 || v > 100000)
                return fail(st, "'%s' is not a percentage of one CPU, like 50 or 200%%", a[0]);
        st->plan->cpu_max_percent = (unsigned) v;
        return 0;
}

static int opt_timeout(struct parse_state *st, char **a)
{
        uint64_t v;

        if (parse_u64(a[0], 10, &v) < 0 || v == 0 || v > 31536000)
                return fail(st, "'%s' is not a number of seconds (1 to 31536000)", a[0]);
        st->plan->timeout = (unsigned) v;
        return 0;
}

static int opt_unshare_time(struct parse_state *st, char **a)
{
        st->plan->unshare_time = true;
        return 0;
}

static int parse_offset(struct parse_state *st, const char *s, long long *out)
{
        uint64_t v;
        bool neg = *s == '-';

        /* Up to about 2^32 seconds either way, far inside what the kernel takes. */
        if (parse_u64(neg ? s + 1 : s, 10, &v) < 0 || v > (1ULL << 32))
                return fail(st, "'%s' is not a number of seconds", s);
        *out = neg ? -(long long) v : (long long) v;
        return 0;
}

static int opt_monotonic_offset(struct parse_state *st, char **a)
{
        return parse_offset(st, a[0], &st->plan->monotonic_offset);
}

static int opt_boottime_offset(struct parse_state *st, char **a)
{
        return parse_offset(st, a[0], &st->plan->boottime_offset);
}

/* ---- the table ----------------------------------------------------------- */

#define F COMPLETE_FILE
#define D COMPLETE_DIR
#define N COMPLETE_NONE

/* clang-format off */
static const struct option_def table[] = {
        { "--help", 0, NULL, opt_help, "Print this help and exit", { N } },
        { "--version", 0, NULL, opt_version, "Print the version and exit", { N } },
        { "--args", 1, "FD", opt_args, "Read NUL-separated arguments from FD", { COMPLETE_FD } },
        { "--argv0", 1, "VALUE", opt_argv0, "Set argv[0] of the command to VALUE", { N } },
        { "--level-prefix", 0, NULL, opt_level_prefix, "Prefix messages with a syslog level like <3>", { N } },

        { "--unshare-all", 0, NULL, opt_unshare_all, "Unshare every namespace that can be (user and cgroup when possible)", { N } },
        { "--share-net", 0, NULL, opt_share_net, "Keep the network namespace (with --unshare-all)", { N } },
        { "--unshare-user", 0, NULL, opt_unshare_user, "Create a new user namespace", { N } },
        { "--unshare-user-try", 0, NULL, opt_unshare_user_try, "Create a new user namespace if the kernel allows it", { N } },
        { "--unshare-ipc", 0, NULL, opt_unshare_ipc, "Create a new IPC namespace", { N } },
        { "--unshare-pid", 0, NULL, opt_unshare_pid, "Create a new PID namespace", { N } },
        { "--unshare-net", 0, NULL, opt_unshare_net, "Create a new network namespace with loopback up", { N } },
        { "--unshare-uts", 0, NULL, opt_unshare_uts, "Create a new UTS namespace (hostname)", { N } },
        { "--unshare-cgroup", 0, NULL, opt_unshare_cgroup, "Create a new cgroup namespace", { N } },
        { "--unshare-cgroup-try", 0, NULL, opt_unshare_cgroup_try, "Create a new cgroup namespace if the kernel has them", { N } },
        { "--uid", 1, "UID", opt_uid, "User id inside the sandbox", { COMPLETE_NUMBER } },
        { "--gid", 1, "GID", opt_gid, "Group id inside the sandbox", { COMPLETE_NUMBER } },
        { "--hostname", 1, "NAME", opt_hostname, "Hostname inside the sandbox (needs --unshare-uts)", { N } },

        { "--chdir", 1, "DIR", opt_chdir, "Change to DIR inside the sandbox", { D } },
        { "--setenv", 2, "VAR VALUE", opt_setenv, "Set an environment variable", { COMPLETE_ENV, N } },
        { "--unsetenv", 1, "VAR", opt_unsetenv, "Unset an environment variable", { COMPLETE_ENV } },
        { "--clearenv", 0, NULL, opt_clearenv, "Start from an empty environment (PWD is still set)", { N } },

        { "--bind", 2, "SRC DEST", opt_bind, "Bind mount host path SRC on DEST", { F, F } },
        { "--bind-try", 2, "SRC DEST", opt_bind_try, "Like --bind, but skip a missing SRC", { F, F } },
        { "--ro-bind", 2, "SRC DEST", opt_ro_bind, "Bind mount SRC read-only (submounts too) on DEST", { F, F } },
        { "--ro-bind-try", 2, "SRC DEST", opt_ro_bind_try, "Like --ro-bind, but skip a missing SRC", { F, F } },
        { "--dev-bind", 2, "SRC DEST", opt_dev_bind, "Bind mount SRC on DEST, allowing device access", { F, F } },
        { "--dev-bind-try", 2, "SRC DEST", opt_dev_bind_try, "Like --dev-bind, but skip a missing SRC", { F, F } },
        { "--remount-ro", 1, "DEST", opt_remount_ro, "Make the mount at DEST read-only", { D } },
        { "--tmpfs", 1, "DEST", opt_tmpfs, "Mount a new tmpfs on DEST", { D } },
        { "--dir", 1, "DEST", opt_dir, "Create a directory at DEST", { D } },
        { "--symlink", 2, "SRC DEST", opt_symlink, "Create a symlink at DEST pointing to SRC", { F, F } },
        { "--proc", 1, "DEST", opt_proc, "Mount procfs on DEST", { D } },
        { "--sys", 1, "DEST", opt_sys, "Mount a read-only sysfs on DEST, its sensitive parts hidden", { D } },
        { "--mask", 1, "PATH", opt_mask, "Hide PATH: an empty read-only file or directory", { F } },
        { "--unmask", 1, "PATH", opt_unmask, "Lift a /proc or /sys protection on PATH, bound ones too ('all' lifts every one)", { F } },
        { "--dev", 1, "DEST", opt_dev, "Mount a new minimal /dev on DEST", { D } },
        { "--file", 2, "FD DEST", opt_file, "Copy the data from FD into a new file DEST", { COMPLETE_FD, F } },
        { "--bind-data", 2, "FD DEST", opt_bind_data, "Bind a private copy of the data from FD on DEST", { COMPLETE_FD, F } },
        { "--ro-bind-data", 2, "FD DEST", opt_ro_bind_data, "Like --bind-data, read-only", { COMPLETE_FD, F } },
        { "--bind-fd", 2, "FD DEST", opt_bind_fd, "Bind the directory or file open on FD on DEST", { COMPLETE_FD, F } },
        { "--ro-bind-fd", 2, "FD DEST", opt_ro_bind_fd, "Like --bind-fd, read-only (submounts too)", { COMPLETE_FD, F } },
        { "--chmod", 2, "OCTAL PATH", opt_chmod, "Change the mode of PATH, which must exist", { COMPLETE_NUMBER, F } },
        { "--mqueue", 1, "DEST", opt_mqueue, "Mount a new mqueue filesystem on DEST", { D } },
        { "--overlay-src", 1, "SRC", opt_overlay_src, "Add host path SRC as a lower layer of the next overlay", { D } },
        { "--overlay", 3, "RWSRC WORKDIR DEST", opt_overlay, "Overlay mount on DEST, writes going to RWSRC", { D, D, D } },
        { "--tmp-overlay", 1, "DEST", opt_tmp_overlay, "Overlay mount on DEST, writes going to a private tmpfs", { D } },
        { "--ro-overlay", 1, "DEST", opt_ro_overlay, "Read-only overlay mount of the sources on DEST", { D } },
        { "--perms", 1, "OCTAL", opt_perms, "Mode of what the next --tmpfs, --dir, --file or --bind-data makes", { COMPLETE_NUMBER } },
        { "--size", 1, "BYTES", opt_size, "Size limit of the next --tmpfs (K, M, G suffixes allowed)", { COMPLETE_NUMBER } },

        { "--seccomp", 1, "FD", opt_seccomp, "Load the seccomp BPF program read from FD (the last one given)", { COMPLETE_FD } },
        { "--add-seccomp-fd", 1, "FD", opt_add_seccomp_fd, "Stack the seccomp BPF program read from FD", { COMPLETE_FD } },
        { "--seccomp-profile", 1, "FILE", opt_seccomp_profile, "Compile a Docker/OCI JSON profile (or 'default') and load it", { F } },
        { "--seccomp-export", 1, "FILE", opt_seccomp_export, "Write the compiled profile as BPF to FILE and exit", { F } },
        { "--userns", 1, "FD", opt_userns, "Use the existing user namespace FD instead of a new one", { COMPLETE_FD } },
        { "--userns2", 1, "FD", opt_userns2, "After setup, switch into the user namespace FD", { COMPLETE_FD } },
        { "--pidns", 1, "FD", opt_pidns, "Use the existing pid namespace FD (as parent with --unshare-pid)", { COMPLETE_FD } },
        { "--disable-userns", 0, NULL, opt_disable_userns, "Stop the sandbox from creating user namespaces", { N } },
        { "--assert-userns-disabled", 0, NULL, opt_assert_userns_disabled, "Fail unless user namespaces are disabled inside", { N } },

        { "--lock-file", 1, "DEST", opt_lock_file, "Hold a lock on DEST while the sandbox runs", { F } },
        { "--sync-fd", 1, "FD", opt_sync_fd, "Keep FD open while the sandbox runs", { COMPLETE_FD } },
        { "--block-fd", 1, "FD", opt_block_fd, "Wait for data on FD before running the command", { COMPLETE_FD } },
        { "--userns-block-fd", 1, "FD", opt_userns_block_fd, "Wait on FD for the caller to set up the id maps", { COMPLETE_FD } },
        { "--info-fd", 1, "FD", opt_info_fd, "Write JSON about the sandbox (child and command pids, namespaces) to FD", { COMPLETE_FD } },
        { "--json-status-fd", 1, "FD", opt_json_status_fd, "Write JSON lines with the child and command pids and exit code to FD", { COMPLETE_FD } },
        { "--exec-label", 1, "LABEL", opt_exec_label, "SELinux context of the command (SELinux systems only)", { N } },
        { "--file-label", 1, "LABEL", opt_file_label, "SELinux context of the tmpfs mounts cocoon makes (SELinux systems only)", { N } },

        { "--landlock", 0, NULL, opt_landlock, "Landlock rules derived from the mounts: read-only stays read-only", { N } },
        { "--landlock-read", 1, "PATH", opt_landlock_read, "Landlock: let PATH be read", { F } },
        { "--landlock-write", 1, "PATH", opt_landlock_write, "Landlock: let PATH be read and changed", { F } },
        { "--landlock-exec", 1, "PATH", opt_landlock_exec, "Landlock: let PATH be read and executed", { F } },
        { "--connect-tcp", 1, "PORT[-PORT]", opt_connect_tcp, "Landlock: allow TCP connects to these ports only", { N } },
        { "--bind-tcp", 1, "PORT[-PORT]", opt_bind_tcp, "Landlock: allow TCP binds to these ports only", { N } },
        { "--scope-abstract-unix", 0, NULL, opt_scope_abstract_unix, "Landlock: no connects to abstract sockets outside", { N } },
        { "--scope-signals", 0, NULL, opt_scope_signals, "Landlock: no signals to processes outside", { N } },
        { "--landlock-best-effort", 0, NULL, opt_landlock_best_effort, "Skip, with a warning, what the kernel's Landlock lacks", { N } },

        { "--rlimit", 1, "NAME=SOFT[:HARD]", opt_rlimit, "Set a resource limit of the command (e.g. nofile=1024)", { N } },
        { "--memory-max", 1, "SIZE", opt_memory_max, "Memory limit of the sandbox (cgroup v2)", { COMPLETE_NUMBER } },
        { "--pids-max", 1, "N", opt_pids_max, "Process limit of the sandbox (cgroup v2)", { COMPLETE_NUMBER } },
        { "--cpu-max", 1, "PERCENT", opt_cpu_max, "CPU limit of the sandbox, in percent of one CPU (cgroup v2)", { COMPLETE_NUMBER } },
        { "--timeout", 1, "SECONDS", opt_timeout, "Kill the sandbox after SECONDS and exit 124", { COMPLETE_NUMBER } },
        { "--unshare-time", 0, NULL, opt_unshare_time, "Create a new time namespace", { N } },
        { "--monotonic-offset", 1, "SECONDS", opt_monotonic_offset, "Shift CLOCK_MONOTONIC inside (with --unshare-time)", { COMPLETE_NUMBER } },
        { "--boottime-offset", 1, "SECONDS", opt_boottime_offset, "Shift CLOCK_BOOTTIME inside (with --unshare-time)", { COMPLETE_NUMBER } },

        { "--new-session", 0, NULL, opt_new_session, "Start a new terminal session (setsid)", { N } },
        { "--die-with-parent", 0, NULL, opt_die_with_parent, "Kill the whole sandbox when cocoon's parent dies", { N } },
        { "--as-pid-1", 0, NULL, opt_as_pid_1, "Run the command as pid 1 (no reaper) with --unshare-pid", { N } },
        { "--cap-add", 1, "CAP", opt_cap_add, "Give the command capability CAP (or ALL)", { COMPLETE_CAP } },
        { "--cap-drop", 1, "CAP", opt_cap_drop, "Take capability CAP (or ALL) from the command", { COMPLETE_CAP } },
};
/* clang-format on */

#undef F
#undef D
#undef N

const struct option_def *option_table(size_t *n)
{
        *n = ARRAY_SIZE(table);
        return table;
}

const char *complete_kind_name(enum complete_kind k)
{
        static const char *const names[] = {
                [COMPLETE_NONE] = "none", [COMPLETE_FILE] = "file", [COMPLETE_DIR] = "dir",       [COMPLETE_FD] = "fd",
                [COMPLETE_CAP] = "cap",   [COMPLETE_ENV] = "env",   [COMPLETE_NUMBER] = "number",
        };
        return k < ARRAY_SIZE(names) ? names[k] : "none";
}

void print_help(FILE *out)
{
        fprintf(out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n", log_progname());
        for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
                char left[64];
                snprintf(left, sizeof left, "%s%s%s", table[i].name, table[i].metavar ? " " : "",
                         table[i].metavar ? table[i].metavar : "");
                fprintf(out, "    %-28s %s\n", left, table[i].help);
        }
}

static const struct option_def *lookup(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(table); i++)
                if (strcmp(table[i].name, name) == 0)
                        return &table[i];
        return NULL;
}

static void parse_state_free(struct parse_state *st)
{
        for (size_t i = 0; i < st->n_layers; i++)
                free(st->layers[i]);
        free(st->layers);
        for (size_t i = 0; i < st->n_buffers; i++)
                free(st->buffers[i]);
        free(st->buffers);
        free(st->args);
}

int parse_command_line(struct plan *plan, int argc, char **argv, int *exit_now)
{
        struct parse_state st = {.plan = plan};
        int r = -1;

        *exit_now = 0;
        if ((size_t) argc > MAX_ARGS) {
                log_error("too many arguments (the limit is %d)", MAX_ARGS);
                return -1;
        }
        st.args = xmalloc(sizeof(char *) * ((size_t) argc + 1));
        memcpy(st.args, argv, sizeof(char *) * (size_t) argc);
        st.args[argc] = NULL;
        st.n_args = (size_t) argc;

        while (st.pos < st.n_args) {
                const char *arg = st.args[st.pos];
                const struct option_def *o;

                if (strcmp(arg, "--") == 0) {
                        st.pos++;
                        break;
                }
                if (arg[0] != '-')
                        break;
                o = lookup(arg);
                if (!o) {
                        log_error("unknown option %s", arg);
                        goto out;
                }
                st.flag = o->name;
                if (st.n_args - st.pos - 1 < o->nargs) {
                        log_error("%s: needs %u argument%s (%s)", o->name, o->nargs, o->nargs > 1 ? "s" : "",
                                  o->metavar);
                        goto out;
                }
                {
                        char *a[OPTION_MAX_ARGS];
                        memcpy(a, &st.args[st.pos + 1], sizeof(char *) * o->nargs);
                        st.pos += 1 + o->nargs;
                        r = o->handler(&st, a);
                }
                if (r < 0)
                        goto out;
                r = r > 0 ? r : -1; /* from here on, a jump to out is a failure */
                /* --perms and --size reach only the option right after them
                 * (they may come together, in either order). */
                if (st.perms_pending && o->handler != opt_perms && o->handler != opt_size) {
                        log_error("--perms: must be followed by --tmpfs, --dir, --file, --bind-data or --ro-bind-data");
                        goto out;
                }
                if (st.size_pending && o->handler != opt_size && o->handler != opt_perms) {
                        log_error("--size: must be followed by --tmpfs");
                        goto out;
                }
                if (st.n_layers && o->handler != opt_overlay_src) {
                        log_error("--overlay-src: must be followed by --overlay, --tmp-overlay or --ro-overlay");
                        goto out;
                }
                if (r > 0) { /* --help (1) or --version (2) */
                        if (r == 1)
                                print_help(stdout);
                        else if (log_is_bwrap())
                                printf("bubblewrap %s\n", BWRAP_COMPAT_VERSION);
                        else
                                printf("cocoon %s\n", COCOON_VERSION);
                        *exit_now = 1;
                        r = 0;
                        goto out;
                }
        }

        if (st.perms_pending) {
                log_error("--perms: must be followed by --tmpfs, --dir, --file, --bind-data or --ro-bind-data");
                goto out;
        }
        if (st.size_pending) {
                log_error("--size: must be followed by --tmpfs");
                goto out;
        }
        if (st.n_layers) {
                log_error("--overlay-src: must be followed by --overlay, --tmp-overlay or --ro-overlay");
                goto out;
        }
        if (st.pos >= st.n_args && !plan->seccomp_export) {
                log_error("no command given (try --help)");
                goto out;
        }
        plan->argc = st.n_args - st.pos;
        plan->argv = xcalloc(plan->argc + 1, sizeof(char *));
        for (size_t i = 0; i < plan->argc; i++)
                plan->argv[i] = xstrdup(st.args[st.pos + i]);
        r = 0;
out:
        parse_state_free(&st);
        return r;
}
