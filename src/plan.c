/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>

#include <linux/capability.h>
#include <sched.h>
#include <string.h>

#include "caps.h"
#include "idmap.h"
#include "util.h"

extern char **environ;

void plan_init(struct plan *p)
{
        size_t n = 0;

        memset(p, 0, sizeof *p);
        p->caller_uid = getuid();
        p->caller_caps = p->caller_uid == 0 ? caps_permitted() : 0;
        p->caller_bounding = p->caller_uid == 0 ? caps_bounding() : 0;
        p->caller_gid = getgid();
        while (environ && environ[n])
                n++;
        p->userns_fd = p->userns2_fd = p->pidns_fd = -1;
        p->sync_fd = p->block_fd = p->userns_block_fd = p->info_fd = p->json_status_fd = -1;
        p->report_fd = p->learn_fd = -1;
        p->env = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                p->env[i] = xstrdup(environ[i]);
        p->n_env = n;
}

void plan_free(struct plan *p)
{
        for (size_t i = 0; i < p->n_env; i++)
                free(p->env[i]);
        free(p->env);
        free(p->uid_map.lines);
        free(p->gid_map.lines);
        for (size_t i = 0; i < p->n_ops; i++) {
                free(p->ops[i].src);
                free(p->ops[i].dest);
                free(p->ops[i].work);
                for (size_t j = 0; j < p->ops[i].n_layers; j++)
                        free(p->ops[i].layers[j]);
                free(p->ops[i].layers);
        }
        for (size_t i = 0; i < p->n_lock_files; i++)
                free(p->lock_files[i]);
        free(p->lock_files);
        free(p->exec_label);
        free(p->file_label);
        free(p->seccomp_fd_prog.insns);
        for (size_t i = 0; i < p->n_added_progs; i++)
                free(p->added_progs[i].insns);
        free(p->added_progs);
        for (size_t i = 0; i < p->n_profiles; i++)
                free(p->profiles[i]);
        free(p->profiles);
        free(p->seccomp_export);
        for (size_t i = 0; i < p->n_programs; i++)
                free(p->programs[i].insns);
        free(p->programs);
        for (size_t i = 0; i < p->n_report_programs; i++)
                free(p->report_programs[i].insns);
        free(p->report_programs);
        free(p->program_ours);
        free(p->learn_path);
        for (size_t i = 0; i < p->n_landlock_paths; i++)
                free(p->landlock_paths[i].path);
        free(p->landlock_paths);
        free(p->connect_tcp);
        for (size_t i = 0; i < p->n_allow_hosts; i++)
                free(p->allow_hosts[i].host);
        free(p->allow_hosts);
        free(p->bind_tcp);
        free(p->rlimits);
        free(p->forwards);
        for (size_t i = 0; i < p->n_unmask; i++)
                free(p->unmask[i]);
        free(p->unmask);
        free(p->ops);
        free(p->hostname);
        free(p->chdir_path);
        free(p->caller_cwd);
        free(p->argv0);
        for (size_t i = 0; i < p->n_warnings; i++)
                free(p->warnings[i]);
        free(p->warnings);
        for (size_t i = 0; i < p->argc; i++)
                free(p->argv[i]);
        free(p->argv);
        memset(p, 0, sizeof *p);
}

struct fs_op *plan_add_op(struct plan *p, enum fs_op_kind kind, const char *flag)
{
        struct fs_op *op;

        if ((p->n_ops & (p->n_ops - 1)) == 0) /* grow at powers of two */
                p->ops = xrealloc(p->ops, sizeof *p->ops * (p->n_ops ? p->n_ops * 2 : 8));
        op = &p->ops[p->n_ops++];
        memset(op, 0, sizeof *op);
        op->kind = kind;
        op->perms = PERMS_UNSET;
        op->fd = -1;
        op->flag = flag;
        return op;
}

mode_t plan_op_mode(const struct fs_op *op)
{
        if (op->perms != PERMS_UNSET)
                return op->perms;
        switch (op->kind) {
        case FS_TMPFS:
        case FS_DIR: return 0755;
        case FS_FILE: return 0666;
        case FS_BIND_DATA: return 0600;
        default: return 0;
        }
}

mode_t plan_op_parent_mode(const struct fs_op *op)
{
        mode_t perms = plan_op_mode(op), m = 0755;

        if (!(perms & 070))
                m &= ~(mode_t) 070;
        if (!(perms & 07))
                m &= ~(mode_t) 07;
        return m;
}

static ssize_t env_find(const struct plan *p, const char *name)
{
        size_t len = strlen(name);

        for (size_t i = 0; i < p->n_env; i++)
                if (strncmp(p->env[i], name, len) == 0 && p->env[i][len] == '=')
                        return (ssize_t) i;
        return -1;
}

const char *plan_getenv(const struct plan *p, const char *name)
{
        ssize_t i = env_find(p, name);
        return i < 0 ? NULL : p->env[i] + strlen(name) + 1;
}

bool plan_op_mounts(const struct fs_op *op)
{
        switch (op->kind) {
        case FS_BIND:
        case FS_TMPFS:
        case FS_PROC:
        case FS_DEV:
        case FS_BIND_DATA:
        case FS_BIND_FD:
        case FS_MQUEUE:
        case FS_OVERLAY:
        case FS_SYS:
        case FS_MASK: return true;
        default: return false;
        }
}

void plan_warn(struct plan *p, const char *fmt, ...)
{
        char line[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        for (size_t i = 0; i < p->n_warnings; i++)
                if (strcmp(p->warnings[i], line) == 0)
                        return;
        p->warnings = xrealloc(p->warnings, sizeof(char *) * (p->n_warnings + 1));
        p->warnings[p->n_warnings++] = xstrdup(line);
}

void plan_setenv(struct plan *p, const char *name, const char *value)
{
        ssize_t i = env_find(p, name);
        char *entry = xasprintf("%s=%s", name, value);

        if (i >= 0) {
                free(p->env[i]);
                p->env[i] = entry;
                return;
        }
        p->env = xrealloc(p->env, sizeof(char *) * (p->n_env + 2));
        p->env[p->n_env++] = entry;
        p->env[p->n_env] = NULL;
}

void plan_unsetenv(struct plan *p, const char *name)
{
        ssize_t i = env_find(p, name);

        if (i < 0)
                return;
        free(p->env[i]);
        memmove(&p->env[i], &p->env[i + 1], sizeof(char *) * (p->n_env - (size_t) i));
        p->n_env--;
}

void plan_clearenv(struct plan *p)
{
        for (size_t i = 0; i < p->n_env; i++)
                free(p->env[i]);
        p->n_env = 0;
        p->env[0] = NULL;
}

bool plan_in_userns(const struct plan *p)
{
        return (p->clone_flags & CLONE_NEWUSER) || p->userns_fd >= 0;
}

bool plan_tunables_guarded(const struct plan *p)
{
        /* A root caller's sandbox runs as the host's uid 0 whatever its id
         * map, and uid 0 may write most kernel settings. */
        return plan_in_userns(p) && p->caller_uid != 0;
}

uint64_t plan_command_caps(const struct plan *p)
{
        if (p->caps_given)
                return p->caps;
        if (p->maps_wide) /* root inside, with what a build needs (idmap.h) */
                return p->uid == 0 ? IDMAP_ROOT_CAPS : 0;
        return p->caller_uid == 0 && p->uid == 0 ? p->caller_caps : 0;
}

bool plan_locks_mounts(const struct plan *p)
{
        /* In a user namespace the caller handed us (--userns), where
         * Flatpak's sub-sandboxes live and may be refused a nested one, only
         * for capabilities asked for by name: a root caller's are its own.
         * Not when the command moves on into a descendant (--userns2), which
         * holds nothing over our mounts anyway. */
        bool ours = (p->clone_flags & CLONE_NEWUSER) || (p->userns_fd >= 0 && p->caps_given);

        return ours && p->userns2_fd < 0 && (plan_command_caps(p) & (UINT64_C(1) << CAP_SYS_ADMIN));
}

int plan_clone_flags(const struct plan *p)
{
        bool sysfs = false;

        for (size_t i = 0; i < p->n_ops && !sysfs; i++)
                sysfs = p->ops[i].kind == FS_SYS;
        /* The network namespace is made once, with the locked mounts, when
         * nothing in setup needs it (a fresh sysfs shows its devices):
         * making one costs more than the rest together. pasta's namespace
         * is made at once: the monitor connects it while setup goes on. */
        if (plan_locks_mounts(p) && p->userns_block_fd < 0 && !sysfs && p->net_mode != NET_PASTA)
                return p->clone_flags & ~CLONE_NEWNET;
        return p->clone_flags;
}

bool plan_reaper_cleans_up(const struct plan *p)
{
        return p->die_with_parent && !(p->clone_flags & CLONE_NEWPID);
}

bool plan_bwrap_has_init(const struct plan *p)
{
        return !p->as_pid_1 && ((p->clone_flags & CLONE_NEWPID) || p->n_lock_files > 0 || p->sync_fd >= 0);
}

bool plan_needs_reaper(const struct plan *p)
{
        return plan_bwrap_has_init(p) || (!p->as_pid_1 && plan_reaper_cleans_up(p));
}

bool plan_reports(const struct plan *p)
{
        return p->report_summary || p->report_fd >= 0 || p->learn_path;
}

char **plan_command_env(const struct plan *p, const char *cwd)
{
        char **env = xcalloc(p->n_env + 2, sizeof(char *));
        size_t n = 0;

        for (size_t i = 0; i < p->n_env; i++)
                if (strncmp(p->env[i], "PWD=", 4) != 0)
                        env[n++] = p->env[i];
        env[n] = xasprintf("PWD=%s", cwd);
        return env;
}
