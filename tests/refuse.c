/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * refuse: run a command on a host that refuses some kernel features.
 *
 *   refuse RULE[,RULE...] COMMAND [ARG...]
 *
 * RULE is NAME:ERRNO (ERRNO one of EPERM, EACCES, ENOSPC, EINVAL, ENOSYS; 0 only
 * for capbset_read).
 * NAME is a system call, answered ERRNO whatever its arguments, or one of:
 *   userns      clone and unshare asking for CLONE_NEWUSER, as a host whose
 *               sysctl, namespace limit or AppArmor policy refuses them;
 *   namespaces  clone and unshare asking for any CLONE_NEW* flag, and setns,
 *               as Docker's default seccomp profile does;
 *   mounts      every call that mounts, as AppArmor does in a user namespace
 *               it made without capabilities, or a container's profile;
 *   capbset_read  prctl(PR_CAPBSET_READ), as a filter that answers "0" (not
 *               in the bounding set) without asking the kernel: ERRNO is 0.
 * With userns or namespaces, clone3 answers ENOSYS: its flags are in memory,
 * where no filter can see them, and the C library falls back to clone.
 *
 * Like tests/enosys, from which it grew: the filter covers the architectures
 * that can share one with the native one, and goes in without no_new_privs
 * for a caller with CAP_SYS_ADMIN.
 */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const uint32_t arches[] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM};

static const int ns_flags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWNET,
                               CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME};

static const char *const mount_calls[] = {"mount",  "umount2", "pivot_root", "open_tree",    "move_mount",
                                          "fsopen", "fsmount", "fsconfig",   "mount_setattr"};

static const struct {
        const char *name;
        int value;
} errnos[] = {{"EPERM", EPERM},   {"EACCES", EACCES}, {"ENOSPC", ENOSPC},
              {"EINVAL", EINVAL}, {"ENOSYS", ENOSYS}, {"0", 0}};

static int has_sys_admin(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {{0}};

        if (syscall(SYS_capget, &h, d) < 0)
                return 0;
        return (d[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

static int rule(scmp_filter_ctx ctx, int err, const char *call)
{
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), seccomp_syscall_resolve_name(call), 0);

        if (r < 0)
                fprintf(stderr, "refuse: can't add a rule for %s: %s\n", call, strerror(-r));
        return r;
}

/* clone and unshare when their flags hold flag. */
static int flag_rules(scmp_filter_ctx ctx, int err, int flag)
{
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), SCMP_SYS(clone), 1,
                                 SCMP_A0(SCMP_CMP_MASKED_EQ, (scmp_datum_t) flag, (scmp_datum_t) flag));

        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), SCMP_SYS(unshare), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, (scmp_datum_t) flag, (scmp_datum_t) flag));
        if (r < 0)
                fprintf(stderr, "refuse: can't add a rule for clone flags 0x%x: %s\n", flag, strerror(-r));
        return r;
}

static int add(scmp_filter_ctx ctx, char *spec)
{
        char *colon = strchr(spec, ':');
        int err = -1;

        if (!colon) {
                fprintf(stderr, "refuse: %s: expected NAME:ERRNO\n", spec);
                return -1;
        }
        *colon = '\0';
        for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
                if (strcmp(colon + 1, errnos[i].name) == 0)
                        err = errnos[i].value;
        if (err < 0 || (!err && strcmp(spec, "capbset_read") != 0)) {
                fprintf(stderr, "refuse: %s: unknown errno name\n", colon + 1);
                return -1;
        }
        if (strcmp(spec, "capbset_read") == 0) {
                int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), SCMP_SYS(prctl), 1,
                                         SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t) PR_CAPBSET_READ));
                if (r < 0)
                        fprintf(stderr, "refuse: can't add a rule for PR_CAPBSET_READ: %s\n", strerror(-r));
                return r;
        }
        if (strcmp(spec, "userns") == 0)
                return flag_rules(ctx, err, CLONE_NEWUSER) < 0 ? -1 : rule(ctx, ENOSYS, "clone3");
        if (strcmp(spec, "namespaces") == 0) {
                for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++)
                        if (flag_rules(ctx, err, ns_flags[i]) < 0)
                                return -1;
                return rule(ctx, ENOSYS, "clone3") < 0 ? -1 : rule(ctx, err, "setns");
        }
        if (strcmp(spec, "mounts") == 0) {
                for (size_t i = 0; i < sizeof mount_calls / sizeof mount_calls[0]; i++)
                        if (rule(ctx, err, mount_calls[i]) < 0)
                                return -1;
                return 0;
        }
        if (seccomp_syscall_resolve_name(spec) == __NR_SCMP_ERROR) {
                fprintf(stderr, "refuse: unknown system call %s\n", spec);
                return -1;
        }
        return rule(ctx, err, spec);
}

int main(int argc, char **argv)
{
        scmp_filter_ctx ctx;
        char *specs, *spec, *save = NULL;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: refuse NAME:ERRNO[,NAME:ERRNO...] COMMAND [ARG...]\n");
                return 2;
        }
        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx) {
                fprintf(stderr, "refuse: seccomp_init failed\n");
                return 1;
        }
        for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
                if (arches[i] != seccomp_arch_native())
                        (void) seccomp_arch_add(ctx, arches[i]);
        specs = strdup(argv[1]);
        if (!specs)
                return 1;
        for (spec = strtok_r(specs, ",", &save); spec; spec = strtok_r(NULL, ",", &save))
                if (add(ctx, spec) < 0)
                        return 1;
        free(specs);
        if (has_sys_admin() && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0) {
                fprintf(stderr, "refuse: can't leave no_new_privs off\n");
                return 1;
        }
        r = seccomp_load(ctx);
        if (r < 0) {
                fprintf(stderr, "refuse: can't load the filter: %s\n", strerror(-r));
                return 1;
        }
        seccomp_release(ctx);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "refuse: can't run %s: %s\n", argv[2], strerror(errno));
        return 127;
}
