/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct plan;
struct cgroup;

/* What the monitor is given. */
struct monitor_opts {
        const struct plan *plan;
        bool relay;                  /* an intermediate that only relays signals (see spawn_sandbox) */
        pid_t original_parent;       /* to notice that it died (--die-with-parent) */
        int report_fd;               /* the sandbox's report channel (see report.h), or -1 */
        int proxy_fd;                /* --allow-host: where the proxy's listening socket comes from, or -1 */
        const struct cgroup *cgroup; /* the sandbox's, if any */
        int tty;                     /* our controlling terminal, when we are its foreground, or -1 */
        pid_t foreground;            /* then our process group, to give back at the end */
        int net_fd;                  /* --net pasta: the channel to the sandbox (netpasta.h), or -1 */
        const char *pasta;           /* --net pasta: pasta's path */
};

/* Before the sandbox starts (a shell in it may take the terminal at once):
 * fill in o's tty and foreground. */
void monitor_note_terminal(struct monitor_opts *o);

struct monitor;
typedef void monitor_handler(struct monitor *m, void *data, uint32_t events);

/*
 * A service: a small unit that serves the sandbox while it runs. init
 * watches the fds it needs (monitor_watch); the loop calls their handlers;
 * teardown runs once the sandbox's first process has ended, before the
 * leftovers are killed. Everything a service reads from the sandbox is
 * hostile: bound each read, and never block.
 */
struct monitor_service {
        const char *name;
        int (*init)(struct monitor *m);      /* 0, or -1 after a message */
        void (*teardown)(struct monitor *m); /* may be NULL */
};

struct monitor_watch {
        int fd; /* -1: unwatched */
        monitor_handler *h;
        void *data;
};

struct monitor {
        const struct monitor_opts *o;
        int epoll_fd;
        struct monitor_watch watches[16];
        unsigned n_watches;
        pid_t child;       /* the sandbox's first process (or the relay), our child */
        int child_pidfd;   /* of it; -1 where pidfd_open is missing */
        int command_pidfd; /* the command's, once it has told us (see report.c), or -1 */
        pid_t command_pid; /* as we see it, or 0 */
        bool child_reaped;
        bool done;           /* the child has ended, or a service ended the sandbox: leave the loop */
        int status;          /* the child's wait status, once done */
        struct rusage usage; /* of the child and what it reaped, once done */
        int forced_code;     /* -1, or the exit code a service decided (--timeout, a dead parent) */
        bool said;           /* a service has given the last word already */
};

/* Watch fd in the loop: h(m, data, events) when it is ready. */
int monitor_watch(struct monitor *m, int fd, uint32_t events, monitor_handler *h, void *data);
void monitor_unwatch(struct monitor *m, int fd);

/* Kill every process of the sandbox now: its cgroup, its pid namespace's
 * init, the command's process group, each by a pidfd (or the cgroup), never
 * by a pid that may have been reused. */
void monitor_kill_sandbox(struct monitor *m);

/* Reap what has ended; when the child has, note its status and end the loop. */
void monitor_reap(struct monitor *m);

/* The last word: one line on stderr naming what ended the command (under
 * the bwrap name, nothing, as bwrap says nothing). */
void monitor_last_word(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The services, one file each (their state is their file's own: one
 * monitor runs per process). */
extern const struct monitor_service monitor_signals, monitor_timeout, monitor_parent, monitor_report, monitor_last,
        monitor_events, monitor_notify, monitor_proxy, monitor_pasta;

/* The seccomp listener, from the report channel: taken when it is one and
 * the plan asks for a report (mon-notify.c); else closed. */
void monitor_notify_listener(struct monitor *m, int *fd);

/* The monitor, outside the sandbox: serves it while it runs, kills whatever
 * it left behind, and returns the exit code for cocoon. */
int monitor_run(pid_t child, const struct monitor_opts *o);
