/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "validate.h"

#include <sched.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "idmap.h"
#include "landlock.h"
#include "log.h"
#include "plan.h"
#include "precompiled.h"
#include "profile.h"
#include "unmask.h"
#include "userns.h"
#include "notifybpf.h"
#include "util.h"

static int make_absolute(const struct fs_op *op, char **path, const char *cwd)
{
        char *abs;

        if (!*path || (*path)[0] == '/')
                return 0;
        if (!cwd)
                return log_error("%s: can't resolve %s: there is no current directory", op->flag, *path), -1;
        abs = xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, *path);
        free(*path);
        *path = abs;
        return 0;
}

/* A heap copy of a precompiled program: the plan owns what it holds. */
static struct bpf_prog copy_program(const struct bpf_prog_const *src)
{
        struct bpf_prog prog = {.insns = xmalloc(src->len * sizeof *src->insns), .len = src->len};

        memcpy(prog.insns, src->insns, src->len * sizeof *src->insns);
        return prog;
}

/* ours: compiled by cocoon, which the report can see into. */
static void add_program(struct plan *p, struct bpf_prog *prog, bool ours)
{
        p->program_ours = xrealloc(p->program_ours, sizeof *p->program_ours * (p->n_programs + 1));
        p->program_ours[p->n_programs] = ours;
        p->programs = xrealloc(p->programs, sizeof *p->programs * (p->n_programs + 1));
        p->programs[p->n_programs++] = *prog;
        prog->insns = NULL;
        prog->len = 0;
}

static int compile_profile(struct plan *p, const char *file)
{
        _cleanup_free_ char *data = NULL;
        uint64_t caps = plan_command_caps(p), named = caps & precompiled_default_caps;
        struct bpf_prog prog;
        char err[1024];
        size_t len;
        int r;

        /* The default profile depends on the capabilities only through the
         * ones it names: none or all of them were compiled at build time, by
         * the same code. The rest is compiled here, at each launch: there is
         * deliberately no cache of compiled programs, since a sandbox of the
         * caller's with the home bound could plant one that every later
         * sandbox would load (no checksum can tell without a secret, and no
         * secret has a place such a sandbox can't reach). */
        if (strcmp(file, "default") == 0 && (named == 0 || named == precompiled_default_caps)) {
                prog = copy_program(named ? &precompiled_default_allcaps : &precompiled_default_nocaps);
                r = 0;
        } else if (strcmp(file, "default") == 0) {
                r = profile_compile(seccomp_default_profile, strlen(seccomp_default_profile), "default profile", named,
                                    &prog, err, sizeof err);
        } else {
                _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return log_errno(errno, "--seccomp-profile: can't open %s", file), -1;
                r = read_all(fd, &data, &len, 4u << 20);
                if (r < 0)
                        return log_errno(r, "--seccomp-profile: can't read %s", file), -1;
                r = profile_compile(data, len, file, caps, &prog, err, sizeof err);
        }
        if (r < 0)
                return log_error("--seccomp-profile: %s", err), -1;
        add_program(p, &prog, true);
        return 0;
}

/* Every seccomp program, in the order they are loaded: the terminal guard
 * that every sandbox gets, the programs from fds, then the profiles. */
static int build_programs(struct plan *p)
{
        struct bpf_prog guard;

        if (p->seccomp_fd_prog.insns && p->n_added_progs)
                return log_error("--seccomp: can't be combined with --add-seccomp-fd"), -1;
        if (p->seccomp_export && p->n_profiles != 1)
                return log_error("--seccomp-export: needs exactly one --seccomp-profile"), -1;
        if (!p->seccomp_export) {
                guard = copy_program(&precompiled_tty_guard);
                add_program(p, &guard, true);
        }
        if (p->seccomp_fd_prog.insns)
                add_program(p, &p->seccomp_fd_prog, false);
        for (size_t i = 0; i < p->n_added_progs; i++)
                add_program(p, &p->added_progs[i], false);
        for (size_t i = 0; i < p->n_profiles; i++)
                if (compile_profile(p, p->profiles[i]) < 0)
                        return -1;
        if (plan_reports(p) && !p->seccomp_export &&
            notify_build(p->programs, p->program_ours, p->n_programs, &p->report_programs, &p->n_report_programs) < 0)
                return -1;
        return 0;
}

int plan_validate(struct plan *p)
{
        char *cwd = getcwd(NULL, 0);
        int try_err = 0;

        p->caller_cwd = cwd; /* may be NULL if it was removed */

        /* Namespaces. */
        if (p->n_forwards && p->net_mode != NET_PASTA)
                return log_error("--forward: needs --net pasta"), -1;
        /* pasta would give the sandbox a way around the proxy. */
        if (p->n_allow_hosts && p->net_mode == NET_PASTA)
                return log_error("--allow-host: can't be combined with --net pasta: the sandbox reaches the network "
                                 "only through the proxy"),
                       -1;
        /* pasta runs outside, as the caller: out of the sandbox's sight, so
         * that nothing in it can signal or ptrace it (netpasta.h). */
        /* The same for the monitor when its proxy serves the sandbox: a
         * sandbox of the caller's uid that can name it could stop it, and
         * hang or end itself without its status. (Not for --report: pid 1's
         * memory is out of the monitor's sight, so it could not look at the
         * command's exec; the man page says what a report without a pid
         * namespace lets the sandbox do.) */
        if (p->net_mode == NET_PASTA || p->n_allow_hosts)
                p->clone_flags |= CLONE_NEWPID;
        if (p->unshare_cgroup_try && access("/proc/self/ns/cgroup", F_OK) == 0)
                p->clone_flags |= CLONE_NEWCGROUP;
        /* Joining a user namespace replaces making one. */
        if (p->userns_fd >= 0) {
                if (p->clone_flags & CLONE_NEWUSER)
                        return log_error("--userns: can't be combined with --unshare-user"), -1;
                if (p->uid_set || p->gid_set)
                        return log_error("--userns: can't be combined with --uid or --gid"), -1;
                if (p->disable_userns)
                        return log_error("--disable-userns: can't be combined with --userns"), -1;
        } else if (p->caller_uid != 0) {
                /* Without privilege, nothing works without a user namespace. */
                p->clone_flags |= CLONE_NEWUSER;
        } else if (p->unshare_user_try && !(p->clone_flags & CLONE_NEWUSER)) {
                try_err = userns_try_create();
                if (try_err == 0)
                        p->clone_flags |= CLONE_NEWUSER;
        }
        if (try_err < 0) {
                const char *why =
                        try_err == -ENOSPC ? "the limit of user namespaces is reached (or 0)" : strerror(-try_err);
                const char *needs = p->disable_userns                       ? "--disable-userns"
                                    : p->userns_block_fd >= 0               ? "--userns-block-fd"
                                    : p->uid_set && p->uid != p->caller_uid ? "--uid"
                                    : p->gid_set && p->gid != p->caller_gid ? "--gid"
                                                                            : NULL;
                if (needs)
                        return log_error("%s: needs a user namespace, which the kernel refused (%s)", needs, why), -1;
                log_warning("--unshare-user-try: the kernel refused a user namespace (%s); going on without one", why);
        }
        /* Many ids: they make a user namespace, and settle the ids the
         * command runs as. */
        if (idmap_settle(p) < 0)
                return -1;
        if (p->disable_userns && !(p->clone_flags & CLONE_NEWUSER))
                return log_error("--disable-userns: needs --unshare-user"), -1;
        if (p->userns_block_fd >= 0) {
                if (!(p->clone_flags & CLONE_NEWUSER))
                        return log_error("--userns-block-fd: needs --unshare-user"), -1;
                if (p->info_fd < 0 && p->json_status_fd < 0)
                        return log_error("--userns-block-fd: needs --info-fd or --json-status-fd"), -1;
        }

        /* Identity. */
        if (!p->uid_set)
                p->uid = p->caller_uid;
        if (!p->gid_set)
                p->gid = p->caller_gid;
        if (!(p->clone_flags & CLONE_NEWUSER)) {
                if (p->uid != p->caller_uid)
                        return log_error("--uid: needs --unshare-user"), -1;
                if (p->gid != p->caller_gid)
                        return log_error("--gid: needs --unshare-user"), -1;
        }
        if (p->hostname && !(p->clone_flags & CLONE_NEWUTS))
                return log_error("--hostname: needs --unshare-uts"), -1;
        if (p->as_pid_1 && !(p->clone_flags & CLONE_NEWPID))
                return log_error("--as-pid-1: needs --unshare-pid"), -1;

        if (build_programs(p) < 0)
                return -1;
        if (landlock_settle(p) < 0)
                return -1;
        if ((p->monotonic_offset || p->boottime_offset) && !p->unshare_time)
                return log_error("%s: needs --unshare-time",
                                 p->monotonic_offset ? "--monotonic-offset" : "--boottime-offset"),
                       -1;

        /* Sources are host paths; relative ones are relative to where the
         * caller stands. */
        for (size_t i = 0; i < p->n_ops; i++) {
                struct fs_op *op = &p->ops[i];
                int r = 0;

                if (op->kind == FS_BIND || (op->kind == FS_OVERLAY && op->overlay == OVERLAY_RW)) {
                        r |= make_absolute(op, &op->src, cwd);
                        r |= make_absolute(op, &op->work, cwd);
                }
                for (size_t j = 0; j < op->n_layers; j++)
                        r |= make_absolute(op, &op->layers[j], cwd);
                if (r)
                        return -1;
        }
        /* After the sources are absolute: binds of the host's /proc and
         * /sys are recognised by their source paths. */
        return unmask_check(p);
}
