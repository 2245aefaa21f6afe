/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Docker/OCI JSON seccomp profiles, compiled with libseccomp. */
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"
#include "util.h"

#define MAX_ARGS_PER_RULE 6

struct compiler {
        const char *name;
        uint64_t caps;
        uint64_t caps_named; /* every capability an includes/excludes names */
        uint32_t native;
        unsigned kernel_major, kernel_minor;
        scmp_filter_ctx ctx;
        char *err;
        size_t err_size;
        char unknown[1024]; /* names libseccomp does not know, for one warning */
        size_t n_unknown;
};

/* One line: "NAME: PATH: MESSAGE". */
static int fail(struct compiler *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct compiler *c, const char *path, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(c->err, c->err_size, "%s: %s: %s", c->name, path, msg);
        return -1;
}

static const char *type_name(const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT: return "an object";
        case JSON_ARRAY: return "an array";
        case JSON_STRING: return "a string";
        case JSON_INTEGER: return "an integer";
        case JSON_REAL: return "a number";
        case JSON_TRUE:
        case JSON_FALSE: return "a boolean";
        default: return "null";
        }
}

/* Typed access to optional members. */
static int get_member(struct compiler *c, const json_t *obj, const char *path, const char *key, json_type type,
                      const json_t **out)
{
        static const char *const want[] = {[JSON_OBJECT] = "an object",
                                           [JSON_ARRAY] = "an array",
                                           [JSON_STRING] = "a string",
                                           [JSON_INTEGER] = "an integer"};
        const json_t *v = json_object_get(obj, key);

        *out = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (json_typeof(v) != type)
                return fail(c, path, "\"%s\" must be %s, not %s", key, want[type], type_name(v));
        *out = v;
        return 0;
}

static int parse_action(struct compiler *c, const char *path, const char *key, const json_t *obj, const char *errno_key,
                        uint32_t *out)
{
        static const struct {
                const char *name;
                uint32_t action;
                bool takes_errno;
        } actions[] = {
                {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
                {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
                {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
                {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
                {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
                {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
                {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
                {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
        };
        const json_t *name, *ret;
        long long e = EPERM;

        if (get_member(c, obj, path, key, JSON_STRING, &name) < 0 ||
            get_member(c, obj, path, errno_key, JSON_INTEGER, &ret) < 0)
                return -1;
        if (!name)
                return fail(c, path, "\"%s\" is missing", key);
        if (ret) {
                e = json_integer_value(ret);
                if (e < 0 || e > 4095)
                        return fail(c, path, "\"%s\" must be an errno between 0 and 4095, not %lld", errno_key, e);
        }
        for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
                if (strcmp(json_string_value(name), actions[i].name) == 0) {
                        *out = actions[i].takes_errno ? actions[i].action | (uint32_t) e : actions[i].action;
                        return 0;
                }
        return fail(c, path,
                    "\"%s\" must be one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, "
                    "SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_LOG or SCMP_ACT_TRACE, not \"%s\"",
                    key, json_string_value(name));
}

/* Architecture names: libseccomp's own ("x86_64"), the profile form
 * ("SCMP_ARCH_X86_64"), or Go's ("amd64"), which Docker's includes use. */
static uint32_t resolve_arch(const char *name)
{
        static const struct {
                const char *go, *scmp;
        } go_names[] = {{"amd64", "x86_64"},
                        {"386", "x86"},
                        {"arm64", "aarch64"},
                        {"mipsle", "mipsel"},
                        {"mips64le", "mipsel64"}};
        char lower[64];
        size_t i;

        if (strncmp(name, "SCMP_ARCH_", 10) == 0)
                name += 10;
        for (i = 0; name[i] && i < sizeof lower - 1; i++)
                lower[i] = (char) tolower((unsigned char) name[i]);
        lower[i] = '\0';
        for (i = 0; i < ARRAY_SIZE(go_names); i++)
                if (strcmp(lower, go_names[i].go) == 0)
                        return seccomp_arch_resolve_name(go_names[i].scmp);
        return seccomp_arch_resolve_name(lower);
}

static int add_arch(struct compiler *c, const char *path, const json_t *v)
{
        uint32_t arch;
        int r;

        if (!json_is_string(v))
                return fail(c, path, "must be an architecture name, not %s", type_name(v));
        arch = resolve_arch(json_string_value(v));
        if (!arch)
                return fail(c, path, "unknown architecture \"%s\"", json_string_value(v));
        r = seccomp_arch_add(c->ctx, arch);
        if (r < 0 && r != -EEXIST)
                return fail(c, path, "can't add architecture \"%s\": %s", json_string_value(v), strerror(-r));
        return 0;
}

/* "architectures" (OCI), or "archMap" (Docker): the entry for the native
 * architecture, with its sub-architectures. Calls of an architecture the
 * filter does not cover are killed (see profile_compile). */
static int setup_arches(struct compiler *c, const json_t *root)
{
        const json_t *list, *map, *v;
        size_t i;
        char path[128];

        if (get_member(c, root, "$", "architectures", JSON_ARRAY, &list) < 0 ||
            get_member(c, root, "$", "archMap", JSON_ARRAY, &map) < 0)
                return -1;
        json_array_foreach (list, i, v) {
                snprintf(path, sizeof path, "$.architectures[%zu]", i);
                if (add_arch(c, path, v) < 0)
                        return -1;
        }
        json_array_foreach (map, i, v) {
                const json_t *arch, *subs, *sub;
                size_t j;

                snprintf(path, sizeof path, "$.archMap[%zu]", i);
                if (!json_is_object(v))
                        return fail(c, path, "must be an object, not %s", type_name(v));
                if (get_member(c, v, path, "architecture", JSON_STRING, &arch) < 0 ||
                    get_member(c, v, path, "subArchitectures", JSON_ARRAY, &subs) < 0)
                        return -1;
                if (!arch)
                        return fail(c, path, "\"architecture\" is missing");
                if (resolve_arch(json_string_value(arch)) != c->native)
                        continue;
                json_array_foreach (subs, j, sub) {
                        snprintf(path, sizeof path, "$.archMap[%zu].subArchitectures[%zu]", i, j);
                        if (add_arch(c, path, sub) < 0)
                                return -1;
                }
        }
        return 0;
}

/* "4.8" and the like. */
static int parse_kernel_version(const char *s, unsigned *major, unsigned *minor)
{
        return sscanf(s, "%u.%u", major, minor) == 2 ? 0 : -1;
}

/* includes / excludes: does this filter match the sandbox? */
static int filter_matches(struct compiler *c, const char *path, const json_t *f, bool any, bool *match)
{
        const json_t *caps, *arches, *min_kernel, *v;
        bool all = true, some = false;
        size_t i;

        if (!json_is_object(f))
                return fail(c, path, "must be an object, not %s", type_name(f));
        if (get_member(c, f, path, "caps", JSON_ARRAY, &caps) < 0 ||
            get_member(c, f, path, "arches", JSON_ARRAY, &arches) < 0 ||
            get_member(c, f, path, "minKernel", JSON_STRING, &min_kernel) < 0)
                return -1;
        json_array_foreach (caps, i, v) {
                uint64_t mask;
                if (!json_is_string(v) || caps_parse(json_string_value(v), &mask) < 0)
                        return fail(c, path, "caps[%zu] must be a capability name like CAP_SYS_ADMIN", i);
                c->caps_named |= mask;
                if (c->caps & mask)
                        some = true;
                else
                        all = false;
        }
        if (arches && json_array_size(arches)) {
                bool native = false;
                json_array_foreach (arches, i, v) {
                        if (!json_is_string(v))
                                return fail(c, path, "arches[%zu] must be a string", i);
                        if (resolve_arch(json_string_value(v)) == c->native)
                                native = true;
                }
                some |= native;
                all &= native;
        }
        if (min_kernel) {
                unsigned maj, min;
                bool newer;
                if (parse_kernel_version(json_string_value(min_kernel), &maj, &min) < 0)
                        return fail(c, path, "minKernel must look like \"4.8\"");
                newer = c->kernel_major > maj || (c->kernel_major == maj && c->kernel_minor >= min);
                some |= newer;
                all &= newer;
        }
        *match = any ? some : all;
        return 0;
}

static int parse_op(struct compiler *c, const char *path, const char *op, enum scmp_compare *out)
{
        static const struct {
                const char *name;
                enum scmp_compare op;
        } ops[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
                   {"SCMP_CMP_LT", SCMP_CMP_LT},
                   {"SCMP_CMP_LE", SCMP_CMP_LE},
                   {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                   {"SCMP_CMP_GE", SCMP_CMP_GE},
                   {"SCMP_CMP_GT", SCMP_CMP_GT},
                   {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};

        for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
                if (strcmp(op, ops[i].name) == 0) {
                        *out = ops[i].op;
                        return 0;
                }
        return fail(c, path,
                    "\"op\" must be one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, "
                    "SCMP_CMP_GT or SCMP_CMP_MASKED_EQ, not \"%s\"",
                    op);
}

static int parse_args(struct compiler *c, const char *rule_path, const json_t *args, struct scmp_arg_cmp *cmp,
                      size_t *n)
{
        const json_t *a;
        size_t i;

        *n = 0;
        json_array_foreach (args, i, a) {
                char path[192];
                const json_t *index, *value, *value2, *op;

                snprintf(path, sizeof path, "%s.args[%zu]", rule_path, i);
                if (i >= MAX_ARGS_PER_RULE)
                        return fail(c, path, "a rule compares at most %d arguments", MAX_ARGS_PER_RULE);
                if (!json_is_object(a))
                        return fail(c, path, "must be an object, not %s", type_name(a));
                if (get_member(c, a, path, "index", JSON_INTEGER, &index) < 0 ||
                    get_member(c, a, path, "value", JSON_INTEGER, &value) < 0 ||
                    get_member(c, a, path, "valueTwo", JSON_INTEGER, &value2) < 0 ||
                    get_member(c, a, path, "op", JSON_STRING, &op) < 0)
                        return -1;
                if (!index || !value || !op)
                        return fail(c, path, "needs \"index\", \"value\" and \"op\"");
                if (json_integer_value(index) < 0 || json_integer_value(index) > 5)
                        return fail(c, path, "\"index\" must be between 0 and 5");
                cmp[i].arg = (unsigned) json_integer_value(index);
                /* Values are unsigned 64-bit; negative JSON integers wrap. */
                cmp[i].datum_a = (scmp_datum_t) json_integer_value(value);
                cmp[i].datum_b = value2 ? (scmp_datum_t) json_integer_value(value2) : 0;
                if (parse_op(c, path, json_string_value(op), &cmp[i].op) < 0)
                        return -1;
                (*n)++;
        }
        return 0;
}

static void note_unknown(struct compiler *c, const char *name)
{
        size_t len = strlen(c->unknown);

        c->n_unknown++;
        if (len + strlen(name) + 8 < sizeof c->unknown)
                snprintf(c->unknown + len, sizeof c->unknown - len, "%s%s", len ? ", " : "", name);
        else if (!strstr(c->unknown, "..."))
                snprintf(c->unknown + len, sizeof c->unknown - len, ", ...");
}

static int add_rule(struct compiler *c, const char *path, int nr, uint32_t action, const struct scmp_arg_cmp *cmp,
                    size_t n)
{
        int r = seccomp_rule_add_array(c->ctx, action, nr, (unsigned) n, cmp);

        /* A rule that repeats the default action changes nothing. */
        if (r == -EACCES)
                return 0;
        if (r < 0)
                return fail(c, path, "libseccomp refused the rule: %s", strerror(-r));
        return 0;
}

static int compile_rule(struct compiler *c, size_t idx, const json_t *rule)
{
        struct scmp_arg_cmp cmp[MAX_ARGS_PER_RULE];
        const json_t *names, *single, *args, *inc, *exc;
        char path[128];
        uint32_t action;
        size_t n_args, i;
        bool same_index = false;

        snprintf(path, sizeof path, "$.syscalls[%zu]", idx);
        if (!json_is_object(rule))
                return fail(c, path, "must be an object, not %s", type_name(rule));
        if (get_member(c, rule, path, "names", JSON_ARRAY, &names) < 0 ||
            get_member(c, rule, path, "name", JSON_STRING, &single) < 0 ||
            get_member(c, rule, path, "args", JSON_ARRAY, &args) < 0 ||
            get_member(c, rule, path, "includes", JSON_OBJECT, &inc) < 0 ||
            get_member(c, rule, path, "excludes", JSON_OBJECT, &exc) < 0)
                return -1;
        if (!names && !single)
                return fail(c, path, "needs \"names\", a list of system calls");
        if (parse_action(c, path, "action", rule, "errnoRet", &action) < 0)
                return -1;
        if (parse_args(c, path, args, cmp, &n_args) < 0)
                return -1;

        if (inc) {
                bool match;
                char p[192];
                snprintf(p, sizeof p, "%s.includes", path);
                if (filter_matches(c, p, inc, false, &match) < 0)
                        return -1;
                if (!match)
                        return 0;
        }
        if (exc) {
                bool match;
                char p[192];
                snprintf(p, sizeof p, "%s.excludes", path);
                if (filter_matches(c, p, exc, true, &match) < 0)
                        return -1;
                if (match)
                        return 0;
        }

        /* Comparisons of one argument index given more than once are
         * alternatives, each its own rule; otherwise they all must hold. */
        for (i = 0; i < n_args; i++)
                for (size_t j = i + 1; j < n_args; j++)
                        if (cmp[i].arg == cmp[j].arg)
                                same_index = true;

        for (i = 0; i < (names ? json_array_size(names) : 1); i++) {
                const json_t *v = names ? json_array_get(names, i) : single;
                char npath[192];
                int nr;

                snprintf(npath, sizeof npath, "%s.names[%zu]", path, i);
                if (!json_is_string(v))
                        return fail(c, npath, "must be a system call name, not %s", type_name(v));
                nr = seccomp_syscall_resolve_name(json_string_value(v));
                if (nr == __NR_SCMP_ERROR) {
                        note_unknown(c, json_string_value(v));
                        continue;
                }
                if (!same_index) {
                        if (add_rule(c, npath, nr, action, cmp, n_args) < 0)
                                return -1;
                        continue;
                }
                for (size_t k = 0; k < n_args; k++)
                        if (add_rule(c, npath, nr, action, &cmp[k], 1) < 0)
                                return -1;
        }
        return 0;
}

/* Export the filter as raw BPF, through a memfd, and check it like any
 * program handed to us. */
static int export_bpf(struct compiler *c, struct bpf_prog *out)
{
        _cleanup_close_ int fd = memfd_create("cocoon-seccomp", MFD_CLOEXEC);
        char *data;
        size_t len;
        int r;

        if (fd < 0)
                return fail(c, "$", "can't create a memfd: %s", strerror(errno));
        r = seccomp_export_bpf(c->ctx, fd);
        if (r < 0)
                return fail(c, "$", "libseccomp can't export the filter: %s", strerror(-r));
        if (lseek(fd, 0, SEEK_SET) < 0 || read_all(fd, &data, &len, 1u << 20) < 0)
                return fail(c, "$", "can't read the exported filter back");
        r = bpf_parse(data, len, out, c->err, c->err_size);
        free(data);
        return r;
}

int profile_compile(const char *json, size_t len, const char *name, uint64_t caps, struct bpf_prog *out, char *err,
                    size_t err_size)
{
        return profile_compile_info(json, len, name, caps, out, err, err_size, NULL);
}

int profile_compile_info(const char *json, size_t len, const char *name, uint64_t caps, struct bpf_prog *out, char *err,
                         size_t err_size, struct profile_info *info)
{
        struct compiler c = {.name = name, .caps = caps, .err = err, .err_size = err_size};
        /* Our own profile names calls newer than some libseccomp releases;
         * only a user's profile gets the warning. */
        bool builtin = json == seccomp_default_profile;
        json_error_t jerr;
        json_t *root;
        const json_t *rules, *rule;
        uint32_t def;
        struct utsname u;
        size_t i;
        int r = -1;

        root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return snprintf(err, err_size, "%s: line %d, column %d: not valid JSON: %s", name, jerr.line,
                                jerr.column, jerr.text),
                       -1;
        if (!json_is_object(root)) {
                fail(&c, "$", "must be an object, not %s", type_name(root));
                goto out;
        }
        c.native = seccomp_arch_native();
        if (uname(&u) == 0)
                parse_kernel_version(u.release, &c.kernel_major, &c.kernel_minor);
        if (parse_action(&c, "$", "defaultAction", root, "defaultErrnoRet", &def) < 0)
                goto out;
        c.ctx = seccomp_init(def);
        if (!c.ctx) {
                fail(&c, "$", "libseccomp can't start a filter");
                goto out;
        }
        /* Calls from an architecture the profile does not list never get by. */
        seccomp_attr_set(c.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (setup_arches(&c, root) < 0)
                goto out;
        if (get_member(&c, root, "$", "syscalls", JSON_ARRAY, &rules) < 0)
                goto out;
        json_array_foreach (rules, i, rule)
                if (compile_rule(&c, i, rule) < 0)
                        goto out;
        if (export_bpf(&c, out) < 0)
                goto out;
        if (c.n_unknown && !builtin)
                log_warning("%s: skipped %zu system call%s this libseccomp does not know: %s", name, c.n_unknown,
                            c.n_unknown > 1 ? "s" : "", c.unknown);
        if (info) {
                info->caps_named = c.caps_named;
        }
        r = 0;
out:
        if (c.ctx)
                seccomp_release(c.ctx);
        json_decref(root);
        return r;
}

int profile_tty_guard(struct bpf_prog *out)
{
        static const char *const arches[] = {"x86", "x32"};
        char err[256];
        struct compiler c = {.name = "tty guard", .err = err, .err_size = sizeof err};
        int r = -1;

        c.ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!c.ctx)
                return -1;
        /* On x86_64, cover the 32-bit ABIs too; elsewhere native is all. */
        if (seccomp_arch_native() == SCMP_ARCH_X86_64)
                for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
                        seccomp_arch_add(c.ctx, seccomp_arch_resolve_name(arches[i]));
        /* ioctl's request is an unsigned int: compare the low 32 bits only,
         * so garbage in the upper half of the register can't slip by. */
        if (seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)) == 0 &&
            seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)) == 0 &&
            export_bpf(&c, out) == 0)
                r = 0;
        seccomp_release(c.ctx);
        if (r < 0)
                log_error("can't build the terminal injection guard: %s", err);
        return r;
}
