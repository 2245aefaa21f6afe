/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v2 limits: --memory-max, --pids-max, --cpu-max.
 *
 * The kernel lets a cgroup hand controllers to its children only while no
 * process sits in it (except at the root), so the cgroup cocoon runs in can
 * never be the parent of the sandbox's. The sandbox's cgroup goes beside it,
 * under its parent, which is where delegation (systemd's Delegate=yes, for
 * one) makes controllers available. cocoon only ever writes to a cgroup it
 * made itself. */
#include "cgroup.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "util.h"

bool cgroup_wanted(const struct plan *p)
{
        return p->memory_max || p->pids_max || p->cpu_max_percent;
}

static const char *first_flag(const struct plan *p)
{
        return p->memory_max ? "--memory-max" : p->pids_max ? "--pids-max" : "--cpu-max";
}

int cgroup_locate(char *path, size_t size, char *parent, size_t psize)
{
        char line[4096], mount[4096] = "", rel[4096] = "";
        FILE *f = fopen("/proc/self/mountinfo", "re");

        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f)) {
                char *sep = strstr(line, " - cgroup2 ");
                char mp[4096];
                if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
                        snprintf(mount, sizeof mount, "%s", mp);
                        break;
                }
        }
        fclose(f);
        if (!*mount)
                return -ENOENT;
        f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "0::", 3) == 0) {
                        snprintf(rel, sizeof rel, "%s", line + 3);
                        rel[strcspn(rel, "\n")] = '\0';
                }
        fclose(f);
        if (!*rel)
                return -ENOENT;
        snprintf(path, size, "%s%s", mount, strcmp(rel, "/") == 0 ? "" : rel);
        snprintf(parent, psize, "%s", path);
        if (strcmp(rel, "/") != 0)
                *strrchr(parent, '/') = '\0';
        return 0;
}

static bool has_word(const char *list, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = list; (p = strstr(p, word)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

static int read_small(int dirfd, const char *name, char *buf, size_t size)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

static int write_small(int dirfd, const char *name, const char *value)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return write_all(fd, value, strlen(value));
}

int cgroup_create(const struct plan *p, struct cgroup *cg)
{
        static const struct {
                const char *controller;
                const char *flag;
        } needs[] = {{"memory", "--memory-max"}, {"pids", "--pids-max"}, {"cpu", "--cpu-max"}};
        const char *flag = first_flag(p);
        char own[4096], enabled[1024] = "", value[64];
        int r;

        cg->dir_fd = cg->procs_fd = cg->parent_fd = -1;
        cg->created = false;
        r = cgroup_locate(own, sizeof own, cg->path, sizeof cg->path);
        if (r < 0)
                return log_error("%s: needs cgroup v2, and this process is in no cgroup2 hierarchy", flag), -1;
        cg->parent_fd = open(cg->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cg->parent_fd < 0)
                return log_errno(errno, "%s: can't open cgroup %s", flag, cg->path), -1;
        /* What the parent enables for its children is what ours will get. */
        read_small(cg->parent_fd, "cgroup.subtree_control", enabled, sizeof enabled);

        for (size_t i = 0; i < ARRAY_SIZE(needs); i++) {
                bool wanted = (i == 0 && p->memory_max) || (i == 1 && p->pids_max) || (i == 2 && p->cpu_max_percent);
                if (!wanted)
                        continue;
                if (!has_word(enabled, needs[i].controller))
                        return log_error("%s: cgroup %s does not give the %s controller to its children (its "
                                         "cgroup.subtree_control has: %s), so a cgroup beside %s can't limit the "
                                         "sandbox; run cocoon in a subgroup of a cgroup delegated to you with that "
                                         "controller enabled (e.g. systemd-run --user --scope -p Delegate=yes, then "
                                         "a subgroup for cocoon); cocoon changes no cgroup it did not make",
                                         needs[i].flag, cg->path, needs[i].controller,
                                         *enabled ? strtok(enabled, "\n") : "nothing", own),
                               -1;
        }

        snprintf(cg->name, sizeof cg->name, "cocoon-%d", (int) getpid());
        if (mkdirat(cg->parent_fd, cg->name, 0755) < 0)
                return log_errno(errno, "%s: can't create a cgroup under %s%s", flag, cg->path,
                                 errno == EACCES ? " (it is not delegated to you)" : ""),
                       -1;
        cg->created = true;
        cg->dir_fd = openat(cg->parent_fd, cg->name, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cg->dir_fd < 0)
                goto fail;
        if (p->memory_max) {
                snprintf(value, sizeof value, "%llu", (unsigned long long) p->memory_max);
                if ((r = write_small(cg->dir_fd, "memory.max", value)) < 0)
                        goto fail_r;
                /* No escape into swap; without swap accounting there is no file. */
                r = write_small(cg->dir_fd, "memory.swap.max", "0");
                if (r < 0 && r != -ENOENT)
                        goto fail_r;
        }
        if (p->pids_max) {
                snprintf(value, sizeof value, "%llu", (unsigned long long) p->pids_max);
                if ((r = write_small(cg->dir_fd, "pids.max", value)) < 0)
                        goto fail_r;
        }
        if (p->cpu_max_percent) {
                snprintf(value, sizeof value, "%u 100000", p->cpu_max_percent * 1000);
                if ((r = write_small(cg->dir_fd, "cpu.max", value)) < 0)
                        goto fail_r;
        }
        cg->procs_fd = openat(cg->dir_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (cg->procs_fd < 0)
                goto fail;
        return 0;
fail:
        r = -errno;
fail_r:
        log_errno(r, "%s: can't set up cgroup %s/%s", flag, cg->path, cg->name);
        cgroup_destroy(cg);
        return -1;
}

int cgroup_join(const struct cgroup *cg)
{
        if (write_all(cg->procs_fd, "0", 1) < 0)
                return log_errno(errno, "can't move into cgroup %s/%s", cg->path, cg->name), -1;
        return 0;
}

void cgroup_kill(const struct cgroup *cg)
{
        if (cg->dir_fd >= 0)
                write_small(cg->dir_fd, "cgroup.kill", "1");
}

/* Kill what is left, wait until the cgroup is empty, remove it. */
void cgroup_destroy(struct cgroup *cg)
{
        if (cg->created) {
                char events[256];
                cgroup_kill(cg);
                for (int tries = 0; tries < 1000; tries++) {
                        if (read_small(cg->dir_fd, "cgroup.events", events, sizeof events) < 0 ||
                            strstr(events, "populated 0"))
                                break;
                        usleep(1000);
                }
                if (unlinkat(cg->parent_fd, cg->name, AT_REMOVEDIR) < 0)
                        log_errno(errno, "can't remove cgroup %s/%s", cg->path, cg->name);
        }
        if (cg->procs_fd >= 0)
                close(cg->procs_fd);
        if (cg->dir_fd >= 0)
                close(cg->dir_fd);
        if (cg->parent_fd >= 0)
                close(cg->parent_fd);
        cg->procs_fd = cg->dir_fd = cg->parent_fd = -1;
        cg->created = false;
}
