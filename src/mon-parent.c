/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --die-with-parent: the parent's pidfd, readable once it has died, and the
 * signal the kernel sends us then (PR_SET_PDEATHSIG, set in launch.c). */
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "monitor.h"
#include "plan.h"
#include "process.h"
#include "util.h"

static int parent_fd = -1, signal_fd = -1;

static void parent_died(struct monitor *m)
{
        monitor_kill_sandbox(m);
        m->forced_code = 1;
        m->done = true;
}

static void on_parent(struct monitor *m, void *data, uint32_t events)
{
        (void) data;
        (void) events;
        parent_died(m);
}

static void on_signal(struct monitor *m, void *data, uint32_t events)
{
        struct signalfd_siginfo si;

        (void) data;
        (void) events;
        while (read(signal_fd, &si, sizeof si) == (ssize_t) sizeof si)
                ;
        /* Anyone may send this signal: only getppid() says it is true. */
        if (getppid() != m->o->original_parent)
                parent_died(m);
}

static int parent_init(struct monitor *m)
{
        const struct plan *p = m->o->plan;
        sigset_t set;

        if (!p || !p->die_with_parent || m->o->relay)
                return 0;
        sigemptyset(&set);
        sigaddset(&set, PARENT_DEATH_SIGNAL);
        sigprocmask(SIG_BLOCK, &set, NULL);
        signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (signal_fd < 0 || monitor_watch(m, signal_fd, EPOLLIN, on_signal, NULL) < 0)
                return -1;
        /* Opened by pid, then checked: still our parent, so the pid was
         * not reused. Without pidfd_open, the signal alone tells. */
        parent_fd = (int) syscall(SYS_pidfd_open, m->o->original_parent, 0);
        if (parent_fd >= 0)
                fcntl(parent_fd, F_SETFD, FD_CLOEXEC);
        if (getppid() != m->o->original_parent) {
                parent_died(m);
                return 0;
        }
        if (parent_fd >= 0 && monitor_watch(m, parent_fd, EPOLLIN, on_parent, NULL) < 0)
                return -1;
        return 0;
}

static void parent_teardown(struct monitor *m)
{
        (void) m;
        closep(&parent_fd);
        closep(&signal_fd);
}

const struct monitor_service monitor_parent = {
        .name = "parent",
        .init = parent_init,
        .teardown = parent_teardown,
};
