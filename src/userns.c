/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespaces and their id maps. */
#include "userns.h"

#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "util.h"

bool userns_available(void)
{
        char buf[32] = "";
        FILE *f;

        if (access("/proc/self/ns/user", F_OK) != 0)
                return false;
        f = fopen("/proc/sys/user/max_user_namespaces", "re");
        if (f) {
                if (!fgets(buf, sizeof buf, f))
                        buf[0] = '\0';
                fclose(f);
                if (atoi(buf) == 0 && buf[0] == '0')
                        return false;
        }
        return true;
}

/* The child writes its own maps: a process may map its own outside id once,
 * with no help from a privileged parent, as long as setgroups is denied. */
int userns_write_maps(const struct plan *p)
{
        char line[64];
        int r;

        r = write_file("/proc/self/setgroups", "deny");
        if (r < 0 && r != -ENOENT)
                return log_errno(r, "can't write /proc/self/setgroups"), r;

        snprintf(line, sizeof line, "%u %u 1\n", (unsigned) p->uid, (unsigned) p->caller_uid);
        r = write_file("/proc/self/uid_map", line);
        if (r < 0)
                return log_errno(r, "can't write /proc/self/uid_map"), r;

        snprintf(line, sizeof line, "%u %u 1\n", (unsigned) p->gid, (unsigned) p->caller_gid);
        r = write_file("/proc/self/gid_map", line);
        if (r < 0)
                return log_errno(r, "can't write /proc/self/gid_map"), r;
        return 0;
}
