/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the parsers: number parsing, the option parser, paths. */
#include <sched.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "masks.h"
#include "options.h"
#include "plan.h"
#include "safepath.h"
#include "tap.h"
#include "util.h"

static int parse(struct plan *p, int argc, char **argv)
{
        int exit_now;
        plan_init(p);
        return parse_command_line(p, argc, argv, &exit_now);
}

static void test_numbers(void)
{
        uint64_t v;
        uint32_t id;
        int fd;
        mode_t m;

        ok(parse_u64("42", 10, &v) == 0 && v == 42, "parse_u64 42");
        ok(parse_u64("", 10, &v) == -EINVAL, "empty number is refused");
        ok(parse_u64("-1", 10, &v) == -EINVAL, "negative number is refused");
        ok(parse_u64(" 1", 10, &v) == -EINVAL, "leading space is refused");
        ok(parse_u64("12x", 10, &v) == -EINVAL, "trailing junk is refused");
        ok(parse_u64("99999999999999999999999", 10, &v) == -ERANGE, "overflow is ERANGE");
        ok(parse_id("4294967295", &id) == -ERANGE, "(uid_t)-1 is not an id");
        ok(parse_id("4294967294", &id) == 0 && id == 4294967294u, "largest id");
        ok(parse_fd("2147483648", &fd) == -ERANGE, "fd above INT_MAX");
        ok(parse_octal_mode("1777", &m) == 0 && m == 01777, "octal 1777");
        ok(parse_octal_mode("8", &m) == -EINVAL, "8 is not octal");
        ok(parse_octal_mode("17777", &m) == -ERANGE, "mode above 07777");
        ok(parse_size("10M", &v) == 0 && v == 10u << 20, "10M");
        ok(parse_size("1k", &v) == 0 && v == 1024, "1k");
        ok(parse_size("1Q", &v) == -EINVAL, "unknown suffix");
        ok(parse_size("9999999999G", &v) == 0, "large but representable");
        ok(parse_size("999999999999999999T", &v) == -ERANGE, "size overflow");
}

/* a is the string b (NULL never is). */
static bool same(const char *a, const char *b)
{
        return a && strcmp(a, b) == 0;
}

static void test_paths(void)
{
        ok(path_is_root("/"), "/ is the root");
        ok(path_is_root("//./"), "//./ is the root");
        ok(path_is_root(".."), ".. is the root (clamped)");
        ok(path_is_root(""), "empty is the root");
        ok(!path_is_root("/a"), "/a is not the root");
        ok(!path_is_root("/..a"), "/..a is not the root");

        ok(same(path_startswith("/proc/sys/kernel", "/proc"), "sys/kernel"), "path_startswith: below");
        ok(same(path_startswith("//proc//", "/proc"), ""), "path_startswith: itself, slashes");
        ok(path_startswith("/procfs", "/proc") == NULL, "path_startswith: whole components only");
        ok(path_startswith("/proc", "/proc/sys") == NULL, "path_startswith: above is not below");
        ok(same(path_startswith("a/b", ""), "a/b"), "path_startswith: everything is below the root");
        ok(path_equal("/a//b/", "a/b") && !path_equal("/a/b", "/a/bc"), "path_equal");

        ok(same(mask_entry_in_bind("kernel/security", ""), "kernel/security"),
           "mask entry in a bind of the whole filesystem");
        ok(same(mask_entry_in_bind("kernel/security", "kernel"), "security"), "mask entry inside the bound part");
        ok(same(mask_entry_in_bind("firmware", "firmware/acpi"), ""), "a bound part inside the entry is all of it");
        ok(mask_entry_in_bind("firmware", "devices") == NULL, "unrelated parts don't meet");
        ok(same(mask_entry_in_bind("", "devices/system"), ""), "\"\" holds every part");
}

static void test_caps(void)
{
        uint64_t mask;

        ok(caps_parse("CAP_CHOWN", &mask) == 0 && mask == 1, "CAP_CHOWN is bit 0");
        ok(caps_parse("cap_net_admin", &mask) == 0 && mask == (UINT64_C(1) << 12), "lower case name");
        ok(caps_parse("ALL", &mask) == 0 && mask == caps_all(), "ALL");
        ok(caps_parse("CHOWN", &mask) < 0, "name without CAP_ is refused");
        ok(caps_parse("CAP_NOPE", &mask) < 0, "unknown name is refused");
}

/* The lexical helpers that destinations use. */
static void test_dest_paths(void)
{
        static const char *const normal[][3] = {
                /* base, path, canonical */
                {NULL, "/", "/"},
                {NULL, "usr//lib/", "/usr/lib"},
                {NULL, "/a/./b/../c", "/a/c"},
                {NULL, "/../..", "/"},
                {"/usr", "lib", "/usr/lib"},
                {"/usr", "../etc", "/etc"},
                {"/usr", "/abs", "/abs"},
                {"/a/b", "../../../x", "/x"},
                {"/", "x", "/x"},
                {"/proj", "..", "/"},
                {"/a", ".", "/a"},
        };

        ok(!path_climbs_above_root("/usr/../lib"), "/usr/../lib stays inside");
        ok(!path_climbs_above_root("dev"), "a relative destination is relative to the root");
        ok(!path_climbs_above_root("a/./../b/.."), "a/./../b/.. ends at the root");
        ok(path_climbs_above_root("../x"), "../x climbs above the root");
        ok(path_climbs_above_root("/../../y"), "/../../y climbs above the root");
        ok(path_climbs_above_root("/a/../.."), "/a/../.. climbs above the root");
        ok(!path_climbs_above_root("/a/..b"), "..b is a name");

        for (size_t i = 0; i < sizeof normal / sizeof normal[0]; i++) {
                char *got = path_normalize(normal[i][0], normal[i][1]);
                ok(strcmp(got, normal[i][2]) == 0, "normalize(%s, %s) is %s (got %s)",
                   normal[i][0] ? normal[i][0] : "NULL", normal[i][1], normal[i][2], got);
                free(got);
        }

        ok(path_within("/proj/a", "/proj"), "/proj/a is within /proj");
        ok(path_within("/proj", "/proj"), "/proj is within itself");
        ok(!path_within("/project", "/proj"), "/project is not within /proj");
        ok(!path_within("/cfg", "/proj"), "/cfg is not within /proj");
        ok(path_within("/anything", "/"), "everything is within /");
}

static void test_options(void)
{
        struct plan p;

        {
                char *argv[] = {"--ro-bind", "/usr", "/usr", "--perms", "0700", "--tmpfs", "/tmp", "--dir", "/d",
                                "--setenv",  "A",    "1",    "--",      "sh",   "-c",      "x",    NULL};
                ok(parse(&p, 16, argv) == 0, "a typical line parses");
                ok(p.n_ops == 3, "three operations");
                ok(p.ops[0].kind == FS_BIND && (p.ops[0].flags & BIND_READONLY), "first is a read-only bind");
                ok(p.ops[1].kind == FS_TMPFS && p.ops[1].perms == 0700, "--perms went to --tmpfs");
                ok(p.ops[2].kind == FS_DIR && p.ops[2].perms == PERMS_UNSET, "--perms applies once");
                ok(p.argc == 3 && strcmp(p.argv[0], "sh") == 0, "command after --");
                ok(strcmp(plan_getenv(&p, "A"), "1") == 0, "--setenv");
                plan_free(&p);
        }
        {
                char *argv[] = {"--bind-try", "", "", "true", NULL};
                ok(parse(&p, 4, argv) < 0, "empty paths are refused");
                plan_free(&p);
        }
        {
                char *argv[] = {"--perms", "0755", "true", NULL};
                ok(parse(&p, 3, argv) < 0, "--perms with nothing after it is refused");
                plan_free(&p);
        }
        {
                char *argv[] = {"--perms", "0700", "--ro-bind", "/", "/", "--tmpfs", "/x", "true", NULL};
                ok(parse(&p, 8, argv) < 0, "--perms must come right before what it modifies");
                plan_free(&p);
        }
        {
                char *argv[] = {"--size", "4096", "--perms", "0700", "--tmpfs", "/x", "true", NULL};
                ok(parse(&p, 7, argv) == 0 && p.ops[0].size == 4096 && p.ops[0].perms == 0700,
                   "--size and --perms together, in either order");
                plan_free(&p);
        }
        {
                char *argv[] = {"--share-net", "--unshare-net", "true", NULL};
                ok(parse(&p, 3, argv) == 0 && (p.clone_flags & CLONE_NEWNET), "the last of share/unshare-net wins");
                plan_free(&p);
        }
        {
                char *argv[] = {"--unshare-all", "--share-net", "true", NULL};
                ok(parse(&p, 3, argv) == 0 && (p.clone_flags & CLONE_NEWPID) && !(p.clone_flags & CLONE_NEWNET),
                   "--share-net after --unshare-all keeps the network");
                plan_free(&p);
        }
        {
                char *argv[] = {"--nope", "true", NULL};
                ok(parse(&p, 2, argv) < 0, "unknown option");
                plan_free(&p);
        }
        {
                char *argv[] = {"--bind", "/a", NULL};
                ok(parse(&p, 2, argv) < 0, "missing argument");
                plan_free(&p);
        }
        {
                int fds[2];
                char *argv[] = {"--args", NULL, "true", NULL};
                char fdstr[16];
                static const char data[] = "--dir\0/x\0--chdir\0/x";
                if (pipe(fds) == 0) {
                        (void) !write(fds[1], data, sizeof data - 1);
                        close(fds[1]);
                        snprintf(fdstr, sizeof fdstr, "%d", fds[0]);
                        argv[1] = fdstr;
                        ok(parse(&p, 3, argv) == 0 && p.n_ops == 1 && strcmp(p.chdir_path, "/x") == 0,
                           "--args splices its arguments in place");
                        ok(fcntl(fds[0], F_GETFD) < 0, "--args closes its fd");
                        plan_free(&p);
                }
        }
        {
                char *argv[] = {"--args", "987654", "true", NULL};
                ok(parse(&p, 3, argv) < 0, "--args with a closed fd");
                plan_free(&p);
        }
        {
                char *argv[] = {"--cap-add", "CAP_CHOWN", "--cap-drop", "ALL", "--cap-add", "CAP_KILL", "true", NULL};
                ok(parse(&p, 7, argv) == 0 && p.caps_given && p.caps == (UINT64_C(1) << 5),
                   "--cap-add/--cap-drop edit one set in order");
                plan_free(&p);
        }
}

int main(void)
{
        test_numbers();
        test_paths();
        test_caps();
        test_dest_paths();
        test_options();
        return tap_done();
}
