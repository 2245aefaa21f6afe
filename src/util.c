/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                die_oom();
        return p;
}

void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                die_oom();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n ? n : 1);
        if (!p)
                die_oom();
        return p;
}

char *xstrdup(const char *s)
{
        char *r = strdup(s);
        if (!r)
                die_oom();
        return r;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *r;

        va_start(ap, fmt);
        if (vasprintf(&r, fmt, ap) < 0)
                die_oom();
        va_end(ap);
        return r;
}

int parse_u64(const char *s, int base, uint64_t *out)
{
        char *end;
        unsigned long long v;

        /* strtoull accepts leading space and '-'; we accept digits only. */
        if (!s || !*s || !((*s >= '0' && *s <= '9') || (base == 16 && strchr("abcdefABCDEF", *s))))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno || *end)
                return -EINVAL;
        *out = v;
        return 0;
}

int parse_id(const char *s, uint32_t *out)
{
        uint64_t v;
        int r = parse_u64(s, 10, &v);
        if (r < 0)
                return r;
        if (v >= UINT32_MAX) /* (uid_t)-1 is never a valid id */
                return -ERANGE;
        *out = (uint32_t) v;
        return 0;
}

int parse_fd(const char *s, int *out)
{
        uint64_t v;
        int r = parse_u64(s, 10, &v);
        if (r < 0)
                return r;
        if (v > INT_MAX)
                return -ERANGE;
        *out = (int) v;
        return 0;
}

int parse_octal_mode(const char *s, mode_t *out)
{
        uint64_t v;
        int r = parse_u64(s, 8, &v);
        if (r < 0)
                return r;
        if (v > 07777)
                return -ERANGE;
        *out = (mode_t) v;
        return 0;
}

static int parse_size_in(const char *s, int base, uint64_t *out)
{
        char *end;
        unsigned long long v;
        unsigned shift = 0;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno)
                return -EINVAL;
        if (*end) {
                switch (*end) {
                case 'k':
                case 'K': shift = 10; break;
                case 'm':
                case 'M': shift = 20; break;
                case 'g':
                case 'G': shift = 30; break;
                case 't':
                case 'T': shift = 40; break;
                default: return -EINVAL;
                }
                if (end[1])
                        return -EINVAL;
        }
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *out = (uint64_t) v << shift;
        return 0;
}

int parse_size(const char *s, uint64_t *out)
{
        return parse_size_in(s, 10, out);
}

int parse_size_c(const char *s, uint64_t *out)
{
        return parse_size_in(s, 0, out);
}

const char *path_startswith(const char *path, const char *base)
{
        for (;;) {
                size_t n;

                while (*path == '/')
                        path++;
                while (*base == '/')
                        base++;
                if (!*base)
                        return path;
                n = strcspn(base, "/");
                if (strcspn(path, "/") != n || memcmp(path, base, n) != 0)
                        return NULL;
                path += n;
                base += n;
        }
}

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int read_all(int fd, char **out, size_t *len, size_t max)
{
        size_t cap = 4096, n = 0;
        char *buf = xmalloc(cap);

        for (;;) {
                ssize_t r;
                if (n + 1 >= cap) {
                        if (cap >= max + 1) {
                                free(buf);
                                return -EFBIG;
                        }
                        cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
                        buf = xrealloc(buf, cap);
                }
                r = read(fd, buf + n, cap - n - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        free(buf);
                        return (int) r;
                }
                if (r == 0)
                        break;
                n += (size_t) r;
        }
        buf[n] = '\0';
        *out = buf;
        *len = n;
        return 0;
}

int write_file(const char *path, const char *content)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write_all(fd, content, strlen(content));
}

ssize_t send_fds(int sock, char word, const int *fds, size_t n)
{
        union {
                char buf[CMSG_SPACE(4 * sizeof(int))];
                struct cmsghdr align;
        } control = {{0}};
        struct iovec iov = {.iov_base = &word, .iov_len = 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        struct cmsghdr *c;

        if (n > 4)
                return errno = EINVAL, -1;
        if (n) {
                msg.msg_control = control.buf;
                msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(n * sizeof(int));
                memcpy(CMSG_DATA(c), fds, n * sizeof(int));
        }
        return sendmsg(sock, &msg, MSG_NOSIGNAL);
}
