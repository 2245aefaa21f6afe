/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-probe: makes system calls on request and reports what the kernel
 * (and any seccomp filter) answered. Used by tests/integration/test_lockdown.py.
 *
 *   seccomp-probe [--catch-sigsys] OP...
 *
 * Each OP is one word, its fields separated by ':'. Numbers are read with
 * strtoull base 0, so 0x... works and values up to 64 bits are kept whole.
 * For every OP one line is written to stdout, as soon as the call returns:
 *
 *   OP<TAB>RESULT
 *
 * RESULT is the call's return value when it succeeded (>= 0), or minus the
 * errno when it failed. Ops:
 *
 *   raw:NR[:A0[:A1...]]    syscall(NR, A0..A5)
 *   x32:NR                 syscall(NR | __X32_SYSCALL_BIT)
 *   int80:NR[:A0[:A1[:A2]]] an i386 system call through int $0x80
 *   keyctl add_key request_key kexec_load kexec_file_load io_uring_setup
 *   userfaultfd bpf perf_event_open
 *                          the call with arguments that, without a filter,
 *                          fail with an errno other than EPERM, or succeed
 *                          harmlessly (see each case below)
 *   clone:FLAGS            raw clone(FLAGS | SIGCHLD); the child exits 0 at once
 *   fork                   fork(); the child exits 7; 0 when it was reaped as such
 *   thread                 pthread_create + join (clone3, or clone after ENOSYS)
 *   socket:FAMILY:TYPE     raw socket(); on success the socket's SO_DOMAIN, then close it
 *   personality:VALUE      personality(VALUE) as a raw call
 *   ioctl:FD:REQ           ioctl(FD, REQ, &byte) as a raw call (REQ is 64 bits)
 *   pipeioctl:REQ          the same on the read end of a fresh pipe
 *   capeff                 the effective capability set (capget), as a number
 *   tty                    1 when fd 0 is this process's controlling terminal,
 *                          0 when it is a terminal but not the controlling one
 *
 * --catch-sigsys installs a SIGSYS handler that writes
 *   SIGSYS<TAB>NR<TAB>ERRNO-FIELD<TAB>ARCH
 * (si_syscall, si_errno, si_arch) and exits with status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef __NR_kexec_file_load
#define __NR_kexec_file_load 320 /* x86_64 */
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_userfaultfd
#define __NR_userfaultfd 323
#endif
#define X32_SYSCALL_BIT 0x40000000UL

static void out(const char *op, long r)
{
        char line[512];
        int n = snprintf(line, sizeof line, "%s\t%ld\n", op, r);
        if (write(1, line, (size_t) n) < 0)
                _exit(120);
}

static long ret(long r)
{
        return r < 0 ? -errno : r;
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
        char line[128];
        int n;

        (void) sig;
        (void) ctx;
        n = snprintf(line, sizeof line, "SIGSYS\t%d\t%d\t0x%x\n", si->si_syscall, si->si_errno, si->si_arch);
        if (write(1, line, (size_t) n) < 0)
                _exit(121);
        _exit(0);
}

static int split(char *s, unsigned long long *v, int max)
{
        int n = 0;
        char *save = NULL;

        for (char *t = strtok_r(s, ":", &save); t && n < max; t = strtok_r(NULL, ":", &save))
                v[n++] = strtoull(t, NULL, 0);
        return n;
}

#if defined(__x86_64__)
static long int80(unsigned long nr, unsigned long a, unsigned long b, unsigned long c)
{
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        return (long) (int) r;
}
#endif

static void *thread_main(void *arg)
{
        return arg;
}

static long run(const char *name, char *fields)
{
        unsigned long long v[8] = {0};
        int n = fields ? split(fields, v, 8) : 0;
        char byte = 0;

        if (!strcmp(name, "raw"))
                return ret(syscall((long) v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
        if (!strcmp(name, "x32"))
                return ret(syscall((long) (v[0] | X32_SYSCALL_BIT), 0, 0, 0, 0, 0, 0));
        if (!strcmp(name, "int80")) {
#if defined(__x86_64__)
                return int80(v[0], v[1], v[2], v[3]);
#else
                return -ENOSYS;
#endif
        }
        /* keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0): succeeds. */
        if (!strcmp(name, "keyctl"))
                return ret(syscall(SYS_keyctl, 0, -3, 0));
        /* NULL type: EFAULT. */
        if (!strcmp(name, "add_key"))
                return ret(syscall(SYS_add_key, NULL, NULL, NULL, 0, -3));
        if (!strcmp(name, "request_key"))
                return ret(syscall(SYS_request_key, NULL, NULL, NULL, 0));
        /* Without CAP_SYS_BOOT these are EPERM by themselves (or ENOSYS when
         * the kernel has no kexec): the test checks the filter's verdict too. */
        if (!strcmp(name, "kexec_load"))
                return ret(syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL));
        if (!strcmp(name, "kexec_file_load"))
                return ret(syscall(__NR_kexec_file_load, -1, -1, 0, NULL, 0xdead0000UL));
        /* 0 entries, NULL params: EFAULT or EINVAL. */
        if (!strcmp(name, "io_uring_setup"))
                return ret(syscall(__NR_io_uring_setup, 0, NULL));
        /* UFFD_USER_MODE_ONLY plus an unknown flag: allowed to anyone, then EINVAL. */
        if (!strcmp(name, "userfaultfd"))
                return ret(syscall(__NR_userfaultfd, 1 | 2));
        /* An unknown command with no attributes: EINVAL (or EPERM without privilege). */
        if (!strcmp(name, "bpf"))
                return ret(syscall(SYS_bpf, 0x7fff, NULL, 0));
        /* NULL attributes: EFAULT. */
        if (!strcmp(name, "perf_event_open"))
                return ret(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
        if (!strcmp(name, "clone")) {
                long r = syscall(SYS_clone, (unsigned long) v[0] | SIGCHLD, 0, NULL, NULL, 0);
                int st;
                if (r == 0)
                        syscall(SYS_exit_group, 0);
                if (r < 0)
                        return -errno;
                if (waitpid((pid_t) r, &st, __WALL) < 0)
                        return -errno;
                return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
        }
        if (!strcmp(name, "fork")) {
                int st;
                pid_t pid = fork();
                if (pid == 0)
                        _exit(7);
                if (pid < 0)
                        return -errno;
                if (waitpid(pid, &st, 0) < 0)
                        return -errno;
                return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : -ECHILD;
        }
        if (!strcmp(name, "thread")) {
                pthread_t t;
                void *res = NULL;
                int e = pthread_create(&t, NULL, thread_main, (void *) 42);
                if (e)
                        return -e;
                if ((e = pthread_join(t, &res)))
                        return -e;
                return res == (void *) 42 ? 0 : -EINVAL;
        }
        if (!strcmp(name, "socket")) {
                /* A raw call: all 64 bits of FAMILY reach the filter (the
                 * kernel itself only looks at the low 32). */
                long fd = syscall(SYS_socket, (unsigned long) v[0], (unsigned long) v[1] | SOCK_CLOEXEC, 0UL);
                int domain = -1;
                socklen_t len = sizeof domain;
                if (fd < 0)
                        return -errno;
                if (getsockopt((int) fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
                        domain = -errno;
                close((int) fd);
                return domain;
        }
        if (!strcmp(name, "personality"))
                return ret(syscall(SYS_personality, (unsigned long) v[0]));
        if (!strcmp(name, "ioctl"))
                return ret(syscall(SYS_ioctl, (long) v[0], (unsigned long) v[1], &byte));
        if (!strcmp(name, "pipeioctl")) {
                int p[2];
                long r;
                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                r = ret(syscall(SYS_ioctl, p[0], (unsigned long) v[0], &byte));
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (!strcmp(name, "capeff")) {
                struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
                struct __user_cap_data_struct d[2];
                if (syscall(SYS_capget, &h, d) < 0)
                        return -errno;
                return (long) (((uint64_t) d[1].effective << 32 | d[0].effective) & 0x7fffffffffffffffULL);
        }
        if (!strcmp(name, "tty")) {
                pid_t sid;
                if (!isatty(0))
                        return -ENOTTY;
                sid = tcgetsid(0);
                return sid >= 0 && sid == getsid(0) ? 1 : 0;
        }
        (void) n;
        fprintf(stderr, "seccomp-probe: unknown op %s\n", name);
        exit(2);
}

int main(int argc, char **argv)
{
        int i = 1;

        if (i < argc && !strcmp(argv[i], "--catch-sigsys")) {
                struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
                sigaction(SIGSYS, &sa, NULL);
                i++;
        }
        for (; i < argc; i++) {
                char op[256], *colon;
                snprintf(op, sizeof op, "%s", argv[i]);
                colon = strchr(op, ':');
                if (colon)
                        *colon++ = '\0';
                out(argv[i], run(op, colon));
        }
        return 0;
}
