/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sandbox's report channel: the namespaces, for --info-fd and
 * --json-status-fd, and the command's word that it is the command (see
 * command_hello), which gives us its pid and a pidfd of it.
 *
 * The namespaces come as setup starts, or once the mounts are locked; the
 * status fds are written once the command has told us of itself too, with
 * its pid as command-pid. Where the caller must act during setup
 * (--userns-block-fd writes our id maps), they are written at once, and
 * --json-status-fd gives command-pid on a line of its own later.
 *
 * The messages come from the sandbox: their size is checked, and the only
 * fds taken are one that SCM_RIGHTS carries with the command's message, and
 * the seccomp listener of --report ('L', see mon-notify.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"
#include "plan.h"
#include "status.h"
#include "util.h"

static struct {
        int fd; /* the channel, or -1 */
        bool have_ns, written, command_written;
        pid_t child; /* the sandbox's first process, from the kernel's credentials */
        struct ns_report ns;
} st = {.fd = -1};

static bool wants_status(const struct plan *p)
{
        return p->info_fd >= 0 || p->json_status_fd >= 0;
}

/* Write the status fds' first words once we know enough (see above), or,
 * at_end, what we know. */
static void write_status(struct monitor *m, bool at_end)
{
        const struct plan *p = m->o->plan;
        bool early = p->userns_block_fd >= 0;

        if (!st.written && (at_end || (st.have_ns && (m->command_pid > 0 || early)))) {
                pid_t child = st.child > 0 ? st.child : m->child;
                const struct ns_report *r = st.have_ns ? &st.ns : &(struct ns_report){{0}};

                st.written = true;
                st.command_written = m->command_pid > 0;
                if (p->info_fd >= 0 && status_write_info(p->info_fd, child, m->command_pid, r) < 0)
                        log_warning("--info-fd: can't write to fd %d", p->info_fd);
                if (p->json_status_fd >= 0 && status_write_start(p->json_status_fd, child, m->command_pid, r) < 0)
                        log_warning("--json-status-fd: can't write to fd %d", p->json_status_fd);
        }
        if (st.written && !st.command_written && m->command_pid > 0) {
                st.command_written = true;
                if (p->json_status_fd >= 0)
                        status_write_command(p->json_status_fd, m->command_pid);
        }
}

/* One message; false at the end of the channel. */
static bool receive(struct monitor *m)
{
        union {
                char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control;
        struct ns_report r;
        struct iovec iov = {.iov_base = &r, .iov_len = sizeof r};
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
        pid_t sender = 0;
        int fd = -1;
        ssize_t n;

        do
                n = recvmsg(st.fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN)
                return true;
        if (n <= 0)
                return false;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
                        struct ucred cred;
                        memcpy(&cred, CMSG_DATA(c), sizeof cred);
                        sender = cred.pid;
                } else if (c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int got;
                                memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
                                if (fd < 0 && n == 1)
                                        fd = got;
                                else
                                        close(got);
                        }
                }
        }
        if (n == (ssize_t) sizeof r && !st.have_ns) {
                st.ns = r;
                st.have_ns = true;
                if (sender > 0)
                        st.child = sender;
        } else if (n == 1 && ((char *) &r)[0] == 'L' && fd >= 0) {
                monitor_notify_listener(m, &fd);
        } else if (n == 1 && ((char *) &r)[0] == 'C' && m->command_pid == 0 && sender > 0) {
                m->command_pid = sender;
                m->command_pidfd = take_fd(&fd);
        }
        closep(&fd);
        return true;
}

static void on_readable(struct monitor *m, void *data, uint32_t events)
{
        (void) data;
        (void) events;
        if (!receive(m)) {
                monitor_unwatch(m, st.fd);
                closep(&st.fd);
                if (wants_status(m->o->plan))
                        write_status(m, true);
                return;
        }
        if (wants_status(m->o->plan))
                write_status(m, false);
}

static int report_init(struct monitor *m)
{
        if (m->o->relay || m->o->report_fd < 0 || !m->o->plan)
                return 0;
        st.fd = m->o->report_fd;
        return monitor_watch(m, st.fd, EPOLLIN, on_readable, NULL);
}

/* What came before the end, then what we have. */
static void report_teardown(struct monitor *m)
{
        for (int i = 0; i < 4 && st.fd >= 0 && receive(m); i++)
                ;
        closep(&st.fd);
        if (m->o->plan && !m->o->relay && wants_status(m->o->plan))
                write_status(m, true);
}

const struct monitor_service monitor_report = {
        .name = "report",
        .init = report_init,
        .teardown = report_teardown,
};
