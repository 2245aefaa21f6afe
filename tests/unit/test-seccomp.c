/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The programs compiled at build time are exactly what the run-time
 * compiler makes; and the validator accepts what libseccomp makes and
 * refuses what the kernel would. */
#include <stdlib.h>
#include <string.h>

#include "bpf.h"
#include "precompiled.h"
#include "profile.h"
#include "tap.h"

static int same(const struct bpf_prog *a, const struct bpf_prog_const *b)
{
        return a->len == b->len && memcmp(a->insns, b->insns, a->len * sizeof *a->insns) == 0;
}

int main(void)
{
        struct bpf_prog guard = {0}, def = {0}, copy = {0};
        char err[512];

        ok(profile_tty_guard(&guard) == 0, "the guard compiles");
        ok(same(&guard, &precompiled_tty_guard), "the precompiled guard is the run-time guard (%zu insns)",
           precompiled_tty_guard.len);
        ok(profile_compile(seccomp_default_profile, strlen(seccomp_default_profile), "default profile", 0, &def, err,
                           sizeof err) == 0,
           "the default profile compiles");
        ok(same(&def, &precompiled_default_nocaps), "the precompiled default profile is the run-time one (%zu insns)",
           precompiled_default_nocaps.len);
        ok(bpf_parse(precompiled_default_nocaps.insns, precompiled_default_nocaps.len * sizeof(struct sock_filter),
                     &copy, err, sizeof err) == 0,
           "the validator accepts it");
        {
                /* Root keeping its capabilities: every capability, or just the
                 * ones the profile names, compile to the precompiled program. */
                struct bpf_prog all = {0}, named = {0}, some = {0};
                uint64_t one = precompiled_default_caps & -precompiled_default_caps;
                ok(profile_compile(seccomp_default_profile, strlen(seccomp_default_profile), "default profile",
                                   UINT64_MAX, &all, err, sizeof err) == 0 &&
                           same(&all, &precompiled_default_allcaps),
                   "the precompiled default profile with every capability is the run-time one (%zu insns)",
                   precompiled_default_allcaps.len);
                ok(profile_compile(seccomp_default_profile, strlen(seccomp_default_profile), "default profile",
                                   precompiled_default_caps, &named, err, sizeof err) == 0 &&
                           same(&named, &precompiled_default_allcaps),
                   "the capabilities it names are all that count");
                ok(profile_compile(seccomp_default_profile, strlen(seccomp_default_profile), "default profile",
                                   precompiled_default_caps & ~one, &some, err, sizeof err) == 0 &&
                           !same(&some, &precompiled_default_allcaps) && !same(&some, &precompiled_default_nocaps),
                   "a variant with some of them is neither");
                free(all.insns);
                free(named.insns);
                free(some.insns);
        }

        {
                /* A jump past the end, and a program that doesn't return. */
                struct sock_filter bad_jump[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0),
                                                 BPF_STMT(BPF_RET | BPF_K, 0)};
                struct sock_filter no_ret[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
                struct sock_filter far_load[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), BPF_STMT(BPF_RET | BPF_K, 0)};
                struct bpf_prog p;
                ok(bpf_parse(bad_jump, sizeof bad_jump, &p, err, sizeof err) < 0, "a jump out of the program");
                ok(bpf_parse(no_ret, sizeof no_ret, &p, err, sizeof err) < 0, "a program that doesn't return");
                ok(bpf_parse(far_load, sizeof far_load, &p, err, sizeof err) < 0, "a load past seccomp_data");
                ok(bpf_parse(bad_jump, 12, &p, err, sizeof err) < 0, "a length that isn't whole instructions");
                ok(bpf_parse(bad_jump, 0, &p, err, sizeof err) < 0, "an empty program");
        }
        {
                /* A constant shift the kernel refuses; shifts by X as the kernel
                 * runs them (by X & 31). */
                struct sock_filter big_shift[] = {BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32),
                                                  BPF_STMT(BPF_RET | BPF_K, 0)};
                struct sock_filter x_shift[] = {BPF_STMT(BPF_LD | BPF_IMM, 1), BPF_STMT(BPF_LDX | BPF_IMM, 33),
                                                BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0), BPF_STMT(BPF_RET | BPF_A, 0)};
                struct bpf_prog p = {x_shift, 4};
                struct seccomp_data d = {0};
                ok(bpf_parse(big_shift, sizeof big_shift, &p, err, sizeof err) < 0, "a constant shift by 32");
                p = (struct bpf_prog){x_shift, 4};
                ok(bpf_run(&p, &d) == 2, "a shift by X is by X & 31, as the kernel's");
        }
        {
                /* The default profile, run on two calls: what the launch
                 * decides with (pid 1 forks and execs the reaper under it). */
                struct bpf_prog prog = {(struct sock_filter *) precompiled_default_nocaps.insns,
                                        precompiled_default_nocaps.len};
                struct seccomp_data getpid_call = {.nr = 39, .arch = 0xC000003E};
                struct seccomp_data keyctl_call = {.nr = 250, .arch = 0xC000003E};
#if defined(__x86_64__)
                ok(bpf_all_allow(&prog, 1, &getpid_call), "the default profile allows getpid");
                ok(!bpf_all_allow(&prog, 1, &keyctl_call), "the default profile refuses keyctl");
#else
                (void) getpid_call, (void) keyctl_call, (void) prog;
                ok(1, "# SKIP x86_64 call numbers");
                ok(1, "# SKIP x86_64 call numbers");
#endif
        }
        free(guard.insns);
        free(def.insns);
        free(copy.insns);
        return tap_done();
}
