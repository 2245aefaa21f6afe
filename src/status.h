/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The namespaces a sandbox made, as the child sees them (inode numbers). */
struct ns_report {
        uint64_t ino[6]; /* cgroup, ipc, mnt, net, pid, uts; 0 when not made */
};

/* In the child: fill r for the namespaces in clone_flags, from the procfs at
 * proc_fd (-1: /proc). */
void ns_report_collect(struct ns_report *r, int clone_flags, int proc_fd);
/* Where in r the mount namespace goes. */
#define NS_REPORT_MNT 2
/* Send r to the monitor on fd (the kernel adds our pid); -1: nothing to do. */
void ns_report_send(int fd, const struct ns_report *r);

/* --info-fd: one JSON object, bwrap's keys and command-pid (when > 0), then
 * close fd. */
int status_write_info(int fd, pid_t child, pid_t command, const struct ns_report *r);
/* --json-status-fd: the same object as one line... */
int status_write_start(int fd, pid_t child, pid_t command, const struct ns_report *r);
/* ...{"command-pid": N} on a line of its own, when the command was not
 * started yet at the first... */
int status_write_command(int fd, pid_t command);
/* ...and, when the sandbox is over, {"exit-code": N} as the last line, but
 * only if the command started (as bwrap does): not after a setup failure,
 * nor after a failed exec. */
int status_write_exit(int fd, int exit_code);

/* How the monitor learns that the command started: the command's process
 * writes one byte on the pipe just before exec, and one more if exec fails;
 * the write end is close-on-exec, so the command itself never holds it.
 * status_exec_note: write one byte (fd -1: nothing to do). */
void status_exec_note(int fd);
/* The monitor, once the sandbox is over: did exactly one byte arrive on the
 * (non-blocking) read end? */
bool status_command_started(int fd);
