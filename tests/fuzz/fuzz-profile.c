/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz the seccomp profile compiler with arbitrary JSON. */
#include <stdint.h>
#include <stdlib.h>

#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct bpf_prog prog = {0};
        char err[1024];

        /* Vary the capabilities with the first byte, for includes/excludes. */
        uint64_t caps = size ? (data[0] & 1 ? UINT64_C(1) << 21 : 0) : 0;

        if (profile_compile((const char *) data, size, "fuzz", caps, &prog, err, sizeof err) == 0)
                free(prog.insns);
        return 0;
}
