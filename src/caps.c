/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities: raw system calls; libcap-ng for their names only. */
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

/* The highest capability the kernel knows: the bounding set answers EINVAL
 * past it. Two system calls where reading /proc/sys/kernel/cap_last_cap
 * would cost an open and a read, and /proc need not be there. */
static int last_cap(void)
{
        static int cached = -1;
        int c = CAP_LAST_CAP;

        if (cached >= 0)
                return cached;
        if (prctl(PR_CAPBSET_READ, c) < 0) {
                while (c > 0 && prctl(PR_CAPBSET_READ, c) < 0 && errno == EINVAL)
                        c--;
        } else {
                while (c < 63 && prctl(PR_CAPBSET_READ, c + 1) >= 0)
                        c++;
        }
        cached = c;
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

/* The raw capability sets: libcap-ng reads /proc/PID/status for them, which
 * costs as much as forty system calls, and /proc need not be mounted. */
static int caps_get(struct __user_cap_data_struct d[2])
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};

        /* Empty first: a filter that fakes success must leave nothing to
         * raise, not whatever the stack held. */
        memset(d, 0, 2 * sizeof *d);
        return syscall(SYS_capget, &h, d) < 0 ? -errno : 0;
}

static int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {
                {(uint32_t) effective, (uint32_t) permitted, (uint32_t) inheritable},
                {(uint32_t) (effective >> 32), (uint32_t) (permitted >> 32), (uint32_t) (inheritable >> 32)},
        };

        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static uint64_t permitted_of(const struct __user_cap_data_struct d[2])
{
        return (uint64_t) d[0].permitted | (uint64_t) d[1].permitted << 32;
}

static uint64_t inheritable_of(const struct __user_cap_data_struct d[2])
{
        return (uint64_t) d[0].inheritable | (uint64_t) d[1].inheritable << 32;
}

uint64_t caps_permitted(void)
{
        struct __user_cap_data_struct d[2];

        return caps_get(d) < 0 ? 0 : permitted_of(d) & caps_all();
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

/* One read of /proc/self/status, with a system call per capability as the
 * fallback. The read costs about 20 us here, the calls about 11: a root
 * caller's only, once. Few prctl calls in the caller let a test inject a
 * failure into the command's Nth one without hitting the caller's too. */
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
 * Checked after the drops, so a kernel or filter that refuses one part of
 * them can't leave the rest of the set to the command. */
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

/* Cut the bounding set to KEEP. Everything else is dropped whatever
 * PR_CAPBSET_READ says, so that one answer (which a filter can make up)
 * doesn't decide both the drops and their check in bounding_is. A drop
 * needs CAP_SETPCAP: without it, only what is gone already may stay. */
static int bounding_cut(uint64_t keep)
{
        int last = last_cap();

        for (int c = 0; c <= last; c++)
                if (!(keep & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
                        int err = errno;

                        if (prctl(PR_CAPBSET_READ, c) != 0)
                                return -err;
                }
        return 0;
}

/* The ambient set: emptied, then WANT raised in it (it must already be
 * permitted and inheritable). A kernel without ambient capabilities
 * (EINVAL) has nothing to empty, and then nothing may be raised. */
static int ambient_set(uint64_t want)
{
        int last = last_cap();

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return errno == EINVAL && !want ? 0 : -errno;
        for (int c = 0; c <= last; c++)
                if ((want & (UINT64_C(1) << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
                        return -errno;
        return 0;
}

int caps_apply(const struct plan *p, bool new_userns)
{
        uint64_t want;
        int r;

        if (!command_set(p, new_userns, &want)) /* kept as they were, which is checked too */
                return bounding_is(p->caller_bounding);
        /* The order the kernel needs: the bounding set while CAP_SETPCAP is
         * still effective, then the three sets, then the ambient one. */
        r = bounding_cut(want);
        if (r == 0)
                r = caps_set(want, want, p->caps_given ? want : 0);
        if (r == 0)
                r = ambient_set(p->caps_given ? want : 0);
        return r < 0 ? r : bounding_is(want);
}

/* Make the effective set the permitted one, less what keep leaves out. */
static int set_effective(uint64_t keep)
{
        struct __user_cap_data_struct d[2];
        int r = caps_get(d);

        return r < 0 ? r : caps_set(permitted_of(d) & keep, permitted_of(d), inheritable_of(d));
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

int caps_clear(void)
{
        struct __user_cap_data_struct d[2];
        int r = caps_set(0, 0, 0);

        /* Refused, it is still done if there was nothing to drop (the
         * ambient set is within the permitted one). */
        if (r < 0 && caps_get(d) == 0 && !permitted_of(d) && !inheritable_of(d))
                r = 0;
        return r;
}
