/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The programs of a reported sandbox (notifybpf.h). */
#include "notifybpf.h"

#include <linux/audit.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "log.h"
#include "util.h"

const int notify_observed[] = {
#ifdef SYS_open
        SYS_open,
#endif
#ifdef SYS_creat
        SYS_creat,
#endif
#ifdef SYS_stat
        SYS_stat,
#endif
#ifdef SYS_lstat
        SYS_lstat,
#endif
#ifdef SYS_access
        SYS_access,
#endif
#ifdef SYS_readlink
        SYS_readlink,
#endif
#ifdef SYS_mkdir
        SYS_mkdir,
#endif
#ifdef SYS_rmdir
        SYS_rmdir,
#endif
#ifdef SYS_unlink
        SYS_unlink,
#endif
#ifdef SYS_rename
        SYS_rename,
#endif
#ifdef SYS_newfstatat
        SYS_newfstatat,
#endif
        SYS_openat,     SYS_openat2,    SYS_execve,  SYS_execveat, SYS_statx,    SYS_faccessat,
        SYS_faccessat2, SYS_readlinkat, SYS_mkdirat, SYS_unlinkat, SYS_renameat, SYS_renameat2,
        SYS_chdir,      SYS_truncate,   SYS_connect, SYS_bind,
};
const size_t n_notify_observed = ARRAY_SIZE(notify_observed);

static bool is_errno(uint32_t k)
{
        return (k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO;
}

/* A copy of prog with each return of an errno made an allow. */
static struct bpf_prog without_refusals(const struct bpf_prog *prog)
{
        struct bpf_prog copy = {.insns = xmalloc(prog->len * sizeof *prog->insns), .len = prog->len};

        memcpy(copy.insns, prog->insns, prog->len * sizeof *prog->insns);
        for (size_t i = 0; i < copy.len; i++)
                if (copy.insns[i].code == (BPF_RET | BPF_K) && is_errno(copy.insns[i].k))
                        copy.insns[i].k = SECCOMP_RET_ALLOW;
        return copy;
}

static void emit(struct sock_filter *f, size_t *at, struct sock_filter insn)
{
        f[(*at)++] = insn;
}

/* The listener's program (see notifybpf.h). Each program is copied as it is,
 * instruction for instruction, so its own jumps stay right; a return becomes
 * a notification (an errno, or a return of A that only the monitor can
 * judge) or a jump to the next program (anything else: its loaded copy acts
 * on it). The last allows. */
static int listener_program(const struct bpf_prog *progs, const bool *ours, size_t n, struct bpf_prog *out)
{
        const size_t k = n_notify_observed, prelude = k + 5;
        size_t len = prelude + 1, at = 0;
        struct sock_filter *f;

        for (size_t i = 0; i < n; i++)
                if (ours[i])
                        len += progs[i].len;
        if (len > BPF_MAX_INSNS)
                return log_error("--report: the seccomp programs are too long to be observed (%zu instructions, the "
                                 "kernel takes %d)",
                                 len, BPF_MAX_INSNS),
                       -1;
        f = xcalloc(len, sizeof *f);
        emit(f, &at, (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
        emit(f, &at,
             (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0, (uint8_t) (k + 3)));
        emit(f, &at, (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
        for (size_t i = 0; i < k; i++)
                emit(f, &at,
                     (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) notify_observed[i],
                                                   (uint8_t) (k - i), 0));
        emit(f, &at, (struct sock_filter) BPF_STMT(BPF_JMP | BPF_JA, 1));
        emit(f, &at, (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
        for (size_t i = 0; i < n; i++) {
                size_t start = at, next;

                if (!ours[i])
                        continue;
                next = start + progs[i].len;
                for (size_t j = 0; j < progs[i].len; j++) {
                        struct sock_filter insn = progs[i].insns[j];

                        if (insn.code == (BPF_RET | BPF_A) || (insn.code == (BPF_RET | BPF_K) && is_errno(insn.k)))
                                insn = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
                        else if (insn.code == (BPF_RET | BPF_K))
                                insn = (struct sock_filter) BPF_STMT(BPF_JMP | BPF_JA, (uint32_t) (next - (at + 1)));
                        emit(f, &at, insn);
                }
        }
        emit(f, &at, (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        (void) prelude;
        *out = (struct bpf_prog){.insns = f, .len = at};
        return 0;
}

int notify_build(const struct bpf_prog *progs, const bool *ours, size_t n, struct bpf_prog **out, size_t *n_out)
{
        struct bpf_prog *set = xcalloc(n + 1, sizeof *set);

        if (listener_program(progs, ours, n, &set[n]) < 0) {
                free(set);
                return -1;
        }
        for (size_t i = 0; i < n; i++) {
                if (ours[i]) {
                        set[i] = without_refusals(&progs[i]);
                } else {
                        set[i] = (struct bpf_prog){.insns = xmalloc(progs[i].len * sizeof *progs[i].insns),
                                                   .len = progs[i].len};
                        memcpy(set[i].insns, progs[i].insns, progs[i].len * sizeof *progs[i].insns);
                }
        }
        *out = set;
        *n_out = n + 1;
        return 0;
}

uint32_t notify_verdict(const struct bpf_prog *progs, const bool *ours, size_t n, const struct seccomp_data *d)
{
        uint32_t ret = SECCOMP_RET_ALLOW;

        /* The newest first; a later one wins only with a stronger action. */
        for (size_t i = n; i-- > 0;) {
                uint32_t r;
                if (!ours[i])
                        continue;
                r = bpf_run(&progs[i], d);
                if ((int32_t) (r & SECCOMP_RET_ACTION_FULL) < (int32_t) (ret & SECCOMP_RET_ACTION_FULL))
                        ret = r;
        }
        return ret;
}
