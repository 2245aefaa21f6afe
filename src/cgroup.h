/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct plan;

/* A cgroup v2 that cocoon made for one sandbox, beside the caller's own. */
struct cgroup {
        int dir_fd;   /* the cgroup's directory, or -1 */
        int procs_fd; /* its cgroup.procs, for the child to join */
        int parent_fd;
        char name[64];
        bool created;
        char path[4096];
};

bool cgroup_wanted(const struct plan *p);
/* Outside: make the cgroup and set its limits. -1 after one error line that
 * says why and what to do. */
int cgroup_create(const struct plan *p, struct cgroup *cg);
/* In the child: move into it, before anything else runs. */
int cgroup_join(const struct cgroup *cg);
/* Outside, at the end: kill what is left in it and remove it. */
void cgroup_destroy(struct cgroup *cg);
/* Kill everything in it now (--timeout). */
void cgroup_kill(const struct cgroup *cg);
/* Where cgroup2 is mounted, and the caller's cgroup in it: path gets the
 * caller's cgroup directory, parent the one to make ours in (the parent
 * directory, or the root itself when the caller is at the root). Returns 0
 * or a negative errno (-ENOENT: no cgroup2 mount). */
int cgroup_locate(char *path, size_t size, char *parent, size_t psize);
