/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Why the command could not be exec'd, in words: for ENOENT on a file that
 * is there, the interpreter or loader that is missing; for EACCES, what is
 * wrong with the file.
 *
 * This runs in the command's process after execvp failed: locked down, as
 * the command's identity, maybe in pid 1's memory (see pid1.c), maybe under
 * seccomp and Landlock. So it allocates nothing and uses no stdio; it makes
 * only the system calls below, and only when every seccomp program lets each
 * of them through; it opens regular files only, non-blocking, and reads a
 * bounded amount of each. Whenever it can't tell, the message is the plain
 * one.
 */
#include "exechint.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf.h"
#include "log.h"
#include "plan.h"

#define HEAD_SIZE 256 /* what the kernel reads to choose a binary format (BINPRM_BUF_SIZE) */
#ifndef ST_NOEXEC
#define ST_NOEXEC 8
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELF_NATIVE_DATA ELFDATA2LSB
#else
#define ELF_NATIVE_DATA ELFDATA2MSB
#endif
#if __SIZEOF_POINTER__ == 8
typedef Elf64_Ehdr elf_ehdr;
typedef Elf64_Phdr elf_phdr;
#define ELF_NATIVE_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr elf_ehdr;
typedef Elf32_Phdr elf_phdr;
#define ELF_NATIVE_CLASS ELFCLASS32
#endif

/* Exactly the system calls made here, with the arguments that are not pointers. */
static bool calls_allowed(const struct plan *p)
{
        const struct seccomp_data calls[] = {
                {.nr = SYS_openat, .args = {(uint64_t) AT_FDCWD, 0, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC}},
                {.nr = SYS_pread64},
                {.nr = SYS_statx, .args = {(uint64_t) AT_FDCWD, 0, 0, STATX_BASIC_STATS}},
                {.nr = SYS_statx, .args = {(uint64_t) AT_FDCWD, 0, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS}},
                {.nr = SYS_statx, .args = {0, 0, AT_EMPTY_PATH, STATX_BASIC_STATS}},
                {.nr = SYS_readlinkat, .args = {(uint64_t) AT_FDCWD}},
                {.nr = SYS_statfs},
                {.nr = SYS_close},
        };

        for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
                struct seccomp_data d = calls[i];
                d.arch = seccomp_arch_native();
                if (!bpf_all_allow(p->programs, p->n_programs, &d))
                        return false;
        }
        return true;
}

static int stat_path(const char *path, bool follow, struct statx *st)
{
        return (int) syscall(SYS_statx, AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, st);
}

/* Whether path leads nowhere in the sandbox (not: can't be looked at). */
static bool missing(const char *path)
{
        struct statx st;
        return stat_path(path, true, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* path opened for reading if it is a regular file (no FIFO, no device is
 * ever opened), or -1. */
static int open_regular(const char *path)
{
        struct statx st;
        int fd;

        if (stat_path(path, true, &st) < 0 || !S_ISREG(st.stx_mode))
                return -1;
        fd = (int) syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        /* What was opened, not what was looked at: something else may have
         * been put there in between. */
        if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &st) == 0 && S_ISREG(st.stx_mode))
                return fd;
        syscall(SYS_close, fd);
        return -1;
}

/* Up to size bytes of fd at off, zero-filled: bytes read or -1. */
static ssize_t read_at(int fd, void *buf, size_t size, uint64_t off)
{
        ssize_t n;

        memset(buf, 0, size);
        if (off > (uint64_t) INT64_MAX - size)
                return -1;
        do
                n = (ssize_t) syscall(SYS_pread64, fd, buf, size, (off_t) off);
        while (n < 0 && errno == EINTR);
        return n;
}

/* The first size bytes of path, a regular file, zero-filled: bytes read or -1. */
static ssize_t read_head(const char *path, void *buf, size_t size)
{
        int fd = open_regular(path);
        ssize_t n = fd < 0 ? -1 : read_at(fd, buf, size, 0);

        if (fd >= 0)
                syscall(SYS_close, fd);
        return n;
}

/* The ELF interpreter (PT_INTERP) of the file fd into interp: 1; 0 when it
 * has none (or fd can't be read); -1 when it is no ELF file of this machine
 * that the kernel would load (cut off, or a PT_INTERP it refuses). */
static int elf_interp_fd(int fd, char *interp, size_t size)
{
        unsigned char head[HEAD_SIZE];
        ssize_t n = read_at(fd, head, sizeof head, 0);
        elf_ehdr eh;

        if (n < 0)
                return 0;
        if (n < (ssize_t) sizeof eh || memcmp(head, ELFMAG, SELFMAG) != 0 || head[EI_CLASS] != ELF_NATIVE_CLASS ||
            head[EI_DATA] != ELF_NATIVE_DATA)
                return -1;
        memcpy(&eh, head, sizeof eh);
        /* The kernel refuses more than 64 KiB of program headers. */
        if (eh.e_phentsize != sizeof(elf_phdr) || eh.e_phnum == 0 || eh.e_phnum > 65536 / sizeof(elf_phdr))
                return -1;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                elf_phdr ph;
                if (read_at(fd, &ph, sizeof ph, eh.e_phoff + (uint64_t) i * sizeof ph) != sizeof ph)
                        return -1; /* program headers cut off */
                if (ph.p_type != PT_INTERP)
                        continue;
                /* The kernel wants it NUL-terminated, and no longer than a path. */
                if (ph.p_filesz < 2 || ph.p_filesz > size ||
                    read_at(fd, interp, (size_t) ph.p_filesz, ph.p_offset) != (ssize_t) ph.p_filesz ||
                    interp[ph.p_filesz - 1] != '\0' || strlen(interp) != ph.p_filesz - 1)
                        return -1;
                return 1;
        }
        return 0;
}

static int elf_interp(const char *path, char *interp, size_t size)
{
        int fd = open_regular(path);
        int r = fd < 0 ? 0 : elf_interp_fd(fd, interp, size);

        if (fd >= 0)
                syscall(SYS_close, fd);
        return r;
}

static bool spacetab(char c)
{
        return c == ' ' || c == '\t';
}

/* The interpreter named by the #! line in head (n bytes read, zero-filled to
 * HEAD_SIZE), as the kernel finds it (fs/binfmt_script.c): into interp, 1.
 * 0 when the kernel would refuse the line; *why then says how. */
static int script_interp(const char *head, char *interp, size_t size, const char **why)
{
        const char *end = memchr(head, '\n', HEAD_SIZE), *name = head + 2, *stop;

        if (!end)
                end = head + HEAD_SIZE;
        while (name < end && spacetab(*name))
                name++;
        stop = name;
        while (stop < end && *stop && !spacetab(*stop) && *stop != '\n')
                stop++;
        if (stop == name) {
                *why = "its #! line names no interpreter";
                return 0;
        }
        if (stop == head + HEAD_SIZE || (size_t) (stop - name) >= size) {
                *why = "its #! line is longer than the kernel reads";
                return 0;
        }
        memcpy(interp, name, (size_t) (stop - name));
        interp[stop - name] = '\0';
        return 1;
}

int exechint_interp(int fd, char *interp, size_t size)
{
        char head[HEAD_SIZE];
        const char *why;
        ssize_t n = read_at(fd, head, sizeof head, 0);

        if (n < 2)
                return n < 0 ? -1 : 0;
        if (head[0] == '#' && head[1] == '!')
                return script_interp(head, interp, size, &why);
        return elf_interp_fd(fd, interp, size);
}

/* A relative interpreter is looked up from the working directory. */
#define RELATIVE_NOTE "a relative path looked up from the working directory"

/* Why path, which the kernel refused (ENOEXEC), then failed with ENOENT in
 * the C library's fallback to /bin/sh; writes msg, or returns false. */
static bool explain_shell_fallback(const char *what, char *msg, size_t size)
{
        char interp[PATH_MAX];

        if (missing("/bin/sh")) {
                snprintf(msg, size, "%s, and /bin/sh, which would run it as a shell script, is missing in the sandbox",
                         what);
                return true;
        }
        if (elf_interp("/bin/sh", interp, sizeof interp) == 1 && missing(interp)) {
                snprintf(msg, size,
                         "%s, and /bin/sh, which would run it as a shell script, needs the ELF interpreter %s, which "
                         "is missing in the sandbox",
                         what, interp);
                return true;
        }
        return false;
}

/* ENOENT from a file that is there: its loader or interpreter is missing. */
static bool explain_enoent(const char *path, char *msg, size_t size)
{
        char head[HEAD_SIZE], interp[PATH_MAX], loader[PATH_MAX];
        int fd = open_regular(path), r = 0;
        ssize_t n = fd < 0 ? -1 : read_at(fd, head, sizeof head, 0);
        bool elf = n >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
        const char *why = NULL;

        if (elf)
                r = elf_interp_fd(fd, interp, sizeof interp);
        if (fd >= 0)
                syscall(SYS_close, fd);
        if (n < 0)
                return false;
        if (elf) {
                if (r < 0)
                        return explain_shell_fallback(
                                "it is an ELF file the kernel can't load (damaged, or for another machine)", msg, size);
                if (r == 0 || !missing(interp))
                        return false;
                snprintf(msg, size, "its ELF interpreter %s%s is missing in the sandbox", interp,
                         interp[0] == '/' ? "" : " (" RELATIVE_NOTE ")");
                return true;
        }
        if (n >= 2 && head[0] == '#' && head[1] == '!') {
                if (script_interp(head, interp, sizeof interp, &why) == 0)
                        return explain_shell_fallback(why, msg, size);
                if (missing(interp)) {
                        snprintf(msg, size, "its interpreter %s (from its #! line%s) is missing in the sandbox", interp,
                                 interp[0] == '/' ? "" : ", " RELATIVE_NOTE);
                        return true;
                }
                if (elf_interp(interp, loader, sizeof loader) == 1 && missing(loader)) {
                        snprintf(msg, size,
                                 "its interpreter %s needs the ELF interpreter %s, which is missing in the sandbox",
                                 interp, loader);
                        return true;
                }
                return false;
        }
        return explain_shell_fallback("it is neither an ELF binary nor a #! script", msg, size);
}

/* Why path can't be exec'd (EACCES), as "is ...": false if it looks fine. */
static bool not_executable(const char *path, char *msg, size_t size)
{
        struct statx st;
        struct statfs sfs;

        if (stat_path(path, true, &st) < 0)
                return false;
        if (S_ISDIR(st.stx_mode))
                snprintf(msg, size, "is a directory");
        else if (!S_ISREG(st.stx_mode))
                snprintf(msg, size, "is not a regular file");
        else if (!(st.stx_mode & 0111))
                snprintf(msg, size, "has no execute permission (mode %04o)", st.stx_mode & 07777);
        else if (statfs(path, &sfs) == 0 && (sfs.f_flags & ST_NOEXEC))
                snprintf(msg, size, "is on a file system mounted noexec");
        else
                return false;
        return true;
}

static bool explain_eacces(const char *path, char *msg, size_t size)
{
        char head[HEAD_SIZE], interp[PATH_MAX], what[128];
        const char *why;

        if (not_executable(path, what, sizeof what)) {
                snprintf(msg, size, "it %s", what);
                return true;
        }
        if (read_head(path, head, sizeof head) >= 2 && head[0] == '#' && head[1] == '!' &&
            script_interp(head, interp, sizeof interp, &why) == 1 && not_executable(interp, what, sizeof what)) {
                snprintf(msg, size, "its interpreter %s (from its #! line) %s", interp, what);
                return true;
        }
        return false;
}

/* The directories execvp searches: PATH, or what glibc takes without one. */
static const char *search_path(char dflt[64])
{
        const char *dirs = getenv("PATH");
        size_t n;

        if (dirs)
                return dirs;
        n = confstr(_CS_PATH, dflt, 64);
        return n > 0 && n <= 64 ? dflt : "/bin:/usr/bin";
}

/* The file execvp tried for name: name itself when it has a slash, else the
 * first entry of dirs that holds something by that name. */
static bool locate(const char *name, const char *dirs, char *path, size_t size)
{
        struct statx st;

        if (strchr(name, '/'))
                return snprintf(path, size, "%s", name) < (int) size;
        for (const char *d = dirs;; d++) {
                size_t len = strcspn(d, ":");
                /* An empty entry is the working directory. */
                int w = len ? snprintf(path, size, "%.*s/%s", (int) len, d, name) : snprintf(path, size, "%s", name);
                if (w < (int) size && stat_path(path, false, &st) == 0)
                        return true;
                d += len;
                if (!*d)
                        return false;
        }
}

void exechint_die(const struct plan *p, int err, const char *name)
{
        char path[PATH_MAX], msg[3 * PATH_MAX], dflt[64];
        const char *dirs = search_path(dflt);
        struct statx st;
        bool told = false;

        if (log_is_bwrap() || (err != ENOENT && err != EACCES) || !*name || !calls_allowed(p))
                die_errno(err, "can't execute %s", name);
        if (!locate(name, dirs, path, sizeof path)) {
                if (err == ENOENT && !strchr(name, '/'))
                        die("can't execute %s: no such command in the sandbox's PATH (%s)", name, dirs);
                die_errno(err, "can't execute %s", name);
        }
        if (err == ENOENT && stat_path(path, false, &st) == 0 && S_ISLNK(st.stx_mode) && missing(path)) {
                char target[PATH_MAX];
                ssize_t n = (ssize_t) syscall(SYS_readlinkat, AT_FDCWD, path, target, sizeof target - 1);
                if (n > 0) {
                        target[n] = '\0';
                        die("can't execute %s: %s is a symlink to %s, which is missing in the sandbox", name, path,
                            target);
                }
        }
        told = err == ENOENT ? explain_enoent(path, msg, sizeof msg) : explain_eacces(path, msg, sizeof msg);
        if (told)
                die("can't execute %s: %s", name, msg);
        die_errno(err, "can't execute %s", name);
}
