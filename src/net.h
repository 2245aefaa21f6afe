/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bring up lo with 127.0.0.1/8 in the current network namespace. */
int net_loopback_up(void);

/* --allow-host, in the sandbox's network namespace once lo is up: make the
 * proxy's listening socket at 127.0.0.1:PROXY_PORT, send it to the monitor
 * on chan, and close both: nothing of the sandbox keeps it. Then close chan
 * too. 0, or -1 after a message. chan -1: nothing to do. */
int net_proxy_hand_over(int chan);
