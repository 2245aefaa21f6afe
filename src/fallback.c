/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --fallback landlock (see fallback.h). What a bind grants is derived from
 * the plan as --landlock does it, but on the host's own paths, so only a
 * bind whose source is its destination can be honoured. */
#include "fallback.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf.h"
#include "caps.h"
#include "exechint.h"
#include "hostcause.h"
#include "hostprobe.h"
#include "keyring.h"
#include "label.h"
#include "landlock.h"
#include "log.h"
#include "plan.h"
#include "rlimits.h"
#include "util.h"

extern char **environ;

static const char *const part_names[PART_COUNT] = {
        "root", "tmpfs", "dev", "proc", "hidden", "files",  "dest", "overlay", "read-only",
        "ids",  "pid",   "net", "ipc",  "uts",    "cgroup", "time", "limits",  "coordination",
};

int fallback_part_parse(const char *name, unsigned *mask)
{
        if (strcmp(name, "all") == 0) {
                *mask = (1u << PART_COUNT) - 1;
                return 0;
        }
        for (int i = 0; i < PART_COUNT; i++)
                if (strcmp(name, part_names[i]) == 0) {
                        *mask = 1u << i;
                        return 0;
                }
        return -1;
}

const char *fallback_part_list(void)
{
        return "root, tmpfs, dev, proc, hidden, files, dest, overlay, read-only, ids, pid, net, ipc, uts, cgroup, "
               "time, limits, coordination, all";
}

static struct probe_result probe;

bool fallback_needed(const struct plan *p)
{
        hostprobe_sandbox(p->clone_flags, false, &probe);
        return hostprobe_first_failure(&probe) != STEP_COUNT;
}

/* What the fallback grants and what it can't do. */
struct gaps {
        const struct plan *plan;
        struct landlock_path *paths;
        size_t n_paths;
        int required; /* the first gap that --require forbids, or -1 */
        char required_text[512];
};

static void gap(struct gaps *g, enum fallback_part part, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void gap(struct gaps *g, enum fallback_part part, const char *fmt, ...)
{
        char text[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        log_warning("warning: --fallback landlock: not enforced (%s): %s", part_names[part], text);
        if (g->required < 0 && (g->plan->require & (1u << part))) {
                g->required = part;
                snprintf(g->required_text, sizeof g->required_text, "%s", text);
        }
}

/* Whether an operation after the i-th mounts on its destination or above
 * it: the plan hides what the i-th put there, so the fallback grants nothing
 * for it either. */
static bool covered_later(const struct plan *p, size_t i)
{
        for (size_t j = i + 1; j < p->n_ops; j++)
                if (plan_op_mounts(&p->ops[j]) && path_startswith(p->ops[i].dest, p->ops[j].dest))
                        return true;
        return false;
}

static void grant(struct gaps *g, const char *path, enum landlock_rights rights, const char *flag)
{
        g->paths = xrealloc(g->paths, sizeof *g->paths * (g->n_paths + 1));
        g->paths[g->n_paths++] = (struct landlock_path){.path = (char *) path, .rights = rights, .flag = flag};
}

/* Whether the command, looking up dest on the host, finds src itself. */
static bool same_place(const char *src, const char *dest)
{
        struct stat a, b;

        return stat(src, &a) == 0 && stat(dest, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void derive_op(struct gaps *g, size_t i)
{
        const struct fs_op *op = &g->plan->ops[i];
        static const char *const dev_nodes[] = {"/dev/null",   "/dev/zero",    "/dev/full",
                                                "/dev/random", "/dev/urandom", "/dev/tty"};

        switch (op->kind) {
        case FS_BIND:
                if (((op->flags & BIND_TRY) && access(op->src, F_OK) != 0) || covered_later(g->plan, i))
                        break;
                if (!same_place(op->src, op->dest))
                        gap(g, PART_DEST, "%s %s %s: without a mount, %s can't appear at %s", op->flag, op->src,
                            op->dest, op->src, op->dest);
                else
                        grant(g, op->src, (op->flags & BIND_READONLY) ? LANDLOCK_EXEC : LANDLOCK_WRITE, op->flag);
                break;
        case FS_REMOUNT_RO:
                gap(g, PART_READONLY, "--remount-ro %s: what a bind made writable stays so", op->dest);
                break;
        case FS_TMPFS:
        case FS_MQUEUE:
                gap(g, PART_TMPFS, "%s %s: no private tmpfs; what is there is the host's, as far as a bind grants it",
                    op->flag, op->dest);
                break;
        case FS_OVERLAY:
                gap(g, PART_OVERLAY, "%s %s: no overlay; what is there is the host's, as far as a bind grants it",
                    op->flag, op->dest);
                break;
        case FS_DIR:
        case FS_SYMLINK:
        case FS_FILE:
        case FS_BIND_DATA:
        case FS_BIND_FD:
        case FS_CHMOD: gap(g, PART_FILES, "%s %s: nothing is made or changed there", op->flag, op->dest); break;
        case FS_MASK: gap(g, PART_HIDDEN, "--mask %s: it is not hidden", op->dest); break;
        case FS_PROC:
                gap(g, PART_PROC, "--proc %s: no private procfs; the host's /proc is readable instead", op->dest);
                gap(g, PART_HIDDEN, "--proc %s: the host's /proc is not masked", op->dest);
                if (path_equal(op->dest, "/proc"))
                        grant(g, "/proc", LANDLOCK_EXEC, op->flag);
                break;
        case FS_SYS:
                gap(g, PART_HIDDEN, "--sys %s: the host's /sys is readable instead, not masked", op->dest);
                if (path_equal(op->dest, "/sys"))
                        grant(g, "/sys", LANDLOCK_READ, op->flag);
                break;
        case FS_DEV:
                gap(g, PART_DEV,
                    "--dev %s: no private /dev; the host's null, zero, full, random, urandom and tty "
                    "are reachable instead",
                    op->dest);
                for (size_t k = 0; path_equal(op->dest, "/dev") && k < ARRAY_SIZE(dev_nodes); k++)
                        if (access(dev_nodes[k], F_OK) == 0)
                                grant(g, dev_nodes[k], LANDLOCK_WRITE, op->flag);
                break;
        }
}

/* Landlock only adds rights: a read-only bind inside a writable one stays
 * writable. */
static void read_only_inside_writable(struct gaps *g)
{
        for (size_t i = 0; i < g->n_paths; i++)
                for (size_t j = 0; g->paths[i].rights != LANDLOCK_WRITE && j < g->n_paths; j++)
                        if (g->paths[j].rights == LANDLOCK_WRITE &&
                            path_startswith(g->paths[i].path, g->paths[j].path)) {
                                gap(g, PART_READONLY,
                                    "%s %s: it lies inside %s, which is writable, and Landlock only adds rights",
                                    g->paths[i].flag, g->paths[i].path, g->paths[j].path);
                                break;
                        }
}

static void derive_plan(struct gaps *g)
{
        const struct plan *p = g->plan;
        static const struct {
                int flag;
                enum fallback_part part;
                const char *text;
        } ns[] = {
                {CLONE_NEWPID, PART_PID,
                 "--unshare-pid: the host's processes are visible, and those of this user can be signalled"},
                {CLONE_NEWNET, PART_NET, "--unshare-net: the host's network is reachable"},
                {CLONE_NEWIPC, PART_IPC, "--unshare-ipc: the host's System V IPC is reachable"},
                {CLONE_NEWUTS, PART_UTS, "--unshare-uts: the hostname is the host's"},
                {CLONE_NEWCGROUP, PART_CGROUP, "--unshare-cgroup: the host's cgroup tree is visible"},
        };

        gap(g, PART_ROOT, "a private root: paths outside the binds can't be opened, but their names can be seen");
        for (size_t i = 0; i < p->n_ops; i++)
                derive_op(g, i);
        read_only_inside_writable(g);
        for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
                if (p->clone_flags & ns[i].flag)
                        gap(g, ns[i].part, "%s", ns[i].text);
        if (p->unshare_time)
                gap(g, PART_TIME, "--unshare-time: the clocks are the host's");
        if (p->clone_flags & CLONE_NEWUSER)
                gap(g, PART_IDS, "no user namespace: the command runs as uid %u with the caller's groups",
                    (unsigned) p->caller_uid);
        if (p->caller_uid == 0 && (p->clone_flags & CLONE_NEWUSER) && plan_command_caps(p))
                gap(g, PART_IDS,
                    "the capabilities the command would hold in its user namespace: it gets none, as "
                    "they would be the host's");
        if (p->caller_uid != 0 && p->caps_given && p->caps)
                gap(g, PART_IDS, "--cap-add: without a user namespace there are no capabilities to give");
        if (p->memory_max || p->pids_max || p->cpu_max_percent || p->timeout)
                gap(g, PART_LIMITS, "--memory-max, --pids-max, --cpu-max and --timeout: no monitor enforces them");
        if (p->info_fd >= 0 || p->json_status_fd >= 0 || p->sync_fd >= 0 || p->block_fd >= 0 ||
            p->userns_block_fd >= 0 || p->n_lock_files || p->userns_fd >= 0 || p->pidns_fd >= 0)
                gap(g, PART_COORD, "the status and sync fds, lock files and joined namespaces are not honoured");
}

/* Where the command starts, as the sandbox chooses it. */
static const char *enter_cwd(const struct plan *p)
{
        const char *home = plan_getenv(p, "HOME");

        if (p->chdir_path) {
                if (chdir(p->chdir_path) < 0)
                        die_errno(errno, "--chdir: can't change to %s", p->chdir_path);
                return p->chdir_path;
        }
        if (p->caller_cwd && chdir(p->caller_cwd) == 0)
                return p->caller_cwd;
        if (home && chdir(home) == 0)
                return home;
        if (chdir("/") < 0)
                die_errno(errno, "can't change to /");
        return "/";
}

int fallback_run(const struct plan *p)
{
        struct gaps g = {.plan = p, .required = -1};
        enum probe_step bad = hostprobe_first_failure(&probe);
        struct plan view = *p;
        struct host_cause c;
        char **argv;
        const char *cwd;

        if (bad == STEP_USERNS)
                hostcause_userns(probe.err[bad], &c);
        else if (bad == STEP_MOUNTNS || bad == STEP_OTHER_NS)
                hostcause_namespaces(probe.err[bad], &c);
        else
                hostcause_mount(probe.err[bad], bad == STEP_MAPS, &c);
        log_warning("warning: --fallback landlock: the host refuses the namespaces (%s: %s); running the command "
                    "with Landlock, seccomp, rlimits and no_new_privs alone",
                    strerror(probe.err[bad]), c.why);
        derive_plan(&g);
        if (g.required >= 0 || landlock_abi() < 1 || g.n_paths == 0) {
                if (g.required >= 0)
                        log_error("--require %s: --fallback landlock can't enforce it here (%s)",
                                  part_names[g.required], g.required_text);
                else if (landlock_abi() < 1)
                        log_error("--fallback landlock: this kernel has no Landlock, so nothing would enforce the "
                                  "filesystem plan");
                else
                        log_error("--fallback landlock: the plan binds nothing onto its own path, so the command "
                                  "could reach nothing, not even itself");
                free(g.paths);
                return 1;
        }
        view.landlock = false;
        view.landlock_paths = g.paths;
        view.n_landlock_paths = g.n_paths;

        if (p->die_with_parent)
                prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (p->new_session && setsid() < 0)
                die_errno(errno, "--new-session: setsid failed");
        if (keyring_new_session() < 0)
                return 1;
        cwd = enter_cwd(p);
        if (rlimits_apply(p) < 0 || rlimits_apply_nproc(p) < 0)
                return 1;
        /* A caller who is not root has none to give, nor may it change its
         * bounding set; root's are set as the plan says. */
        if (p->caller_uid != 0) {
                int r = caps_clear();
                if (r < 0) /* ambient ones would survive the exec */
                        return log_errno(r, "can't drop the caller's capabilities"), 1;
        } else {
                /* Capabilities meant for a user namespace would be the host's
                 * here: none, bounding set included, so exec as uid 0 regains
                 * none. */
                struct plan none = *p;
                none.caps_given = true;
                none.caps = 0;
                if (caps_apply((p->clone_flags & CLONE_NEWUSER) ? &none : p, false) < 0)
                        return log_error("can't set the command's capabilities"), 1;
        }
        if (label_exec(p->exec_label) < 0)
                return 1;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_errno(errno, "can't set no_new_privs"), 1;
        if (landlock_apply(&view) < 0)
                return 1;
        free(g.paths);
        environ = plan_command_env(p, cwd);
        for (size_t i = 0; i < p->n_programs; i++) {
                int r = bpf_load(&p->programs[i]);
                if (r < 0)
                        die_errno(r, "can't load seccomp program %zu of %zu", i + 1, p->n_programs);
        }
        argv = xcalloc(p->argc + 1, sizeof(char *));
        memcpy(argv, p->argv, p->argc * sizeof(char *));
        if (p->argv0)
                argv[0] = p->argv0;
        execvp(p->argv[0], argv);
        exechint_die(p, errno, p->argv[0]);
}
