/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --check: what this host allows, one line per item, and how to fix what
 * it doesn't. */
#pragma once

#include <stdbool.h>

enum check_status { CHECK_OK, CHECK_LIMITED, CHECK_MISSING };

/* The report so far; each item is added with check_add. */
struct check_report {
        struct check_item {
                const char *name; /* a short key, for JSON */
                const char *title;
                enum check_status status;
                char detail[512];
                char fix[384];
                bool core; /* the sandbox needs it: missing fails --check */
        } items[24];
        int n;
};

void check_add(struct check_report *r, const char *name, const char *title, bool core, enum check_status status,
               const char *fix, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* check-more.c: the items that don't need the namespace probe. */
void check_syscalls(struct check_report *r);
void check_landlock(struct check_report *r);
void check_seccomp_notify(struct check_report *r);
void check_cgroup(struct check_report *r);
void check_helpers(struct check_report *r);

/* Run every probe and print the report, as text or (json) one JSON object,
 * on stdout. Returns the exit status: 0 when the full sandbox works here. */
int check_run(bool json);
