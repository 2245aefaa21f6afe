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

/* Every process of the sandbox dies with the one that started it, so that
 * nothing outlives the monitor, however it ends (--die-with-parent extends
 * this to the monitor's own parent). The parent may have died before we
 * asked: parent_pidfd (a pidfd, readable once it has exited) tells, or, when
 * it is -1, our parent's pid as we see it. */
void die_with_parent(int parent_pidfd, pid_t parent)
{
        struct pollfd pfd = {.fd = parent_pidfd, .events = POLLIN};

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (parent_pidfd >= 0 ? poll(&pfd, 1, 0) != 0 : getppid() != parent)
                _exit(1);
}

void command_hello(int fd)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = "C", .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        int pidfd;

        if (fd < 0)
                return;
        pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        if (pidfd >= 0) {
                struct cmsghdr *c;

                msg.msg_control = control.buf;
                msg.msg_controllen = sizeof control.buf;
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
        }
        (void) !sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (pidfd >= 0)
                close(pidfd);
        close(fd);
}
