/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf.h"

/* Compile a Docker/OCI seccomp profile (JSON text) into a BPF program.
 * caps: the capabilities the command will hold, for includes/excludes.
 * name: what to call the profile in messages (its file). On failure,
 * returns -1 with one line in err: name, JSON path, what was expected. */
int profile_compile(const char *json, size_t len, const char *name, uint64_t caps, struct bpf_prog *out, char *err,
                    size_t err_size);

/* What profile_compile_info tells besides the program. */
struct profile_info {
        uint64_t caps_named; /* the capabilities the profile's includes/excludes name */
};
/* profile_compile, and what it found out on the way (info may be NULL). */
int profile_compile_info(const char *json, size_t len, const char *name, uint64_t caps, struct bpf_prog *out, char *err,
                         size_t err_size, struct profile_info *info);

/* The built-in profile, the text of src/seccomp-default.json. */
extern const char seccomp_default_profile[];

/* The guard every sandbox gets: TIOCSTI and TIOCLINUX ioctls refused. */
int profile_tty_guard(struct bpf_prog *out);
