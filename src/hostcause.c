/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Refusals that name their cause (see hostcause.h). The facts come from the
 * sysctls, this process's seccomp filters and AppArmor label, and a probe. */
#include "hostcause.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostprobe.h"
#include "log.h"

#define SEE_CHECK "cocoon --check tells more"

static void set(struct host_cause *c, const char *fix, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set(struct host_cause *c, const char *fix, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
        snprintf(c->fix, sizeof c->fix, "%s", fix);
}

void hostcause_userns(int err, struct host_cause *c)
{
        long max = hostprobe_sysctl("user/max_user_namespaces");
        long clone_ok = hostprobe_sysctl("kernel/unprivileged_userns_clone");
        long aa = hostprobe_sysctl("kernel/apparmor_restrict_unprivileged_userns");
        int filters = hostprobe_seccomp_filters();
        bool nested = hostprobe_nested_userns();
        char label[128];
        const char *aa_label = hostprobe_apparmor(label, sizeof label);

        if (nested && (filters || err == ENOSPC))
                set(c, "let the outer sandbox allow them (no --disable-userns, no seccomp profile that refuses them)",
                    "inside a sandbox that refuses user namespaces (%s)",
                    err == ENOSPC ? "its limit of user namespaces is reached, as --disable-userns sets it"
                                  : "its seccomp filter refuses them");
        else if (max == 0)
                set(c, "sysctl -w user.max_user_namespaces=15000", "user.max_user_namespaces is 0");
        else if (clone_ok == 0 && getuid() != 0)
                set(c, "sysctl -w kernel.unprivileged_userns_clone=1",
                    "kernel.unprivileged_userns_clone is 0: only root may make user namespaces");
        else if (err == ENOSPC)
                set(c, "raise user.max_user_namespaces (sysctl -w), or end some sandboxes",
                    "the limit of user namespaces is reached (user.max_user_namespaces is %ld, and 32 may nest)", max);
        else if (aa == 1 && (err == EPERM || err == EACCES))
                set(c,
                    "an AppArmor profile for cocoon that allows userns (see cocoon(1)), or sysctl -w "
                    "kernel.apparmor_restrict_unprivileged_userns=0",
                    "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)");
        else if (err == EPERM && filters)
                set(c,
                    "run the container with a seccomp profile that allows clone and unshare with namespace flags "
                    "(docker run --security-opt seccomp=unconfined), or use --fallback landlock",
                    "a seccomp filter on this process refuses it, as a container's default profile does (%d filter%s)",
                    filters, filters > 1 ? "s" : "");
        else if (err == EACCES && aa_label)
                set(c,
                    "allow user namespaces in the AppArmor policy that confines this process, or use --fallback "
                    "landlock",
                    "AppArmor refuses it (this process's label: %s)", aa_label);
        else if (err == EACCES)
                set(c, "allow user namespaces in the policy that refuses them, or use --fallback landlock",
                    "a security module%s refuses it", filters ? " or this process's seccomp filter" : "");
        else if (err == EINVAL)
                set(c, "a kernel built with CONFIG_USER_NS", "this kernel has no user namespaces");
        else
                set(c, "use --fallback landlock, or ask the host's administrator", "%s", strerror(err));
}

void hostcause_mount(int err, bool maps, struct host_cause *c)
{
        long aa = hostprobe_sysctl("kernel/apparmor_restrict_unprivileged_userns");
        int filters = hostprobe_seccomp_filters();
        char label[128];
        const char *aa_label = hostprobe_apparmor(label, sizeof label);
        const char *what = maps ? "writing its id maps" : "a mount";

        if (aa == 1 && getuid() != 0)
                set(c,
                    "an AppArmor profile for cocoon that allows userns (see cocoon(1)), or sysctl -w "
                    "kernel.apparmor_restrict_unprivileged_userns=0, or use --fallback landlock",
                    "the user namespace was made without capabilities, so %s was refused: AppArmor restricts "
                    "unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)",
                    what);
        else if (aa_label && strncmp(aa_label, "unconfined", 10) != 0)
                set(c, "run the container with an AppArmor profile that allows mount, or use --fallback landlock",
                    "%s in the user namespace was refused: this process is confined by AppArmor (%s), as a "
                    "container's profile confines it",
                    what, aa_label);
        else if (filters)
                set(c, "run the container with a seccomp profile that allows mount, or use --fallback landlock",
                    "%s in the user namespace was refused (%s): a seccomp filter on this process refuses it, as a "
                    "container's profile does",
                    what, strerror(err));
        else
                set(c, "use --fallback landlock, or ask the host's administrator",
                    "%s in the user namespace was refused (%s)", what, strerror(err));
}

void hostcause_namespaces(int err, struct host_cause *c)
{
        if (err == EPERM && hostprobe_seccomp_filters())
                set(c, "run the container with a seccomp profile that allows them, or use --fallback landlock",
                    "a seccomp filter on this process refuses namespace flags, as a container's default profile does");
        else if (err == EPERM && getuid() == 0)
                set(c, "run the container with CAP_SYS_ADMIN, or use --fallback landlock",
                    "this process lacks CAP_SYS_ADMIN, as root in a container does");
        else
                set(c, "use --fallback landlock, or ask the host's administrator", "%s", strerror(err));
}

/* Whether a user namespace alone is refused, and with which errno. */
static int userns_refusal(void)
{
        struct probe_result r;

        hostprobe_sandbox(CLONE_NEWUSER, false, &r);
        return r.err[STEP_USERNS] > 0 ? r.err[STEP_USERNS] : 0;
}

static void log_bwrap_clone(int err, int flags)
{
        if ((flags & CLONE_NEWUSER) && err == EINVAL)
                log_error("Creating new namespace failed, likely because the kernel does not support user namespaces.  "
                          "bwrap must be installed setuid on such systems.");
        else if ((flags & CLONE_NEWUSER) && err == EPERM && getuid() != 0)
                log_error("No permissions to creating new namespace, likely because the kernel does not allow "
                          "non-privileged user namespaces. On e.g. debian this can be enabled with 'sysctl "
                          "kernel.unprivileged_userns_clone=1'.");
        else if (err == ENOSPC)
                log_error("Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces exceeded "
                          "(ENOSPC)");
        else
                log_errno(err, "Creating new namespace failed");
}

void hostcause_log_clone(int err, int flags)
{
        struct host_cause c;
        int userns_err;

        if (log_is_bwrap()) {
                log_bwrap_clone(err, flags);
                return;
        }
        userns_err = (flags & CLONE_NEWUSER) ? userns_refusal() : 0;
        if (userns_err) {
                hostcause_userns(userns_err, &c);
                log_error("can't create the namespaces: the kernel refused a user namespace (%s): %s; fix: %s; %s",
                          strerror(userns_err), c.why, c.fix, SEE_CHECK);
        } else {
                hostcause_namespaces(err, &c);
                log_error("can't create the namespaces: the kernel refused them (%s): %s; fix: %s; %s", strerror(err),
                          c.why, c.fix, SEE_CHECK);
        }
}

void hostcause_log_setup(int err, bool maps, const char *what, const char *bwrap_what)
{
        struct host_cause c;

        if (log_is_bwrap()) {
                log_errno(err, "%s", bwrap_what);
                return;
        }
        if (err != EPERM && err != EACCES) {
                log_errno(err, "%s", what);
                return;
        }
        hostcause_mount(err, maps, &c);
        log_error("%s: %s; fix: %s; %s", what, c.why, c.fix, SEE_CHECK);
}
