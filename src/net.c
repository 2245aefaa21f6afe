/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network namespace: loopback, over NETLINK_ROUTE. */
#include "net.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

#include "log.h"
#include "proxy.h"
#include "util.h"

struct nl_req {
        struct nlmsghdr nh;
        union {
                struct ifaddrmsg ifa;
                struct ifinfomsg ifi;
        };
        char attrs[64];
};

static void add_attr(struct nl_req *req, unsigned short type, const void *data, unsigned short len)
{
        struct rtattr *rta = (struct rtattr *) ((char *) req + NLMSG_ALIGN(req->nh.nlmsg_len));
        rta->rta_type = type;
        rta->rta_len = (unsigned short) RTA_LENGTH(len);
        memcpy(RTA_DATA(rta), data, len);
        req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and wait for its acknowledgement. */
static int nl_talk(int fd, struct nl_req *req)
{
        char buf[1024];
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
        ssize_t n;

        req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -errno;
        for (;;) {
                n = recv(fd, buf, sizeof buf, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_seq != req->nh.nlmsg_seq)
                                continue;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                struct nlmsgerr *e = NLMSG_DATA(h);
                                return e->error; /* 0 is the ack */
                        }
                }
        }
}

int net_loopback_up(void)
{
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        struct nl_req req;
        struct in_addr addr = {htonl(INADDR_LOOPBACK)};
        int idx = (int) if_nametoindex("lo");
        int r;

        if (fd < 0)
                return log_errno(errno, "can't open a netlink socket"), -1;
        if (idx <= 0)
                idx = 1; /* lo is always the first interface of a namespace */

        memset(&req, 0, sizeof req);
        req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
        req.nh.nlmsg_type = RTM_NEWADDR;
        req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        req.nh.nlmsg_seq = 1;
        req.ifa.ifa_family = AF_INET;
        req.ifa.ifa_prefixlen = 8;
        req.ifa.ifa_flags = IFA_F_PERMANENT;
        req.ifa.ifa_scope = RT_SCOPE_HOST;
        req.ifa.ifa_index = (unsigned) idx;
        add_attr(&req, IFA_LOCAL, &addr, sizeof addr);
        add_attr(&req, IFA_ADDRESS, &addr, sizeof addr);
        r = nl_talk(fd, &req);
        if (r < 0 && r != -EEXIST)
                return log_errno(r, "can't add 127.0.0.1 to lo"), -1;

        memset(&req, 0, sizeof req);
        req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
        req.nh.nlmsg_type = RTM_NEWLINK;
        req.nh.nlmsg_seq = 2;
        req.ifi.ifi_family = AF_UNSPEC;
        req.ifi.ifi_index = idx;
        req.ifi.ifi_flags = IFF_UP;
        req.ifi.ifi_change = IFF_UP;
        r = nl_talk(fd, &req);
        if (r < 0)
                return log_errno(r, "can't bring lo up"), -1;
        return 0;
}

int net_proxy_hand_over(int chan)
{
        _cleanup_close_ int fd = -1;
        struct sockaddr_in sin = {
                .sin_family = AF_INET, .sin_port = htons(PROXY_PORT), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int r = 0;

        if (chan < 0)
                return 0;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sin, sizeof sin) < 0 || listen(fd, 128) < 0) {
                log_errno(errno, "--allow-host: can't listen on 127.0.0.1:%d in the sandbox", PROXY_PORT);
                r = -1;
        }
        if (r == 0 && send_fds(chan, 'L', &fd, 1) < 0) {
                log_errno(errno, "--allow-host: can't hand the proxy's socket to the monitor");
                r = -1;
        }
        close(chan);
        return r;
}
