/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the sandbox refused, and what would allow it: the events of --report,
 * --report-fd and --learn. Any monitor service may add one (the seccomp
 * listener in mon-notify.c does; a proxy that refuses a host would too):
 *
 *      report_event(&(struct report_event){
 *              .kind = REPORT_NETWORK, .pid = pid, .syscall = "connect",
 *              .address = "example.org:443", .verdict = "refused",
 *              .cause = "example.org is not in --allow-host",
 *              .suggest = "--allow-host example.org"});
 *
 * Strings are copied (and made printable: they may come from the sandbox);
 * NULL for what does not apply. Events are kept de-duplicated by kind,
 * syscall, path and address, at most REPORT_MAX of them (then counted);
 * each new one is written to --report-fd at once, as a JSON line (the schema
 * is src/report.schema.json). When the sandbox ends, the service writes the
 * summary (--report) and the profile (--learn). Nothing happens unless the
 * plan asks for a report.
 */
#include <stdbool.h>
#include <sys/types.h>

enum report_kind {
        REPORT_MISSING,     /* a path not in the sandbox that the host has */
        REPORT_READONLY,    /* a write under a read-only mount */
        REPORT_MASKED,      /* a path cocoon hides */
        REPORT_LANDLOCK,    /* outside the Landlock rules */
        REPORT_SECCOMP,     /* a call a seccomp profile refused */
        REPORT_NETWORK,     /* a connect or bind with no way out */
        REPORT_INTERPRETER, /* an exec whose interpreter is missing */
        REPORT_KINDS
};

/* How a profile line from --learn is to be read. */
enum report_learn {
        LEARN_NONE,    /* nothing to add */
        LEARN_ADD,     /* an option that allows a read: added as it is */
        LEARN_REVIEW,  /* an option that allows writes or more: added, with a comment to review it */
        LEARN_COMMENT, /* too wide to add: written commented out, for the reader to decide */
};

struct report_event {
        enum report_kind kind;
        pid_t pid;
        const char *exe;
        const char *syscall;
        const char *path;
        const char *address;
        const char *verdict; /* "refused" (answered with an errno), "fails" (will fail), "hidden" (reads an empty
                                stand-in) */
        int err;             /* the errno the command gets, or 0 */
        const char *cause;   /* one short sentence */
        const char *suggest; /* the option that would allow it, or NULL */
        enum report_learn learn;
};

#define REPORT_MAX 512

void report_event(const struct report_event *e);
/* Counted, not kept: calls the monitor let go unexamined (a flood). */
void report_dropped(unsigned long n);
const char *report_kind_name(enum report_kind k);

struct monitor_service;
extern const struct monitor_service monitor_events;
