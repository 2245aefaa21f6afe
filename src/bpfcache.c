/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bpfcache.h"

#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "sha256.h"
#include "util.h"

/* An entry: header, the program's instructions, then a SHA-256 over both. */
#define MAGIC "cocoon-bpf-cache-1\n"
struct header {
        char magic[sizeof MAGIC];
        uint8_t key[SHA256_BYTES]; /* the entry's own name, again */
        uint32_t n_insns;
};
#define ENTRY_SIZE(n) (sizeof(struct header) + (n) * sizeof(struct sock_filter) + SHA256_BYTES)

/* Everything the compiled program depends on, hashed. */
static void cache_key(const char *json, size_t len, uint64_t caps, uint8_t key[SHA256_BYTES])
{
        const struct scmp_version *v = seccomp_version();
        struct utsname u;
        struct sha256 s;
        char head[512];
        int n;

        if (uname(&u) < 0)
                u.release[0] = 0;
        n = snprintf(head, sizeof head,
                     "cocoon %s\nlibseccomp %u.%u.%u\narch %u\nkernel %s\ncaps %016llx\nprofile %zu\n", COCOON_VERSION,
                     v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0, seccomp_arch_native(), u.release,
                     (unsigned long long) caps, len);
        sha256_init(&s);
        sha256_update(&s, head, (size_t) n < sizeof head ? (size_t) n : sizeof head - 1);
        sha256_update(&s, json, len);
        sha256_final(&s, key);
}

static void key_name(const uint8_t key[SHA256_BYTES], char name[2 * SHA256_BYTES + 1])
{
        for (size_t i = 0; i < SHA256_BYTES; i++)
                snprintf(name + 2 * i, 3, "%02x", key[i]);
}

/* Ours alone: owned by the caller, nothing for group or others, and of
 * the expected type. */
static bool trusted(int fd, mode_t type)
{
        struct stat st;

        return fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & S_IFMT) == type &&
               (st.st_mode & 077) == 0;
}

/* The cache directory, or -1. With create, it is made when missing, but
 * only inside a directory the caller owns. */
static int open_dir(bool create)
{
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int base_fd = -1;
        struct stat st;
        int fd;

        if (xdg && xdg[0] == '/')
                base = xstrdup(xdg);
        else if (home && home[0] == '/')
                base = xasprintf("%s/.cache", home);
        else
                return -1;
        if (create && mkdir(base, 0700) < 0 && errno != EEXIST)
                return -1;
        base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (base_fd < 0)
                return -1;
        if (create && fstat(base_fd, &st) == 0 && st.st_uid == geteuid() && mkdirat(base_fd, "cocoon", 0700) < 0 &&
            errno != EEXIST)
                return -1;
        fd = openat(base_fd, "cocoon", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && !trusted(fd, S_IFDIR))
                closep(&fd);
        return fd;
}

int bpfcache_load(const char *json, size_t len, uint64_t caps, struct bpf_prog *out)
{
        _cleanup_close_ int dir_fd = open_dir(false), fd = -1;
        _cleanup_free_ char *data = NULL;
        uint8_t key[SHA256_BYTES], sum[SHA256_BYTES];
        char name[2 * SHA256_BYTES + 1], err[256];
        struct header h;
        struct sha256 s;
        size_t size;

        if (dir_fd < 0)
                return -1;
        cache_key(json, len, caps, key);
        key_name(key, name);
        fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || !trusted(fd, S_IFREG) || read_all(fd, &data, &size, ENTRY_SIZE(BPF_MAX_INSNS)) < 0 ||
            size < ENTRY_SIZE(1))
                return -1;
        memcpy(&h, data, sizeof h);
        if (memcmp(h.magic, MAGIC, sizeof MAGIC) != 0 || memcmp(h.key, key, sizeof key) != 0 || h.n_insns < 1 ||
            h.n_insns > BPF_MAX_INSNS || size != ENTRY_SIZE(h.n_insns))
                return -1;
        sha256_init(&s);
        sha256_update(&s, data, size - SHA256_BYTES);
        sha256_final(&s, sum);
        if (memcmp(sum, data + size - SHA256_BYTES, SHA256_BYTES) != 0)
                return -1;
        /* The same checks as a program from --seccomp FD. */
        return bpf_parse(data + sizeof h, h.n_insns * sizeof(struct sock_filter), out, err, sizeof err) < 0 ? -1 : 0;
}

void bpfcache_store(const char *json, size_t len, uint64_t caps, const struct bpf_prog *prog)
{
        _cleanup_close_ int dir_fd = -1, fd = -1;
        _cleanup_free_ uint8_t *data = NULL;
        _cleanup_free_ char *tmp = NULL;
        char name[2 * SHA256_BYTES + 1];
        struct header h = {.magic = MAGIC};
        struct sha256 s;
        size_t size;

        if (prog->len < 1 || prog->len > BPF_MAX_INSNS)
                return;
        dir_fd = open_dir(true);
        if (dir_fd < 0)
                return;
        cache_key(json, len, caps, h.key);
        key_name(h.key, name);
        h.n_insns = (uint32_t) prog->len;
        size = ENTRY_SIZE(prog->len);
        data = xmalloc(size);
        memcpy(data, &h, sizeof h);
        memcpy(data + sizeof h, prog->insns, prog->len * sizeof(struct sock_filter));
        sha256_init(&s);
        sha256_update(&s, data, size - SHA256_BYTES);
        sha256_final(&s, data + size - SHA256_BYTES);

        /* A reader sees the old entry, none, or the whole new one. */
        tmp = xasprintf(".%s.%ld", name, (long) getpid());
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        if (write_all(fd, data, size) < 0 || close(take_fd(&fd)) < 0 || renameat(dir_fd, tmp, dir_fd, name) < 0)
                unlinkat(dir_fd, tmp, 0);
}
