/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

struct plan;
struct rlimit_setting;

/* "NAME=SOFT[:HARD]": names as in prlimit(1) (as/vmem, core, cpu, data,
 * fsize, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime,
 * sigpending, stack); values a number with an optional K/M/G/T suffix, or
 * "unlimited". Without HARD both limits are set to SOFT. */
/* The name of a resource, as --rlimit takes it ("nofile"). */
const char *rlimit_name(int resource);
int rlimit_parse(const char *arg, struct rlimit_setting *out, char *err, size_t err_size);
/* Set the plan's limits on the calling process (pid 1, before it forks the
 * command), all but RLIMIT_NPROC, of which only a higher hard limit is set. */
int rlimits_apply(const struct plan *p);
/* The plan's RLIMIT_NPROC (the last given), or NULL. */
const struct rlimit_setting *rlimits_nproc(const struct plan *p);
/* Set it, in each process once the command is forked. */
int rlimits_apply_nproc(const struct plan *p);
