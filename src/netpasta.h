/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --net pasta: the sandbox gets a network namespace of its own, which pasta
 * (Debian's package passt) connects to the host's network. The monitor starts
 * pasta outside, as the caller (mon-pasta.c); the sandbox's first process
 * hands it its namespaces over a socket, and waits, before the command runs,
 * until pasta has configured them.
 */
#pragma once

#include <stddef.h>

struct plan;

#define NETPASTA_NAMESPACES 'N' /* sandbox -> monitor, with its user and network namespaces */
#define NETPASTA_READY      'R' /* monitor -> sandbox: pasta has configured the network */

/* In the sandbox's first process, its id maps written: send our user and
 * network namespaces to the monitor over fd. 0, or -1 after a message. */
int netpasta_send_namespaces(int fd);

/* Later, before the command runs: wait for the monitor's word that the
 * network is up. 0, or -1 after a message. */
int netpasta_wait_ready(int fd);

/* Where pasta is: the first in $PATH, else /usr/bin or /usr/sbin. Fills
 * buf and returns 0, or returns -1 when it is not installed. */
int netpasta_find(char *buf, size_t size);

/* pasta's arguments (NULL-terminated, in argv of n slots, the strings in
 * buf): pasta at path, for the namespaces open on fds userns_fd (-1 to join
 * only the network namespace) and netns_fd, its pid written to pid_fd once
 * it is ready. 0, or -1 when they don't fit. */
int netpasta_argv(const struct plan *p, const char *path, int userns_fd, int netns_fd, int pid_fd, char **argv,
                  size_t n, char *buf, size_t size);
