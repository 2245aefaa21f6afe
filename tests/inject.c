/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * inject PID NR [ARG...]: make process PID run the system call NR with the
 * given arguments, as an attacker who could ptrace it would, and print what
 * it returned (a number, -errno), or "killed N" when a signal ended it. An
 * argument "@TEXT" is TEXT, NUL-terminated, placed below the process's stack
 * pointer; anything else is a number (0x... too). The process's registers are
 * put back afterwards, so that it goes on as before.
 *
 * The tests run this from outside a sandbox to see what the sandbox's pid 1
 * would be allowed to do if the command could drive it. x86_64 only.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>

#if defined(__x86_64__)

static int fail(const char *what)
{
        fprintf(stderr, "inject: %s: %s\n", what, strerror(errno));
        return 2;
}

/* Wait for the next stop; 1 if the process ended (printed), 0 if stopped. */
static int wait_stop(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, __WALL) < 0)
                if (errno != EINTR)
                        return fail("waitpid"), 1;
        if (WIFSIGNALED(status)) {
                printf("killed %d\n", WTERMSIG(status));
                return 1;
        }
        if (WIFEXITED(status)) {
                printf("exited %d\n", WEXITSTATUS(status));
                return 1;
        }
        return 0;
}

/* Copy a NUL-terminated string into the process at addr. */
static int poke_string(pid_t pid, unsigned long addr, const char *s)
{
        size_t len = strlen(s) + 1;

        for (size_t off = 0; off < len; off += sizeof(long)) {
                long word = 0;
                memcpy(&word, s + off, len - off < sizeof word ? len - off : sizeof word);
                if (ptrace(PTRACE_POKEDATA, pid, addr + off, word) < 0)
                        return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct user_regs_struct saved, regs;
        unsigned long long *args[] = {&regs.rdi, &regs.rsi, &regs.rdx, &regs.r10, &regs.r8, &regs.r9};
        unsigned long scratch;
        pid_t pid;
        long insn;

        if (argc < 3 || argc > 9) {
                fprintf(stderr, "usage: inject PID NR [ARG...]\n");
                return 2;
        }
        pid = (pid_t) atoi(argv[1]);
        if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD) < 0)
                return fail("PTRACE_SEIZE");
        if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0)
                return fail("PTRACE_INTERRUPT");
        if (wait_stop(pid))
                return 1;
        if (ptrace(PTRACE_GETREGS, pid, 0, &saved) < 0)
                return fail("PTRACE_GETREGS");

        /* Stopped in a system call: the syscall instruction is just behind. */
        errno = 0;
        insn = ptrace(PTRACE_PEEKTEXT, pid, saved.rip - 2, 0);
        if (errno || (insn & 0xffff) != 0x050f) {
                fprintf(stderr, "inject: process %d is not stopped right after a syscall instruction\n", pid);
                return 2;
        }
        regs = saved;
        regs.rip = saved.rip - 2;
        regs.orig_rax = (unsigned long long) -1; /* no restart of what it was doing */
        regs.rax = strtoull(argv[2], NULL, 0);
        scratch = (saved.rsp - 4096) & ~15UL; /* well below the red zone */
        for (int i = 3; i < argc; i++) {
                if (argv[i][0] == '@') {
                        if (poke_string(pid, scratch, argv[i] + 1) < 0)
                                return fail("PTRACE_POKEDATA");
                        *args[i - 3] = scratch;
                        scratch += (strlen(argv[i]) + 16) & ~7UL;
                } else {
                        *args[i - 3] = strtoull(argv[i], NULL, 0);
                }
        }
        if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0)
                return fail("PTRACE_SETREGS");
        /* To the call's entry, then to its exit. */
        for (int stop = 0; stop < 2; stop++) {
                if (ptrace(PTRACE_SYSCALL, pid, 0, 0) < 0)
                        return fail("PTRACE_SYSCALL");
                if (wait_stop(pid))
                        return 1;
        }
        if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
                return fail("PTRACE_GETREGS");
        printf("%lld\n", (long long) regs.rax);
        if (ptrace(PTRACE_SETREGS, pid, 0, &saved) < 0)
                return fail("PTRACE_SETREGS");
        if (ptrace(PTRACE_DETACH, pid, 0, 0) < 0)
                return fail("PTRACE_DETACH");
        return 0;
}

#else
int main(void)
{
        fprintf(stderr, "inject: x86_64 only\n");
        return 77;
}
#endif
