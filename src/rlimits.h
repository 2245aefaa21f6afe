/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

struct plan;
struct rlimit_setting;

/* "NAME=SOFT[:HARD]": names as in prlimit(1) (as/vmem, core, cpu, data,
 * fsize, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime,
 * sigpending, stack); values a number with an optional K/M/G/T suffix, or
 * "unlimited". Without HARD both limits are set to SOFT. */
int rlimit_parse(const char *arg, struct rlimit_setting *out, char *err, size_t err_size);
/* Set the plan's limits on the calling process. */
int rlimits_apply(const struct plan *p);
