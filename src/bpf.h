/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A classic BPF seccomp program. */
struct bpf_prog {
        struct sock_filter *insns;
        size_t len; /* instructions */
};

#define BPF_MAX_INSNS 4096

/* Check raw program bytes the way the kernel's seccomp checker would, so a
 * bad program is refused when it is parsed, not at exec. On success *out
 * owns a copy. On failure, returns -1 and writes why into err. */
int bpf_parse(const void *data, size_t size, struct bpf_prog *out, char *err, size_t err_size);

/* Install a program on the calling thread (needs no_new_privs). */
int bpf_load(const struct bpf_prog *prog);
/* The same with a user-notification listener: its fd (close-on-exec), or a
 * negative errno (-EBUSY: a filter above us has one already). */
int bpf_load_listener(const struct bpf_prog *prog);

/* What a checked program answers for one system call (SECCOMP_RET_*), as the
 * kernel would run it. */
uint32_t bpf_run(const struct bpf_prog *prog, const struct seccomp_data *d);
/* Whether every one of the programs lets the call through (allow or log). */
bool bpf_all_allow(const struct bpf_prog *progs, size_t n, const struct seccomp_data *d);
