/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The session keyring. */
#include "keyring.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/* Are the other calls that reach a session keyring refused to us? A filter
 * that refuses a call to us refuses it to the command too, since seccomp
 * filters are inherited and only ever added to. The probes name no keyring
 * (add_key then fails with EINVAL) and a key type that does not exist
 * (request_key fails with ENOKEY): they change nothing either way, and
 * only a refusal answers EPERM or EACCES. */
static bool key_calls_refused(void)
{
        long add = syscall(SYS_add_key, "cocoon-probe", "probe", NULL, (size_t) 0, 0);
        int add_err = add < 0 ? errno : 0;
        long req = syscall(SYS_request_key, "cocoon-probe", "probe", NULL, 0);
        int req_err = req < 0 ? errno : 0;

        return (add_err == EPERM || add_err == EACCES) && (req_err == EPERM || req_err == EACCES);
}

int keyring_new_session(void)
{
        int err;

        /* No name: a new anonymous keyring, shared with nobody. */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) >= 0)
                return 0;
        err = errno;
        /* A kernel without keys has no keyring to reach. */
        if (err == ENOSYS)
                return 0;
        /* Key calls filtered away from us are filtered away from the command. */
        if ((err == EPERM || err == EACCES) && key_calls_refused())
                return 0;
        if (err == EDQUOT)
                return log_error("can't give the sandbox its own session keyring: the user's key quota is used "
                                 "up (kernel.keys.maxkeys)"),
                       -1;
        return log_errno(err, "can't give the sandbox its own session keyring"), -1;
}
