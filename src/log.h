/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Who we present ourselves as: "cocoon", or "bwrap" when called by that name. */
void log_init(const char *argv0);
bool log_is_bwrap(void);
const char *log_progname(void);
/* argv[0] as we were called, for --help's usage line (as bwrap prints it). */
const char *log_invoked_as(void);
void log_set_level_prefix(bool on);

/* One line on stderr, prefixed with "cocoon: " (or "bwrap: "). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with ": <strerror(err)>" appended; err is a positive or negative errno. */
void log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void die_oom(void);
