/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef COCOON_REAPER_H
#define COCOON_REAPER_H

#include <stdbool.h>

/* Where the freestanding reaper (reaper.c) is built: its system calls are
 * written by hand. Elsewhere pid 1 forks, as it always could (and so it does
 * with COCOON_NO_REAPER_IMAGE defined, to try that path here). */
#if defined(__x86_64__) && !defined(COCOON_NO_REAPER_IMAGE)
#define HAVE_REAPER_IMAGE 1
#else
#define HAVE_REAPER_IMAGE 0
#endif

#if HAVE_REAPER_IMAGE
/* The reaper built on its own, a static program (reaper-image.c). */
extern const unsigned char reaper_image[];
extern const unsigned long reaper_image_size;
#endif

/* What the monitor and the reapers pass on to the command. */
#define FORWARDED_SIGNALS SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2

/* The exit status that stands for a wait status: the command's own, 128 + N
 * if signal N killed it, else 1. Written out, as wait.h's macros are the C
 * library's and the freestanding reaper has none. */
static inline int status_to_exit_code(int status)
{
        int sig = status & 0x7f;

        if (sig == 0) /* exited */
                return (status >> 8) & 0xff;
        if (sig != 0x7f) /* killed by sig; 0x7f: stopped */
                return 128 + sig;
        return 1;
}

/* How pid 1 tells the exec'd reaper the command's pid. */
#define REAPER_ENV "COCOON_REAPER_COMMAND"

#if HAVE_REAPER_IMAGE
/* Reap until the command ends, forwarding the monitor's signals to it, then
 * exit with its status. name: the exec'd reaper's comm. release_fd (-1: none):
 * in place, in pid 1 as it is, the write end of the monitor's pipe, closed
 * once nothing of the C library is in use (see reaper.c). */
_Noreturn void reaper_loop(int command, const char *name, int release_fd);

/* The monitor's side, while pid 1 sets up in its memory (see launch.c): wait,
 * making no use of the C library that pid 1 is using, until every process that
 * shares our memory has exec'd or exited: until the last write end of the pipe
 * is closed. Closes write_end first. Returns whether pid 1 stays in our memory
 * to reap. With parent_death_signal > 0 (a handler installed, the signal
 * blocked), the death of our parent (once pid parent) on the way kills child
 * and ends us with status 1, as monitor_run would. */
bool reaper_await_release(int read_end, int write_end, int child, int parent_death_signal, int parent);
#endif

#endif
