/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp listener behind --report, --report-fd and --learn: the
 * monitor's side of notifybpf.h. pid 1 (or the command) loads the
 * listener's program and hands us its fd over the report channel
 * (mon-report.c); nothing in the sandbox keeps it.
 *
 * Each notification is answered at once: a call that cocoon's own programs
 * refuse gets their errno, as it would have without the listener, and is
 * reported; any other goes on (SECCOMP_USER_NOTIF_FLAG_CONTINUE), once
 * notifypath.c has looked at its path or address. The calls are the
 * sandbox's: a flood of them is served, but past CHECKS_PER_SECOND the
 * paths are no longer looked at, only counted, so the sandbox never waits
 * on us for long and we never fall behind for good.
 */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "notifybpf.h"
#include "notifypath.h"
#include "plan.h"
#include "report.h"
#include "util.h"

#define CHECKS_PER_SECOND 20000
#define NOTIFS_PER_WAKEUP 64

static struct {
        int fd; /* the listener, or -1 */
        const struct plan *plan;
        time_t second;   /* CLOCK_MONOTONIC second of the window */
        unsigned checks; /* paths looked at in it */
} st = {.fd = -1};

static bool is_listener(int fd)
{
        char self[64], target[64];
        ssize_t n;

        snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
        n = readlink(self, target, sizeof target - 1);
        if (n <= 0)
                return false;
        target[n] = '\0';
        return strcmp(target, "anon_inode:seccomp notify") == 0;
}

static bool may_check(void)
{
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec != st.second) {
                st.second = now.tv_sec;
                st.checks = 0;
        }
        return ++st.checks <= CHECKS_PER_SECOND;
}

/* Which of the plan's programs the verdict came from, for its name. */
static const char *refuser(const struct plan *p, const struct seccomp_data *d, char *buf, size_t size)
{
        size_t profile = 0;
        uint32_t want = notify_verdict(p->programs, p->program_ours, p->n_programs, d);

        for (size_t i = 0; i < p->n_programs; i++) {
                if (!p->program_ours[i])
                        continue;
                if (bpf_run(&p->programs[i], d) == want) {
                        if (i == 0 && !p->seccomp_export)
                                return "the terminal injection guard";
                        profile = 0;
                        for (size_t j = 1; j < i; j++)
                                profile += p->program_ours[j];
                        if (profile < p->n_profiles && strcmp(p->profiles[profile], "default") == 0)
                                return "the default seccomp profile";
                        if (profile < p->n_profiles) {
                                snprintf(buf, size, "the seccomp profile %s", p->profiles[profile]);
                                return buf;
                        }
                }
        }
        return "a seccomp profile";
}

static void report_refusal(const struct seccomp_notif *req, int err)
{
        const struct plan *p = st.plan;
        char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
        char exe[256], who[512], what[64], errname[32];
        _cleanup_free_ char *cause = NULL, *suggest = NULL;
        const char *en = strerrorname_np(err);

        if (en)
                snprintf(errname, sizeof errname, "%s", en);
        else
                snprintf(errname, sizeof errname, "errno %d", err);
        if (name)
                snprintf(what, sizeof what, "%s", name);
        else
                snprintf(what, sizeof what, "system call %d", req->data.nr);
        free(name);
        notifypath_exe((pid_t) req->pid, exe, sizeof exe);
        cause = xasprintf("%s refuses %s (%s)", refuser(p, &req->data, who, sizeof who), what, errname);
        suggest = xasprintf("a --seccomp-profile that allows %s", what);
        report_event(&(struct report_event){.kind = REPORT_SECCOMP,
                                            .pid = (pid_t) req->pid,
                                            .exe = exe[0] ? exe : NULL,
                                            .syscall = what,
                                            .verdict = "refused",
                                            .err = err,
                                            .cause = cause,
                                            .suggest = suggest,
                                            .learn = LEARN_COMMENT});
}

static void answer(const struct seccomp_notif *req)
{
        const struct plan *p = st.plan;
        uint32_t v = notify_verdict(p->programs, p->program_ours, p->n_programs, &req->data);
        struct seccomp_notif_resp resp = {.id = req->id};
        uint32_t action = v & SECCOMP_RET_ACTION_FULL;

        if (action == SECCOMP_RET_ERRNO) {
                int err = (int) (v & SECCOMP_RET_DATA);
                resp.error = -err;
                report_refusal(req, err);
        } else if (action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG || action == SECCOMP_RET_TRACE) {
                if (may_check())
                        notifypath_look(p, st.fd, req);
                else
                        report_dropped(1);
                resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        } else {
                resp.error = -EPERM; /* the loaded copy acts on it first; never let it by */
        }
        /* ENOENT: the caller is gone, or a signal took it out of the call. */
        (void) ioctl(st.fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void stop(struct monitor *m)
{
        monitor_unwatch(m, st.fd);
        closep(&st.fd);
}

static void on_listener(struct monitor *m, void *data, uint32_t events)
{
        (void) data;
        /* Only when poll says a notification waits: a receive with none
         * would block the monitor. */
        for (int i = 0; i < NOTIFS_PER_WAKEUP && st.fd >= 0; i++) {
                struct pollfd pfd = {.fd = st.fd, .events = POLLIN};
                struct seccomp_notif req;

                if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
                        break;
                memset(&req, 0, sizeof req);
                if (ioctl(st.fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
                        if (errno == EINTR || errno == ENOENT)
                                continue;
                        stop(m);
                        return;
                }
                answer(&req);
        }
        if ((events & (EPOLLHUP | EPOLLERR)) && st.fd >= 0 &&
            poll(&(struct pollfd){.fd = st.fd, .events = POLLIN}, 1, 0) == 0)
                stop(m); /* nothing of the sandbox runs under it any more */
}

void monitor_notify_listener(struct monitor *m, int *fd)
{
        const struct plan *p = m->o->plan;

        if (st.fd >= 0 || !p || m->o->relay || !plan_reports(p) || !is_listener(*fd)) {
                closep(fd);
                return;
        }
        st.plan = p;
        st.fd = take_fd(fd);
        if (monitor_watch(m, st.fd, EPOLLIN, on_listener, NULL) < 0)
                closep(&st.fd); /* its calls then fail with ENOSYS: nothing gets by */
}

static int notify_init(struct monitor *m)
{
        (void) m;
        return 0;
}

static void notify_teardown(struct monitor *m)
{
        if (st.fd >= 0)
                stop(m);
}

const struct monitor_service monitor_notify = {
        .name = "seccomp listener",
        .init = notify_init,
        .teardown = notify_teardown,
};
