/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bpf.h"

/* A cache of compiled seccomp profiles, so that a profile is compiled once
 * per variant rather than at every launch: $XDG_CACHE_HOME/cocoon (or
 * ~/.cache/cocoon), one file per program, named by a SHA-256 over the profile
 * text, the command's capabilities, the architecture, the kernel release and
 * the libseccomp and cocoon versions, which is everything the compiled
 * program depends on.
 *
 * Trusted only when the caller owns it: the directory must be the caller's,
 * mode 0700, and no symlink; an entry the caller's, mode 0600 at most, no
 * symlink, with the right key inside, a SHA-256 over the whole entry that
 * checks out, and a program bpf_parse accepts. Anything else is a miss. Both
 * calls are best effort: no error ever reaches the launch. */

/* A cached program for this profile text and capabilities: 0 with *out
 * owning a copy, or -1 (not cached, or not trusted). */
int bpfcache_load(const char *json, size_t len, uint64_t caps, struct bpf_prog *out);

/* Remember a program compiled from this profile text and capabilities
 * (written to a temporary file, then renamed into place). */
void bpfcache_store(const char *json, size_t len, uint64_t caps, const struct bpf_prog *prog);
