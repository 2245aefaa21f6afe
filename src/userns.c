/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespaces and their id maps. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "hostcause.h"
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

static int probe_child(void *arg)
{
        (void) arg;
        return 0;
}

int userns_try_create(void)
{
        /* The child shares our memory and runs no library code; we are
         * suspended until it exits, so a small stack of ours will do. */
        static char stack[16384] __attribute__((aligned(16)));
        pid_t pid;
        int status;

        if (!userns_available())
                return -ENOSPC; /* what the kernel says when the limit is 0 */
        /* Without a seccomp filter on us, which is what refuses one in a
         * container, the sysctls' word is taken: a user namespace costs a
         * tenth of a launch to make and throw away. (A security module that
         * refuses root one still fails the launch, with the kernel's error.) */
        if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0)
                return 0;
        pid = clone(probe_child, stack + sizeof stack, CLONE_NEWUSER | CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
        if (pid < 0)
                return -errno;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return 0;
}

static int write_at(int dirfd, const char *path, const char *content)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write_all(fd, content, strlen(content));
}

/* Map exactly one uid and one gid, with setgroups denied. The map files
 * speak for the namespace their opener is in, so they are opened after it
 * exists. */
static int write_maps(int proc_fd, uid_t uid, uid_t outer_uid, gid_t gid, gid_t outer_gid)
{
        char uid_line[64], gid_line[64];
        int r;

        snprintf(uid_line, sizeof uid_line, "%u %u 1\n", (unsigned) uid, (unsigned) outer_uid);
        snprintf(gid_line, sizeof gid_line, "%u %u 1\n", (unsigned) gid, (unsigned) outer_gid);

        r = write_at(proc_fd, "self/setgroups", "deny");
        if (r < 0 && r != -ENOENT)
                log_errno(r, "can't write /proc/self/setgroups");
        else if ((r = write_at(proc_fd, "self/uid_map", uid_line)) < 0)
                hostcause_log_setup(-r, true, "can't write /proc/self/uid_map", "setting up uid map");
        else if ((r = write_at(proc_fd, "self/gid_map", gid_line)) < 0)
                hostcause_log_setup(-r, true, "can't write /proc/self/gid_map", "setting up gid map");
        else
                r = 0;
        return r;
}

/* The child writes its own maps: a process may map its own outside id once,
 * with no help from a privileged parent, as long as setgroups is denied. */
int userns_write_maps(const struct plan *p)
{
        _cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (proc < 0)
                return log_errno(errno, "can't open /proc"), -1;
        return write_maps(proc, p->uid, p->caller_uid, p->gid, p->caller_gid);
}

int userns_wait_for_maps(const struct plan *p)
{
        _cleanup_close_ int fd = -1;
        char c, map[64];
        ssize_t n, gn;

        do
                n = read(p->userns_block_fd, &c, 1);
        while (n < 0 && errno == EINTR);
        close(p->userns_block_fd);

        /* The caller mapped us, or left it to us; a half-done job is an error. */
        fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
        n = fd < 0 ? -1 : read(fd, map, sizeof map);
        closep(&fd);
        fd = open("/proc/self/gid_map", O_RDONLY | O_CLOEXEC);
        gn = fd < 0 ? -1 : read(fd, map, sizeof map);
        if (n > 0 && gn > 0)
                return 0;
        if (n > 0 || gn > 0)
                return log_error("--userns-block-fd: the caller wrote only one of uid_map and gid_map"), -1;
        return userns_write_maps(p);
}

int userns_nest_flags(const struct plan *p)
{
        /* Not the network namespace pasta serves (see plan_clone_flags). */
        int net = p->net_mode == NET_PASTA ? 0 : CLONE_NEWNET;

        return CLONE_NEWNS | (p->clone_flags & (net | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP));
}

int userns_nest(const struct plan *p, int proc_fd, bool lock)
{
        uid_t uid = getuid(); /* ours (a --userns-block-fd caller may have chosen them) */
        gid_t gid = getgid();
        int r;

        if (p->disable_userns) {
                r = write_at(proc_fd, "sys/user/max_user_namespaces", "1");
                if (r < 0)
                        return log_errno(r, "--disable-userns: can't limit user namespaces"), -1;
        }
        /* A mount namespace copied for a less privileged owner gets every
         * mount locked by the kernel: their flags (read-only, nosuid, nodev,
         * noexec) can't be cleared, nor can one be taken off what it hides.
         * The sandbox's network, UTS, IPC and cgroup namespaces are made
         * again, owned by the new one, so that the command's capabilities
         * still reach them (a fresh network namespace needs its loopback up
         * again; the others start as copies, or empty as they were). */
        if (p->maps_wide) /* every id we have, which only a process here may map */
                return idmap_nest(p, proc_fd, lock ? userns_nest_flags(p) : 0);
        if (unshare(CLONE_NEWUSER | (lock ? userns_nest_flags(p) : 0)) < 0)
                return log_errno(errno, "can't create the nested user namespace%s",
                                 lock ? " that locks the mounts" : ""),
                       -1;
        /* Inside, we keep the ids we had. */
        return write_maps(proc_fd, uid, uid, gid, gid) < 0 ? -1 : 0;
}

int userns_assert_disabled(void)
{
        if (unshare(CLONE_NEWUSER) == 0)
                return log_error("--assert-userns-disabled: this sandbox can still create user namespaces"), -1;
        return 0;
}
