/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct plan;

/* Check the plan as a whole and settle what depends on the caller and the
 * kernel (forced user namespace, -try namespaces, default ids, absolute
 * sources). Returns 0, or -1 after one error line. */
int plan_validate(struct plan *p);
