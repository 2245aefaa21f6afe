/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities, through libcap-ng. */
#include "caps.h"

#include <cap-ng.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plan.h"
#include "util.h"

static int last_cap(void)
{
        static int cached = -1;
        FILE *f;

        if (cached >= 0)
                return cached;
        cached = CAP_LAST_CAP;
        f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        if (f) {
                int v;
                if (fscanf(f, "%d", &v) == 1 && v > 0 && v < 64)
                        cached = v;
                fclose(f);
        }
        return cached;
}

uint64_t caps_all(void)
{
        int last = last_cap();
        return last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
}

int caps_parse(const char *name, uint64_t *mask)
{
        int cap;

        if (strcasecmp(name, "ALL") == 0) {
                *mask = caps_all();
                return 0;
        }
        if (strncasecmp(name, "CAP_", 4) != 0)
                return -EINVAL;
        cap = capng_name_to_capability(name + 4);
        if (cap < 0 || cap > last_cap())
                return -EINVAL;
        *mask = UINT64_C(1) << cap;
        return 0;
}

/*
 * A root caller who gave no --cap-add/--cap-drop keeps what it has, as with
 * bwrap. Otherwise the command gets exactly plan->caps (empty for a non-root
 * caller by default): effective, permitted, inheritable and ambient, so they
 * survive exec under any uid, and the bounding set is cut to the same set so
 * that nothing dropped can come back through exec as uid 0 or a setuid file.
 */
int caps_apply(const struct plan *p)
{
        uint64_t want = p->caps_given ? p->caps : 0;
        int last = last_cap();

        if (!p->caps_given && p->caller_uid == 0)
                return 0;

        capng_clear(CAPNG_SELECT_ALL);
        for (int c = 0; c <= last; c++) {
                if (!(want & (UINT64_C(1) << c)))
                        continue;
                if (capng_update(CAPNG_ADD,
                                 CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE | CAPNG_BOUNDING_SET |
                                         CAPNG_AMBIENT,
                                 (unsigned) c) < 0)
                        return -EINVAL;
        }
        if (capng_apply(CAPNG_SELECT_ALL) < 0)
                return -EPERM;
        return 0;
}
