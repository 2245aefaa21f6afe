/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities, through libcap-ng. */
#include "caps.h"

#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "idmap.h"
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

uint64_t caps_permitted(void)
{
        uint64_t mask = 0;
        int last = last_cap();

        capng_get_caps_process();
        for (int c = 0; c <= last; c++)
                if (capng_have_capability(CAPNG_PERMITTED, (unsigned) c))
                        mask |= UINT64_C(1) << c;
        return mask;
}

/* The capabilities of MASK that are in our bounding set. Only those are
 * asked about: nothing wanted, nothing read. */
static uint64_t caps_bounded(uint64_t mask)
{
        int last = last_cap();

        for (int c = 0; c <= last; c++)
                if ((mask & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_READ, c) != 1)
                        mask &= ~(UINT64_C(1) << c);
        return mask & caps_all();
}

/* One read of /proc/self/status rather than a system call per capability;
 * those are the fallback. */
uint64_t caps_bounding(void)
{
        unsigned long long v;
        char line[256];
        bool found = false;
        FILE *f = fopen("/proc/self/status", "re");

        while (f && !found && fgets(line, sizeof line, f))
                found = sscanf(line, "CapBnd: %llx", &v) == 1;
        if (f)
                fclose(f);
        return found ? (uint64_t) v & caps_all() : caps_bounded(caps_all());
}

/* Whether the bounding set holds exactly EXPECTED: 0, or a negative errno.
 * libcap-ng stops at the first drop the kernel refuses and can still report
 * success, which would leave the rest of the set to the command. */
static int bounding_is(uint64_t expected)
{
        int last = last_cap();

        for (int c = 0; c <= last; c++) {
                int r = prctl(PR_CAPBSET_READ, c);
                if (r < 0)
                        return -errno;
                if ((r == 1) != !!(expected & (UINT64_C(1) << c)))
                        return -EPERM;
        }
        return 0;
}

/*
 * What the command gets:
 * - --cap-add/--cap-drop given: exactly plan->caps, as effective, permitted,
 *   inheritable and ambient capabilities, so they survive exec under any uid;
 * - a root caller who gave neither keeps what it had (in a new user namespace
 *   the kernel hands out a full set, so that is cut back to the caller's);
 * - anyone else: nothing.
 * The bounding set is cut to the same set, so nothing dropped comes back
 * through exec as uid 0 or a file with capabilities. Nothing is raised beyond
 * the bounding set we stand in. Either way the bounding set is checked
 * before it is left to the command: exactly the one promised, or an error.
 */
/* The set caps_apply gives, or false when it leaves the caller's alone. */
static bool command_set(const struct plan *p, bool new_userns, uint64_t *want)
{
        if (p->caps_given)
                *want = p->caps;
        else if (p->maps_wide) /* as plan_command_caps has it */
                *want = p->uid == 0 ? IDMAP_ROOT_CAPS : 0;
        else if (p->caller_uid == 0 && !new_userns)
                return false;
        else
                *want = p->caller_uid == 0 ? p->caller_caps : 0;
        *want = caps_bounded(*want);
        return true;
}

int caps_apply(const struct plan *p, bool new_userns)
{
        uint64_t want;
        unsigned sets = CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET;
        int last = last_cap();

        if (!command_set(p, new_userns, &want)) /* kept as they were, which is checked too */
                return bounding_is(p->caller_bounding);
        if (p->caps_given)
                sets |= CAPNG_INHERITABLE | CAPNG_AMBIENT;

        /* libcap-ng remembers the pid it last read; we are a fork of that. */
        capng_setpid(getpid());
        capng_clear(CAPNG_SELECT_ALL);
        for (int c = 0; c <= last; c++)
                if ((want & (UINT64_C(1) << c)) && capng_update(CAPNG_ADD, (capng_type_t) sets, (unsigned) c) < 0)
                        return -EINVAL;
        if (capng_apply(CAPNG_SELECT_ALL) < 0)
                return -EPERM;
        return bounding_is(want);
}

/* Make the effective set the permitted one, less what keep leaves out.
 * Raw system calls: libcap-ng would read /proc, which the new root may lack. */
static int set_effective(uint64_t keep)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2];
        uint64_t eff;

        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        eff = ((uint64_t) d[0].permitted | (uint64_t) d[1].permitted << 32) & keep;
        d[0].effective = (uint32_t) eff;
        d[1].effective = (uint32_t) (eff >> 32);
        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

int caps_act_as_command(const struct plan *p, bool new_userns)
{
        uint64_t want;

        return command_set(p, new_userns, &want) ? set_effective(want) : 0;
}

int caps_act_as_self(void)
{
        return set_effective(UINT64_MAX);
}

void caps_clear(void)
{
        capng_setpid(getpid());
        capng_clear(CAPNG_SELECT_CAPS);
        capng_apply(CAPNG_SELECT_CAPS);
}
