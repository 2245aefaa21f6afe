/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --net pasta: once the sandbox hands us its user and network namespaces,
 * start pasta for them, outside and as the caller, and tell the sandbox to
 * go on when pasta has written its pid (it does once the namespace is
 * configured). pasta runs in the foreground as our child, in a session of
 * its own, with no fd but the namespaces and that pipe, and PR_SET_PDEATHSIG:
 * it ends with the sandbox (teardown) or with us, whichever is first.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"
#include "netpasta.h"
#include "plan.h"
#include "util.h"

#ifndef P_PIDFD
#define P_PIDFD 3 /* Linux 5.4 */
#endif

static struct {
        int channel;  /* to the sandbox, until it is told to go */
        int pid_pipe; /* pasta writes its pid here once ready */
        int pidfd;    /* pasta's */
        int errors;   /* pasta's stderr: kept until it is ready, then drained */
        pid_t pid;
        bool ready, ended;
        char said[1024]; /* what it wrote there before it was ready */
        size_t n_said;
} st = {.channel = -1, .pid_pipe = -1, .pidfd = -1, .errors = -1};

/* Read what pasta wrote on stderr: the first 1 KiB is kept, for a message
 * if it fails; it warns of things that don't matter to us (no IPv6 route,
 * no syslog) even when all is well. */
static void drain_errors(struct monitor *m)
{
        char buf[4096];

        for (;;) {
                ssize_t n = read(st.errors, buf, sizeof buf);
                size_t room = sizeof st.said - 1 - st.n_said;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        if (n == 0 || errno != EAGAIN) {
                                monitor_unwatch(m, st.errors);
                                closep(&st.errors);
                        }
                        return;
                }
                if (!st.ready) {
                        memcpy(st.said + st.n_said, buf, (size_t) n < room ? (size_t) n : room);
                        st.n_said += (size_t) n < room ? (size_t) n : room;
                        st.said[st.n_said] = '\0';
                }
        }
}

static void on_errors(struct monitor *m, void *data, uint32_t events)
{
        (void) data;
        (void) events;
        drain_errors(m);
}

/* pasta's own reason: its last line but the syslog noise, or "". */
static const char *pasta_reason(void)
{
        static char line[256];
        char *save = NULL;

        line[0] = '\0';
        for (char *l = strtok_r(st.said, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                if (*l && !strstr(l, "syslog"))
                        snprintf(line, sizeof line, ": %s", l);
        for (char *c = line; *c; c++)
                if ((unsigned char) *c < ' ')
                        *c = '?';
        return line;
}

static void fail_sandbox(struct monitor *m)
{
        m->said = true;
        monitor_kill_sandbox(m);
        m->forced_code = 1;
        m->done = true;
}

/* The two namespace fds of the sandbox's message, checked: a user and a
 * network namespace. */
static int receive_namespaces(int fds[2])
{
        union {
                char buf[CMSG_SPACE(2 * sizeof(int))];
                struct cmsghdr align;
        } control;
        char word = 0;
        struct iovec iov = {.iov_base = &word, .iov_len = 1};
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
        struct cmsghdr *c;
        ssize_t n;

        fds[0] = fds[1] = -1;
        do
                n = recvmsg(st.channel, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN)
                return -EAGAIN;
        c = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int got;
                        memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
                        if (i < 2)
                                fds[i] = got;
                        else
                                close(got);
                }
        }
        if (n == 0)
                return -EPIPE; /* the sandbox ended during setup: it says why */
        if (word != NETPASTA_NAMESPACES || fds[0] < 0 || fds[1] < 0 || ioctl(fds[0], NS_GET_NSTYPE) != CLONE_NEWUSER ||
            ioctl(fds[1], NS_GET_NSTYPE) != CLONE_NEWNET) {
                closep(&fds[0]);
                closep(&fds[1]);
                return -EBADMSG;
        }
        return 0;
}

/* Whether fd is the user namespace we are in (a root caller's sandbox
 * without one of its own): then pasta joins only the network namespace. */
static bool our_user_namespace(int fd)
{
        struct stat a, b;

        return fstat(fd, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
}

/* In the forked child: pasta, with fds 3, 4 and 5 and nothing else. */
static _Noreturn void exec_pasta(const struct monitor *m, pid_t monitor, int userns, int netns, int pid_w, int err_w)
{
        int moved[3] = {userns >= 0 ? fcntl(userns, F_DUPFD, 10) : -1, fcntl(netns, F_DUPFD, 10),
                        fcntl(pid_w, F_DUPFD, 10)};
        char *argv[40], buf[4096];
        sigset_t none;
        int null;

        /* Dies with the monitor, which may be SIGKILLed; checked after, so
         * that a monitor dead already is no race. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != monitor)
                _exit(127);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid(); /* a Ctrl-C for the sandbox is not for pasta */
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(err_w, STDERR_FILENO) < 0)
                _exit(127);
        if ((moved[0] >= 0 && dup2(moved[0], 3) < 0) || dup2(moved[1], 4) < 0 || dup2(moved[2], 5) < 0)
                _exit(127);
        /* None of the caller's fds, which are meant for the sandbox. */
        if (syscall(SYS_close_range, 6, ~0U, 0) < 0)
                for (int fd = 6; fd < 1024; fd++)
                        close(fd);
        if (netpasta_argv(m->o->plan, m->o->pasta, moved[0] >= 0 ? 3 : -1, 4, 5, argv, ARRAY_SIZE(argv), buf,
                          sizeof buf) < 0)
                _exit(127);
        execv(argv[0], argv);
        log_errno(errno, "--net pasta: can't run %s", argv[0]);
        _exit(127);
}

static void on_ready(struct monitor *m, void *data, uint32_t events);
static void on_pasta_exit(struct monitor *m, void *data, uint32_t events);

static int start_pasta(struct monitor *m, int userns, int netns)
{
        int pipe_fds[2], err_fds[2];
        pid_t monitor = getpid();

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return log_errno(errno, "--net pasta: can't create a pipe"), -1;
        if (pipe2(err_fds, O_CLOEXEC) < 0) {
                close(pipe_fds[0]);
                close(pipe_fds[1]);
                return log_errno(errno, "--net pasta: can't create a pipe"), -1;
        }
        st.pid = fork();
        if (st.pid == 0)
                exec_pasta(m, monitor, our_user_namespace(userns) ? -1 : userns, netns, pipe_fds[1], err_fds[1]);
        close(pipe_fds[1]);
        close(err_fds[1]);
        st.pid_pipe = pipe_fds[0];
        st.errors = err_fds[0];
        fcntl(st.errors, F_SETFL, O_NONBLOCK);
        if (st.pid < 0)
                return log_errno(errno, "--net pasta: can't fork"), -1;
        /* Our child, not reaped yet: the pid is still its own. */
        st.pidfd = (int) syscall(SYS_pidfd_open, st.pid, 0);
        if (st.pidfd < 0)
                return log_errno(errno, "--net pasta: can't watch pasta (pidfd_open, Linux 5.3)"), -1;
        fcntl(st.pidfd, F_SETFD, FD_CLOEXEC);
        fcntl(st.pid_pipe, F_SETFL, O_NONBLOCK);
        if (monitor_watch(m, st.pid_pipe, EPOLLIN, on_ready, NULL) < 0 ||
            monitor_watch(m, st.errors, EPOLLIN, on_errors, NULL) < 0 ||
            monitor_watch(m, st.pidfd, EPOLLIN, on_pasta_exit, NULL) < 0)
                return log_error("--net pasta: the monitor can't watch pasta"), -1;
        return 0;
}

static void on_namespaces(struct monitor *m, void *data, uint32_t events)
{
        int fds[2];
        int r = receive_namespaces(fds);

        (void) data;
        (void) events;
        if (r == -EAGAIN)
                return;
        monitor_unwatch(m, st.channel);
        if (r == -EPIPE) {
                closep(&st.channel);
                return;
        }
        if (r < 0) {
                log_error("--net pasta: the sandbox sent something else than its namespaces");
                fail_sandbox(m);
                return;
        }
        r = start_pasta(m, fds[0], fds[1]);
        close(fds[0]);
        close(fds[1]);
        if (r < 0)
                fail_sandbox(m);
}

static void on_ready(struct monitor *m, void *data, uint32_t events)
{
        char buf[32];
        ssize_t n = read(st.pid_pipe, buf, sizeof buf);
        char go = NETPASTA_READY;

        (void) data;
        (void) events;
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        monitor_unwatch(m, st.pid_pipe);
        closep(&st.pid_pipe);
        if (n <= 0)
                return; /* closed unwritten: pasta failed, on_pasta_exit tells */
        st.ready = true;
        /* Refused when the sandbox ended meanwhile: its end says why. */
        n = write(st.channel, &go, 1);
        (void) n;
        closep(&st.channel);
}

static void on_pasta_exit(struct monitor *m, void *data, uint32_t events)
{
        siginfo_t si = {0};

        (void) data;
        (void) events;
        monitor_unwatch(m, st.pidfd);
        st.ended = true;
        /* Our loop may have reaped it already (monitor_reap waits for any). */
        if (syscall(SYS_waitid, P_PIDFD, st.pidfd, &si, WEXITED | WNOHANG, NULL) < 0 || si.si_pid == 0)
                si.si_code = 0;
        if (st.errors >= 0)
                drain_errors(m);
        if (st.ready) {
                log_warning("--net pasta: pasta ended while the sandbox runs: it has no network now");
                return;
        }
        if (si.si_code == CLD_EXITED)
                log_error("--net pasta: pasta could not set up the sandbox's network (exit status %d)%s", si.si_status,
                          pasta_reason());
        else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
                log_error("--net pasta: pasta was killed by signal %d before the network was up%s", si.si_status,
                          pasta_reason());
        else
                log_error("--net pasta: pasta ended before the network was up%s", pasta_reason());
        fail_sandbox(m);
}

static int pasta_init(struct monitor *m)
{
        const struct plan *p = m->o->plan;

        if (!p || m->o->relay || p->net_mode != NET_PASTA || m->o->net_fd < 0)
                return 0;
        st.channel = m->o->net_fd;
        return monitor_watch(m, st.channel, EPOLLIN, on_namespaces, NULL);
}

/* The sandbox is over: so is pasta. */
static void pasta_teardown(struct monitor *m)
{
        (void) m;
        if (st.pidfd >= 0) {
                siginfo_t si;
                if (!st.ended)
                        syscall(SYS_pidfd_send_signal, st.pidfd, SIGKILL, NULL, 0);
                while (syscall(SYS_waitid, P_PIDFD, st.pidfd, &si, WEXITED, NULL) < 0 && errno == EINTR)
                        ;
        }
        closep(&st.pidfd);
        closep(&st.pid_pipe);
        closep(&st.channel);
        closep(&st.errors);
}

const struct monitor_service monitor_pasta = {
        .name = "pasta",
        .init = pasta_init,
        .teardown = pasta_teardown,
};
