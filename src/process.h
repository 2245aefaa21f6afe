/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Signals that cocoon passes on to the command. */
extern const int forwarded_signals[];
extern const unsigned n_forwarded_signals;

/* The signal the monitor asks for when its parent dies (--die-with-parent). */
#define PARENT_DEATH_SIGNAL (SIGRTMIN + 1)

/* Every process of the sandbox dies with the one that started it, so that
 * nothing outlives the monitor, however it ends (--die-with-parent extends
 * this to the monitor's own parent): SIGKILL on the parent's death. It may
 * have died before we asked: parent_pidfd (a pidfd, readable once it has
 * exited) tells, or, when it is -1, our parent's pid as we see it; then we
 * _exit. */
void die_with_parent(int parent_pidfd, pid_t parent);

/* Block the signals the monitor and reaper wait for; old gets the previous mask. */
void signals_block(sigset_t *old, bool parent_death);

/* Exit code when --timeout kills the sandbox, as timeout(1) has it. */
#define TIMEOUT_EXIT_CODE 124

/* In the command's own process, before anything of the sandbox runs: tell
 * the monitor on fd (the report channel) that we are the command. The kernel
 * adds our pid as the monitor sees it; we add a pidfd of ourselves, for the
 * monitor to signal our process group and kill by. Closes fd; -1: nothing
 * to do. */
void command_hello(int fd);
