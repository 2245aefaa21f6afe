/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --allow-host: the proxy the monitor serves to the sandbox. Its listening
 * socket lives in the sandbox's network namespace, at 127.0.0.1:PROXY_PORT:
 * the sandbox's first process makes it there and hands it over (see
 * net_proxy_hand_over), keeping no copy. On it, an HTTP proxy (CONNECT, and
 * plain requests) and SOCKS5 (CONNECT, no authentication), told apart by the
 * first byte (5 for SOCKS5). Connections go out from the host's network, to
 * the listed host and port pairs only.
 *
 * Everything the sandbox sends is hostile: the connections have their own
 * epoll set, watched as one fd by the monitor's loop; every fd is
 * non-blocking, every buffer bounded, every state has a deadline (a slow
 * client gets PROXY_HEAD_MS for its whole request head), and there are at
 * most MAX_CONNS connections: the listening socket rests while they are all
 * taken. Writes use MSG_NOSIGNAL: a closed peer is EPIPE, never SIGPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"
#include "plan.h"
#include "proxy-conn.h"
#include "util.h"

static struct proxy px = {.chan = -1, .listen_fd = -1, .ep = -1, .timer = -1};

static void listen_on(bool on)
{
        proxy_arm(&px, px.listen_fd, KEY_LISTEN, on ? EPOLLIN : 0, &px.listen_armed);
}

static void accept_some(void)
{
        for (int i = 0; i < 16; i++) {
                struct conn *c;
                unsigned slot = 0;
                int fd;

                if (px.n_conns >= MAX_CONNS) {
                        listen_on(false); /* until one closes */
                        return;
                }
                fd = accept4(px.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                listen_on(false); /* out of fds or memory: until one closes, or the next tick */
                        return;
                }
                while (px.conns[slot])
                        slot++;
                c = calloc(1, sizeof *c);
                if (!c) {
                        close(fd);
                        listen_on(false);
                        return;
                }
                c->slot = slot;
                c->gen = ++px.gen;
                c->cfd = fd;
                c->ufd = -1;
                c->dns.fd = -1;
                c->deadline = proxy_now_ms() + PROXY_HEAD_MS;
                px.conns[slot] = c;
                px.n_conns++;
                proxy_conn_step(&px, c);
        }
}

static void on_tick(void)
{
        uint64_t ticks, now = proxy_now_ms();

        (void) !read(px.timer, &ticks, sizeof ticks);
        for (unsigned i = 0; i < MAX_CONNS; i++)
                if (px.conns[i] && px.conns[i]->deadline <= now)
                        proxy_conn_timeout(&px, px.conns[i]);
        if (px.n_conns < MAX_CONNS)
                listen_on(true);
}

static void on_proxy_events(struct monitor *m, void *data, uint32_t events)
{
        struct epoll_event ev[64];
        int n = epoll_wait(px.ep, ev, ARRAY_SIZE(ev), 0);

        (void) m;
        (void) data;
        (void) events;
        for (int i = 0; i < n; i++) {
                uint64_t key = ev[i].data.u64;
                struct conn *c;

                if (key == KEY_LISTEN) {
                        accept_some();
                        continue;
                }
                if (key == KEY_TIMER) {
                        on_tick();
                        continue;
                }
                c = px.conns[KEY_SLOT(key)];
                if (c && c->gen == KEY_GEN(key)) /* not closed, nor reused, earlier in this round */
                        proxy_conn_event(&px, c, KEY_SIDE(key), ev[i].events);
        }
}

/* The listening socket from the sandbox: the first fd on the channel, if it
 * is a listening TCP socket; then the channel is done. */
static void on_channel(struct monitor *m, void *data, uint32_t events)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control;
        char byte;
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
        struct cmsghdr *c;
        int fd = -1, listening = 0, type = 0;
        socklen_t len = sizeof listening;
        ssize_t n;

        (void) data;
        (void) events;
        do
                n = recvmsg(px.chan, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN)
                return;
        c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
                memcpy(&fd, CMSG_DATA(c), sizeof fd);
        monitor_unwatch(m, px.chan);
        closep(&px.chan);
        if (fd < 0)
                return; /* the sandbox ended before it made the socket */
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening ||
            getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &(socklen_t){sizeof type}) < 0 || type != SOCK_STREAM) {
                close(fd);
                return;
        }
        fcntl(fd, F_SETFL, O_NONBLOCK);
        px.listen_fd = fd;
        listen_on(true);
}

static int proxy_init(struct monitor *m)
{
        const struct plan *p = m->o->plan;
        struct itimerspec tick = {.it_interval = {.tv_sec = 1}, .it_value = {.tv_sec = 1}};
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = KEY_TIMER};

        if (!p || m->o->relay || m->o->proxy_fd < 0)
                return 0;
        px.plan = p;
        px.chan = m->o->proxy_fd;
        px.ep = epoll_create1(EPOLL_CLOEXEC);
        px.timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (px.ep < 0 || px.timer < 0 || timerfd_settime(px.timer, 0, &tick, NULL) < 0 ||
            epoll_ctl(px.ep, EPOLL_CTL_ADD, px.timer, &ev) < 0)
                return log_errno(errno, "--allow-host: can't set up the proxy"), -1;
        if (monitor_watch(m, px.chan, EPOLLIN, on_channel, NULL) < 0 ||
            monitor_watch(m, px.ep, EPOLLIN, on_proxy_events, NULL) < 0)
                return log_error("--allow-host: can't watch the proxy's sockets"), -1;
        return 0;
}

/* Every connection closes with the sandbox; then the refusals, in a line. */
static void proxy_teardown(struct monitor *m)
{
        (void) m;
        for (unsigned i = 0; i < MAX_CONNS; i++)
                if (px.conns[i])
                        proxy_conn_free(&px, px.conns[i]);
        closep(&px.listen_fd);
        closep(&px.chan);
        closep(&px.timer);
        closep(&px.ep);
        if (px.n_refused && !log_is_bwrap()) {
                char list[4 * (PROXY_HOST_MAX + 8)] = "";
                size_t at = 0;

                for (unsigned i = 0; i < px.n_listed; i++)
                        at += (size_t) snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", px.listed[i]);
                log_error("the proxy refused %u connection%s: %s%s", px.n_refused, px.n_refused == 1 ? "" : "s", list,
                          px.more ? ", ..." : "");
        }
}

const struct monitor_service monitor_proxy = {
        .name = "proxy",
        .init = proxy_init,
        .teardown = proxy_teardown,
};
