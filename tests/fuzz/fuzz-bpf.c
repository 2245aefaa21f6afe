/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz the validation of raw BPF programs (--seccomp, --add-seccomp-fd). */
#include <stdint.h>
#include <stdlib.h>

#include "bpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct bpf_prog prog = {0};
        char err[256];

        if (bpf_parse(data, size, &prog, err, sizeof err) == 0)
                free(prog.insns);
        return 0;
}
