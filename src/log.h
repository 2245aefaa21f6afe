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
/* Where the words being parsed come from ("FILE:LINE"), put after the
 * program's name on each line until cleared with NULL. Not copied. */
void log_set_context(const char *where);

/* One line on stderr, prefixed with "cocoon: " (or "bwrap: "). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with ": <strerror(err)>" appended; err is a positive or negative errno. */
void log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What the kernel lacks: a system call and the release that brought it, as
 * "mount_setattr (Linux 5.12)". The wrappers of syscalls.h note it when a
 * call answers ENOSYS, and then the next log_errno() or die_errno() with
 * ENOSYS ends in ": this kernel lacks <it>" instead of the bare errno text. */
void log_note_missing(const char *call);

_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void die_oom(void);
