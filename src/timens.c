/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The time namespace. */
#include "timens.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/*
 * unshare() puts only our future children in the new namespace, and its
 * offsets can be set only until a process enters it. So: make it, set the
 * offsets, then enter it ourselves; everything we start inherits it.
 */
int timens_enter(const struct plan *p, int proc_fd)
{
        char line[64];
        _cleanup_close_ int offsets = -1, ns = -1;

        if (unshare(CLONE_NEWTIME) < 0)
                return log_errno(errno, "--unshare-time: can't create a time namespace"), -1;
        offsets = openat(proc_fd, "self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (offsets < 0)
                return log_errno(errno, "--unshare-time: can't open timens_offsets"), -1;
        snprintf(line, sizeof line, "monotonic %lld 0\n", p->monotonic_offset);
        if (p->monotonic_offset && write_all(offsets, line, strlen(line)) < 0)
                return log_errno(errno, "--monotonic-offset: the kernel refused %lld seconds", p->monotonic_offset), -1;
        snprintf(line, sizeof line, "boottime %lld 0\n", p->boottime_offset);
        if (p->boottime_offset && write_all(offsets, line, strlen(line)) < 0)
                return log_errno(errno, "--boottime-offset: the kernel refused %lld seconds", p->boottime_offset), -1;
        ns = openat(proc_fd, "self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWTIME) < 0)
                return log_errno(errno, "--unshare-time: can't enter the time namespace"), -1;
        return 0;
}
