/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "report.h"

/* --learn: write to fd (the file path, made when parsed) a profile of what
 * the events say the command needed: each event's suggested option, as its
 * learn field says (report.h), and the system calls a seccomp profile
 * refused, as a comment. It never adds more than the events suggest, and
 * adds what widens more than a read only with a comment to review it.
 * Returns 0 or -1. */
int learn_write(int fd, const char *path, const struct report_event *ev, const unsigned long *count, size_t n);

/* word as one word of a profile (and of a shell command): as it is, or in
 * single quotes; NULL when it can't be one (a quote or a backslash in it). */
char *learn_quote(const char *word);
