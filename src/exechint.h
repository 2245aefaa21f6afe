/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

struct plan;

/* After execvp(name) failed with err, in the command's process: one error
 * line, then exit status 1. Under the cocoon name the line says why when it
 * can tell (an interpreter or loader missing in the sandbox, a file that is
 * not executable); else, and under the bwrap name, "can't execute NAME:
 * <strerror>". Allocates nothing. */
_Noreturn void exechint_die(const struct plan *p, int err, const char *name);

/* The interpreter that the kernel would load for the regular file fd (the
 * #! line's, or an ELF file's PT_INTERP) into interp: 1; 0 when it names
 * none; -1 when the file can't be run. Reads at most a few pages. */
int exechint_interp(int fd, char *interp, size_t size);
