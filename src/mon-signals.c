/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor's signals: what it passes on to the sandbox, and the
 * terminal's.
 *
 * Without --new-session the sandbox shares cocoon's terminal and process
 * group, so the kernel delivers Ctrl-C, Ctrl-\ and Ctrl-Z to all of it at
 * once; a shell inside makes its own jobs the terminal's foreground group, as
 * on any terminal. With --new-session the sandbox has no terminal: what the
 * terminal sends cocoon goes on to the sandbox's process group: the
 * command's, or, below an init (which passes on only what is sent to it
 * alone), the init's. Either way a second Ctrl-C within a few seconds
 * kills the whole sandbox, and Ctrl-Z stops cocoon too, so that the shell
 * that started it sees a stopped job, and `fg` goes on.
 */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "plan.h"
#include "process.h"
#include "util.h"

#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1U << 2) /* Linux 6.9 */
#endif

/* How close two Ctrl-C must come to kill the whole sandbox. */
#define SECOND_INTERRUPT_SECONDS 5

static struct {
        int fd;                    /* the signalfd */
        struct timespec interrupt; /* when the last SIGINT came, or zero */
        int tty;                   /* our controlling terminal, when we were its foreground */
        pid_t foreground;          /* then our process group, to give back at the end */
} st = {.fd = -1, .tty = -1};

static int pidfd_signal(int pidfd, int sig, unsigned flags)
{
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, flags);
}

/* To the process group that pidfd's process leads, as SI_QUEUE: a reaper
 * in it knows the command has it too (see reaper.c). */
static int group_signal(int pidfd, int sig)
{
        siginfo_t si = {.si_signo = sig, .si_code = SI_QUEUE};

        si.si_pid = getpid();
        si.si_uid = getuid();
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, &si, PIDFD_SIGNAL_PROCESS_GROUP);
}

/* To the sandbox's first process (the reaper passes it on to the command). */
static void to_child(struct monitor *m, int sig)
{
        if (m->child_pidfd >= 0)
                pidfd_signal(m->child_pidfd, sig, 0);
        else if (!m->child_reaped)
                kill(m->child, sig); /* not reaped: still our child's pid */
}

/* To the sandbox's foreground: the process group that the command leads, or
 * else the one our child (pid 1) leads, in a session of its own. Where
 * neither leads one, or before the command has told us of itself, to the
 * command or our child alone. */
static void to_foreground(struct monitor *m, int sig)
{
        if (m->command_pidfd >= 0 && group_signal(m->command_pidfd, sig) == 0)
                return;
        if (m->child_pidfd >= 0 && group_signal(m->child_pidfd, sig) == 0)
                return;
        if (m->command_pidfd >= 0 && pidfd_signal(m->command_pidfd, sig, 0) == 0)
                return;
        to_child(m, sig);
}

/* Whether a shell with job control started us: our parent is in our session
 * but not in our process group, there to see us stop and continue us. */
static bool job_control(void)
{
        pid_t parent = getppid();

        return getsid(parent) == getsid(0) && getpgid(parent) != getpgrp();
}

/* A second SIGINT soon after the first: the sandbox ignores it, or takes too
 * long about it. */
static bool second_interrupt(void)
{
        struct timespec now;
        bool second;

        clock_gettime(CLOCK_MONOTONIC, &now);
        second = (st.interrupt.tv_sec || st.interrupt.tv_nsec) &&
                 now.tv_sec - st.interrupt.tv_sec < SECOND_INTERRUPT_SECONDS;
        st.interrupt = now;
        return second;
}

static void on_signal(struct monitor *m, const struct signalfd_siginfo *si)
{
        const bool own_session = m->o->plan && m->o->plan->new_session;
        /* Sent by the terminal to our process group: the sandbox got it too,
         * unless it is in a session of its own. */
        const bool from_tty = si->ssi_code == SI_KERNEL;
        const int sig = (int) si->ssi_signo;

        switch (sig) {
        case SIGCHLD: monitor_reap(m); return;
        case SIGTTIN:
        case SIGTTOU: /* blocked only so that the monitor never stops on them */ return;
        case SIGTSTP:
                if (!job_control())
                        return; /* as the kernel drops it for an orphaned process group */
                if (own_session || !from_tty) {
                        to_foreground(m, SIGTSTP);
                        /* A group in a session of its own has no parent in
                         * its session: the kernel drops SIGTSTP there. */
                        to_foreground(m, SIGSTOP);
                }
                kill(getpid(), SIGSTOP); /* as a stopped job, for the shell that started us */
                return;
        case SIGCONT: to_foreground(m, SIGCONT); return;
        }
        if (sig == SIGINT && !m->o->relay && second_interrupt()) {
                monitor_last_word("a second Ctrl-C (SIGINT) within %d seconds: killed the whole sandbox",
                                  SECOND_INTERRUPT_SECONDS);
                m->said = true;
                monitor_kill_sandbox(m);
                return;
        }
        if (from_tty && !own_session)
                return; /* it has it already: passing it on would deliver it twice */
        if (from_tty && !m->o->relay && (sig == SIGINT || sig == SIGQUIT))
                to_foreground(m, sig);
        else
                to_child(m, sig);
}

static void on_readable(struct monitor *m, void *data, uint32_t events)
{
        struct signalfd_siginfo si;

        (void) data;
        (void) events;
        while (read(st.fd, &si, sizeof si) == (ssize_t) sizeof si && !m->done)
                on_signal(m, &si);
}

static int signals_init(struct monitor *m)
{
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        for (unsigned i = 0; i < n_forwarded_signals; i++)
                sigaddset(&set, forwarded_signals[i]);
        if (!m->o->relay) {
                sigaddset(&set, SIGTSTP);
                sigaddset(&set, SIGCONT);
                sigaddset(&set, SIGTTIN);
                sigaddset(&set, SIGTTOU);
        }
        sigprocmask(SIG_BLOCK, &set, NULL);
        st.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (st.fd < 0)
                return -1;
        if (!m->o->relay) {
                st.tty = m->o->tty;
                st.foreground = m->o->foreground;
        }
        return monitor_watch(m, st.fd, EPOLLIN, on_readable, NULL);
}

void monitor_note_terminal(struct monitor_opts *o)
{
        o->tty = -1;
        for (int fd = 0; fd <= 2 && o->tty < 0; fd++)
                if (isatty(fd) && tcgetpgrp(fd) == getpgrp()) {
                        o->tty = fd;
                        o->foreground = getpgrp();
                }
}

static void signals_teardown(struct monitor *m)
{
        (void) m;
        if (st.tty >= 0 && tcgetpgrp(st.tty) != st.foreground)
                tcsetpgrp(st.tty, st.foreground); /* SIGTTOU is blocked */
        closep(&st.fd);
}

const struct monitor_service monitor_signals = {
        .name = "signals",
        .init = signals_init,
        .teardown = signals_teardown,
};
