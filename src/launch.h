/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

struct plan;

/* Run the plan: returns cocoon's exit code. */
int launch(const struct plan *p);
