/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * probe: runs inside a sandbox and prints one JSON object describing what it
 * sees (ids, capabilities, namespaces, mounts, fds, environment, ...).
 * The integration suite parses this object. Only libc is used, and it keeps
 * working when /proc is absent: fields it cannot observe are null.
 *
 * Options (all optional, any order):
 *   --stat PATH    add lstat() results for PATH under "stat"
 *   --write PATH   try to create/append PATH; result under "write"
 *   --read PATH    read up to 4 KiB of PATH; result under "read"
 *   --access PATH  access(PATH, W_OK) result under "access" (nothing written)
 *   --sleep SECS   sleep this long before printing
 *   --tag WORD     ignored; lets a test find the process by its argv
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

#define MAX_PATHS 64

static bool first_field;

static void json_str(const char *s)
{
        if (!s) {
                fputs("null", stdout);
                return;
        }
        putchar('"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '"': fputs("\\\"", stdout); break;
                case '\\': fputs("\\\\", stdout); break;
                case '\n': fputs("\\n", stdout); break;
                case '\t': fputs("\\t", stdout); break;
                case '\r': fputs("\\r", stdout); break;
                default:
                        /* Control bytes are escaped; other bytes (UTF-8)
                         * pass through unchanged. */
                        if (*p < 0x20 || *p == 0x7f)
                                printf("\\u%04x", *p);
                        else
                                putchar(*p);
                }
        }
        putchar('"');
}

static void key(const char *k)
{
        if (!first_field)
                fputs(",\n", stdout);
        first_field = false;
        json_str(k);
        fputs(": ", stdout);
}

/* Read a whole small file into a NUL-terminated heap buffer, or NULL. */
static char *slurp(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap + 1);
        if (!buf) {
                close(fd);
                return NULL;
        }
        for (;;) {
                if (len == cap) {
                        char *nb = realloc(buf, cap * 2 + 1);
                        if (!nb)
                                break;
                        buf = nb;
                        cap *= 2;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        close(fd);
        buf[len] = '\0';
        return buf;
}

static void emit_lines(const char *k, const char *path)
{
        key(k);
        char *buf = slurp(path);
        if (!buf) {
                fputs("null", stdout);
                return;
        }
        putchar('[');
        bool first = true;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (!first)
                        putchar(',');
                first = false;
                json_str(line);
        }
        putchar(']');
        free(buf);
}

static void emit_file(const char *k, const char *path)
{
        key(k);
        char *buf = slurp(path);
        json_str(buf);
        free(buf);
}

static void emit_ids(void)
{
        uid_t ru, eu, su;
        gid_t rg, eg, sg;
        key("uid");
        if (getresuid(&ru, &eu, &su) == 0)
                printf("[%u, %u, %u]", ru, eu, su);
        else
                fputs("null", stdout);
        key("gid");
        if (getresgid(&rg, &eg, &sg) == 0)
                printf("[%u, %u, %u]", rg, eg, sg);
        else
                fputs("null", stdout);

        key("groups");
        int n = getgroups(0, NULL);
        gid_t *groups = n > 0 ? calloc((size_t) n, sizeof(gid_t)) : NULL;
        if (n > 0 && groups)
                n = getgroups(n, groups);
        putchar('[');
        for (int i = 0; groups && i < n; i++)
                printf("%s%u", i ? ", " : "", groups[i]);
        putchar(']');
        free(groups);
}

/* Capabilities straight from the kernel, so that they are known without /proc. */
static void emit_caps(void)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof(data));

        key("caps");
        if (syscall(SYS_capget, &hdr, data) != 0) {
                fputs("null", stdout);
        } else {
                uint64_t eff = data[0].effective | ((uint64_t) data[1].effective << 32);
                uint64_t prm = data[0].permitted | ((uint64_t) data[1].permitted << 32);
                uint64_t inh = data[0].inheritable | ((uint64_t) data[1].inheritable << 32);
                uint64_t bnd = 0, amb = 0;
                for (int c = 0; c < 64; c++) {
                        int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
                        if (r < 0)
                                break;
                        if (r > 0)
                                bnd |= (uint64_t) 1 << c;
                        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) > 0)
                                amb |= (uint64_t) 1 << c;
                }
                printf("{\"inh\": %llu, \"prm\": %llu, \"eff\": %llu, \"bnd\": %llu, \"amb\": %llu}",
                       (unsigned long long) inh, (unsigned long long) prm, (unsigned long long) eff,
                       (unsigned long long) bnd, (unsigned long long) amb);
        }

        key("no_new_privs");
        printf("%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/* Selected lines of /proc/self/status, as strings. */
static void emit_status(void)
{
        static const char *const wanted[] = {
                "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
        };
        key("status");
        char *buf = slurp("/proc/self/status");
        if (!buf) {
                fputs("null", stdout);
                return;
        }
        putchar('{');
        bool first = true;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
                        if (strcmp(line, wanted[i]) != 0)
                                continue;
                        char *val = colon + 1;
                        while (*val == ' ' || *val == '\t')
                                val++;
                        if (!first)
                                fputs(", ", stdout);
                        first = false;
                        json_str(line);
                        fputs(": ", stdout);
                        json_str(val);
                }
        }
        putchar('}');
        free(buf);
}

static void emit_namespaces(void)
{
        static const char *const names[] = {
                "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "user", "uts",
        };
        key("ns");
        putchar('{');
        bool first = true;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                char path[64], target[128];
                snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
                ssize_t n = readlink(path, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                char *lb = strchr(target, '[');
                if (!lb)
                        continue;
                if (!first)
                        fputs(", ", stdout);
                first = false;
                json_str(names[i]);
                printf(": %llu", strtoull(lb + 1, NULL, 10));
        }
        putchar('}');
}

static void emit_fds(void)
{
        key("fds");
        putchar('{');
        bool first = true;
        DIR *d = opendir("/proc/self/fd");
        if (d) {
                int self = dirfd(d);
                struct dirent *de;
                /* Collect first: readdir order is not numeric. */
                int fds[1024];
                size_t nfds = 0;
                while ((de = readdir(d)) && nfds < sizeof(fds) / sizeof(fds[0])) {
                        if (de->d_name[0] < '0' || de->d_name[0] > '9')
                                continue;
                        int fd = atoi(de->d_name);
                        if (fd != self)
                                fds[nfds++] = fd;
                }
                for (size_t i = 0; i < nfds; i++) {
                        char path[64], target[PATH_MAX];
                        snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
                        ssize_t n = readlink(path, target, sizeof(target) - 1);
                        if (n >= 0)
                                target[n] = '\0';
                        if (!first)
                                fputs(", ", stdout);
                        first = false;
                        printf("\"%d\": ", fds[i]);
                        json_str(n >= 0 ? target : NULL);
                }
                closedir(d);
        } else {
                /* No /proc: find open fds by asking the kernel about each. */
                for (int fd = 0; fd < 4096; fd++) {
                        if (fcntl(fd, F_GETFD) < 0)
                                continue;
                        if (!first)
                                fputs(", ", stdout);
                        first = false;
                        printf("\"%d\": null", fd);
                }
        }
        putchar('}');
}

static void emit_strings(const char *k, char **v, int n)
{
        key(k);
        putchar('[');
        for (int i = 0; (n < 0 ? v[i] != NULL : i < n); i++) {
                if (i)
                        fputs(", ", stdout);
                json_str(v[i]);
        }
        putchar(']');
}

static void emit_ifaces(void)
{
        key("ifaces");
        struct ifaddrs *ifa = NULL;
        if (getifaddrs(&ifa) != 0) {
                fputs("null", stdout);
                return;
        }
        putchar('[');
        bool first = true;
        for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
                char addr[INET6_ADDRSTRLEN] = "";
                int family = p->ifa_addr ? p->ifa_addr->sa_family : -1;
                if (family == AF_INET)
                        inet_ntop(AF_INET, &((struct sockaddr_in *) (void *) p->ifa_addr)->sin_addr, addr,
                                  sizeof(addr));
                else if (family == AF_INET6)
                        inet_ntop(AF_INET6, &((struct sockaddr_in6 *) (void *) p->ifa_addr)->sin6_addr, addr,
                                  sizeof(addr));
                if (!first)
                        fputs(", ", stdout);
                first = false;
                fputs("{\"name\": ", stdout);
                json_str(p->ifa_name);
                printf(", \"family\": \"%s\", \"up\": %s, \"addr\": ",
                       family == AF_INET    ? "inet"
                       : family == AF_INET6 ? "inet6"
                                            : "other",
                       (p->ifa_flags & IFF_UP) ? "true" : "false");
                json_str(addr[0] ? addr : NULL);
                putchar('}');
        }
        putchar(']');
        freeifaddrs(ifa);
}

/* Can we listen on and connect to 127.0.0.1? */
static void emit_loopback(void)
{
        key("loopback_tcp");
        bool ok = false;
        int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
        socklen_t len = sizeof(sa);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (l >= 0 && c >= 0 && bind(l, (struct sockaddr *) &sa, sizeof(sa)) == 0 && listen(l, 1) == 0 &&
            getsockname(l, (struct sockaddr *) &sa, &len) == 0 && connect(c, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                ok = true;
        if (l >= 0)
                close(l);
        if (c >= 0)
                close(c);
        fputs(ok ? "true" : "false", stdout);
}

static const char *type_name(mode_t m)
{
        switch (m & S_IFMT) {
        case S_IFREG: return "reg";
        case S_IFDIR: return "dir";
        case S_IFLNK: return "lnk";
        case S_IFCHR: return "chr";
        case S_IFBLK: return "blk";
        case S_IFIFO: return "fifo";
        case S_IFSOCK: return "sock";
        default: return "unknown";
        }
}

/* The key for entry I of a per-path object: "PATH": */
static void path_key(size_t i, const char *path)
{
        if (i)
                fputs(", ", stdout);
        json_str(path);
        fputs(": ", stdout);
}

static void emit_stat(char **paths, size_t n)
{
        key("stat");
        putchar('{');
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                path_key(i, paths[i]);
                if (lstat(paths[i], &st) != 0) {
                        fputs("{\"error\": ", stdout);
                        json_str(strerror(errno));
                        fputs("}", stdout);
                        continue;
                }
                printf("{\"type\": \"%s\", \"mode\": %u, \"uid\": %u, \"gid\": %u, "
                       "\"size\": %lld, \"rdev\": [%u, %u], \"ino\": %llu, \"target\": ",
                       type_name(st.st_mode), (unsigned) (st.st_mode & 07777), st.st_uid, st.st_gid,
                       (long long) st.st_size, major(st.st_rdev), minor(st.st_rdev), (unsigned long long) st.st_ino);
                char target[PATH_MAX];
                ssize_t len = S_ISLNK(st.st_mode) ? readlink(paths[i], target, sizeof(target) - 1) : -1;
                if (len >= 0)
                        target[len] = '\0';
                json_str(len >= 0 ? target : NULL);
                putchar('}');
        }
        putchar('}');
}

static void emit_write(char **paths, size_t n)
{
        key("write");
        putchar('{');
        for (size_t i = 0; i < n; i++) {
                path_key(i, paths[i]);
                int fd = open(paths[i], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (fd < 0) {
                        json_str(strerror(errno));
                        continue;
                }
                ssize_t w = write(fd, "probe\n", 6);
                int err = errno;
                close(fd);
                json_str(w == 6 ? "ok" : strerror(err));
        }
        putchar('}');
}

static void emit_read(char **paths, size_t n)
{
        key("read");
        putchar('{');
        for (size_t i = 0; i < n; i++) {
                path_key(i, paths[i]);
                int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        fputs("{\"error\": ", stdout);
                        json_str(strerror(errno));
                        putchar('}');
                        continue;
                }
                char buf[4097];
                ssize_t r = read(fd, buf, sizeof(buf) - 1);
                int err = errno;
                close(fd);
                if (r < 0) {
                        fputs("{\"error\": ", stdout);
                        json_str(strerror(err));
                        putchar('}');
                        continue;
                }
                buf[r] = '\0';
                fputs("{\"data\": ", stdout);
                json_str(buf);
                putchar('}');
        }
        putchar('}');
}

/* Would a write be allowed? access() reports EROFS and EACCES without writing. */
static void emit_access(char **paths, size_t n)
{
        key("access");
        putchar('{');
        for (size_t i = 0; i < n; i++) {
                path_key(i, paths[i]);
                json_str(access(paths[i], W_OK) == 0 ? "ok" : strerror(errno));
        }
        putchar('}');
}

int main(int argc, char **argv)
{
        char *stat_paths[MAX_PATHS], *write_paths[MAX_PATHS], *read_paths[MAX_PATHS];
        char *access_paths[MAX_PATHS];
        size_t nstat = 0, nwrite = 0, nread = 0, naccess = 0;
        unsigned sleep_secs = 0;

        for (int i = 1; i < argc; i++) {
                bool has_arg = i + 1 < argc;
                if (strcmp(argv[i], "--stat") == 0 && has_arg && nstat < MAX_PATHS)
                        stat_paths[nstat++] = argv[++i];
                else if (strcmp(argv[i], "--write") == 0 && has_arg && nwrite < MAX_PATHS)
                        write_paths[nwrite++] = argv[++i];
                else if (strcmp(argv[i], "--read") == 0 && has_arg && nread < MAX_PATHS)
                        read_paths[nread++] = argv[++i];
                else if (strcmp(argv[i], "--access") == 0 && has_arg && naccess < MAX_PATHS)
                        access_paths[naccess++] = argv[++i];
                else if (strcmp(argv[i], "--sleep") == 0 && has_arg)
                        sleep_secs = (unsigned) strtoul(argv[++i], NULL, 10);
                else if (strcmp(argv[i], "--tag") == 0 && has_arg)
                        i++;
        }

        while (sleep_secs > 0)
                sleep_secs = sleep(sleep_secs);

        /* The fd table is taken first, before this program opens anything. */
        first_field = true;
        putchar('{');
        emit_fds();
        emit_ids();
        emit_caps();
        emit_status();
        emit_namespaces();

        struct utsname u;
        key("hostname");
        json_str(uname(&u) == 0 ? u.nodename : NULL);

        char cwd[PATH_MAX];
        key("cwd");
        json_str(getcwd(cwd, sizeof(cwd)));

        emit_strings("argv", argv, argc);
        emit_strings("env", environ, -1);

        key("pid");
        printf("%d", (int) getpid());
        key("ppid");
        printf("%d", (int) getppid());
        key("sid");
        printf("%d", (int) getsid(0));
        key("pgid");
        printf("%d", (int) getpgid(0));
        key("umask");
        mode_t m = umask(0);
        umask(m);
        printf("%u", (unsigned) m);

        emit_file("uid_map", "/proc/self/uid_map");
        emit_file("gid_map", "/proc/self/gid_map");
        emit_file("setgroups", "/proc/self/setgroups");
        emit_file("pid1_comm", "/proc/1/comm");
        emit_lines("mountinfo", "/proc/self/mountinfo");
        emit_ifaces();
        emit_loopback();
        emit_stat(stat_paths, nstat);
        emit_write(write_paths, nwrite);
        emit_read(read_paths, nread);
        emit_access(access_paths, naccess);
        fputs("}\n", stdout);
        return fflush(stdout) == 0 ? 0 : 1;
}
