/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef COCOON_REAPER_H
#define COCOON_REAPER_H

#include <stdbool.h>

/* Where the freestanding reaper (reaper.c) is built: its system calls are
 * written by hand. Elsewhere pid 1 runs the same loop where it stands (and so
 * it does with COCOON_NO_REAPER_IMAGE defined, to try that path here). */
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

/* The signal a reaper without a pid namespace of its own gets when the
 * monitor dies: a real-time one that nothing else uses (glibc keeps 32 and
 * 33, and the monitor uses SIGRTMIN + 1 for its own parent). */
#define REAPER_DEATH_SIGNAL 40

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

/* How pid 1 tells the exec'd reaper what it needs: "COMMAND:MONITOR:CHILDREN"
 * (pid, fd, fd; -1 for none). */
#define REAPER_ENV "COCOON_REAPER"

/* What the reaper works with. */
struct reaper_args {
        int command; /* the command's pid */
        /* Without a pid namespace of the sandbox's own, nothing takes the
         * sandbox down when the monitor dies: the reaper, a subreaper, then
         * kills every process below it. -1 where the pid namespace does it. */
        int monitor_fd;  /* a pidfd of the monitor: readable once it is gone */
        int children_fd; /* our own children file, in a procfs of our pid namespace */
};

/* pid 1, with the command started, hands over to the reaper. */
struct reaper_handover {
        struct reaper_args args;
        int image_fd;       /* the freestanding reaper, or -1 to stay where we are */
        const char *name;   /* its argv[0] and comm */
        int gate_fd;        /* -1, or the write end the command waits on to start */
        int release_fd;     /* -1, or the monitor's pipe (pid 1 runs in its memory) */
        bool may_drop_caps; /* in place: the seccomp programs let capset through */
        bool set_nproc;     /* take --rlimit nproc too (the command had to fork first) */
        unsigned long long nproc[2];
        int keep_fds[12]; /* open across the exec (lock files, --sync-fd; -1: none) */
        unsigned n_keep;
};

/*
 * Become the reaper: with nothing but system calls, take the command's
 * RLIMIT_NPROC, drop every capability, and exec the image. The command can't
 * reach what the exec leaves (see reaper_image_open in launch.c). Where the
 * exec is not possible or fails, make this memory non-dumpable first, let the
 * command start, and run the loop here. Never returns.
 */
_Noreturn void reaper_become(const struct reaper_handover *h);

/* Reap until the command ends, forwarding the monitor's signals to it, then
 * exit with its status. name: the launcher's, for messages and, exec'd
 * (execd), our comm. release_fd (-1: none): in place, in the monitor's
 * memory, the write end of its pipe, closed once nothing of the C library is
 * in use (see reaper.c). */
_Noreturn void reaper_loop(const struct reaper_args *a, const char *name, bool execd, int release_fd);

/* Without the freestanding image, pid 1 execs a sealed copy of cocoon
 * instead, with argv {"", NAME} and REAPER_ENV set (see main.c): that copy
 * runs this. */
_Noreturn void reaper_exec_main(char **argv, char **envp);
#define REAPER_SELF_ARGC 2

#if HAVE_REAPER_IMAGE
/* The monitor's side, while pid 1 sets up in its memory (see launch.c): wait,
 * making no use of the C library that pid 1 is using, until every process that
 * shares our memory has exec'd or exited: until the last write end of the pipe
 * is closed. Closes write_end first. Returns whether pid 1 stays in our memory
 * to reap. With parent_death_signal > 0 (a handler installed, the signal
 * blocked), the death of our parent (once pid parent) on the way kills child
 * and ends us with status 1, as monitor_run would; with child_cleans_up
 * (plan_reaper_cleans_up), it only ends us, and pid 1 takes the sandbox down. */
bool reaper_await_release(int read_end, int write_end, int child, int parent_death_signal, int parent,
                          bool child_cleans_up);
#endif

#endif
