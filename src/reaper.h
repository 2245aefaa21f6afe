/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef COCOON_REAPER_H
#define COCOON_REAPER_H

/* Where the freestanding reaper (reaper.c) is built: its system calls are
 * written by hand. Elsewhere pid 1 forks, as it always could. */
#if defined(__x86_64__)
#define HAVE_REAPER_IMAGE 1
#else
#define HAVE_REAPER_IMAGE 0
#endif

#if HAVE_REAPER_IMAGE
/* The reaper built on its own, a static program (reaper-image.c). */
extern const unsigned char reaper_image[];
extern const unsigned long reaper_image_size;
#endif

/* How pid 1 tells the exec'd reaper the command's pid. */
#define REAPER_ENV "COCOON_REAPER_COMMAND"

/* Reap until the command ends, forwarding the monitor's signals to it, then
 * exit with its status. name: the exec'd reaper's comm; NULL when it runs in
 * pid 1 as it is (see reaper.c). */
_Noreturn void reaper_loop(int command, const char *name);

/* The monitor's side, while pid 1 sets up in its memory (see launch.c): wait,
 * making no use of the C library that pid 1 is using, until every process that
 * shares our memory has exec'd or exited: until the last write end of the pipe
 * is closed. Closes write_end first. Returns 0 then, or the byte pid 1 wrote
 * before closing its end if it stays in our memory to reap. With
 * parent_death_signal > 0 (a handler installed, the signal blocked), the death
 * of our parent (once pid parent) on the way SIGKILLs child. */
int reaper_await_release(int read_end, int write_end, int child, int parent_death_signal, int parent);

#endif
