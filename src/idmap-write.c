/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writing maps of many ids. A process may write its own user namespace's
 * maps only for its own id; wider maps take CAP_SETUID (CAP_SETGID) in the
 * namespace above, which a process inside no longer has. So the monitor,
 * outside, writes them for the sandbox's first process while it waits: as
 * root directly, else through newuidmap and newgidmap, setuid helpers that
 * map what /etc/subuid and /etc/subgid grant the caller. cocoon itself stays
 * setuid-free.
 *
 * The helpers are run by absolute path, never looked up in PATH: a PATH
 * lookup is the caller's own choice elsewhere, but here the program named
 * decides which host ids the sandbox's files land on, and only the system's
 * setuid copy can write them at all. An environment of one variable, and
 * our error stream is theirs only through a pipe we read one line of.
 *
 * setgroups: newgidmap leaves it "allow" once subordinate gids are mapped
 * (and "deny" for the caller's own gid alone); root leaves it "allow". So
 * setgroups(2) works inside, as apt's drop to _apt needs: the administrator
 * who granted the ids allowed it.
 */
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* One write, as the kernel takes a map: "INSIDE OUTSIDE COUNT" lines. */
static char *map_text(const struct id_map *map)
{
        size_t size = map->n * 40 + 1, len = 0;
        char *text = xmalloc(size);

        text[0] = '\0';
        for (size_t i = 0; i < map->n; i++)
                len += (size_t) snprintf(text + len, size - len, "%u %u %u\n", map->lines[i].inside,
                                         map->lines[i].outside, map->lines[i].count);
        return text;
}

static int write_direct(const struct plan *p, pid_t pid, const struct id_map *map, const char *file)
{
        _cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int) pid, file);
        _cleanup_free_ char *text = map_text(map);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        int r = fd < 0 ? -errno : write_all(fd, text, strlen(text));

        (void) p;
        if (r < 0)
                return log_errno(r, "%s: can't write %s", p->map_users_auto ? "--map-users" : "--uid-map", path), -1;
        return 0;
}

/* The helper's argument vector: PID then the map's numbers. */
static char **helper_argv(const char *helper, pid_t pid, const struct id_map *map)
{
        char **argv = xcalloc(3 + 3 * map->n, sizeof(char *));
        size_t k = 0;

        argv[k++] = xstrdup(helper);
        argv[k++] = xasprintf("%d", (int) pid);
        for (size_t i = 0; i < map->n; i++) {
                argv[k++] = xasprintf("%u", map->lines[i].inside);
                argv[k++] = xasprintf("%u", map->lines[i].outside);
                argv[k++] = xasprintf("%u", map->lines[i].count);
        }
        return argv;
}

static void free_argv(char **argv)
{
        for (size_t i = 0; argv[i]; i++)
                free(argv[i]);
        free(argv);
}

/* Run helper for pid; on failure, one line with the first of its own. */
static int run_helper(const struct plan *p, const char *helper, pid_t pid, const struct id_map *map)
{
        const char *flag = p->map_users_auto ? "--map-users" : "--uid-map";
        char **argv = helper_argv(helper, pid, map);
        char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        char said[512] = "";
        int err[2], status = 0;
        ssize_t n, got = 0;
        pid_t child;

        if (pipe2(err, O_CLOEXEC) < 0)
                return free_argv(argv), log_errno(errno, "%s: can't create a pipe", flag), -1;
        child = fork();
        if (child == 0) {
                sigset_t none;
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, STDOUT_FILENO);
                }
                dup2(err[1], STDERR_FILENO);
                execve(helper, argv, envp);
                dprintf(STDERR_FILENO, "%s\n", strerror(errno));
                _exit(127);
        }
        close(err[1]);
        free_argv(argv);
        while (child > 0 && (n = read(err[0], said + got, sizeof said - 1 - (size_t) got)) != 0)
                if (n > 0)
                        got += n;
                else if (errno != EINTR || got == (ssize_t) sizeof said - 1)
                        break;
        close(err[0]);
        if (child < 0)
                return log_errno(errno, "%s: can't run %s", flag, helper), -1;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        said[strcspn(said, "\n")] = '\0';
        return log_error("%s: %s failed%s%s", flag, helper, said[0] ? ": " : "", said), -1;
}

int idmap_write(const struct plan *p, pid_t pid)
{
        if (p->caller_uid == 0)
                return write_direct(p, pid, &p->uid_map, "uid_map") < 0 ||
                                       write_direct(p, pid, &p->gid_map, "gid_map") < 0
                               ? -1
                               : 0;
        if (run_helper(p, NEWUIDMAP, pid, &p->uid_map) < 0 || run_helper(p, NEWGIDMAP, pid, &p->gid_map) < 0)
                return -1;
        return 0;
}

int idmap_await(const struct plan *p, int sync[2])
{
        char c;
        ssize_t n;

        closep(&sync[1]);
        do
                n = read(sync[0], &c, 1);
        while (n < 0 && errno == EINTR);
        closep(&sync[0]);
        if (n != 1) /* the monitor failed, and said why */
                return -1;
        /* The ids the command runs as (--uid, --gid), from those the caller's
         * map to; with every capability kept in our namespace for setup. */
        if (getgid() != p->gid) {
                if (setgroups(0, NULL) < 0 && errno != EPERM) /* denied: the groups we had stay */
                        return log_errno(errno, "--gid: can't drop the supplementary groups"), -1;
                if (setresgid(p->gid, p->gid, p->gid) < 0)
                        return log_errno(errno, "--gid: can't switch to gid %u", (unsigned) p->gid), -1;
        }
        if (getuid() != p->uid) {
                if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setresuid(p->uid, p->uid, p->uid) < 0 ||
                    prctl(PR_SET_KEEPCAPS, 0) < 0)
                        return log_errno(errno, "--uid: can't switch to uid %u", (unsigned) p->uid), -1;
                if (caps_act_as_self() < 0)
                        return log_error("--uid: can't raise the capabilities again"), -1;
        }
        return 0;
}

/* Write an identity map of what map maps, "IN IN COUNT" for each line, to
 * file of /proc/PID relative to proc_fd. */
static int write_identity(int proc_fd, const char *pid, const struct id_map *map, const char *file)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", pid, file);
        struct id_map same = {.lines = xcalloc(map->n, sizeof *map->lines), .n = map->n};
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -1;

        for (size_t i = 0; i < map->n; i++)
                same.lines[i] = (struct id_range){map->lines[i].inside, map->lines[i].inside, map->lines[i].count};
        text = map_text(&same);
        free(same.lines);
        fd = openat(proc_fd, path, O_WRONLY | O_CLOEXEC);
        return fd < 0 ? -errno : write_all(fd, text, strlen(text));
}

int idmap_nest(const struct plan *p, int proc_fd, int flags)
{
        char pid[32] = "", c;
        int go[2], status = 0, r;
        ssize_t n;
        pid_t helper;

        /* Our pid as that procfs knows it (its pid namespace may be above ours). */
        n = readlinkat(proc_fd, "self", pid, sizeof pid - 1);
        if (n <= 0)
                return log_errno(errno, "can't find our own pid in /proc"), -1;
        pid[n] = '\0';
        if (pipe2(go, O_CLOEXEC) < 0)
                return log_errno(errno, "can't create a pipe"), -1;
        /* The writer stays in our namespace, where it holds CAP_SETUID and
         * CAP_SETGID; we move on into the new one, which no process inside
         * may map beyond its own id. */
        helper = fork();
        if (helper == 0) {
                close(go[1]);
                while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR)
                        ;
                if (n != 1)
                        _exit(2);
                r = write_identity(proc_fd, pid, &p->uid_map, "uid_map");
                if (r == 0)
                        r = write_identity(proc_fd, pid, &p->gid_map, "gid_map");
                _exit(r < 0 ? (-r & 0x7f) : 0);
        }
        close(go[0]);
        if (helper < 0) {
                close(go[1]);
                return log_errno(errno, "can't fork"), -1;
        }
        r = unshare(CLONE_NEWUSER | flags) < 0 ? -errno : 0;
        if (r == 0 && write(go[1], "n", 1) != 1)
                r = -errno;
        close(go[1]);
        while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return log_errno(r, "can't create the nested user namespace"), -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_errno(WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR,
                                 "can't write the id maps of the nested user namespace"),
                       -1;
        return 0;
}
