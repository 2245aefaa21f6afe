/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resource limits (setrlimit) for the command. */
#include "rlimits.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"
#include "plan.h"
#include "util.h"

static const struct {
        const char *name;
        int resource;
} names[] = {
        {"as", RLIMIT_AS},
        {"vmem", RLIMIT_AS},
        {"core", RLIMIT_CORE},
        {"cpu", RLIMIT_CPU},
        {"data", RLIMIT_DATA},
        {"fsize", RLIMIT_FSIZE},
        {"locks", RLIMIT_LOCKS},
        {"memlock", RLIMIT_MEMLOCK},
        {"msgqueue", RLIMIT_MSGQUEUE},
        {"nice", RLIMIT_NICE},
        {"nofile", RLIMIT_NOFILE},
        {"nproc", RLIMIT_NPROC},
        {"rss", RLIMIT_RSS},
        {"rtprio", RLIMIT_RTPRIO},
        {"rttime", RLIMIT_RTTIME},
        {"sigpending", RLIMIT_SIGPENDING},
        {"stack", RLIMIT_STACK},
};

static const char *resource_name(int resource)
{
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (names[i].resource == resource)
                        return names[i].name;
        return "?";
}

static int parse_value(const char *s, uint64_t *out)
{
        if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
                *out = RLIM_INFINITY;
                return 0;
        }
        return parse_size(s, out) < 0 || *out == RLIM_INFINITY ? -1 : 0;
}

const char *rlimit_name(int resource)
{
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (names[i].resource == resource)
                        return names[i].name;
        return "?";
}

int rlimit_parse(const char *arg, struct rlimit_setting *out, char *err, size_t err_size)
{
        char buf[128], *value, *hard;
        size_t i;

        if (strlen(arg) >= sizeof buf)
                return snprintf(err, err_size, "'%.40s...' is too long", arg), -1;
        strcpy(buf, arg);
        value = strchr(buf, '=');
        if (!value)
                return snprintf(err, err_size, "'%s' is not NAME=SOFT[:HARD], like nofile=1024:4096", arg), -1;
        *value++ = '\0';
        for (i = 0; i < ARRAY_SIZE(names); i++)
                if (strcmp(buf, names[i].name) == 0)
                        break;
        if (i == ARRAY_SIZE(names))
                return snprintf(err, err_size,
                                "unknown limit '%s' (as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, "
                                "nofile, nproc, rss, rtprio, rttime, sigpending, stack)",
                                buf),
                       -1;
        out->resource = names[i].resource;
        hard = strchr(value, ':');
        if (hard)
                *hard++ = '\0';
        if (parse_value(value, &out->soft) < 0 || (hard && parse_value(hard, &out->hard) < 0))
                return snprintf(err, err_size, "'%s' is not a number, a size like 64M, or unlimited", arg), -1;
        if (!hard)
                out->hard = out->soft;
        if (out->soft != RLIM_INFINITY && (out->hard == RLIM_INFINITY ? false : out->soft > out->hard))
                return snprintf(err, err_size, "'%s': the soft limit is above the hard one", arg), -1;
        return 0;
}

static int set_limit(int resource, uint64_t soft, uint64_t hard)
{
        struct rlimit rl = {.rlim_cur = soft, .rlim_max = hard};

        if (setrlimit(resource, &rl) < 0)
                return log_errno(errno, "--rlimit: can't set %s to %s", resource_name(resource),
                                 errno == EPERM ? "that value (above the hard limit, or a seccomp program refuses it)"
                                                : "that value"),
                       -1;
        return 0;
}

/* RLIMIT_NPROC counts every process of our uid in the sandbox, pid 1 with
 * them: set before the command is forked, a limit of 1 would refuse that
 * fork. So before it, only a hard limit that goes up is raised (that takes
 * CAP_SYS_RESOURCE, which is gone by the time the rest is set). */
int rlimits_apply(const struct plan *p)
{
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const struct rlimit_setting *r = &p->rlimits[i];
                struct rlimit now;

                if (r->resource != RLIMIT_NPROC) {
                        if (set_limit(r->resource, r->soft, r->hard) < 0)
                                return -1;
                        continue;
                }
                if (getrlimit(RLIMIT_NPROC, &now) == 0 && now.rlim_max != RLIM_INFINITY &&
                    (r->hard == RLIM_INFINITY || r->hard > now.rlim_max) &&
                    set_limit(RLIMIT_NPROC, now.rlim_cur, r->hard) < 0)
                        return -1;
        }
        return 0;
}

const struct rlimit_setting *rlimits_nproc(const struct plan *p)
{
        const struct rlimit_setting *found = NULL;

        for (size_t i = 0; i < p->n_rlimits; i++)
                if (p->rlimits[i].resource == RLIMIT_NPROC)
                        found = &p->rlimits[i]; /* the last one given wins, as for the others */
        return found;
}

int rlimits_apply_nproc(const struct plan *p)
{
        const struct rlimit_setting *r = rlimits_nproc(p);

        return r ? set_limit(RLIMIT_NPROC, r->soft, r->hard) : 0;
}
