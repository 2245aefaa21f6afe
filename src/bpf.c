/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw seccomp BPF: validation of programs handed to us, and loading. */
#include "bpf.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* The instructions seccomp accepts (kernel/seccomp.c, seccomp_check_filter):
 * loads of seccomp_data words, ALU and jumps on A and X, returns, scratch
 * memory. Anything else is refused, as the kernel would. */
static bool opcode_allowed(unsigned short code)
{
        switch (code) {
        case BPF_LD | BPF_W | BPF_ABS:
        case BPF_LD | BPF_W | BPF_LEN:
        case BPF_LDX | BPF_W | BPF_LEN:
        case BPF_RET | BPF_K:
        case BPF_RET | BPF_A:
        case BPF_ALU | BPF_ADD | BPF_K:
        case BPF_ALU | BPF_ADD | BPF_X:
        case BPF_ALU | BPF_SUB | BPF_K:
        case BPF_ALU | BPF_SUB | BPF_X:
        case BPF_ALU | BPF_MUL | BPF_K:
        case BPF_ALU | BPF_MUL | BPF_X:
        case BPF_ALU | BPF_DIV | BPF_K:
        case BPF_ALU | BPF_DIV | BPF_X:
        case BPF_ALU | BPF_AND | BPF_K:
        case BPF_ALU | BPF_AND | BPF_X:
        case BPF_ALU | BPF_OR | BPF_K:
        case BPF_ALU | BPF_OR | BPF_X:
        case BPF_ALU | BPF_XOR | BPF_K:
        case BPF_ALU | BPF_XOR | BPF_X:
        case BPF_ALU | BPF_LSH | BPF_K:
        case BPF_ALU | BPF_LSH | BPF_X:
        case BPF_ALU | BPF_RSH | BPF_K:
        case BPF_ALU | BPF_RSH | BPF_X:
        case BPF_ALU | BPF_NEG:
        case BPF_LD | BPF_IMM:
        case BPF_LDX | BPF_IMM:
        case BPF_MISC | BPF_TAX:
        case BPF_MISC | BPF_TXA:
        case BPF_LD | BPF_MEM:
        case BPF_LDX | BPF_MEM:
        case BPF_ST:
        case BPF_STX:
        case BPF_JMP | BPF_JA:
        case BPF_JMP | BPF_JEQ | BPF_K:
        case BPF_JMP | BPF_JEQ | BPF_X:
        case BPF_JMP | BPF_JGE | BPF_K:
        case BPF_JMP | BPF_JGE | BPF_X:
        case BPF_JMP | BPF_JGT | BPF_K:
        case BPF_JMP | BPF_JGT | BPF_X:
        case BPF_JMP | BPF_JSET | BPF_K:
        case BPF_JMP | BPF_JSET | BPF_X: return true;
        default: return false;
        }
}

#define SECCOMP_DATA_SIZE 64 /* sizeof(struct seccomp_data) */

int bpf_parse(const void *data, size_t size, struct bpf_prog *out, char *err, size_t err_size)
{
        const struct sock_filter *in = data;
        size_t n = size / sizeof(struct sock_filter);

        if (size == 0)
                return snprintf(err, err_size, "the program is empty"), -1;
        if (size % sizeof(struct sock_filter))
                return snprintf(err, err_size, "%zu bytes is not a whole number of 8-byte instructions", size), -1;
        if (n > BPF_MAX_INSNS)
                return snprintf(err, err_size, "%zu instructions is more than the limit of %d", n, BPF_MAX_INSNS), -1;

        for (size_t i = 0; i < n; i++) {
                struct sock_filter f;
                unsigned short cls;

                memcpy(&f, &in[i], sizeof f); /* the data may be unaligned */
                cls = BPF_CLASS(f.code);
                if (!opcode_allowed(f.code))
                        return snprintf(err, err_size, "instruction %zu: opcode 0x%x is not allowed in seccomp", i,
                                        f.code),
                               -1;
                if (f.code == (BPF_LD | BPF_W | BPF_ABS) && (f.k >= SECCOMP_DATA_SIZE || f.k % 4))
                        return snprintf(err, err_size, "instruction %zu: load outside seccomp_data (offset %u)", i,
                                        f.k),
                               -1;
                if ((f.code == (BPF_LD | BPF_MEM) || f.code == (BPF_LDX | BPF_MEM) || f.code == BPF_ST ||
                     f.code == BPF_STX) &&
                    f.k >= BPF_MEMWORDS)
                        return snprintf(err, err_size, "instruction %zu: scratch memory index %u", i, f.k), -1;
                if (f.code == (BPF_ALU | BPF_DIV | BPF_K) && f.k == 0)
                        return snprintf(err, err_size, "instruction %zu: division by zero", i), -1;
                if ((f.code == (BPF_ALU | BPF_LSH | BPF_K) || f.code == (BPF_ALU | BPF_RSH | BPF_K)) && f.k >= 32)
                        return snprintf(err, err_size, "instruction %zu: shift by %u", i, f.k), -1;
                if (cls == BPF_JMP) {
                        /* Jumps go forward, and must land inside the program. */
                        size_t left = n - i - 1;
                        if (f.code == (BPF_JMP | BPF_JA) ? f.k >= left : (f.jt >= left || f.jf >= left))
                                return snprintf(err, err_size, "instruction %zu: jump out of the program", i), -1;
                }
        }
        {
                struct sock_filter last;
                memcpy(&last, &in[n - 1], sizeof last);
                if (BPF_CLASS(last.code) != BPF_RET)
                        return snprintf(err, err_size, "the last instruction does not return"), -1;
        }
        out->insns = xmalloc(size);
        memcpy(out->insns, data, size);
        out->len = n;
        return 0;
}

int bpf_load(const struct bpf_prog *prog)
{
        struct sock_fprog fprog = {.len = (unsigned short) prog->len, .filter = prog->insns};

        /* prctl, not seccomp(2): programs stacked before this one are told to
         * allow PR_SET_SECCOMP, as bwrap documents. */
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0)
                return -errno;
        return 0;
}

int bpf_load_listener(const struct bpf_prog *prog)
{
        struct sock_fprog fprog = {.len = (unsigned short) prog->len, .filter = prog->insns};
        long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);

        return fd < 0 ? -errno : (int) fd;
}

/* One word of the seccomp_data, as a BPF_ABS load sees it. */
static uint32_t data_word(const struct seccomp_data *d, uint32_t off)
{
        uint32_t w;

        memcpy(&w, (const char *) d + off, sizeof w);
        return w;
}

/* Run a checked program on d, the way the kernel's interpreter does. */
uint32_t bpf_run(const struct bpf_prog *prog, const struct seccomp_data *d)
{
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};

        for (size_t pc = 0; pc < prog->len; pc++) {
                const struct sock_filter *f = &prog->insns[pc];

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS: a = data_word(d, f->k); break;
                case BPF_LD | BPF_W | BPF_LEN: a = sizeof *d; break;
                case BPF_LDX | BPF_W | BPF_LEN: x = sizeof *d; break;
                case BPF_LD | BPF_IMM: a = f->k; break;
                case BPF_LDX | BPF_IMM: x = f->k; break;
                case BPF_LD | BPF_MEM: a = mem[f->k]; break;
                case BPF_LDX | BPF_MEM: x = mem[f->k]; break;
                case BPF_ST: mem[f->k] = a; break;
                case BPF_STX: mem[f->k] = x; break;
                case BPF_MISC | BPF_TAX: x = a; break;
                case BPF_MISC | BPF_TXA: a = x; break;
                case BPF_RET | BPF_K: return f->k;
                case BPF_RET | BPF_A: return a;
                case BPF_ALU | BPF_NEG: a = -a; break;
                case BPF_JMP | BPF_JA: pc += f->k; break;
                default: {
                        uint32_t v = BPF_SRC(f->code) == BPF_X ? x : f->k;

                        if (BPF_CLASS(f->code) == BPF_JMP) {
                                bool taken = BPF_OP(f->code) == BPF_JEQ   ? a == v
                                             : BPF_OP(f->code) == BPF_JGT ? a > v
                                             : BPF_OP(f->code) == BPF_JGE ? a >= v
                                                                          : (a & v) != 0;
                                pc += taken ? f->jt : f->jf;
                                break;
                        }
                        switch (BPF_OP(f->code)) {
                        case BPF_ADD: a += v; break;
                        case BPF_SUB: a -= v; break;
                        case BPF_MUL: a *= v; break;
                        case BPF_DIV:
                                if (v == 0)
                                        return 0; /* the kernel's interpreter stops with 0: kill */
                                a /= v;
                                break;
                        case BPF_AND: a &= v; break;
                        case BPF_OR: a |= v; break;
                        case BPF_XOR: a ^= v; break;
                        case BPF_LSH: a <<= v & 31; break; /* as the kernel's JIT and interpreter */
                        case BPF_RSH: a >>= v & 31; break;
                        }
                }
                }
        }
        return 0; /* checked programs end in a return */
}

bool bpf_all_allow(const struct bpf_prog *progs, size_t n, const struct seccomp_data *d)
{
        for (size_t i = 0; i < n; i++) {
                uint32_t action = bpf_run(&progs[i], d) & SECCOMP_RET_ACTION_FULL;
                if (action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG)
                        return false;
        }
        return true;
}
