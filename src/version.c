/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cocoon --version: what cocoon was built with, and which of the kernel
 * features it uses this kernel has. Each probe is one cheap system call
 * that changes nothing, but for user namespaces: a child makes one (with a
 * mount namespace, to see that it may use it), and exits, and they go with it.
 */
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "config.h"
#include "netpasta.h"
#include "syscalls.h"

#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif

/* "yes", or "no (why)" from a failed probe's errno. */
static void answer(FILE *out, const char *what, int err)
{
        if (err == 0)
                fprintf(out, "%s: yes\n", what);
        else if (err == ENOSYS)
                fprintf(out, "%s: no (not in this kernel)\n", what);
        else
                fprintf(out, "%s: no (%s)\n", what, strerror(err));
}

static void landlock(FILE *out)
{
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        if (abi > 0)
                fprintf(out, "landlock: ABI %ld\n", abi);
        else if (errno == EOPNOTSUPP)
                fprintf(out, "landlock: no (in this kernel, but not enabled at boot)\n");
        else
                answer(out, "landlock", errno);
}

/* A user namespace, and a mount namespace in it where we may change a mount:
 * some hosts allow the first and then refuse what it is for. */
static void userns(FILE *out)
{
        int status;
        pid_t pid, w;

        fflush(out); /* before the fork */
        pid = fork();
        if (pid == 0) {
                if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        _exit(errno > 0 && errno < 256 ? errno : EPERM);
                _exit(0);
        }
        if (pid < 0) {
                answer(out, "user namespaces", errno);
                return;
        }
        do
                w = waitpid(pid, &status, 0);
        while (w < 0 && errno == EINTR);
        if (w < 0)
                answer(out, "user namespaces", errno);
        else if (WIFSIGNALED(status))
                fprintf(out, "user namespaces: no (the probe was killed by signal %d)\n", WTERMSIG(status));
        else if (WEXITSTATUS(status) == ENOSPC)
                fprintf(out, "user namespaces: no (none left: user.max_user_namespaces is 0 or reached)\n");
        else
                answer(out, "user namespaces", WEXITSTATUS(status));
}

static int user_notif_probe(void)
{
        unsigned action = SECCOMP_RET_USER_NOTIF;

        return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0 ? 0 : errno;
}

static int openat2_probe(void)
{
        int fd = sys_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, RESOLVE_NO_MAGICLINKS);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

/* Arguments it refuses (a size of 0), so that it does nothing: EINVAL means
 * it is there. */
static int mount_setattr_probe(void)
{
        if (syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) == 0 || errno == EINVAL)
                return 0;
        return errno;
}

static void selinux(FILE *out)
{
#ifdef HAVE_SELINUX
        fprintf(out, "selinux: yes (%s on this host)\n", is_selinux_enabled() > 0 ? "enabled" : "not enabled");
#else
        fprintf(out, "selinux: no (built without libselinux)\n");
#endif
}

/* What --net pasta would run. */
static void pasta(FILE *out)
{
        char path[4096];

        if (netpasta_find(path, sizeof path) == 0)
                fprintf(out, "pasta: yes (%s)\n", path);
        else
                fprintf(out, "pasta: no (--net pasta needs the package passt)\n");
}

void version_print(FILE *out)
{
        const struct scmp_version *v = seccomp_version();

        fprintf(out, "cocoon %s\n", COCOON_VERSION);
        fprintf(out, "build: %s\n", COCOON_STATIC ? "static" : "dynamic");
        fprintf(out, "libseccomp: %u.%u.%u (built with %d.%d.%d)\n", v ? v->major : 0, v ? v->minor : 0,
                v ? v->micro : 0, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
        selinux(out);
        landlock(out);
        userns(out);
        answer(out, "seccomp user notification", user_notif_probe());
        answer(out, "openat2", openat2_probe());
        answer(out, "mount_setattr", mount_setattr_probe());
        pasta(out);
}
