/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What cocoon reports to its caller: --info-fd and --json-status-fd. */
#include "status.h"

#include <sched.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const struct {
        const char *name; /* under /proc/self/ns */
        int flag;
} namespaces[6] = {
        {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"mnt", CLONE_NEWNS},
        {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID}, {"uts", CLONE_NEWUTS},
};

void ns_report_collect(struct ns_report *r, int clone_flags, int proc_fd)
{
        for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++) {
                char path[64];
                struct stat st;

                r->ino[i] = 0;
                if (!(clone_flags & namespaces[i].flag))
                        continue;
                snprintf(path, sizeof path, "%sthread-self/ns/%s", proc_fd < 0 ? "/proc/" : "", namespaces[i].name);
                if (fstatat(proc_fd < 0 ? AT_FDCWD : proc_fd, path, &st, 0) == 0)
                        r->ino[i] = (uint64_t) st.st_ino;
        }
}

void ns_report_send(int fd, const struct ns_report *r)
{
        if (fd < 0)
                return;
        (void) !send(fd, r, sizeof *r, MSG_NOSIGNAL);
}

/* The object bwrap writes: child-pid, then "<ns>-namespace" for each one
 * made, in this order; sep goes between members. Ours adds command-pid after
 * child-pid, when it is known (> 0). */
static int format_object(char *buf, size_t size, pid_t child, pid_t command, const struct ns_report *r,
                         const char *open, const char *sep, const char *close)
{
        int n = snprintf(buf, size, "%s\"child-pid\": %d", open, (int) child);

        if (command > 0)
                n += snprintf(buf + n, size - (size_t) n, "%s\"command-pid\": %d", sep, (int) command);

        for (size_t i = 0; i < ARRAY_SIZE(namespaces) && n < (int) size; i++)
                if (r && r->ino[i])
                        n += snprintf(buf + n, size - (size_t) n, "%s\"%s-namespace\": %llu", sep, namespaces[i].name,
                                      (unsigned long long) r->ino[i]);
        if (n < (int) size)
                n += snprintf(buf + n, size - (size_t) n, "%s", close);
        return n < (int) size ? n : -1;
}

int status_write_info(int fd, pid_t child, pid_t command, const struct ns_report *r)
{
        char buf[1024];
        int n = format_object(buf, sizeof buf, child, command, r, "{\n    ", ",\n    ", "\n}\n");
        int ret = n < 0 ? -EOVERFLOW : write_all(fd, buf, (size_t) n);

        close(fd);
        return ret;
}

int status_write_start(int fd, pid_t child, pid_t command, const struct ns_report *r)
{
        char buf[1024];
        int n = format_object(buf, sizeof buf, child, command, r, "{ ", ", ", " }\n");

        return n < 0 ? -EOVERFLOW : write_all(fd, buf, (size_t) n);
}

void status_exec_note(int fd)
{
        const char c = 0;

        if (fd >= 0)
                (void) !write(fd, &c, 1);
}

bool status_command_started(int fd)
{
        char buf[2];

        return fd >= 0 && read(fd, buf, sizeof buf) == 1;
}

int status_write_command(int fd, pid_t command)
{
        char buf[64];
        int n = snprintf(buf, sizeof buf, "{ \"command-pid\": %d }\n", (int) command);

        return write_all(fd, buf, (size_t) n);
}

int status_write_exit(int fd, int exit_code)
{
        char buf[64];
        int n = snprintf(buf, sizeof buf, "{ \"exit-code\": %d }\n", exit_code);
        int ret = write_all(fd, buf, (size_t) n);

        close(fd);
        return ret;
}
