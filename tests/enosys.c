/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * enosys: run a command as if the kernel lacked some system calls.
 *
 *   enosys SYSCALL[,SYSCALL...] COMMAND [ARG...]
 *
 * Installs a seccomp filter that answers each named system call with ENOSYS,
 * on every architecture libseccomp knows that can share a filter with the
 * native one (on x86_64: i386 and x32 too), then execs COMMAND. This is what
 * gVisor does for openat2, and systemd's RestrictSUIDSGID= for openat2 too.
 *
 * With CAP_SYS_ADMIN the filter goes in without no_new_privs, so setuid
 * programs under it (newuidmap, runuser) still gain their privileges; the
 * filter, inherited and impossible to drop, covers them all the same.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

static const uint32_t arches[] = {
        SCMP_ARCH_X86_64,  SCMP_ARCH_X86,    SCMP_ARCH_X32,    SCMP_ARCH_AARCH64,  SCMP_ARCH_ARM,
        SCMP_ARCH_PPC64LE, SCMP_ARCH_PPC64,  SCMP_ARCH_PPC,    SCMP_ARCH_S390X,    SCMP_ARCH_S390,
        SCMP_ARCH_MIPS,    SCMP_ARCH_MIPS64, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, SCMP_ARCH_RISCV64,
};

static int has_sys_admin(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {{0}};

        if (syscall(SYS_capget, &h, d) < 0)
                return 0;
        return (d[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

int main(int argc, char **argv)
{
        scmp_filter_ctx ctx;
        char *names, *name, *save = NULL;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: enosys SYSCALL[,SYSCALL...] COMMAND [ARG...]\n");
                return 2;
        }
        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx) {
                fprintf(stderr, "enosys: seccomp_init failed\n");
                return 1;
        }
        /* Those the native one can't share a filter with say so; skip them. */
        for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++)
                if (arches[i] != seccomp_arch_native())
                        (void) seccomp_arch_add(ctx, arches[i]);
        names = strdup(argv[1]);
        if (!names)
                return 1;
        for (name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
                int nr = seccomp_syscall_resolve_name(name);
                if (nr == __NR_SCMP_ERROR) {
                        fprintf(stderr, "enosys: unknown system call %s\n", name);
                        return 1;
                }
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
                if (r < 0) {
                        fprintf(stderr, "enosys: can't add a rule for %s: %s\n", name, strerror(-r));
                        return 1;
                }
        }
        free(names);
        if (has_sys_admin() && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0) {
                fprintf(stderr, "enosys: can't leave no_new_privs off\n");
                return 1;
        }
        r = seccomp_load(ctx);
        if (r < 0) {
                fprintf(stderr, "enosys: can't load the filter: %s\n", strerror(-r));
                return 1;
        }
        seccomp_release(ctx);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "enosys: can't run %s: %s\n", argv[2], strerror(errno));
        return 127;
}
