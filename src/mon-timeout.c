/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --timeout: a timerfd; when it fires, the whole sandbox is killed. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "monitor.h"
#include "plan.h"
#include "process.h"
#include "util.h"

static int timer_fd = -1;

static void on_timer(struct monitor *m, void *data, uint32_t events)
{
        uint64_t ticks;

        (void) data;
        (void) events;
        if (read(timer_fd, &ticks, sizeof ticks) != (ssize_t) sizeof ticks)
                return;
        monitor_last_word("--timeout: the sandbox ran for %u seconds; killed", m->o->plan->timeout);
        m->said = true;
        monitor_kill_sandbox(m);
        m->forced_code = TIMEOUT_EXIT_CODE;
        m->done = true;
}

static int timeout_init(struct monitor *m)
{
        const struct plan *p = m->o->plan;
        /* Counted from the start, setup included: the launch came just before. */
        struct itimerspec when = {.it_value = {.tv_sec = p ? (time_t) p->timeout : 0}};

        if (!p || !p->timeout || m->o->relay)
                return 0;
        timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (timer_fd < 0 || timerfd_settime(timer_fd, 0, &when, NULL) < 0)
                return -1;
        return monitor_watch(m, timer_fd, EPOLLIN, on_timer, NULL);
}

static void timeout_teardown(struct monitor *m)
{
        (void) m;
        closep(&timer_fd);
}

const struct monitor_service monitor_timeout = {
        .name = "timeout",
        .init = timeout_init,
        .teardown = timeout_teardown,
};
