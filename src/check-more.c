/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --check: the report's items (check_add), and those that need no
 * namespace probe: the system calls, Landlock, seccomp user notification,
 * cgroup v2 delegation and the helper programs. Each is tried, never guessed
 * from the kernel's version. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"
#include "landlock.h"
#include "util.h"

void check_add(struct check_report *r, const char *name, const char *title, bool core, enum check_status status,
               const char *fix, const char *fmt, ...)
{
        struct check_item *it;
        va_list ap;

        if (r->n == (int) (sizeof r->items / sizeof r->items[0]))
                return;
        it = &r->items[r->n++];
        it->name = name;
        it->title = title;
        it->core = core;
        it->status = status;
        snprintf(it->fix, sizeof it->fix, "%s", fix ? fix : "");
        va_start(ap, fmt);
        vsnprintf(it->detail, sizeof it->detail, fmt, ap);
        va_end(ap);
}

#ifndef LANDLOCK_CREATE_RULESET_ERRATA
#define LANDLOCK_CREATE_RULESET_ERRATA (1U << 1)
#endif

/* Called with arguments no kernel accepts: ENOSYS means it is missing (or
 * a filter says so), any other answer that it is there. */
static bool answers(long nr, long a, long b, long c)
{
        int fd = (int) syscall(nr, a, b, c, 0L, 0L);

        if (fd >= 0)
                close(fd);
        return fd >= 0 || errno != ENOSYS;
}

void check_syscalls(struct check_report *r)
{
        struct open_how how = {.flags = O_PATH | O_CLOEXEC};
        int fd = (int) syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
        bool mount_api = answers(SYS_open_tree, -1, (long) "", 0) && answers(SYS_move_mount, -1, (long) "", -1) &&
                         answers(SYS_fsopen, (long) "", 0, 0) && answers(SYS_fsmount, -1, 0, 0) &&
                         answers(SYS_fsconfig, -1, 0, 0);

        if (fd >= 0) {
                close(fd);
                check_add(r, "openat2", "openat2", false, CHECK_OK, NULL, "answers");
        } else {
                check_add(r, "openat2", "openat2", false, CHECK_LIMITED,
                          "Linux 5.6 or later, without a filter that hides it",
                          "%s: paths are walked in user space instead, as safely", strerror(errno));
        }
        if (answers(SYS_mount_setattr, -1, (long) "", 0))
                check_add(r, "mount_setattr", "mount_setattr", false, CHECK_OK, NULL, "answers");
        else
                check_add(r, "mount_setattr", "mount_setattr", false, CHECK_LIMITED, "Linux 5.12 or later",
                          "missing: read-only binds are remounted one mount at a time instead");
        check_add(r, "mount_api", "new mount API", true, mount_api ? CHECK_OK : CHECK_MISSING,
                  mount_api ? NULL : "Linux 5.2 or later, without a filter that hides these calls",
                  mount_api ? "open_tree, move_mount, fsopen, fsconfig and fsmount answer"
                            : "one of open_tree, move_mount, fsopen, fsconfig or fsmount is missing: every mount "
                              "cocoon makes uses them");
}

void check_landlock(struct check_report *r)
{
        int abi = landlock_abi();
        long errata = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_ERRATA);
        char errata_text[64];

        if (errata >= 0)
                snprintf(errata_text, sizeof errata_text, "errata fixed: 0x%lx", errata);
        else
                snprintf(errata_text, sizeof errata_text, "no errata query (before Linux 6.15)");
        if (abi < 1)
                check_add(r, "landlock", "Landlock", false, CHECK_MISSING,
                          "a kernel with CONFIG_SECURITY_LANDLOCK and landlock in its lsm= list",
                          "missing: --landlock and its options, and --fallback landlock, can't work");
        else if (abi < 6)
                check_add(r, "landlock", "Landlock", false, CHECK_LIMITED, "Linux 6.12 or later", "ABI %d (%s): %s",
                          abi, errata_text,
                          abi < 4 ? "no TCP port rules (ABI 4) nor scoping (ABI 6)" : "no scoping (ABI 6)");
        else
                check_add(r, "landlock", "Landlock", false, CHECK_OK, NULL, "ABI %d (%s)", abi, errata_text);
}

void check_seccomp_notify(struct check_report *r)
{
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog prog = {.len = 1, .filter = &allow};
        int status = 0;
        pid_t pid = fork();

        if (pid == 0) {
                int fd;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(errno);
                fd = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
                _exit(fd < 0 ? errno : 0);
        }
        if (pid > 0)
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
                check_add(r, "seccomp_notify", "seccomp user notification", false, CHECK_OK, NULL,
                          "a filter with a listener loads");
        else
                check_add(r, "seccomp_notify", "seccomp user notification", false, CHECK_LIMITED, "Linux 5.0 or later",
                          "refused (%s): the seccomp notification listener can't run",
                          pid < 0 ? strerror(errno) : strerror(WIFEXITED(status) ? WEXITSTATUS(status) : EINTR));
}

/* Which of the controllers cocoon's limits use a list lacks: "memory and pids". */
static void missing_text(const char *list, char *out, size_t size)
{
        static const char *const wanted[] = {"memory", "pids", "cpu"};
        char padded[520];

        snprintf(padded, sizeof padded, " %s ", list);
        *out = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(wanted); i++) {
                char word[16];
                snprintf(word, sizeof word, " %s ", wanted[i]);
                if (!strstr(padded, word))
                        snprintf(out + strlen(out), size - strlen(out), "%s%s", *out ? ", " : "", wanted[i]);
        }
}

void check_cgroup(struct check_report *r)
{
        const char *title = "cgroup v2 delegation";
        char own[4096], parent[4096], path[4200], controllers[512] = "", missing[64];
        int fd, n = -1;

        if (cgroup_locate(own, sizeof own, parent, sizeof parent) < 0) {
                check_add(r, "cgroup", title, false, CHECK_MISSING, "boot with systemd.unified_cgroup_hierarchy=1",
                          "no cgroup2 mount, or this process is in none of its groups: --memory-max, --pids-max and "
                          "--cpu-max can't work");
                return;
        }
        snprintf(path, sizeof path, "%s/cgroup.controllers", parent);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                n = (int) read(fd, controllers, sizeof controllers - 1);
                close(fd);
        }
        controllers[n > 0 ? n : 0] = '\0';
        controllers[strcspn(controllers, "\n")] = '\0';
        missing_text(controllers, missing, sizeof missing);
        if (*missing)
                check_add(r, "cgroup", title, false, CHECK_LIMITED,
                          "boot with systemd.unified_cgroup_hierarchy=1 (every controller on cgroup v2)",
                          "%s lacks the %s controller%s (it has: %s; hybrid mode leaves them to cgroup v1): "
                          "--memory-max, --pids-max and --cpu-max can't work",
                          parent, missing, strchr(missing, ' ') ? "s" : "", *controllers ? controllers : "none");
        else if (access(parent, W_OK) != 0)
                check_add(r, "cgroup", title, false, CHECK_LIMITED,
                          "run cocoon in a delegated cgroup: systemd-run --user --scope -p Delegate=yes cocoon ...",
                          "%s has controllers (%s) but is not delegated to this user: --memory-max, --pids-max and "
                          "--cpu-max can't work",
                          parent, controllers);
        else
                check_add(r, "cgroup", title, false, CHECK_OK, NULL, "%s, delegated, has %s", parent, controllers);
}

/* The program's path in $PATH (or the usual directories) into buf. */
static bool find_program(const char *name, char *buf, size_t size)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        char *save = NULL;

        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                snprintf(buf, size, "%s/%s", dir, name);
                if (access(buf, X_OK) == 0)
                        return true;
        }
        return false;
}

/* Run it with one argument, output thrown away: does it start and succeed? */
static bool runs(const char *program, const char *arg)
{
        int status = 0;
        pid_t pid = fork();

        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, 1);
                        dup2(null, 2);
                }
                execl(program, program, arg, (char *) NULL);
                _exit(127);
        }
        if (pid < 0)
                return false;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Whether /etc/subuid (or subgid) gives this user a range. */
static bool has_subids(const char *file, const char *user, uid_t uid)
{
        char line[512], id[32];
        FILE *f = fopen(file, "re");
        bool found = false;

        if (!f)
                return false;
        snprintf(id, sizeof id, "%u", (unsigned) uid);
        while (!found && fgets(line, sizeof line, f)) {
                size_t n = strcspn(line, ":");
                found = line[n] == ':' && ((user && strlen(user) == n && strncmp(line, user, n) == 0) ||
                                           (strlen(id) == n && strncmp(line, id, n) == 0));
        }
        fclose(f);
        return found;
}

/* This user's name from /etc/passwd (no NSS: a static cocoon has none). */
static bool user_name(uid_t uid, char *buf, size_t size)
{
        char line[1024];
        FILE *f = fopen("/etc/passwd", "re");
        bool found = false;

        if (!f)
                return false;
        while (!found && fgets(line, sizeof line, f)) {
                char *name = strtok(line, ":"), *x = strtok(NULL, ":"), *id = strtok(NULL, ":");
                if (name && x && id && strtoul(id, NULL, 10) == uid) {
                        snprintf(buf, size, "%s", name);
                        found = true;
                }
        }
        fclose(f);
        return found;
}

void check_helpers(struct check_report *r)
{
        char path[4096];
        struct stat st;
        char name[256];
        const char *user = user_name(getuid(), name, sizeof name) ? name : NULL;
        bool privileged, subuid, subgid;
        char fix[384];

        if (!find_program("pasta", path, sizeof path))
                check_add(r, "pasta", "pasta", false, CHECK_LIMITED, "install passt (apt install passt)",
                          "not found in PATH: no user-mode networking for a sandbox with its own network");
        else if (!runs(path, "--version"))
                check_add(r, "pasta", "pasta", false, CHECK_LIMITED, "reinstall passt",
                          "%s is there but pasta --version fails", path);
        else
                check_add(r, "pasta", "pasta", false, CHECK_OK, NULL, "%s runs", path);

        if (!find_program("newuidmap", path, sizeof path)) {
                check_add(r, "newuidmap", "newuidmap and subordinate ids", false, CHECK_LIMITED,
                          "install uidmap (apt install uidmap)",
                          "newuidmap not found: only one id maps into a sandbox");
                return;
        }
        privileged = (stat(path, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0) ||
                     getxattr(path, "security.capability", NULL, 0) > 0;
        snprintf(fix, sizeof fix, "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s",
                 user ? user : "USER");
        subuid = has_subids("/etc/subuid", user, getuid());
        subgid = has_subids("/etc/subgid", user, getuid());
        if (!privileged)
                check_add(r, "newuidmap", "newuidmap and subordinate ids", false, CHECK_LIMITED,
                          "reinstall uidmap: newuidmap must be setuid root or have CAP_SETUID",
                          "%s is neither setuid root nor has file capabilities", path);
        else if (!subuid || !subgid)
                check_add(r, "newuidmap", "newuidmap and subordinate ids", false, CHECK_LIMITED, fix,
                          "%s is there, but %s has no range in %s", path, user ? user : "this user",
                          !subuid ? "/etc/subuid" : "/etc/subgid");
        else
                check_add(r, "newuidmap", "newuidmap and subordinate ids", false, CHECK_OK, NULL,
                          "%s, and ranges in /etc/subuid and /etc/subgid", path);
}
