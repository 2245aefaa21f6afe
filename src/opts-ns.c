/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options for namespaces: which to create, ids, hostname, time offsets. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#include "util.h"

static int set_ns(struct parse_state *st, int flag)
{
        if ((flag & CLONE_NEWNET) && st->share_net_given)
                plan_warn(st->plan, "%s undoes the --share-net before it: put --share-net after %s", st->flag,
                          st->flag);
        st->plan->clone_flags |= flag;
        return 0;
}

int opt_unshare_user(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWUSER);
}

int opt_unshare_ipc(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWIPC);
}

int opt_unshare_pid(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWPID);
}

int opt_unshare_net(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWNET);
}

int opt_unshare_uts(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWUTS);
}

int opt_unshare_cgroup(struct parse_state *st, char **a)
{
        return set_ns(st, CLONE_NEWCGROUP);
}

int opt_unshare_user_try(struct parse_state *st, char **a)
{
        st->plan->unshare_user_try = true;
        return 0;
}

int opt_unshare_cgroup_try(struct parse_state *st, char **a)
{
        st->plan->unshare_cgroup_try = true;
        return 0;
}

int opt_unshare_all(struct parse_state *st, char **a)
{
        st->plan->unshare_user_try = true;
        st->plan->unshare_cgroup_try = true;
        return set_ns(st, CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS);
}

/* Order matters, as in bwrap: the last of --share-net and --unshare-net
 * (or --unshare-all) wins. */
int opt_share_net(struct parse_state *st, char **a)
{
        if (st->plan->n_allow_hosts)
                return fail(st, "can't be combined with --allow-host: the sandbox reaches the network only "
                                "through the proxy");
        st->share_net_given = true;
        st->plan->clone_flags &= ~CLONE_NEWNET;
        st->plan->net_mode = NET_DEFAULT;
        return 0;
}

int opt_uid(struct parse_state *st, char **a)
{
        uint32_t v;
        int r;

        if (st->plan->uid_set)
                warn_given_again(st);
        r = parse_id(a[0], &v);
        if (r < 0)
                return fail(st, "'%s' is not a valid user id", a[0]);
        st->plan->uid = v;
        st->plan->uid_set = true;
        return 0;
}

int opt_gid(struct parse_state *st, char **a)
{
        uint32_t v;
        int r;

        if (st->plan->gid_set)
                warn_given_again(st);
        r = parse_id(a[0], &v);
        if (r < 0)
                return fail(st, "'%s' is not a valid group id", a[0]);
        st->plan->gid = v;
        st->plan->gid_set = true;
        return 0;
}

int opt_hostname(struct parse_state *st, char **a)
{
        if (st->plan->hostname)
                warn_given_again(st);
        if (!*a[0] || strlen(a[0]) > 64)
                return fail(st, "a hostname must have 1 to 64 characters");
        free(st->plan->hostname);
        st->plan->hostname = xstrdup(a[0]);
        return 0;
}

int opt_disable_userns(struct parse_state *st, char **a)
{
        st->plan->disable_userns = true;
        return 0;
}

int opt_assert_userns_disabled(struct parse_state *st, char **a)
{
        st->plan->assert_userns_disabled = true;
        return 0;
}

int opt_unshare_time(struct parse_state *st, char **a)
{
        st->plan->unshare_time = true;
        return 0;
}

static int parse_offset(struct parse_state *st, const char *s, long long *out)
{
        uint64_t v;
        bool neg = *s == '-';

        /* Up to about 2^32 seconds either way, far inside what the kernel takes. */
        if (parse_u64(neg ? s + 1 : s, 10, &v) < 0 || v > (1ULL << 32))
                return fail(st, "'%s' is not a number of seconds", s);
        *out = neg ? -(long long) v : (long long) v;
        return 0;
}

int opt_monotonic_offset(struct parse_state *st, char **a)
{
        return parse_offset(st, a[0], &st->plan->monotonic_offset);
}

int opt_boottime_offset(struct parse_state *st, char **a)
{
        return parse_offset(st, a[0], &st->plan->boottime_offset);
}
