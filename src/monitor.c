/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor: one event loop outside the sandbox, over the child's pidfd
 * and the fds of the services that serve the sandbox while it runs (one file
 * each, listed below). Adding a service adds a line to the list; the loop
 * stays as it is. Services are torn down in the reverse order.
 */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "reaper.h"
#include "util.h"

#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1U << 2) /* Linux 6.9 */
#endif

static const struct monitor_service *const services[] = {
        &monitor_events, &monitor_signals, &monitor_timeout, &monitor_parent, &monitor_last,
        &monitor_notify, &monitor_report,  &monitor_proxy,   &monitor_pasta,
};

int monitor_watch(struct monitor *m, int fd, uint32_t events, monitor_handler *h, void *data)
{
        struct monitor_watch *w = NULL;
        struct epoll_event ev = {.events = events};

        for (unsigned i = 0; i < m->n_watches && !w; i++)
                if (m->watches[i].fd < 0)
                        w = &m->watches[i];
        if (!w && m->n_watches < ARRAY_SIZE(m->watches))
                w = &m->watches[m->n_watches++];
        if (!w)
                return -ENOSPC;
        *w = (struct monitor_watch){.fd = fd, .h = h, .data = data};
        ev.data.ptr = w;
        if (epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                w->fd = -1;
                return -errno;
        }
        return 0;
}

void monitor_unwatch(struct monitor *m, int fd)
{
        for (unsigned i = 0; i < m->n_watches; i++)
                if (m->watches[i].fd == fd) {
                        epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
                        m->watches[i].fd = -1;
                        m->watches[i].h = NULL;
                }
}

void monitor_last_word(const char *fmt, ...)
{
        char line[512];
        va_list ap;

        if (log_is_bwrap())
                return;
        va_start(ap, fmt);
        vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        log_error("%s", line);
}

static int pidfd_signal(int pidfd, int sig, unsigned flags)
{
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, flags);
}

void monitor_reap(struct monitor *m)
{
        for (;;) {
                struct rusage ru;
                int status;
                pid_t r = wait4(-1, &status, WNOHANG | __WALL, &ru);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return;
                if (r == m->child) {
                        m->status = status;
                        m->usage = ru;
                        m->child_reaped = m->done = true;
                }
        }
}

/* SIGKILL each child of ours through a pidfd. A child's pid stays ours until
 * we reap it, and we reap only after this; a process further down is never
 * signalled by pid: it comes to us (we are a subreaper) once its parent dies. */
static void kill_children(void)
{
        _cleanup_close_ int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *list = NULL;
        size_t len = 0;
        char *p, *end;

        if (fd < 0 || read_all(fd, &list, &len, 1 << 20) < 0)
                return;
        for (p = list; *p; p = end) {
                long pid = strtol(p, &end, 10);
                int pidfd;

                if (end == p)
                        break;
                pidfd = pid > 0 ? (int) syscall(SYS_pidfd_open, (pid_t) pid, 0) : -1;
                if (pidfd >= 0) {
                        pidfd_signal(pidfd, SIGKILL, 0);
                        close(pidfd);
                }
        }
}

/* Leave no process behind: reap what is done, kill and reap the rest, round
 * by round, until no child is left. A killed process can't fork. */
static void clean_up_children(void)
{
        for (;;) {
                pid_t r = waitpid(-1, NULL, WNOHANG | __WALL);

                if (r > 0 || (r < 0 && errno == EINTR))
                        continue;
                if (r < 0) /* ECHILD */
                        return;
                kill_children();
                while (waitpid(-1, NULL, __WALL) < 0 && errno == EINTR)
                        ;
        }
}

void monitor_kill_sandbox(struct monitor *m)
{
        if (m->o->cgroup)
                cgroup_kill(m->o->cgroup);
        /* The sandbox's process group first, when the command or, below an
         * init in a session of its own, our child leads one: a whole make
         * tree at once, not level by level. */
        if (m->command_pidfd >= 0)
                pidfd_signal(m->command_pidfd, SIGKILL, PIDFD_SIGNAL_PROCESS_GROUP);
        if (m->child_pidfd >= 0) /* below an init, in its session */
                pidfd_signal(m->child_pidfd, SIGKILL, PIDFD_SIGNAL_PROCESS_GROUP);
        /* Our child: with a pid namespace, its init, and so all of it. Not
         * reaped yet, its pid is still ours. */
        if (m->child_pidfd >= 0)
                pidfd_signal(m->child_pidfd, SIGKILL, 0);
        else if (!m->child_reaped)
                kill(m->child, SIGKILL);
        kill_children();
}

static void on_child(struct monitor *m, void *data, uint32_t events)
{
        (void) data;
        (void) events;
        monitor_reap(m);
}

int monitor_run(pid_t child, const struct monitor_opts *o)
{
        struct monitor m = {.o = o, .child = child, .command_pidfd = -1, .forced_code = -1};
        size_t started = 0;
        int code;

        m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (m.epoll_fd < 0) {
                log_errno(errno, "can't create an epoll instance");
                m.forced_code = 1;
        }
        /* Our child, not reaped: the pid can't have been reused. */
        m.child_pidfd = (int) syscall(SYS_pidfd_open, child, 0);
        if (m.child_pidfd >= 0)
                fcntl(m.child_pidfd, F_SETFD, FD_CLOEXEC);
        if (m.epoll_fd >= 0 && m.child_pidfd >= 0 && monitor_watch(&m, m.child_pidfd, EPOLLIN, on_child, NULL) < 0)
                m.forced_code = 1;
        for (; m.forced_code < 0 && started < ARRAY_SIZE(services); started++)
                if (services[started]->init(&m) < 0)
                        m.forced_code = 1;
        if (m.forced_code >= 0) {
                monitor_kill_sandbox(&m);
                m.done = true;
        }
        monitor_reap(&m); /* it may have ended before we watched */

        while (!m.done) {
                struct epoll_event ev[8];
                int n = epoll_wait(m.epoll_fd, ev, ARRAY_SIZE(ev), -1);

                if (n < 0 && errno != EINTR) {
                        log_errno(errno, "the monitor can't wait");
                        monitor_kill_sandbox(&m);
                        m.forced_code = 1;
                        break;
                }
                for (int i = 0; i < n; i++) {
                        struct monitor_watch *w = ev[i].data.ptr;
                        if (w->h)
                                w->h(&m, w->data, ev[i].events);
                }
        }
        for (size_t i = started; i-- > 0;)
                if (services[i]->teardown)
                        services[i]->teardown(&m);
        clean_up_children();
        code = m.forced_code >= 0 ? m.forced_code : status_to_exit_code(m.status);
        closep(&m.command_pidfd);
        closep(&m.child_pidfd);
        closep(&m.epoll_fd);
        return code;
}
