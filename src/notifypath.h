/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/types.h>

struct plan;

/*
 * Look at one call that the listener was told of and the programs allow,
 * before it goes on: its path (or address), read from the caller's memory
 * and checked against the sandbox and the host, and report what will fail
 * because of the sandbox (report.h). All it reads of the caller is hostile:
 * bounded reads, every one followed by a check that the notification is
 * still live (the pid could be another process's by then). The host is only
 * stat'ed, without following links; the sandbox's view is looked up inside
 * /proc/PID/root, never outside it.
 */
void notifypath_look(const struct plan *p, int listener, const struct seccomp_notif *req);

/* "/proc/PID/exe" of the caller into buf (may be empty). */
void notifypath_exe(pid_t pid, char *buf, size_t size);
