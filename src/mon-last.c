/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The last word: when one of cocoon's own mechanisms ended the command, one
 * line that names it. --timeout and a second Ctrl-C say so themselves; this
 * service looks, once the sandbox is over, at how the command died: SIGXCPU,
 * or SIGKILL after as much CPU time as the hard --rlimit cpu allows; SIGXFSZ
 * under --rlimit fsize; SIGKILL from the cgroup's OOM killer (--memory-max).
 * The exit status stays the command's.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroup.h"
#include "monitor.h"
#include "plan.h"
#include "util.h"

/* PIDFD_GET_INFO (Linux 6.15): a command's wait status, even though it is
 * not our child and is reaped already. */
struct pidfd_exit_info {
        uint64_t mask;
        uint64_t cgroupid;
        uint32_t ids[11]; /* pid, tgid, ppid, then the uids and gids */
        int32_t exit_code;
};
#define PIDFD_INFO_EXIT_BIT  (1ULL << 3)
#define PIDFD_GET_INFO_IOCTL _IOWR(0xFF, 11, struct pidfd_exit_info)

/* The kernel counts CPU time in nanoseconds, rusage rounds it: how far
 * below the hard limit a SIGKILLed command may seem to have stopped. */
#define CPU_SLACK 0.05

/* The signal that ended the command, or 0. */
static int command_signal(const struct monitor *m)
{
        int status = m->status;

        if (m->command_pidfd >= 0) {
                struct pidfd_exit_info info = {.mask = PIDFD_INFO_EXIT_BIT};
                if (ioctl(m->command_pidfd, PIDFD_GET_INFO_IOCTL, &info) == 0 && (info.mask & PIDFD_INFO_EXIT_BIT))
                        return WIFSIGNALED(info.exit_code) ? WTERMSIG(info.exit_code) : 0;
        }
        if (WIFSIGNALED(status)) /* the command was our child */
                return WTERMSIG(status);
        /* A reaper passed it on as 128+N: where the kernel can't tell us,
         * that is as close as we get. */
        if (WIFEXITED(status) && WEXITSTATUS(status) > 128 && WEXITSTATUS(status) < 128 + 65)
                return WEXITSTATUS(status) - 128;
        return 0;
}

static const struct rlimit_setting *find_rlimit(const struct plan *p, int resource)
{
        const struct rlimit_setting *found = NULL;

        for (size_t i = 0; i < p->n_rlimits; i++)
                if (p->rlimits[i].resource == resource)
                        found = &p->rlimits[i];
        return found;
}

static bool oom_killed(const struct cgroup *cg)
{
        char buf[1024], *at;
        _cleanup_close_ int fd = cg && cg->dir_fd >= 0 ? openat(cg->dir_fd, "memory.events", O_RDONLY | O_CLOEXEC) : -1;
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

        if (n <= 0)
                return false;
        buf[n] = '\0';
        at = strstr(buf, "oom_kill ");
        return at && strtoull(at + 9, NULL, 10) > 0;
}

static void last_teardown(struct monitor *m)
{
        const struct plan *p = m->o->plan;
        const struct rlimit_setting *cpu, *fsize;
        int sig;
        double used;

        if (!p || m->o->relay || m->said || m->forced_code >= 0 || !m->child_reaped)
                return;
        sig = command_signal(m);
        cpu = find_rlimit(p, RLIMIT_CPU);
        fsize = find_rlimit(p, RLIMIT_FSIZE);
        used = (double) (m->usage.ru_utime.tv_sec + m->usage.ru_stime.tv_sec) +
               (double) (m->usage.ru_utime.tv_usec + m->usage.ru_stime.tv_usec) / 1e6;
        if (sig == SIGKILL && p->memory_max && oom_killed(m->o->cgroup))
                monitor_last_word("the cgroup's OOM killer ended the command: it needed more memory than "
                                  "--memory-max %llu allows",
                                  (unsigned long long) p->memory_max);
        else if (sig == SIGXCPU && cpu)
                monitor_last_word("the command used its CPU time (--rlimit cpu=%llu): SIGXCPU ended it",
                                  (unsigned long long) cpu->soft);
        else if (sig == SIGKILL && cpu && cpu->hard != RLIM_INFINITY && used + CPU_SLACK >= (double) cpu->hard)
                monitor_last_word("the command used its CPU time (--rlimit cpu, hard limit %llu seconds): "
                                  "the kernel killed it",
                                  (unsigned long long) cpu->hard);
        else if (sig == SIGXFSZ && fsize)
                monitor_last_word("the command wrote past the file size limit (--rlimit fsize=%llu): SIGXFSZ "
                                  "ended it",
                                  (unsigned long long) fsize->soft);
}

static int last_init(struct monitor *m)
{
        (void) m;
        return 0;
}

const struct monitor_service monitor_last = {
        .name = "last word",
        .init = last_init,
        .teardown = last_teardown,
};
