/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The option table and the parser that turns argv into a plan. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "opts.h"

#include "log.h"
#include "plan.h"
#include "preset.h"
#include "suggest.h"
#include "util.h"
#include "version.h"

#include "config.h"

/* bwrap refuses more than this many arguments, counting --args data. */
#define MAX_ARGS OPTIONS_MAX_ARGS
/* Upper bound on the bytes read from one --args fd. */
#define MAX_ARGS_BYTES (16u * 1024 * 1024)

/* ---- the handlers of the parser's own options (the rest: opts-*.c) ---- */

int opt_help(struct parse_state *st, char **a)
{
        return 1;
}
int opt_version(struct parse_state *st, char **a)
{
        return 2;
}

int opt_args(struct parse_state *st, char **a)
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

int opt_level_prefix(struct parse_state *st, char **a)
{
        log_set_level_prefix(true);
        return 0;
}

/* ---- the table ----------------------------------------------------------- */

#define F COMPLETE_FILE
#define D COMPLETE_DIR
#define N COMPLETE_NONE

/* clang-format off */
static const struct option_def table[] = {
        { "--help", 0, NULL, opt_help, "Print this help and exit", { N } },
        { "--version", 0, NULL, opt_version, "Print the version and exit", { N } },
        { "--args", 1, "FD", opt_args, "Read NUL-separated options from FD", { COMPLETE_FD } },
        { "--argv0", 1, "VALUE", opt_argv0, "Set argv[0] of the command to VALUE", { N } },
        { "--level-prefix", 0, NULL, opt_level_prefix, "Prefix messages with a syslog level like <3>", { N } },
        { "--explain", 0, NULL, opt_explain, "Print the sandbox the options describe, with warnings, and exit", { N } },
        { "--explain=json", 0, NULL, opt_explain_json, "The same, as JSON", { N } },
        { "--profile", 1, "NAME|FILE", opt_profile, "Take the options of a profile here (a built-in, or a file)", { F } },

        { "--unshare-all", 0, NULL, opt_unshare_all, "Unshare every namespace that can be (user and cgroup when possible)", { N } },
        { "--share-net", 0, NULL, opt_share_net, "Keep the network namespace (with --unshare-all)", { N } },
        { "--unshare-user", 0, NULL, opt_unshare_user, "Create a new user namespace", { N } },
        { "--unshare-user-try", 0, NULL, opt_unshare_user_try, "Create a new user namespace if the kernel allows it", { N } },
        { "--unshare-ipc", 0, NULL, opt_unshare_ipc, "Create a new IPC namespace", { N } },
        { "--unshare-pid", 0, NULL, opt_unshare_pid, "Create a new PID namespace", { N } },
        { "--unshare-net", 0, NULL, opt_unshare_net, "Create a new network namespace with loopback up", { N } },
        { "--unshare-uts", 0, NULL, opt_unshare_uts, "Create a new UTS namespace (hostname)", { N } },
        { "--unshare-cgroup", 0, NULL, opt_unshare_cgroup, "Create a new cgroup namespace", { N } },
        { "--allow-host", 1, "HOST[:PORT]", opt_allow_host, "Network only through a proxy to HOST (port 443 and 80, *.domain matches below it)", { N } },
        { "--unshare-cgroup-try", 0, NULL, opt_unshare_cgroup_try, "Create a new cgroup namespace if the kernel has them", { N } },
        { "--net", 1, "MODE", opt_net, "Network: pasta (own namespace, outbound through pasta), none or host", { N } },
        { "--forward", 1, "PROTO:HOSTPORT[:PORT]", opt_forward, "With --net pasta: forward a tcp or udp port of the host into the sandbox", { N } },
        { "--uid", 1, "UID", opt_uid, "User id inside the sandbox", { COMPLETE_NUMBER } },
        { "--gid", 1, "GID", opt_gid, "Group id inside the sandbox", { COMPLETE_NUMBER } },
        { "--map-users", 1, "auto", opt_map_users, "Map you to root inside and your subordinate ids (/etc/subuid) above", { N } },
        { "--uid-map", 1, "IN:OUT:COUNT", opt_uid_map, "Map COUNT user ids from OUT outside to IN inside (repeatable)", { N } },
        { "--gid-map", 1, "IN:OUT:COUNT", opt_gid_map, "Map COUNT group ids from OUT outside to IN inside (repeatable)", { N } },
        { "--hostname", 1, "NAME", opt_hostname, "Hostname inside the sandbox (needs --unshare-uts)", { N } },

        { "--chdir", 1, "DIR", opt_chdir, "Change to DIR inside the sandbox", { D } },
        { "--setenv", 2, "VAR VALUE", opt_setenv, "Set an environment variable", { COMPLETE_ENV, N } },
        { "--unsetenv", 1, "VAR", opt_unsetenv, "Unset an environment variable", { COMPLETE_ENV } },
        { "--clearenv", 0, NULL, opt_clearenv, "Start from an empty environment (PWD is still set)", { N } },
        { "--keep-env", 1, "VAR", opt_keep_env, "Keep VAR (or every VAR* for a trailing *) from cocoon's environment", { COMPLETE_ENV } },

        { "--bind", 2, "SRC DEST", opt_bind, "Bind mount host path SRC on DEST", { F, F } },
        { "--bind-try", 2, "SRC DEST", opt_bind_try, "Like --bind, but skip a missing SRC", { F, F } },
        { "--ro-bind", 2, "SRC DEST", opt_ro_bind, "Bind mount SRC read-only (submounts too) on DEST", { F, F } },
        { "--ro-bind-try", 2, "SRC DEST", opt_ro_bind_try, "Like --ro-bind, but skip a missing SRC", { F, F } },
        { "--dev-bind", 2, "SRC DEST", opt_dev_bind, "Bind mount SRC on DEST, allowing device access", { F, F } },
        { "--dev-bind-try", 2, "SRC DEST", opt_dev_bind_try, "Like --dev-bind, but skip a missing SRC", { F, F } },
        { "--remount-ro", 1, "DEST", opt_remount_ro, "Make the mount at DEST read-only, nosuid and nodev", { D } },
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
        { "--size", 1, "BYTES", opt_size, "Size limit of the next --tmpfs (0x hex, 0 octal; K, M, G suffixes)", { COMPLETE_NUMBER } },

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
        { "--report", 0, NULL, opt_report, "When the sandbox ends, say on stderr what it refused and which option would allow it", { N } },
        { "--report-fd", 1, "FD", opt_report_fd, "Write what the sandbox refuses to FD as JSON lines, while it runs", { COMPLETE_FD } },
        { "--learn", 1, "FILE", opt_learn, "Observe the command and write a profile of what it needed to FILE, for review", { F } },
        { "--exec-label", 1, "LABEL", opt_exec_label, "SELinux context of the command (SELinux systems only)", { N } },
        { "--file-label", 1, "LABEL", opt_file_label, "SELinux context of the tmpfs mounts cocoon makes (SELinux systems only)", { N } },

        { "--not-a-security-boundary", 0, NULL, opt_not_a_security_boundary, "Let the submounts of a bind keep their flags when they can't be changed (warns)", { N } },
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

        { "--check", 0, NULL, opt_check, "Tell what this host allows for sandboxes, and how to fix what it doesn't; exit", { N } },
        { "--check=json", 0, NULL, opt_check_json, "The same, as JSON", { N } },
        { "--fallback", 1, "landlock", opt_fallback, "Where the host refuses namespaces, run with Landlock alone and list what that can't enforce", { N } },
        { "--require", 1, "PART", opt_require, "Refuse the fallback if it can't enforce PART (tmpfs, pid, net, ..., all)", { N } },
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

/* --help's topics, each starting at an option of the table. */
static const struct {
        const char *first, *heading;
} help_groups[] = {
        {"--help", "General"},
        {"--unshare-all", "Namespaces and identity"},
        {"--chdir", "The command's directory and environment"},
        {"--bind", "File system"},
        {"--seccomp", "Seccomp"},
        {"--userns", "Joining existing namespaces"},
        {"--lock-file", "Coordination with the caller"},
        {"--exec-label", "SELinux"},
        {"--landlock", "Landlock"},
        {"--rlimit", "Resource limits"},
        {"--unshare-time", "Time namespace"},
        {"--new-session", "Process and capabilities"},
        {"--check", "Restricted hosts"},
};

void print_help(FILE *out)
{
        const bool bw = log_is_bwrap();
        const char *const *profiles = preset_builtin_names();

        fprintf(out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n", log_invoked_as());
        if (!bw) {
                fputs("Runs COMMAND in a sandbox that the options describe, in order. Start from a profile\n"
                      "and refine it: cocoon --profile shell bash. Add --explain to see what you get.\n"
                      "Built-in profiles (man cocoon, PROFILES):",
                      out);
                for (size_t i = 0, col = 40; profiles[i]; i++) {
                        bool wrap = col + strlen(profiles[i]) + 2 > 78;
                        fprintf(out, "%s%s%s", i ? "," : "", wrap ? "\n    " : " ", profiles[i]);
                        col = (wrap ? 4 : col + 2) + strlen(profiles[i]);
                }
                fputs(".\n", out);
        }
        for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
                char left[64];
                for (size_t g = 0; !bw && g < ARRAY_SIZE(help_groups); g++)
                        if (strcmp(table[i].name, help_groups[g].first) == 0)
                                fprintf(out, "\n%s:\n", help_groups[g].heading);
                snprintf(left, sizeof left, "%s%s%s", table[i].name, table[i].metavar ? " " : "",
                         table[i].metavar ? table[i].metavar : "");
                fprintf(out, "    %-28s %s\n", left, table[i].help);
        }
}

/* --perms and --size reach only the option right after them (they may come
 * together, in either order), --overlay-src only another one or an overlay.
 * DONE is the handler of the option just parsed; NULL at the end of the
 * options, or of the --args data, as bwrap checks after --args. */
static int check_modifiers(const struct parse_state *st, int (*done)(struct parse_state *, char **))
{
        const bool bw = log_is_bwrap();

        if (st->perms_pending && done != opt_perms && done != opt_size)
                log_error(bw ? "--perms must be followed by an option that creates a file"
                             : "--perms: must be followed by --tmpfs, --dir, --file, --bind-data or --ro-bind-data");
        else if (st->size_pending && done != opt_size && done != opt_perms)
                log_error(bw ? "--size must be followed by --tmpfs" : "--size: must be followed by --tmpfs");
        else if (st->n_layers && done != opt_overlay_src)
                log_error(bw ? "--overlay-src must be followed by another --overlay-src or one of --overlay, "
                               "--tmp-overlay, or --ro-overlay"
                             : "--overlay-src: must be followed by --overlay, --tmp-overlay or --ro-overlay");
        else
                return 0;
        return -1;
}

/* bwrap parses --args data on its own: an argument that is not an option,
 * or a "--", ends it, and what follows in the data is ignored (the command
 * comes from the command line). */
static void skip_rest_of_data(struct parse_state *st)
{
        if (!log_is_bwrap())
                log_warning("--args: ignoring '%s' and the rest of the data: the command goes on the command line",
                            st->args[st->pos]);
        st->pos = st->args_end;
}

const struct option_def *option_lookup(const char *name)
{
        return optdef_find(table, ARRAY_SIZE(table), name);
}

static void parse_state_free(struct parse_state *st)
{
        log_set_context(NULL);
        opts_profile_free(st);
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
        struct parse_state st = {.plan = plan, .table = table, .n_table = ARRAY_SIZE(table)};
        bool in_data = false; /* parsing what --args spliced in */
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

        for (;;) {
                const struct option_def *o;
                const char *arg;
                size_t end;

                if (in_data && st.pos >= st.args_end) {
                        in_data = false;
                        if (check_modifiers(&st, NULL) < 0)
                                goto out;
                }
                if (st.pos >= st.n_args)
                        break;
                arg = st.args[st.pos];
                log_set_context(opts_profile_where(&st));
                end = in_data ? st.args_end : st.n_args;
                if (strcmp(arg, "--") == 0 || arg[0] != '-') {
                        if (in_data) {
                                skip_rest_of_data(&st);
                                continue;
                        }
                        if (arg[0] == '-') /* the "--" itself */
                                st.pos++;
                        break;
                }
                o = option_lookup(arg);
                if (!o) {
                        suggest_unknown_option(arg, table, ARRAY_SIZE(table));
                        goto out;
                }
                st.flag = o->name;
                if (end - st.pos - 1 < o->nargs) {
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
                r = r > 0 ? r : -1;           /* from here on, a jump to out is a failure */
                if (o->handler == opt_args) { /* checked where its data ends */
                        in_data = true;
                        continue;
                }
                if (check_modifiers(&st, o->handler) < 0)
                        goto out;
                if (r > 0) { /* --help (1) or --version (2) */
                        if (r == 1)
                                print_help(stdout);
                        else if (log_is_bwrap())
                                printf("bubblewrap %s\n", BWRAP_COMPAT_VERSION);
                        else
                                version_print(stdout);
                        *exit_now = 1;
                        r = 0;
                        goto out;
                }
        }
        log_set_context(NULL);
        if (check_modifiers(&st, NULL) < 0)
                goto out;
        if (st.pos >= st.n_args && !plan->seccomp_export && !plan->explain && !plan->check) {
                log_error("no command given (try --help)");
                goto out;
        }
        plan->argc = st.n_args - st.pos;
        plan->argv = xcalloc(plan->argc + 1, sizeof(char *));
        for (size_t i = 0; i < plan->argc; i++)
                plan->argv[i] = xstrdup(st.args[st.pos + i]);
        opts_proxy_env(plan);
        r = 0;
out:
        parse_state_free(&st);
        return r;
}
