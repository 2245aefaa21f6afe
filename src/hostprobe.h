/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What this host allows, learned by trying: each probe that could change
 * anything runs in a short-lived child, in namespaces of its own. Used by
 * --check, by the refusal messages and by --fallback landlock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The steps of a sandbox's making, in order; the probe stops at the first
 * one that fails, but for the steps marked optional. */
enum probe_step {
        STEP_USERNS,   /* unshare(CLONE_NEWUSER) */
        STEP_MAPS,     /* write our own uid and gid maps */
        STEP_MOUNTNS,  /* unshare(CLONE_NEWNS) */
        STEP_MOUNT,    /* make / a slave, mount a tmpfs */
        STEP_OVERLAY,  /* an overlayfs on that tmpfs (optional) */
        STEP_OTHER_NS, /* the other namespaces asked for (pid, net, ipc, uts, cgroup) */
        STEP_TIMENS,   /* unshare(CLONE_NEWTIME) (optional) */
        STEP_COUNT,
};

/* Per step: 0 done, a positive errno refused, -1 not tried. */
struct probe_result {
        int err[STEP_COUNT];
};

/* Try to make a sandbox's namespaces in a child: a user namespace when
 * flags hold CLONE_NEWUSER, always a mount namespace and a mount in it, the
 * other CLONE_NEW* flags of flags, and with all_steps the optional steps. */
void hostprobe_sandbox(int flags, bool all_steps, struct probe_result *out);
/* The first step that failed among those a sandbox needs (STEP_COUNT: none). */
enum probe_step hostprobe_first_failure(const struct probe_result *r);

/* A sysctl under /proc/sys ("user/max_user_namespaces"), -1 when absent. */
long hostprobe_sysctl(const char *name);
/* This process's AppArmor label ("unconfined", "docker-default (enforce)")
 * into buf, or NULL when AppArmor is not running. */
const char *hostprobe_apparmor(char *buf, size_t size);
/* How many seccomp filters this process runs under. */
int hostprobe_seccomp_filters(void);
/* Whether this process is in a user namespace other than the host's first
 * one (its uid map does not cover every id). */
bool hostprobe_nested_userns(void);
/* The container this process seems to run in ("docker", "podman", "lxc",
 * "wsl"...), or NULL. */
const char *hostprobe_container(void);
