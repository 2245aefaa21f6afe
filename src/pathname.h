/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lexical path arithmetic: canonical paths worked out from strings alone,
 * with no system call. A canonical path is "/" or "/a/b": no ".", "..",
 * empty or trailing components. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* Whether path names the root itself ("/", "", ".", "//"...). */
bool path_is_root(const char *path);
/* Whether the canonical path lies at or below the canonical path scope. */
bool path_within(const char *path, const char *scope);
/* Whether a ".." in path would climb above the root, worked out lexically
 * ("/usr/../lib" does not; "../x" and "/a/../../b" do). */
bool path_climbs_above_root(const char *path);
/* The canonical form of path, worked out lexically: relative to base (a
 * canonical path; NULL for the root) unless it is absolute, with ".."
 * stopping at the root. A heap string. */
char *path_normalize(const char *base, const char *path);
/* The next component of path from path[*pos], slashes before it skipped:
 * copied into name, *pos moved past it. Returns its length, 0 at the end
 * of path, or -ENAMETOOLONG. */
int path_take_component(const char *path, size_t *pos, char name[NAME_MAX + 1]);
