/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bring up lo with 127.0.0.1/8 in the current network namespace. */
int net_loopback_up(void);
