/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "label.h"

#include <stddef.h>
#include <stdio.h>

#include "log.h"
#include "util.h"

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>

static bool selinux_on(void)
{
        return is_selinux_enabled() > 0;
}

int label_check(const char *label, char *err, size_t err_size)
{
        if (!selinux_on())
                return snprintf(err, err_size, "labeling is not supported on this system (SELinux is off)"), -1;
        if (security_check_context(label) < 0)
                return snprintf(err, err_size, "'%s' is not a valid SELinux context", label), -1;
        return 0;
}

int label_exec(const char *label)
{
        if (!label || !selinux_on())
                return 0;
        if (setexeccon(label) < 0)
                return log_errno(errno, "--exec-label: can't use %s", label), -1;
        return 0;
}

const char *label_mount_option(const char *label)
{
        static char opt[512];

        if (!label || !selinux_on())
                return NULL;
        snprintf(opt, sizeof opt, "context=%s", label);
        return opt;
}
#else
int label_check(const char *label, char *err, size_t err_size)
{
        return snprintf(err, err_size, "labeling is not supported on this system (built without SELinux)"), -1;
}

int label_exec(const char *label)
{
        return 0;
}

const char *label_mount_option(const char *label)
{
        return NULL;
}
#endif
