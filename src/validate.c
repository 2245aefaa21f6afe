/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "validate.h"

#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "userns.h"
#include "util.h"

int plan_validate(struct plan *p)
{
        char *cwd = getcwd(NULL, 0);

        p->caller_cwd = cwd; /* may be NULL if it was removed */

        /* Namespaces. */
        if (p->unshare_user_try && userns_available())
                p->clone_flags |= CLONE_NEWUSER;
        if (p->unshare_cgroup_try && access("/proc/self/ns/cgroup", F_OK) == 0)
                p->clone_flags |= CLONE_NEWCGROUP;
        /* Without privilege, nothing works without a user namespace. */
        if (p->caller_uid != 0)
                p->clone_flags |= CLONE_NEWUSER;

        /* Identity. */
        if (!p->uid_set)
                p->uid = p->caller_uid;
        if (!p->gid_set)
                p->gid = p->caller_gid;
        if (!(p->clone_flags & CLONE_NEWUSER)) {
                if (p->uid != p->caller_uid)
                        return log_error("--uid: needs --unshare-user"), -1;
                if (p->gid != p->caller_gid)
                        return log_error("--gid: needs --unshare-user"), -1;
        }
        if (p->hostname && !(p->clone_flags & CLONE_NEWUTS))
                return log_error("--hostname: needs --unshare-uts"), -1;
        if (p->as_pid_1 && !(p->clone_flags & CLONE_NEWPID))
                return log_error("--as-pid-1: needs --unshare-pid"), -1;

        /* Sources are host paths; relative ones are relative to where the
         * caller stands. */
        for (size_t i = 0; i < p->n_ops; i++) {
                struct fs_op *op = &p->ops[i];
                char *abs;

                if (op->kind != FS_BIND || op->src[0] == '/')
                        continue;
                if (!cwd)
                        return log_errno(errno, "%s: can't resolve %s: no current directory", op->flag, op->src), -1;
                abs = xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, op->src);
                free(op->src);
                op->src = abs;
        }
        return 0;
}
