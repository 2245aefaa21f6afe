/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* Programs compiled at build time by gen-bpf, with this very code and
 * libseccomp: what most launches would otherwise compile each time. A unit
 * test checks they are what the run-time compiler produces. */
struct bpf_prog_const {
        const struct sock_filter *insns;
        size_t len;
};

/* The terminal-injection guard every sandbox gets. */
extern const struct bpf_prog_const precompiled_tty_guard;
/* --seccomp-profile default, for a command that holds no capabilities (its
 * capability-gated rules then never apply; every kernel cocoon runs on is
 * newer than the profile's minKernel). */
extern const struct bpf_prog_const precompiled_default_nocaps;
/* The same for a command that holds every capability the profile's
 * includes/excludes name (they are precompiled_default_caps): the program
 * depends on the command's capabilities only through those. */
extern const struct bpf_prog_const precompiled_default_allcaps;
extern const uint64_t precompiled_default_caps;
