/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

struct option_def;

/* Report arg, which starts with '-' and is no option of the table, in one
 * error line. Under the cocoon name the line says what was probably meant:
 * the nearest option name of the table (n rows) when it is close, or how to
 * write --opt=value. */
void suggest_unknown_option(const char *arg, const struct option_def *table, size_t n);
