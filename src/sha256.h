/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* SHA-256 (FIPS 180-4), for the seccomp program cache's keys and checksums. */
struct sha256 {
        uint32_t h[8];
        uint64_t bytes;
        uint8_t block[64];
        size_t used;
};

#define SHA256_BYTES 32

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_BYTES]);
