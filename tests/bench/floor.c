/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor: the physical floor of a sandbox launch, for the benchmarks.
 *
 *   floor [--user] [--mount] [--pid] [--net] [--ipc] [--uts] [--cgroup] [--all]
 *         -- COMMAND [ARG...]
 *
 * It does the least a launcher must do for a given set of namespaces: one
 * clone() with the namespace flags; when a user namespace is made, the child
 * denies setgroups and maps one uid and one gid (the caller's own) by writing
 * its own /proc/self files; then it execs COMMAND.  The parent waits and
 * returns the command's status (its exit code, or 128+N for signal N).
 *
 * No mounts, no loopback, no pid-1 reaper, no fd cleanup, no capability work.
 * With --pid the command itself becomes pid 1 of the new namespace.
 * It uses libc only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#define CHILD_STACK_SIZE (64 * 1024)

struct child_args {
        int flags;
        uid_t uid;
        gid_t gid;
        char **argv;
};

static const struct {
        const char *name;
        int flag;
} namespace_options[] = {
        {"--user", CLONE_NEWUSER},
        {"--mount", CLONE_NEWNS},
        {"--pid", CLONE_NEWPID},
        {"--net", CLONE_NEWNET},
        {"--ipc", CLONE_NEWIPC},
        {"--uts", CLONE_NEWUTS},
        {"--cgroup", CLONE_NEWCGROUP},
        {"--all",
         CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP},
};

static void usage(FILE *out)
{
        fputs("usage: floor [--user] [--mount] [--pid] [--net] [--ipc] [--uts] "
              "[--cgroup] [--all] -- COMMAND [ARG...]\n",
              out);
}

/* Write all of buf to path.  Returns 0 or a negative errno. */
static int write_file(const char *path, const char *buf)
{
        size_t len = strlen(buf);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, buf, len);
        int err = n < 0 ? -errno : ((size_t) n == len ? 0 : -EIO);
        close(fd);
        return err;
}

static void child_fail(const char *what, const char *path, int err)
{
        /* stdio is safe here: the child has its own copy of the address space. */
        fprintf(stderr, "floor: %s %s: %s\n", what, path, strerror(-err));
        _exit(127);
}

static int child_main(void *opaque)
{
        const struct child_args *args = opaque;
        char map[64];
        int err;

        if (args->flags & CLONE_NEWUSER) {
                err = write_file("/proc/self/setgroups", "deny");
                if (err < 0)
                        child_fail("writing", "/proc/self/setgroups", err);

                snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long) args->uid, (unsigned long) args->uid);
                err = write_file("/proc/self/uid_map", map);
                if (err < 0)
                        child_fail("writing", "/proc/self/uid_map", err);

                snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long) args->gid, (unsigned long) args->gid);
                err = write_file("/proc/self/gid_map", map);
                if (err < 0)
                        child_fail("writing", "/proc/self/gid_map", err);
        }

        if (strchr(args->argv[0], '/'))
                execv(args->argv[0], args->argv);
        else
                execvp(args->argv[0], args->argv);
        child_fail("exec", args->argv[0], -errno);
        return 127;
}

static int parse_flag(const char *arg, int *flags)
{
        for (size_t i = 0; i < sizeof(namespace_options) / sizeof(namespace_options[0]); i++) {
                if (strcmp(arg, namespace_options[i].name) == 0) {
                        *flags |= namespace_options[i].flag;
                        return 0;
                }
        }
        return -EINVAL;
}

int main(int argc, char **argv)
{
        struct child_args args = {.uid = getuid(), .gid = getgid()};
        int i;

        for (i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        i++;
                        break;
                }
                if (strcmp(argv[i], "--help") == 0) {
                        usage(stdout);
                        return 0;
                }
                if (parse_flag(argv[i], &args.flags) < 0) {
                        fprintf(stderr, "floor: unknown option '%s'\n", argv[i]);
                        usage(stderr);
                        return 1;
                }
        }
        if (i >= argc) {
                fputs("floor: no command given\n", stderr);
                usage(stderr);
                return 1;
        }
        args.argv = &argv[i];

        /* Without CLONE_VM the child gets a copy of the address space; the
         * stack below only has to be big enough for child_main. */
        char *stack = malloc(CHILD_STACK_SIZE);
        if (!stack) {
                perror("floor: malloc");
                return 1;
        }
        pid_t pid = clone(child_main, stack + CHILD_STACK_SIZE, args.flags | SIGCHLD, &args);
        if (pid < 0) {
                perror("floor: clone");
                free(stack);
                return 1;
        }

        int status;
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) {
                        perror("floor: waitpid");
                        free(stack);
                        return 1;
                }
        }
        free(stack);

        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 1;
}
