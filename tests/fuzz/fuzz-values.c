/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz the small value parsers: numbers, ids, modes, sizes, rlimits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "plan.h"
#include "rlimits.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        struct rlimit_setting r;
        char err[256];
        uint64_t v;
        uint32_t id;
        mode_t m;
        int fd;

        memcpy(s, data, size);
        s[size] = '\0';
        parse_u64(s, 10, &v);
        parse_u64(s, 8, &v);
        parse_id(s, &id);
        parse_fd(s, &fd);
        parse_octal_mode(s, &m);
        parse_size(s, &v);
        rlimit_parse(s, &r, err, sizeof err);
        free(s);
        return 0;
}
