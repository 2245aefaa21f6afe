/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reaper: pid 1 of a sandbox (or, without a pid namespace, the process
 * above the command). It reaps, forwards the monitor's signals to the
 * command, exits with the command's status, and, where no pid namespace takes
 * the sandbox down with it, kills every process below it when the monitor
 * dies. Nothing but system calls: no C library, no allocation, no
 * thread-local state.
 *
 * Built twice. As a tiny static program of its own (REAPER_IMAGE), embedded
 * in cocoon and exec'd by pid 1 from a sealed memfd once the command runs: a
 * fresh address space of a few pages instead of a copy of the monitor's, and
 * one that the command can neither read nor change. And into cocoon, for when
 * that exec is not possible (an LSM, a seccomp filter that might kill,
 * vm.memfd_noexec, or no image for this architecture): pid 1 then runs the
 * same loop on its own stack, in memory that it may still share with the
 * monitor or with the command starting beside it. That is why nothing here
 * may touch the C library's state.
 *
 * On x86_64 this file includes only the kernel's headers.
 */
#include <asm/signal.h>
#include <asm/unistd.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/prctl.h>
#include <linux/resource.h>
#include <linux/wait.h>
#include <stdbool.h>

#include "reaper.h"

#if defined(__x86_64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        register long r9 __asm__("r9") = f;
        long ret;

        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return ret;
}
#else
/* Elsewhere pid 1 never shares memory with a process that uses the C library
 * at the same time (see can_share_memory in launch.c), so its syscall() will
 * do; errno is turned back into the kernel's negative return. */
long syscall(long n, ...);
extern int *__errno_location(void);
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
        long r = syscall(n, a, b, c, d, e, f);
        return r == -1 ? -*__errno_location() : r;
}
#endif

#define sys(n, a, b, c, d) sys6((n), (long) (a), (long) (b), (long) (c), (long) (d), 0, 0)

static const int forwarded[] = {FORWARDED_SIGNALS};

#define SI_USER_CODE 0 /* si_code of a signal that kill() sent */

static _Noreturn void leave(int code)
{
        for (;;)
                sys(__NR_exit_group, code, 0, 0, 0);
}

static bool monitor_gone(int pidfd)
{
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        long zero[2] = {0, 0}; /* a timespec: don't wait */

        return sys(__NR_ppoll, &pfd, 1, zero, 0) > 0;
}

/* The monitor is gone and no pid namespace ends the sandbox with us: SIGKILL
 * every child, and every orphan that comes to us (we are a subreaper) when
 * its parent dies, until none is left. A killed process can't fork any more,
 * so each round leaves fewer. */
static _Noreturn void kill_everything(const struct reaper_args *a)
{
        char buf[4096];

        for (;;) {
                long n = sys(__NR_pread64, a->children_fd, buf, sizeof buf - 1, 0);
                long pid = 0;

                if (n < 0) /* can't list them: the command at least */
                        sys(__NR_kill, a->command, SIGKILL, 0, 0);
                for (long i = 0; i < n; i++) {
                        if (buf[i] >= '0' && buf[i] <= '9') {
                                pid = pid * 10 + (buf[i] - '0');
                                continue;
                        }
                        if (pid > 0)
                                sys(__NR_kill, pid, SIGKILL, 0, 0);
                        pid = 0;
                }
                /* A number cut off at the end of the buffer is left for the
                 * next round: its prefix may be somebody else's pid. */
                if (pid > 0 && n < (long) sizeof buf - 1)
                        sys(__NR_kill, pid, SIGKILL, 0, 0);
                if (sys(__NR_wait4, -1, 0, __WALL, 0) == -ECHILD)
                        leave(1);
        }
}

/* A last word on the caller's stderr, before we give up. */
static _Noreturn void give_up(const char *name, const char *why)
{
        for (const char *p = name; *p; p++)
                sys(__NR_write, 2, p, 1, 0);
        sys(__NR_write, 2, ": ", 2, 0);
        for (const char *p = why; *p; p++)
                sys(__NR_write, 2, p, 1, 0);
        leave(1);
}

/* What a wait4 gave (r, status): leave with the command's status, when
 * nothing is left to wait for, or when a seccomp program refuses the wait;
 * else return. */
static void after_wait(const struct reaper_args *a, const char *name, long r, int status)
{
        if (r == a->command)
                leave(status_to_exit_code(status));
        if (r == -ECHILD)
                leave(1);
        if (r < 0 && r != -EINTR)
                give_up(name, "pid 1 can't wait for the command: a seccomp program refuses wait4\n");
}

/* Wait for the command without forwarding signals, when a seccomp program
 * refuses rt_sigtimedwait: better than spinning. */
static _Noreturn void plain_wait(const struct reaper_args *a, const char *name)
{
        for (;;) {
                int status = 0;
                long r = sys(__NR_wait4, -1, &status, 0, 0);

                after_wait(a, name, r, status);
        }
}

_Noreturn void reaper_loop(const struct reaper_args *a, const char *name, bool execd, int release_fd)
{
        const bool cleans_up = a->monitor_fd >= 0;
        unsigned long set = 1UL << (SIGCHLD - 1);
        int siginfo[32]; /* the kernel's siginfo_t is 128 bytes; si_signo comes first */

        for (unsigned i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
                set |= 1UL << (forwarded[i] - 1);
        if (cleans_up)
                set |= 1UL << (REAPER_DEATH_SIGNAL - 1);
        /* In place in the monitor's memory: tell it we stay, and let it go
         * on. From here on, nothing but system calls. */
        if (release_fd >= 0) {
                sys(__NR_write, release_fd, "R", 1, 0);
                sys(__NR_close, release_fd, 0, 0, 0);
        }
        sys(__NR_rt_sigprocmask, SIG_BLOCK, &set, 0, sizeof set);
        /* Exec'd: set again what the exec may have reset (in place, pid 1
         * did all this before the seccomp programs). It is non-dumpable from
         * the exec on already (see reaper_image_open in pid1.c), and has no
         * capabilities: pid 1 dropped them before. */
        if (execd) {
                sys(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0);
                sys(__NR_prctl, PR_SET_PDEATHSIG, cleans_up ? REAPER_DEATH_SIGNAL : SIGKILL, 0, 0);
                if (cleans_up)
                        sys(__NR_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0);
                sys(__NR_prctl, PR_SET_NAME, name, 0, 0);
        }
        if (cleans_up && monitor_gone(a->monitor_fd)) /* before we asked for the signal */
                kill_everything(a);

        for (;;) {
                int status = 0;
                long r;

                while ((r = sys(__NR_wait4, -1, &status, WNOHANG, 0)) > 0)
                        after_wait(a, name, r, status);
                after_wait(a, name, r, status);
                r = sys(__NR_rt_sigtimedwait, &set, siginfo, 0, sizeof set);
                if (r < 0 && r != -EINTR && r != -EAGAIN)
                        plain_wait(a, name);
                if (r <= 0 || r == SIGCHLD)
                        continue;
                /* Anyone in the sandbox may send this one too: only the
                 * monitor's pidfd says it is really gone. */
                if (r == REAPER_DEATH_SIGNAL) {
                        if (cleans_up && monitor_gone(a->monitor_fd))
                                kill_everything(a);
                        continue;
                }
                /* Only what was sent to us alone (kill, SI_USER): what the
                 * terminal (SI_KERNEL) or the monitor (SI_QUEUE, see
                 * mon-signals.c) sent our process group reached the
                 * command's too, and passing it on would deliver it twice. */
                if (siginfo[2] != SI_USER_CODE)
                        continue;
                sys(__NR_kill, a->command, r, 0, 0);
        }
}

#ifndef REAPER_IMAGE
static bool drop_caps(void)
{
        struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];

        for (unsigned i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
                none[i].effective = none[i].permitted = none[i].inheritable = 0;
        return sys(__NR_capset, &head, none, 0, 0) == 0;
}

/* Digits of v (>= -1) at p; returns the end. */
static char *put_int(char *p, int v)
{
        char digits[12];
        unsigned n = 0, u;

        if (v < 0) {
                *p++ = '-';
                v = -v;
        }
        u = (unsigned) v;
        do
                digits[n++] = (char) ('0' + u % 10);
        while ((u /= 10) != 0);
        while (n)
                *p++ = digits[--n];
        return p;
}

_Noreturn void reaper_become(const struct reaper_handover *h)
{
        if (h->set_nproc) {
                unsigned long long limit[2] = {h->nproc[0], h->nproc[1]};
                sys(__NR_prlimit64, 0, RLIMIT_NPROC, limit, 0);
        }
        /* Without capabilities, the image (mode 0100) can't be read by us,
         * so the exec leaves a process that can't be dumped or traced (the
         * kernel's would_dump); with them it could, so then we stay. The
         * mark goes on before the exec, so that the new process starts
         * from it. */
        if (h->image_fd >= 0 && drop_caps()) {
                char env[sizeof REAPER_ENV + 3 * 12], *p = env;
#if HAVE_REAPER_IMAGE
                char *argv[] = {(char *) h->name, 0};
#else
                char *argv[] = {"", (char *) h->name, 0}; /* see reaper_exec_main */
#endif
                char *envp[] = {env, 0};

                for (const char *s = REAPER_ENV "="; *s; s++)
                        *p++ = *s;
                p = put_int(p, h->args.command);
                *p++ = ':';
                p = put_int(p, h->args.monitor_fd);
                *p++ = ':';
                p = put_int(p, h->args.children_fd);
                *p = '\0';
                for (unsigned i = 0; i < h->n_keep; i++)
                        if (h->keep_fds[i] >= 0)
                                sys(__NR_fcntl, h->keep_fds[i], F_SETFD, 0, 0);
                sys(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0);
                sys6(__NR_execveat, h->image_fd, (long) "", (long) argv, (long) envp, AT_EMPTY_PATH, 0);
        }
        /* Here, then: out of the command's reach before it may start. pid
         * 1 made itself non-dumpable before the seccomp programs when it
         * knew it would stay; if the exec failed unexpectedly, it must now,
         * or the command never starts. */
        if (h->image_fd >= 0 && sys(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0) < 0)
                give_up(h->name, "pid 1 can't make itself non-dumpable: a seccomp program refuses prctl\n");
        if (h->may_drop_caps)
                drop_caps();
        if (h->image_fd >= 0)
                sys(__NR_close, h->image_fd, 0, 0, 0);
        if (h->gate_fd >= 0)
                sys(__NR_close, h->gate_fd, 0, 0, 0);
        reaper_loop(&h->args, h->name, false, h->release_fd);
}
#endif

#if HAVE_REAPER_IMAGE && !defined(REAPER_IMAGE)
/* Our parent died while pid 1 was setting up in our memory: kill it, wait
 * until nothing uses that memory, and leave as monitor_run would, without
 * going back to a C library that the kill may have caught mid-change. */
static _Noreturn void orphaned(int read_end, int child, bool child_cleans_up)
{
        char byte;
        int status;
        long r;

        /* Without a pid namespace, killing pid 1 would orphan what the
         * command started: pid 1 (a subreaper by then, or it dies with us
         * before the command exists) kills it all when we are gone. */
        if (child_cleans_up)
                leave(1);
        sys(__NR_kill, child, SIGKILL, 0, 0);
        do
                r = sys(__NR_read, read_end, &byte, 1, 0);
        while (r > 0 || r == -EINTR);
        while (sys(__NR_wait4, child, &status, 0, 0) == -EINTR)
                ;
        leave(1);
}

bool reaper_await_release(int read_end, int write_end, int child, int parent_death_signal, int parent,
                          bool child_cleans_up)
{
        struct pollfd pfd = {.fd = read_end, .events = POLLIN};
        unsigned long mask = 0;
        bool stays = false;
        char byte = 0;
        long r;

        sys(__NR_close, write_end, 0, 0, 0);
        if (parent_death_signal > 0) {
                sys(__NR_rt_sigprocmask, SIG_BLOCK, 0, &mask, sizeof mask);
                mask &= ~(1UL << (parent_death_signal - 1));
        }
        for (;;) {
                /* The signal, unblocked only here, interrupts the wait when
                 * its handler has run; the parent may also have died before. */
                if (parent_death_signal > 0) {
                        if (sys(__NR_getppid, 0, 0, 0, 0) != parent)
                                orphaned(read_end, child, child_cleans_up);
                        r = sys6(__NR_ppoll, (long) &pfd, 1, 0, (long) &mask, sizeof mask, 0);
                        if (r <= 0)
                                continue;
                }
                r = sys(__NR_read, read_end, &byte, 1, 0);
                if (r == -EINTR)
                        continue;
                if (r == 1 && byte == 'R')
                        stays = true;
                else
                        return stays; /* end of file (or an error: nothing to wait for) */
        }
}
#endif

/* The next number of s into *v (decimal, maybe -1); returns the rest, or 0. */
static const char *take_int(const char *s, int *v)
{
        bool neg = *s == '-';
        int n = 0;

        s += neg;
        if (*s < '0' || *s > '9')
                return 0;
        for (; *s >= '0' && *s <= '9' && n < 1 << 24; s++)
                n = n * 10 + (*s - '0');
        *v = neg ? -n : n;
        return s;
}

/* What pid 1 gave us, from the environment. */
static bool read_args(char **envp, struct reaper_args *a)
{
        static const char key[] = REAPER_ENV "=";

        for (; *envp; envp++) {
                const char *s = *envp;
                unsigned i = 0;

                while (key[i] && s[i] == key[i])
                        i++;
                if (key[i])
                        continue;
                s += i;
                if (!(s = take_int(s, &a->command)) || *s++ != ':' || !(s = take_int(s, &a->monitor_fd)) ||
                    *s++ != ':' || !(s = take_int(s, &a->children_fd)) || *s)
                        return false;
                return a->command > 0;
        }
        return false;
}

#ifndef REAPER_IMAGE
_Noreturn void reaper_exec_main(char **argv, char **envp)
{
        struct reaper_args a;

        if (!read_args(envp, &a))
                leave(1);
        reaper_loop(&a, argv[1], true, -1);
}
#else

/* Called from _start with the initial stack: argc, argv..., 0, envp..., 0. */
_Noreturn void reaper_start(long *sp);
_Noreturn void reaper_start(long *sp)
{
        char **argv = (char **) (sp + 1);
        char **envp = argv + sp[0] + 1;
        const char *name = sp[0] > 0 ? argv[0] : "reaper";
        struct reaper_args a;

        if (!read_args(envp, &a))
                leave(1);
        for (const char *s = name; *s; s++)
                if (*s == '/' && s[1])
                        name = s + 1;
        reaper_loop(&a, name, true, -1);
}

__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        xor %rbp, %rbp\n"
        "        mov %rsp, %rdi\n"
        "        and $-16, %rsp\n"
        "        call reaper_start\n"
        "        hlt\n");
#endif
