/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

/* Cleanup helpers in the style of systemd's _cleanup_ macros. */
static inline void freep(void *p)
{
        free(*(void **) p);
}
/* Close *fd if open and mark it closed; usable by hand and as a cleanup. */
static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
                *fd = -1;
        }
}
#define _cleanup_free_  __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Hand an fd out of a cleanup scope. */
static inline int take_fd(int *fd)
{
        int r = *fd;
        *fd = -1;
        return r;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parsers: return 0, or -EINVAL / -ERANGE. Whole string must be consumed. */
int parse_u64(const char *s, int base, uint64_t *out);
int parse_id(const char *s, uint32_t *out);       /* uid/gid: 0..2^32-2 */
int parse_fd(const char *s, int *out);            /* 0..INT_MAX */
int parse_octal_mode(const char *s, mode_t *out); /* 0..07777 */
int parse_size(const char *s, uint64_t *out);     /* bytes, optional K/M/G/T suffix */
int parse_size_c(const char *s, uint64_t *out);   /* the same, the number read as C does: 0x hex, 0 octal */

/* When path is base or lies below it, comparing whole components (repeated
 * and trailing slashes don't count), the rest of path after base without its
 * leading slashes, "" for base itself; otherwise NULL. Lexical: "." and ".."
 * are components like any other. */
const char *path_startswith(const char *path, const char *base);
/* Whether a and b are the same path, lexically, ignoring repeated and
 * trailing slashes. */
static inline bool path_equal(const char *a, const char *b)
{
        const char *rest = path_startswith(a, b);
        return rest && !*rest;
}

/* Send one byte, word, with n (at most 4) fds attached, on a socket:
 * sendmsg's result (1, or -1 with errno). Never raises SIGPIPE. */
ssize_t send_fds(int sock, char word, const int *fds, size_t n);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Read the whole of fd into a NUL-terminated buffer (max bytes). */
int read_all(int fd, char **out, size_t *len, size_t max);
/* Write a small string to a file (procfs style). */
int write_file(const char *path, const char *content);
