/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One range of subordinate ids that /etc/subuid or /etc/subgid grants. */
struct subid_range {
        uint32_t first, count;
};

/* The ranges FILE grants to the user, named there by NAME or by the
 * number UID, as shadow-utils looks them up; in file order, *n of them
 * (none when the file is missing). Malformed lines are skipped, as
 * newuidmap skips them. 0, or a negative errno when the file can't be read. */
int subid_read(const char *file, const char *name, uid_t uid, struct subid_range **out, size_t *n);

/* The name /etc/passwd gives uid, or NULL (to be freed). Read from the file,
 * not through NSS, which a static binary can't load: a user known only from
 * a directory service is found in /etc/subuid by number. */
char *subid_user_name(uid_t uid);

/* Where a new range of 65536 ids could start in FILE without overlapping
 * any range granted there (to anyone): at or above 100000, on a multiple of
 * 65536 as useradd picks them. */
uint64_t subid_free_start(const char *file);
