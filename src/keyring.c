/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The session keyring. */
#include "keyring.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/* The answers of a filter that keeps a call from the kernel, or of a kernel
 * without keys. */
static bool refused(long r)
{
        return r < 0 && (errno == ENOSYS || errno == EPERM || errno == EACCES);
}

/* Is every way to the session keyring closed to us? A filter that refuses a
 * call to us refuses it to the command too, since seccomp filters are
 * inherited and only ever added to. The probes change nothing: add_key names
 * no keyring (EINVAL), request_key a key type that does not exist (ENOKEY),
 * and keyctl only asks for the session keyring's id. Anything but a refusal
 * means the call reaches the keyring, and so would the command's. */
static bool key_calls_refused(void)
{
        return refused(syscall(SYS_add_key, "cocoon-probe", "probe", NULL, (size_t) 0, 0)) &&
               refused(syscall(SYS_request_key, "cocoon-probe", "probe", NULL, 0)) &&
               refused(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

int keyring_new_session(void)
{
        int err;

        /* No name: a new anonymous keyring, shared with nobody. */
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) >= 0)
                return 0;
        err = errno;
        /* A kernel without keys has no keyring to reach, and key calls
         * filtered away from us are filtered away from the command. */
        if ((err == ENOSYS || err == EPERM || err == EACCES) && key_calls_refused())
                return 0;
        if (err == EDQUOT)
                return log_error("can't give the sandbox its own session keyring: the user's key quota is used "
                                 "up (kernel.keys.maxkeys)"),
                       -1;
        return log_errno(err, "can't give the sandbox its own session keyring"), -1;
}
