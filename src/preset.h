/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Profiles given with --profile: cocoon options written as on the command
 * line, split over lines, with # comments. A profile is found, in this
 * order, as a path (when the name has a slash), in
 * $XDG_CONFIG_HOME/cocoon/profiles (~/.config when unset), in
 * /etc/cocoon/profiles, and among the built-ins compiled into cocoon.
 *
 * Words are separated by blanks. '...' quotes literally; "..." and bare
 * words take \ escapes and $NAME or ${NAME} from the caller's environment.
 * ${PROJECT} is the current directory, refused when it is not a project
 * directory (/, the home directory itself, or above it). An option and its
 * arguments stay on one line.
 */

#include <stddef.h>

struct preset {
        char *origin; /* for messages: a path, or "NAME (built-in)" */
        char *key;    /* identifies the file, to find include loops */
        char **words;
        unsigned *lines; /* the line of each word */
        size_t n;
};

/* Find and read the profile NAME (or path). 0, or -1 after one error line
 * that names the profile (and its line, for a problem in it). */
int preset_load(const char *name, struct preset *out);
void preset_free(struct preset *p);

/* The built-in profiles, in a stable order; NULL-terminated. */
const char *const *preset_builtin_names(void);
/* The text of a built-in profile, or NULL. */
const char *preset_builtin_text(const char *name);
