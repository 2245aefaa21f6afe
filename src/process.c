/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The processes around the command: the monitor outside, the reaper inside. */
#include "process.h"

#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
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

static bool is_forwarded(int sig)
{
        for (unsigned i = 0; i < n_forwarded_signals; i++)
                if (forwarded_signals[i] == sig)
                        return true;
        return false;
}

static pid_t read_ppid(const char *pid);

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

/* Read the parent pid out of /proc/PID/stat; the command name may hold
 * spaces and parentheses, so parse from the last ')'. */
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

/* SIGKILL every descendant of ours. As a subreaper we inherit orphans, so a
 * process that double-forked is still below us. Returns how many were hit. */
static int kill_descendants(void)
{
        pid_t *pids = NULL, *parents = NULL, self = getpid();
        size_t n = 0, cap = 0;
        struct dirent *de;
        bool *mine;
        int hit = 0;
        DIR *d = opendir("/proc");

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                pid_t ppid;
                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                ppid = read_ppid(de->d_name);
                if (ppid < 0)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 256;
                        pids = xrealloc(pids, cap * sizeof *pids);
                        parents = xrealloc(parents, cap * sizeof *parents);
                }
                pids[n] = atoi(de->d_name);
                parents[n++] = ppid;
        }
        closedir(d);

        /* Mark descendants until nothing changes. */
        mine = xcalloc(n, sizeof *mine);
        for (bool changed = true; changed;) {
                changed = false;
                for (size_t i = 0; i < n; i++) {
                        if (mine[i])
                                continue;
                        bool below = parents[i] == self;
                        for (size_t j = 0; j < n && !below; j++)
                                below = mine[j] && pids[j] == parents[i];
                        if (below)
                                mine[i] = changed = true;
                }
        }
        for (size_t i = 0; i < n; i++)
                if (mine[i] && kill(pids[i], SIGKILL) == 0)
                        hit++;
        free(mine);
        free(pids);
        free(parents);
        return hit;
}

/* Leave no process behind: reap what is done, kill and reap the rest. */
static void clean_up_children(void)
{
        for (;;) {
                pid_t r = waitpid(-1, NULL, WNOHANG);
                if (r > 0)
                        continue;
                if (r < 0 && errno == ECHILD)
                        return;
                if (r < 0 && errno == EINTR)
                        continue;
                /* Live children remain. */
                kill_descendants();
                while (waitpid(-1, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
}

/* A signal from the terminal (Ctrl-C, hangup) already reaches the command
 * when it shares our session; passing it on would deliver it twice. */
static bool should_forward(const siginfo_t *si, bool own_session)
{
        return is_forwarded(si->si_signo) && (si->si_code != SI_KERNEL || own_session);
}

/* Kill the whole sandbox now. */
static void kill_sandbox(pid_t child, const struct monitor_opts *o)
{
        if (o->cgroup)
                cgroup_kill(o->cgroup);
        kill(child, SIGKILL);
        kill_descendants();
}

int monitor_run(pid_t child, const struct monitor_opts *o)
{
        struct timespec deadline = {0}, now;
        sigset_t set;
        int status = 0;

        waited_signals(&set, o->die_with_parent);
        if (o->timeout) {
                clock_gettime(CLOCK_MONOTONIC, &deadline);
                deadline.tv_sec += o->timeout;
        }

        for (;;) {
                siginfo_t si;
                pid_t r;
                int got;

                /* Reap first: the child may have ended before we got here. */
                while ((r = waitpid(-1, &status, WNOHANG)) > 0)
                        if (r == child)
                                goto done;

                if (o->die_with_parent && getppid() != o->original_parent) {
                        kill_sandbox(child, o);
                        clean_up_children();
                        return 1;
                }
                if (o->timeout) {
                        struct timespec left;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        left.tv_sec = deadline.tv_sec - now.tv_sec;
                        left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
                        if (left.tv_nsec < 0)
                                left.tv_sec--, left.tv_nsec += 1000000000L;
                        if (left.tv_sec < 0) {
                                log_error("--timeout: the sandbox ran for %u seconds; killed", o->timeout);
                                kill_sandbox(child, o);
                                clean_up_children();
                                return TIMEOUT_EXIT_CODE;
                        }
                        got = sigtimedwait(&set, &si, &left);
                } else {
                        got = sigwaitinfo(&set, &si);
                }
                if (got < 0)
                        continue;
                if (should_forward(&si, o->own_session))
                        kill(child, si.si_signo);
        }
done:
        clean_up_children();
        return status_to_exit_code(status);
}
