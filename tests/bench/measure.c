/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * measure: run one command and report its wall time and resource use, for
 * the benchmark driver (bench.py).
 *
 *   measure [--uid UID --gid GID] -- COMMAND [ARG...]
 *
 * It forks; the child optionally drops to UID/GID (clearing supplementary
 * groups, like `setpriv --reuid --regid --clear-groups`), asks for SIGKILL
 * when measure dies, points its stdout at /dev/null and execs COMMAND.  The parent waits with wait4() and prints
 * one line on stdout:
 *
 *   WALL_NS RAW_STATUS MAXRSS_KB UTIME_US STIME_US
 *
 * Wall time runs from just before fork() to the return of wait4().
 *
 * Why a C helper rather than os.wait4() in Python: the kernel keeps the
 * high-water RSS of a process across execve(), so a child forked from the
 * Python interpreter reports the interpreter's RSS (about 10 MB), which
 * hides the launcher's.  Forked from this small program, ru_maxrss is the
 * largest peak RSS among the launcher process and the descendants it (and
 * they, recursively) waited for; it is not a sum.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
        fputs("usage: measure [--uid UID --gid GID] -- COMMAND [ARG...]\n", out);
}

static int parse_id(const char *s, unsigned long *out)
{
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v >= (unsigned long) (unsigned int) -1)
                return -EINVAL;
        *out = v;
        return 0;
}

static long long now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_us(const struct timeval *tv)
{
        return (long long) tv->tv_sec * 1000000LL + tv->tv_usec;
}

static void child_fail(const char *what, const char *arg)
{
        fprintf(stderr, "measure: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
        _exit(127);
}

static void run_child(char **argv, int drop, uid_t uid, gid_t gid, pid_t parent)
{
        if (drop) {
                if (setgroups(0, NULL) < 0)
                        child_fail("setgroups", NULL);
                if (setresgid(gid, gid, gid) < 0)
                        child_fail("setresgid", NULL);
                if (setresuid(uid, uid, uid) < 0)
                        child_fail("setresuid", NULL);
        }
        /* If measure is killed (the driver's timeout), take the launcher along.
         * Set after the id change, which clears it. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                child_fail("prctl", "PR_SET_PDEATHSIG");
        if (getppid() != parent)
                _exit(127);
        int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null_fd < 0)
                child_fail("open", "/dev/null");
        if (dup2(null_fd, STDOUT_FILENO) < 0)
                child_fail("dup2", "/dev/null");
        execv(argv[0], argv);
        child_fail("exec", argv[0]);
}

int main(int argc, char **argv)
{
        unsigned long uid = 0, gid = 0;
        int have_uid = 0, have_gid = 0;
        int i;

        for (i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        i++;
                        break;
                } else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc) {
                        if (parse_id(argv[++i], &uid) < 0) {
                                fprintf(stderr, "measure: bad --uid '%s'\n", argv[i]);
                                return 2;
                        }
                        have_uid = 1;
                } else if (strcmp(argv[i], "--gid") == 0 && i + 1 < argc) {
                        if (parse_id(argv[++i], &gid) < 0) {
                                fprintf(stderr, "measure: bad --gid '%s'\n", argv[i]);
                                return 2;
                        }
                        have_gid = 1;
                } else {
                        fprintf(stderr, "measure: unknown option '%s'\n", argv[i]);
                        usage(stderr);
                        return 2;
                }
        }
        if (i >= argc || have_uid != have_gid) {
                usage(stderr);
                return 2;
        }

        fflush(stdout);
        pid_t self = getpid();
        long long start = now_ns();
        pid_t pid = fork();
        if (pid < 0) {
                perror("measure: fork");
                return 2;
        }
        if (pid == 0)
                run_child(&argv[i], have_uid, (uid_t) uid, (gid_t) gid, self);

        int status;
        struct rusage ru;
        while (wait4(pid, &status, 0, &ru) < 0) {
                if (errno != EINTR) {
                        perror("measure: wait4");
                        return 2;
                }
        }
        long long wall = now_ns() - start;

        printf("%lld %d %ld %lld %lld\n", wall, status, ru.ru_maxrss, tv_us(&ru.ru_utime), tv_us(&ru.ru_stime));
        return fflush(stdout) == 0 ? 0 : 2;
}
