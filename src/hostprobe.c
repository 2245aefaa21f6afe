/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Probes of what the host allows (see hostprobe.h). */
#include "hostprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define OTHER_NS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

static int write_text(const char *path, const char *text)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return errno;
        return write_all(fd, text, strlen(text)) < 0 ? errno : 0;
}

static int map_self(uid_t uid, gid_t gid)
{
        char line[64];
        int r = write_text("/proc/self/setgroups", "deny");

        if (r && r != ENOENT)
                return r;
        snprintf(line, sizeof line, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
        if ((r = write_text("/proc/self/uid_map", line)))
                return r;
        snprintf(line, sizeof line, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
        return write_text("/proc/self/gid_map", line);
}

/* The first directory of these that takes a tmpfs, in our own mount
 * namespace: the host never sees it. */
static int mount_scratch(const char **where)
{
        static const char *const dirs[] = {"/tmp", "/run", "/mnt", "/var/tmp"};
        int err = ENOENT;

        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                if (mount("tmpfs", dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") == 0) {
                        *where = dirs[i];
                        return 0;
                }
                err = errno;
        }
        return err;
}

static int try_overlay(const char *base)
{
        char l[64], u[64], w[64], m[64], opts[256];

        snprintf(l, sizeof l, "%s/l", base);
        snprintf(u, sizeof u, "%s/u", base);
        snprintf(w, sizeof w, "%s/w", base);
        snprintf(m, sizeof m, "%s/m", base);
        if (mkdir(l, 0700) < 0 || mkdir(u, 0700) < 0 || mkdir(w, 0700) < 0 || mkdir(m, 0700) < 0)
                return errno;
        snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", l, u, w);
        return mount("overlay", m, "overlay", 0, opts) < 0 ? errno : 0;
}

/* In the child: each step in turn, noted in r as it goes. */
static void probe_steps(int flags, bool all_steps, struct probe_result *r)
{
        uid_t uid = getuid();
        gid_t gid = getgid();
        const char *base = NULL;

        if (flags & CLONE_NEWUSER) {
                if ((r->err[STEP_USERNS] = unshare(CLONE_NEWUSER) < 0 ? errno : 0))
                        return;
                if ((r->err[STEP_MAPS] = map_self(uid, gid)))
                        return;
        }
        if ((r->err[STEP_MOUNTNS] = unshare(CLONE_NEWNS) < 0 ? errno : 0))
                return;
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                r->err[STEP_MOUNT] = errno;
        else
                r->err[STEP_MOUNT] = mount_scratch(&base);
        if (r->err[STEP_MOUNT])
                return;
        if (all_steps)
                r->err[STEP_OVERLAY] = try_overlay(base);
        if (flags & OTHER_NS)
                r->err[STEP_OTHER_NS] = unshare(flags & OTHER_NS) < 0 ? errno : 0;
        if (all_steps)
                r->err[STEP_TIMENS] = unshare(CLONE_NEWTIME) < 0 ? errno : 0;
}

void hostprobe_sandbox(int flags, bool all_steps, struct probe_result *out)
{
        struct probe_result *shared =
                mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        pid_t pid;

        for (int i = 0; i < STEP_COUNT; i++)
                out->err[i] = -1;
        if (shared == MAP_FAILED) {
                out->err[STEP_USERNS] = errno;
                return;
        }
        *shared = *out;
        pid = fork();
        if (pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                probe_steps(flags, all_steps, shared);
                _exit(0);
        }
        if (pid < 0)
                shared->err[STEP_USERNS] = errno;
        else
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        *out = *shared;
        munmap(shared, sizeof *shared);
}

enum probe_step hostprobe_first_failure(const struct probe_result *r)
{
        for (int i = 0; i < STEP_COUNT; i++)
                if (i != STEP_OVERLAY && i != STEP_TIMENS && r->err[i] > 0)
                        return (enum probe_step) i;
        return STEP_COUNT;
}

long hostprobe_sysctl(const char *name)
{
        char path[256], buf[32] = "";
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof path, "/proc/sys/%s", name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        return strtol(buf, NULL, 10);
}

static bool read_line(const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

        if (n <= 0)
                return false;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return true;
}

const char *hostprobe_apparmor(char *buf, size_t size)
{
        /* AppArmor's own directory since Linux 5.8, else the shared file,
         * which another security module may own (SELinux's labels have
         * colons, AppArmor's don't). */
        if (read_line("/proc/self/attr/apparmor/current", buf, size))
                return buf;
        if (access("/sys/module/apparmor", F_OK) == 0 && read_line("/proc/self/attr/current", buf, size) &&
            !strchr(buf, ':'))
                return buf;
        return NULL;
}

int hostprobe_seccomp_filters(void)
{
        char line[256];
        int n = 0;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 ? 1 : 0;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
                        break;
        fclose(f);
        if (n == 0 && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2)
                n = 1;
        return n;
}

bool hostprobe_nested_userns(void)
{
        char buf[128];
        unsigned long inside, outside, count;

        if (!read_line("/proc/self/uid_map", buf, sizeof buf))
                return false;
        if (sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) != 3)
                return false;
        return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

const char *hostprobe_container(void)
{
        char buf[512];
        FILE *f;
        const char *found = NULL;

        if (access("/run/.containerenv", F_OK) == 0)
                return "podman";
        if (access("/.dockerenv", F_OK) == 0)
                return "docker";
        if (read_line("/proc/sys/kernel/osrelease", buf, sizeof buf) && strstr(buf, "microsoft"))
                return "wsl";
        f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return NULL;
        while (!found && fgets(buf, sizeof buf, f))
                found = strstr(buf, "docker")     ? "docker"
                        : strstr(buf, "kubepods") ? "kubernetes"
                        : strstr(buf, "lxc")      ? "lxc"
                        : strstr(buf, "libpod")   ? "podman"
                                                  : NULL;
        fclose(f);
        return found;
}
