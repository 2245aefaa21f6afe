/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "status.h"

struct plan;

/* What the sandbox's first process carries from the finished root to the
 * command. */
struct pid1 {
        const struct plan *plan;
        const char *cwd;     /* where the command starts */
        sigset_t saved_mask; /* the caller's signal mask, for the command */
        mode_t saved_umask;
        const int *lock_fds; /* --lock-file: held by the reaper, or by the command when there is none */
        size_t n_lock_fds;
        bool shares_memory; /* runs in the monitor's memory (see launch.c) */
        int release_fd;     /* then the write end of the monitor's pipe, else -1 */
        bool fork_command;  /* the command may not share our memory (sanitizers, valgrind) */
        int monitor_pidfd;  /* kept only when the reaper must clean up (plan_reaper_cleans_up) */
        int host_proc;      /* the host's procfs, or -1 */
        bool nest_command;  /* the command locks its mounts in a user namespace of its own (userns_nest) */
        int report_fd;      /* the monitor's report channel (see mon-report.c), or -1 */
        bool ns_pending;    /* pid 1 sends ns (or collects it first) once the command has started */
        bool ns_collected;
        struct ns_report ns;
        int self_exe;     /* without a freestanding reaper, cocoon's own file, to copy; or -1 */
        int notify_chan;  /* --report: a copy of report_fd, to hand the monitor the listener (see pid1.c), or -1 */
        int exec_note_fd; /* --json-status-fd: the command notes its exec here (status_exec_note), or -1 */
        int proxy_fd; /* --allow-host, when the command makes the network namespace again: see net_proxy_hand_over */

        /* filled in by pid1_run */
        char **argv;     /* the command's */
        int image_fd;    /* the freestanding reaper, or -1 */
        int children_fd; /* our children file, for a reaper that cleans up */
        int gate[2];     /* the command waits on gate[0] until pid 1 is out of its reach */
        int nested[2];   /* the command tells pid 1 its mount namespace, once it has locked its mounts */
        char *stack;     /* the command's stack, while it runs in our memory */
        bool filters_on; /* the seccomp programs are loaded here, before the fork */
        bool gated;      /* the command waits at the gate until pid 1 is locked down and out of reach */
        pid_t pid;       /* ours, for the command to check its parent by */
};

/* From the finished root to the command: lock this process down exactly as
 * the command will be, start the command (under a reaper when the plan needs
 * one), and exec it. Never returns. */
_Noreturn void pid1_run(struct pid1 *s);
