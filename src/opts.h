/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by options.c (the table and the parse loop) and the opts-*.c files
 * that hold the option handlers, one file per group of options. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "optdef.h"
#include "plan.h"

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
        size_t args_end;                /* where the --args data spliced in last ends */
        struct profile_state *profiles; /* --profile: opts-profile.c */
        const struct option_def *table; /* the option table, for handlers that read options */
        size_t n_table;
        /* for warnings about options that later ones undo */
        bool share_net_given;
        bool env_set;
        uint64_t caps_added;
};

/* bwrap refuses more than this many arguments, counting --args data. */
#define OPTIONS_MAX_ARGS 9000

/* One error line, "FLAG: message"; returns -1. */
int fail(struct parse_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A single-value option given again: bwrap warns that only the last one
 * counts, and so do we. */
void warn_given_again(struct parse_state *st);
/* A path argument: never empty. */
int want_path(struct parse_state *st, const char *what, const char *s);
/* A destination inside the sandbox: never empty, never above its root. */
int want_dest(struct parse_state *st, const char *s);

enum fd_use {
        FD_ANY,    /* any open fd, O_PATH included */
        FD_READ,   /* open for reading */
        FD_WRITE,  /* open for writing */
        FD_USERNS, /* a user namespace */
        FD_PIDNS,  /* a pid namespace */
};
int fd_arg(struct parse_state *st, const char *s, enum fd_use use, int *out);

/* Give op the pending --perms, if any. */
int take_perms(struct parse_state *st, struct fs_op *op);
/* Add an operation of this kind on dest (checked with want_dest). */
struct fs_op *add_dest_op(struct parse_state *st, enum fs_op_kind kind, const char *dest);

/* The handlers, by group; options.c's table names them. */
int opt_help(struct parse_state *st, char **a);
int opt_version(struct parse_state *st, char **a);
int opt_args(struct parse_state *st, char **a);
int opt_level_prefix(struct parse_state *st, char **a);

/* opts-proxy.c: --allow-host, and the variables that lead the command to
 * the proxy (set once the options are parsed) */
int opt_allow_host(struct parse_state *st, char **a);
void opts_proxy_env(struct plan *p);

/* opts-profile.c: --profile */
int opt_profile(struct parse_state *st, char **a);
/* "FILE:LINE" of the word at st->pos when a profile gave it, else NULL. */
const char *opts_profile_where(struct parse_state *st);
void opts_profile_free(struct parse_state *st);

/* opts-ns.c: namespaces, ids, hostname, time offsets */
int opt_unshare_user(struct parse_state *st, char **a);
int opt_unshare_ipc(struct parse_state *st, char **a);
int opt_unshare_pid(struct parse_state *st, char **a);
int opt_unshare_net(struct parse_state *st, char **a);
int opt_unshare_uts(struct parse_state *st, char **a);
int opt_unshare_cgroup(struct parse_state *st, char **a);
int opt_unshare_user_try(struct parse_state *st, char **a);
int opt_unshare_cgroup_try(struct parse_state *st, char **a);
int opt_unshare_all(struct parse_state *st, char **a);
int opt_share_net(struct parse_state *st, char **a);
int opt_uid(struct parse_state *st, char **a);
int opt_gid(struct parse_state *st, char **a);
int opt_hostname(struct parse_state *st, char **a);
/* opts-idmap.c: many ids */
int opt_map_users(struct parse_state *st, char **a);
int opt_uid_map(struct parse_state *st, char **a);
int opt_gid_map(struct parse_state *st, char **a);
int opt_disable_userns(struct parse_state *st, char **a);
int opt_assert_userns_disabled(struct parse_state *st, char **a);
int opt_unshare_time(struct parse_state *st, char **a);
int opt_monotonic_offset(struct parse_state *st, char **a);
int opt_boottime_offset(struct parse_state *st, char **a);

/* opts-net.c: --net and --forward */
int opt_net(struct parse_state *st, char **a);
int opt_forward(struct parse_state *st, char **a);

/* opts-command.c: the command: argv0, directory, environment, session */
int opt_argv0(struct parse_state *st, char **a);
int opt_chdir(struct parse_state *st, char **a);
int opt_setenv(struct parse_state *st, char **a);
int opt_unsetenv(struct parse_state *st, char **a);
int opt_clearenv(struct parse_state *st, char **a);
int opt_keep_env(struct parse_state *st, char **a);
int opt_explain(struct parse_state *st, char **a);
int opt_explain_json(struct parse_state *st, char **a);
int opt_new_session(struct parse_state *st, char **a);
int opt_die_with_parent(struct parse_state *st, char **a);
int opt_as_pid_1(struct parse_state *st, char **a);

/* opts-fs.c: the filesystem */
int opt_bind(struct parse_state *st, char **a);
int opt_bind_try(struct parse_state *st, char **a);
int opt_ro_bind(struct parse_state *st, char **a);
int opt_ro_bind_try(struct parse_state *st, char **a);
int opt_dev_bind(struct parse_state *st, char **a);
int opt_dev_bind_try(struct parse_state *st, char **a);
int opt_remount_ro(struct parse_state *st, char **a);
int opt_tmpfs(struct parse_state *st, char **a);
int opt_dir(struct parse_state *st, char **a);
int opt_symlink(struct parse_state *st, char **a);
int opt_proc(struct parse_state *st, char **a);
int opt_dev(struct parse_state *st, char **a);
int opt_sys(struct parse_state *st, char **a);
int opt_mask(struct parse_state *st, char **a);
int opt_unmask(struct parse_state *st, char **a);
int opt_perms(struct parse_state *st, char **a);
int opt_size(struct parse_state *st, char **a);
int opt_file(struct parse_state *st, char **a);
int opt_bind_data(struct parse_state *st, char **a);
int opt_ro_bind_data(struct parse_state *st, char **a);
int opt_bind_fd(struct parse_state *st, char **a);
int opt_ro_bind_fd(struct parse_state *st, char **a);
int opt_chmod(struct parse_state *st, char **a);
int opt_mqueue(struct parse_state *st, char **a);
int opt_overlay_src(struct parse_state *st, char **a);
int opt_overlay(struct parse_state *st, char **a);
int opt_tmp_overlay(struct parse_state *st, char **a);
int opt_ro_overlay(struct parse_state *st, char **a);

/* opts-lockdown.c: capabilities, labels, seccomp, Landlock */
int opt_cap_add(struct parse_state *st, char **a);
int opt_cap_drop(struct parse_state *st, char **a);
int opt_exec_label(struct parse_state *st, char **a);
int opt_file_label(struct parse_state *st, char **a);
int opt_seccomp(struct parse_state *st, char **a);
int opt_add_seccomp_fd(struct parse_state *st, char **a);
int opt_seccomp_profile(struct parse_state *st, char **a);
int opt_seccomp_export(struct parse_state *st, char **a);
int opt_not_a_security_boundary(struct parse_state *st, char **a);
int opt_landlock(struct parse_state *st, char **a);
int opt_landlock_best_effort(struct parse_state *st, char **a);
int opt_landlock_read(struct parse_state *st, char **a);
int opt_landlock_write(struct parse_state *st, char **a);
int opt_landlock_exec(struct parse_state *st, char **a);
int opt_connect_tcp(struct parse_state *st, char **a);
int opt_bind_tcp(struct parse_state *st, char **a);
int opt_scope_abstract_unix(struct parse_state *st, char **a);
int opt_scope_signals(struct parse_state *st, char **a);

/* opts-limits.c: rlimits, cgroup limits, timeout */
int opt_rlimit(struct parse_state *st, char **a);
int opt_memory_max(struct parse_state *st, char **a);
int opt_pids_max(struct parse_state *st, char **a);
int opt_cpu_max(struct parse_state *st, char **a);
int opt_timeout(struct parse_state *st, char **a);

/* opts-host.c: restricted hosts */
int opt_check(struct parse_state *st, char **a);
int opt_check_json(struct parse_state *st, char **a);
int opt_fallback(struct parse_state *st, char **a);
int opt_require(struct parse_state *st, char **a);

/* opts-coord.c: coordination with the caller: fds, namespaces, lock files */
int opt_lock_file(struct parse_state *st, char **a);
int opt_sync_fd(struct parse_state *st, char **a);
int opt_block_fd(struct parse_state *st, char **a);
int opt_userns_block_fd(struct parse_state *st, char **a);
int opt_info_fd(struct parse_state *st, char **a);
int opt_json_status_fd(struct parse_state *st, char **a);
/* opts-report.c: observing the sandbox */
int opt_report(struct parse_state *st, char **a);
int opt_report_fd(struct parse_state *st, char **a);
int opt_learn(struct parse_state *st, char **a);
int opt_userns(struct parse_state *st, char **a);
int opt_userns2(struct parse_state *st, char **a);
int opt_pidns(struct parse_state *st, char **a);
