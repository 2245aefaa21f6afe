/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reaper, freestanding: pid 1 of a sandbox whose setup ran in the
 * monitor's memory. It reaps, forwards the monitor's signals to the command,
 * and exits with the command's status, with nothing but system calls: no C
 * library, no allocation, no thread-local state.
 *
 * Built twice. As a tiny static program of its own (REAPER_IMAGE), embedded
 * in cocoon and exec'd by pid 1 from a sealed memfd once the command runs: a
 * fresh address space of a few pages instead of a copy of the monitor's. And
 * into cocoon, for when that exec is refused (an LSM, a seccomp filter we
 * inherited, vm.memfd_noexec): pid 1 then runs the same loop on its own stack
 * in memory it still shares with the monitor, which goes on with the C library
 * beside it. That is why nothing here may touch the C library's state.
 *
 * This file includes only the kernel's headers.
 */
#include <asm/signal.h>
#include <asm/unistd.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/poll.h>
#include <linux/prctl.h>
#include <linux/wait.h>
#include <stdbool.h>

#include "reaper.h"

#if HAVE_REAPER_IMAGE

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

#define sys(n, a, b, c, d) sys6((n), (long) (a), (long) (b), (long) (c), (long) (d), 0, 0)

static const int forwarded[] = {FORWARDED_SIGNALS};

static _Noreturn void leave(int code)
{
        for (;;)
                sys(__NR_exit_group, code, 0, 0, 0);
}

_Noreturn void reaper_loop(int command, const char *name, int release_fd)
{
        struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
        unsigned long set = 1UL << (SIGCHLD - 1);
        int siginfo[32]; /* the kernel's siginfo_t is 128 bytes; si_signo comes first */

        for (unsigned i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
                none[i].effective = none[i].permitted = none[i].inheritable = 0;
        for (unsigned i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
                set |= 1UL << (forwarded[i] - 1);
        /* In place: tell the monitor we stay, and let it go on. From here on,
         * nothing but system calls. */
        if (release_fd >= 0) {
                sys(__NR_write, release_fd, "R", 1, 0);
                sys(__NR_close, release_fd, 0, 0, 0);
        }
        sys(__NR_rt_sigprocmask, SIG_BLOCK, &set, 0, sizeof set);
        /* What it keeps, the command could take from it: no capabilities. */
        sys(__NR_capset, &head, none, 0, 0);
        if (name) {
                /* Exec'd: a process of its own, in the sandbox's user
                 * namespace. The parent's death signal survived the exec
                 * (nothing about our credentials grew); set it again all the
                 * same. Dumpable, as the forked reaper is, so that the caller
                 * can open this pid 1's namespace files. */
                sys(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
                sys(__NR_prctl, PR_SET_DUMPABLE, 1, 0, 0);
                sys(__NR_prctl, PR_SET_NAME, name, 0, 0);
        }

        for (;;) {
                int status = 0;
                long r;

                while ((r = sys(__NR_wait4, -1, &status, WNOHANG, 0)) > 0)
                        if (r == command)
                                leave(status_to_exit_code(status));
                if (r == -ECHILD)
                        leave(1);
                r = sys(__NR_rt_sigtimedwait, &set, siginfo, 0, sizeof set);
                if (r <= 0 || r == SIGCHLD)
                        continue;
                sys(__NR_kill, command, r, 0, 0);
        }
}

#ifndef REAPER_IMAGE
/* Our parent died while pid 1 was setting up in our memory: kill it, wait
 * until nothing uses that memory, and leave as monitor_run would, without
 * going back to a C library that the kill may have caught mid-change. */
static _Noreturn void orphaned(int read_end, int child)
{
        char byte;
        int status;
        long r;

        sys(__NR_kill, child, SIGKILL, 0, 0);
        do
                r = sys(__NR_read, read_end, &byte, 1, 0);
        while (r > 0 || r == -EINTR);
        while (sys(__NR_wait4, child, &status, 0, 0) == -EINTR)
                ;
        leave(1);
}

bool reaper_await_release(int read_end, int write_end, int child, int parent_death_signal, int parent)
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
                                orphaned(read_end, child);
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
#else
/* The command's pid, from the environment pid 1 gave us. */
static int command_pid(char **envp)
{
        static const char key[] = REAPER_ENV "=";

        for (; *envp; envp++) {
                const char *s = *envp;
                unsigned i = 0;
                int pid = 0;

                while (key[i] && s[i] == key[i])
                        i++;
                if (key[i])
                        continue;
                for (s += i; *s >= '0' && *s <= '9' && pid < 1 << 24; s++)
                        pid = pid * 10 + (*s - '0');
                return *s ? 0 : pid;
        }
        return 0;
}

/* Called from _start with the initial stack: argc, argv..., 0, envp..., 0. */
_Noreturn void reaper_start(long *sp);
_Noreturn void reaper_start(long *sp)
{
        char **argv = (char **) (sp + 1);
        char **envp = argv + sp[0] + 1;
        const char *name = sp[0] > 0 ? argv[0] : "reaper";
        int command = command_pid(envp);

        if (command <= 0)
                leave(1);
        for (const char *s = name; *s; s++)
                if (*s == '/' && s[1])
                        name = s + 1;
        reaper_loop(command, name, -1);
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

#endif /* HAVE_REAPER_IMAGE */
