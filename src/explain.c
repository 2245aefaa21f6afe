/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --explain: the resolved plan, as JSON for tools or as text for people,
 * both from one description. Nothing is created. */
#include "explain.h"

#include <cap-ng.h>
#include <ctype.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "masks.h"
#include "plan.h"
#include "proxy.h"
#include "rlimits.h"
#include "util.h"

static json_t *strings(const char *const *v, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

static json_t *namespaces(const struct plan *p)
{
        static const struct {
                int flag;
                const char *name;
        } ns[] = {
                {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mount"}, {CLONE_NEWPID, "pid"},       {CLONE_NEWNET, "net"},
                {CLONE_NEWIPC, "ipc"},   {CLONE_NEWUTS, "uts"},  {CLONE_NEWCGROUP, "cgroup"},
        };
        json_t *o = json_object(), *made = json_array(), *joined = json_array();

        for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
                if ((p->clone_flags | CLONE_NEWNS) & ns[i].flag)
                        json_array_append_new(made, json_string(ns[i].name));
        if (p->unshare_time)
                json_array_append_new(made, json_string("time"));
        if (p->userns_fd >= 0)
                json_array_append_new(joined, json_string("user"));
        if (p->pidns_fd >= 0)
                json_array_append_new(joined, json_string("pid"));
        json_object_set_new(o, "new", made);
        json_object_set_new(o, "joined", joined);
        return o;
}

/* An id map as "INSIDE:OUTSIDE:COUNT" strings; null without maps of many ids. */
static json_t *id_map(const struct plan *p, const struct id_map *map)
{
        json_t *a;

        if (!p->maps_wide)
                return json_null();
        a = json_array();
        for (size_t i = 0; i < map->n; i++)
                json_array_append_new(
                        a, json_sprintf("%u:%u:%u", map->lines[i].inside, map->lines[i].outside, map->lines[i].count));
        return a;
}

/* Where the network comes from: "pasta" with its forwarded ports, "none"
 * (loopback only) or "host". */
static json_t *network(const struct plan *p)
{
        json_t *o = json_object(), *fwd = json_array();
        const char *mode = p->net_mode == NET_PASTA ? "pasta" : (p->clone_flags & CLONE_NEWNET) != 0 ? "none" : "host";

        for (size_t i = 0; i < p->n_forwards; i++)
                json_array_append_new(fwd, json_sprintf("%s:%u:%u", p->forwards[i].udp ? "udp" : "tcp",
                                                        p->forwards[i].host_port, p->forwards[i].sandbox_port));
        json_object_set_new(o, "mode", json_string(mode));
        json_object_set_new(o, "forwards", fwd);
        return o;
}

static json_t *identity(const struct plan *p)
{
        uint64_t caps = plan_command_caps(p);
        json_t *o = json_object(), *names = json_array();

        for (unsigned c = 0; c < 64; c++) {
                const char *n = capng_capability_to_name(c);
                char name[64];
                size_t k;
                if (!(caps & (UINT64_C(1) << c)))
                        continue;
                /* libcap-ng names them in lower case, without the prefix */
                snprintf(name, sizeof name, "CAP_%s", n ? n : "?");
                for (k = 4; name[k]; k++)
                        name[k] = (char) toupper((unsigned char) name[k]);
                json_array_append_new(names, n ? json_string(name) : json_sprintf("%u", c));
        }
        json_object_set_new(o, "uid", json_integer(p->uid));
        json_object_set_new(o, "gid", json_integer(p->gid));
        json_object_set_new(o, "caller_uid", json_integer(p->caller_uid));
        json_object_set_new(o, "uid_map", id_map(p, &p->uid_map));
        json_object_set_new(o, "gid_map", id_map(p, &p->gid_map));
        json_object_set_new(o, "capabilities", names);
        return o;
}

static void add_flag(json_t *flags, bool on, const char *name)
{
        if (on)
                json_array_append_new(flags, json_string(name));
}

static json_t *host_path(const char *path)
{
        char *real = path ? realpath(path, NULL) : NULL;
        json_t *j = real ? json_string(real) : json_null();
        free(real);
        return j;
}

static json_t *mount(const struct fs_op *op)
{
        json_t *m = json_object(), *flags = json_array();
        bool bind = op->kind == FS_BIND, kernel_fs = op->kind == FS_PROC || op->kind == FS_SYS;

        json_object_set_new(m, "option", json_string(op->flag));
        if (op->src && op->kind != FS_SYMLINK) {
                json_object_set_new(m, "source", json_string(op->src));
                json_object_set_new(m, "host_source", host_path(op->src));
        }
        if (op->kind == FS_SYMLINK)
                json_object_set_new(m, "target", json_string(op->src));
        if (op->n_layers) {
                json_t *layers = json_array();
                for (size_t i = 0; i < op->n_layers; i++)
                        json_array_append_new(layers, host_path(op->layers[i]));
                json_object_set_new(m, "layers", layers);
        }
        json_object_set_new(m, "dest", json_string(op->dest));
        add_flag(flags,
                 (bind && (op->flags & BIND_READONLY)) || op->kind == FS_SYS ||
                         (op->kind == FS_OVERLAY && op->overlay == OVERLAY_RO),
                 "read-only");
        add_flag(flags, bind && (op->flags & BIND_READONLY), "submounts read-only");
        add_flag(flags, bind, "recursive");
        add_flag(flags, bind || kernel_fs || op->kind == FS_TMPFS || op->kind == FS_OVERLAY || op->kind == FS_DEV,
                 "nosuid");
        add_flag(flags, (bind && !(op->flags & BIND_DEVICES)) || kernel_fs || op->kind == FS_TMPFS, "nodev");
        add_flag(flags, kernel_fs, "noexec");
        add_flag(flags, bind && (op->flags & BIND_TRY), "skipped if the source is missing");
        json_object_set_new(m, "flags", flags);
        if (op->perms != PERMS_UNSET)
                json_object_set_new(m, "mode", json_sprintf("%04o", (unsigned) op->perms));
        if (op->size)
                json_object_set_new(m, "size", json_integer((json_int_t) op->size));
        if (bind && (op->flags & BIND_TRY) && access(op->src, F_OK) != 0)
                json_object_set_new(m, "skipped", json_true());
        return m;
}

static bool has_kind(const struct plan *p, enum fs_op_kind kind, const char *bound)
{
        for (size_t i = 0; i < p->n_ops; i++)
                if (p->ops[i].kind == kind ||
                    (p->ops[i].kind == FS_BIND && p->ops[i].src && path_startswith(p->ops[i].src, bound)))
                        return true;
        return false;
}

static json_t *masks(const struct plan *p)
{
        json_t *o = json_object();

        if (has_kind(p, FS_PROC, "/proc")) {
                json_object_set_new(o, "proc_hidden", strings(proc_masked, n_proc_masked));
                json_object_set_new(o, "proc_read_only", strings(proc_readonly, n_proc_readonly));
        }
        if (has_kind(p, FS_SYS, "/sys"))
                json_object_set_new(o, "sys_hidden", strings(sys_masked, n_sys_masked));
        json_object_set_new(o, "lifted", strings((const char *const *) p->unmask, p->n_unmask));
        return o;
}

static json_t *seccomp(const struct plan *p)
{
        json_t *a = json_array();
        size_t from_fds = (p->seccomp_fd_prog.insns ? 1 : 0) + p->n_added_progs;

        for (size_t i = 0; i < p->n_programs; i++) {
                json_t *prog = json_object();
                const char *what = "a program";
                char buf[512];
                if (i == 0 && !p->seccomp_export)
                        what = "the terminal guard (TIOCSTI, TIOCLINUX)";
                else if (i <= from_fds)
                        what = p->seccomp_fd_prog.insns ? "--seccomp" : "--add-seccomp-fd";
                else if (p->n_programs == 1 + from_fds + p->n_profiles) {
                        snprintf(buf, sizeof buf, "--seccomp-profile %s", p->profiles[i - 1 - from_fds]);
                        what = buf;
                }
                json_object_set_new(prog, "what", json_string(what));
                json_object_set_new(prog, "instructions", json_integer((json_int_t) p->programs[i].len));
                json_array_append_new(a, prog);
        }
        return a;
}

static json_t *ports(const struct port_range *r, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, r[i].first == r[i].last ? json_sprintf("%u", r[i].first)
                                                                 : json_sprintf("%u-%u", r[i].first, r[i].last));
        return a;
}

static json_t *landlock(const struct plan *p)
{
        static const char *const rights[] = {"read", "write", "exec"};
        json_t *o = json_object(), *paths = json_array();

        for (size_t i = 0; i < p->n_landlock_paths; i++)
                json_array_append_new(paths, json_pack("{s:s, s:s}", "path", p->landlock_paths[i].path, "rights",
                                                       rights[p->landlock_paths[i].rights]));
        json_object_set_new(o, "from_mounts", json_boolean(p->landlock));
        json_object_set_new(o, "paths", paths);
        json_object_set_new(o, "connect_tcp", ports(p->connect_tcp, p->n_connect_tcp));
        json_object_set_new(o, "bind_tcp", ports(p->bind_tcp, p->n_bind_tcp));
        json_object_set_new(o, "scope_abstract_unix", json_boolean(p->scope_abstract_unix));
        json_object_set_new(o, "scope_signals", json_boolean(p->scope_signals));
        return o;
}

static json_t *limit_value(uint64_t v)
{
        return v == UINT64_MAX ? json_string("unlimited") : json_integer((json_int_t) v);
}

static json_t *limits(const struct plan *p)
{
        json_t *o = json_object(), *rl = json_array();

        for (size_t i = 0; i < p->n_rlimits; i++)
                json_array_append_new(rl, json_pack("{s:s, s:o, s:o}", "name", rlimit_name(p->rlimits[i].resource),
                                                    "soft", limit_value(p->rlimits[i].soft), "hard",
                                                    limit_value(p->rlimits[i].hard)));
        json_object_set_new(o, "rlimits", rl);
        if (p->memory_max)
                json_object_set_new(o, "memory_max", json_integer((json_int_t) p->memory_max));
        if (p->pids_max)
                json_object_set_new(o, "pids_max", json_integer((json_int_t) p->pids_max));
        if (p->cpu_max_percent)
                json_object_set_new(o, "cpu_max_percent", json_integer(p->cpu_max_percent));
        if (p->timeout)
                json_object_set_new(o, "timeout", json_integer(p->timeout));
        return o;
}

/* --allow-host: where the proxy listens, and what it lets through. */
static json_t *proxy(const struct plan *p)
{
        json_t *o = json_object(), *hosts = json_array();
        char rule[PROXY_HOST_MAX + 16];

        for (size_t i = 0; i < p->n_allow_hosts; i++) {
                proxy_rule_format(&p->allow_hosts[i], rule, sizeof rule);
                json_array_append_new(hosts, p->allow_hosts[i].port ? json_string(rule)
                                                                    : json_sprintf("%s (ports 443 and 80)", rule));
        }
        json_object_set_new(o, "listen", json_sprintf("127.0.0.1:%d", PROXY_PORT));
        json_object_set_new(o, "allow_hosts", hosts);
        return o;
}

static json_t *describe(const struct plan *p)
{
        json_t *o = json_object(), *mounts = json_array(), *env = json_object();

        json_object_set_new(o, "namespaces", namespaces(p));
        json_object_set_new(o, "network", network(p));
        json_object_set_new(o, "identity", identity(p));
        if (p->n_allow_hosts)
                json_object_set_new(o, "proxy", proxy(p));
        for (size_t i = 0; i < p->n_ops; i++)
                json_array_append_new(mounts, mount(&p->ops[i]));
        json_object_set_new(o, "mounts", mounts);
        json_object_set_new(o, "masks", masks(p));
        json_object_set_new(o, "seccomp", seccomp(p));
        json_object_set_new(o, "landlock", landlock(p));
        json_object_set_new(o, "limits", limits(p));
        for (size_t i = 0; i < p->n_env; i++) {
                char *eq = strchr(p->env[i], '=');
                char *name = strndup(p->env[i], eq ? (size_t) (eq - p->env[i]) : strlen(p->env[i]));
                if (!name)
                        die_oom();
                json_object_set_new(env, name, json_string(eq ? eq + 1 : ""));
                free(name);
        }
        json_object_set_new(o, "environment", env);
        json_object_set_new(o, "directory",
                            p->chdir_path ? json_string(p->chdir_path)
                                          : (p->caller_cwd ? json_string(p->caller_cwd) : json_null()));
        json_object_set_new(o, "command", strings((const char *const *) p->argv, p->argc));
        json_object_set_new(o, "warnings", strings((const char *const *) p->warnings, p->n_warnings));
        return o;
}

int explain(const struct plan *p, FILE *out)
{
        json_t *d = describe(p);
        int r;

        if (p->explain == 2)
                r = json_dumpf(d, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) == 0 &&
                                    fputc('\n', out) != EOF
                            ? 0
                            : -1;
        else
                r = explain_text(d, out);
        json_decref(d);
        return r;
}
