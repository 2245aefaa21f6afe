/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct plan;

/* Add to plan->warnings what a validated plan does that is risky or has no
 * effect: a mount a later one hides, network rules without a network, a
 * root command with capabilities, a writable home, the X11 sockets. */
void advice_check(struct plan *p);
