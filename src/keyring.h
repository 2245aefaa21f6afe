/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Give this process, and everything it starts, a new empty session keyring
 * of its own, so that the caller's keys are out of reach and keys made in
 * the sandbox never land in the caller's session. Logs and returns -1 when
 * that can't be had. */
int keyring_new_session(void);
