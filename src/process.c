/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The processes around the command: what the monitor, pid 1 and the command share. */
#include "process.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "reaper.h"
#include "util.h"

const int forwarded_signals[] = {FORWARDED_SIGNALS};
const unsigned n_forwarded_signals = ARRAY_SIZE(forwarded_signals);

/* The signals the monitor and the reaper wait for. */
static void waited_signals(sigset_t *set, bool parent_death)
{
        sigemptyset(set);
        sigaddset(set, SIGCHLD);
        for (unsigned i = 0; i < n_forwarded_signals; i++)
                sigaddset(set, forwarded_signals[i]);
        if (parent_death)
                sigaddset(set, PARENT_DEATH_SIGNAL);
}

void signals_block(sigset_t *old, bool parent_death)
{
        sigset_t set;

        waited_signals(&set, parent_death);
        sigprocmask(SIG_BLOCK, &set, old);
}

/* The parent pid of /proc/PID (or "self"), as /proc shows it; -1 when it
 * can't be read. */
static pid_t read_ppid(const char *pid)
{
        char path[64], buf[512];
        char *p;
        FILE *f;
        int ppid = -1;
        size_t n;

        snprintf(path, sizeof path, "/proc/%s/stat", pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
                return -1;
        return ppid;
}

/* Every process of the sandbox dies with the one that started it, so that
 * nothing outlives the monitor, however it ends (--die-with-parent extends
 * this to the monitor's own parent). The parent may have died before we
 * asked: parent_pidfd (a pidfd, readable once it has exited) tells, or, when
 * it is -1, our parent's pid as we see it, or as /proc shows it. */
void die_with_parent(int parent_pidfd, pid_t parent)
{
        struct pollfd pfd = {.fd = parent_pidfd, .events = POLLIN};
        pid_t ppid;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (parent_pidfd >= 0) {
                if (poll(&pfd, 1, 0) != 0)
                        _exit(1);
                return;
        }
        /* Without pidfd_open (Linux 5.3): in a new pid namespace getppid()
         * is 0, but /proc, still the caller's, shows the parent's pid as the
         * caller sees it. No /proc: fail closed, and say why. */
        ppid = getppid();
        if (ppid == 0 && parent != 0)
                ppid = read_ppid("self");
        if (ppid < 0)
                die("can't tell whether cocoon still runs: this kernel lacks pidfd_open (Linux 5.3), and /proc is "
                    "not there to ask");
        if (ppid != parent)
                _exit(1);
}

void command_hello(int fd)
{
        int pidfd;

        if (fd < 0)
                return;
        pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        (void) !send_fds(fd, 'C', &pidfd, pidfd >= 0);
        if (pidfd >= 0)
                close(pidfd);
        close(fd);
}
