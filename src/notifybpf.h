/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf.h"

/*
 * The programs a reported sandbox loads. seccomp's precedence puts ERRNO
 * above USER_NOTIF: a listener beside a program that refuses a call would
 * never hear of it. So each program cocoon compiled (ours[i]) is loaded with
 * its refusals turned into ALLOW, and one more program, the listener's,
 * loaded last, runs the same programs one after the other with their
 * refusals turned into USER_NOTIF; before them it notifies the calls that
 * take a path or an address (notify_observed), which the monitor lets go on
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE) once it has looked. What else a program
 * does (kill, trap, log) stays with its loaded copy. The monitor answers a
 * notified call with what the original programs say (notify_verdict): the
 * command sees the same errno. Programs handed over as BPF are loaded as they
 * are: what they refuse is refused before the listener hears of it.
 *
 * out gets n programs and the listener's last; -1 when the listener's
 * program would be too long (after one error line).
 */
int notify_build(const struct bpf_prog *progs, const bool *ours, size_t n, struct bpf_prog **out, size_t *n_out);

/* What the programs cocoon compiled answer together for d, as the kernel
 * would combine them (SECCOMP_RET_*). */
uint32_t notify_verdict(const struct bpf_prog *progs, const bool *ours, size_t n, const struct seccomp_data *d);

/* The calls the listener observes although they are allowed: native
 * numbers. */
extern const int notify_observed[];
extern const size_t n_notify_observed;
