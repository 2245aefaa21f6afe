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

int rlimits_apply(const struct plan *p)
{
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const struct rlimit_setting *r = &p->rlimits[i];
                struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};

                if (setrlimit(r->resource, &rl) < 0)
                        return log_errno(errno, "--rlimit: can't set %s to %s", resource_name(r->resource),
                                         errno == EPERM ? "above the hard limit" : "that value"),
                               -1;
        }
        return 0;
}
