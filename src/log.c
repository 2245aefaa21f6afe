/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *progname = "cocoon";
static const char *invoked_as = "cocoon";
static bool level_prefix;
static const char *context;
static const char *missing_call;

void log_note_missing(const char *call)
{
        missing_call = call;
}

void log_init(const char *argv0)
{
        if (argv0 && *argv0)
                invoked_as = argv0;
        const char *base = argv0 ? strrchr(argv0, '/') : NULL;
        base = base ? base + 1 : argv0;
        if (base && strcmp(base, "bwrap") == 0)
                progname = "bwrap";
}

bool log_is_bwrap(void)
{
        return strcmp(progname, "bwrap") == 0;
}
const char *log_progname(void)
{
        return progname;
}
const char *log_invoked_as(void)
{
        return invoked_as;
}
void log_set_level_prefix(bool on)
{
        level_prefix = on;
}
void log_set_context(const char *where)
{
        context = where;
}

/* A message is one line: a newline or a terminal escape in a path, a
 * profile word or an environment value must not print a line of its own
 * (a made-up warning) nor drive the terminal. Control bytes become \xNN,
 * in place, as many as fit; the length that is left. */
static int escape_controls(char *msg, size_t n, size_t size)
{
        char out[2048];
        size_t o = 0;

        for (size_t i = 0; i < n && o < sizeof out; i++) {
                unsigned char c = (unsigned char) msg[i];
                if (c >= 0x20 && c != 0x7f) {
                        out[o++] = (char) c;
                } else if (o + 5 <= sizeof out) {
                        snprintf(out + o, 5, "\\x%02x", c);
                        o += 4;
                } else {
                        break;
                }
        }
        if (o > size)
                o = size;
        memcpy(msg, out, o);
        return (int) o;
}

/* Format the whole line first so it reaches stderr in one write. */
static void log_line(int syslog_level, int err, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void log_line(int syslog_level, int err, const char *fmt, va_list ap)
{
        char msg[2048];
        int n = 0;

        if (level_prefix)
                n += snprintf(msg + n, sizeof msg - (size_t) n, "<%d>", syslog_level);
        n += snprintf(msg + n, sizeof msg - (size_t) n, "%s: ", progname);
        if (context && n < (int) sizeof msg)
                n += snprintf(msg + n, sizeof msg - (size_t) n, "%s: ", context);
        if (n < (int) sizeof msg)
                n += vsnprintf(msg + n, sizeof msg - (size_t) n, fmt, ap);
        if (err && abs(err) == ENOSYS && missing_call && n < (int) sizeof msg)
                n += snprintf(msg + n, sizeof msg - (size_t) n, ": this kernel lacks %s", missing_call);
        else if (err && n < (int) sizeof msg)
                n += snprintf(msg + n, sizeof msg - (size_t) n, ": %s", strerror(abs(err)));
        if (n >= (int) sizeof msg - 1)
                n = (int) sizeof msg - 2;
        if (!log_is_bwrap())
                n = escape_controls(msg, (size_t) n, sizeof msg - 1);
        msg[n++] = '\n';
        (void) !write(STDERR_FILENO, msg, (size_t) n);
}

void log_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_line(3, 0, fmt, ap);
        va_end(ap);
}

void log_warning(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_line(4, 0, fmt, ap);
        va_end(ap);
}

void log_errno(int err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_line(3, err, fmt, ap);
        va_end(ap);
}

void die(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_line(3, 0, fmt, ap);
        va_end(ap);
        _exit(1);
}

void die_errno(int err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_line(3, err, fmt, ap);
        va_end(ap);
        _exit(1);
}

void die_oom(void)
{
        static const char m[] = ": out of memory\n";
        (void) !write(STDERR_FILENO, progname, strlen(progname));
        (void) !write(STDERR_FILENO, m, sizeof m - 1);
        _exit(1);
}
