/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The launch, from the top: which process does what, in which order. */
#include "launch.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"
#include "net.h"
#include "plan.h"
#include "process.h"
#include "rootfs.h"
#include "userns.h"
#include "util.h"

extern char **environ;

/* What the launch learns about the caller before it forks. */
struct launch_ctx {
        const struct plan *plan;
        pid_t monitor;
        sigset_t saved_mask;
        mode_t saved_umask;
        char *console; /* the terminal on stdout, for --dev */
};

/* parent is the pid our parent has as we see it: 0 when it sits outside
 * our pid namespace. */
static void die_with_parent(pid_t parent)
{
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(1); /* it died before we asked to be told */
}

/* Change to the working directory the command starts in, and return it:
 * --chdir, else the caller's own if it exists inside, else $HOME, else /. */
static const char *enter_cwd(const struct plan *p)
{
        const char *home = plan_getenv(p, "HOME");
        const char *cwd = NULL;

        if (p->chdir_path) {
                if (chdir(p->chdir_path) < 0)
                        die_errno(errno, "--chdir: can't change to %s", p->chdir_path);
                cwd = p->chdir_path;
        } else if (p->caller_cwd && chdir(p->caller_cwd) == 0) {
                cwd = p->caller_cwd;
        } else if (home && chdir(home) == 0) {
                cwd = home;
        } else {
                cwd = "/";
                if (chdir("/") < 0)
                        die_errno(errno, "can't change to /");
        }
        return cwd;
}

/* The plan's environment with PWD set to where the command starts. */
static char **command_env(const struct plan *p, const char *cwd)
{
        char **env = xcalloc(p->n_env + 2, sizeof(char *));
        size_t n = 0;

        for (size_t i = 0; i < p->n_env; i++)
                if (strncmp(p->env[i], "PWD=", 4) != 0)
                        env[n++] = p->env[i];
        env[n] = xasprintf("PWD=%s", cwd);
        return env;
}

/* The command's own process: last settings, then exec. */
static _Noreturn void exec_command(const struct launch_ctx *ctx, const char *cwd)
{
        const struct plan *p = ctx->plan;
        char **argv = p->argv;

        if (p->new_session && setsid() < 0)
                die_errno(errno, "--new-session: setsid failed");
        umask(ctx->saved_umask);
        if (caps_apply(p, p->clone_flags & CLONE_NEWUSER) < 0)
                die("can't set the command's capabilities");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                die_errno(errno, "can't set no_new_privs");
        sigprocmask(SIG_SETMASK, &ctx->saved_mask, NULL);

        if (p->argv0) {
                argv = xcalloc(p->argc + 1, sizeof(char *));
                memcpy(argv, p->argv, p->argc * sizeof(char *));
                argv[0] = p->argv0;
        }
        /* PATH is looked up in the sandbox's environment (glibc falls back to
         * /bin:/usr/bin without one), as a client with an empty environment
         * expects. */
        environ = command_env(p, cwd);
        execvp(p->argv[0], argv);
        die_errno(errno, "can't execute %s", p->argv[0]);
}

/* First process in the new namespaces. */
static _Noreturn void sandbox_main(struct launch_ctx *ctx)
{
        const struct plan *p = ctx->plan;
        struct rootfs rfs = {.oldroot_fd = -1,
                             .newroot_fd = -1,
                             .console = ctx->console,
                             .new_pidns = !!(p->clone_flags & CLONE_NEWPID)};
        const char *cwd;

        if (p->die_with_parent)
                die_with_parent(rfs.new_pidns ? 0 : ctx->monitor);
        umask(0); /* modes of what setup makes are exactly the ones asked for */

        if ((p->clone_flags & CLONE_NEWUSER) && userns_write_maps(p) < 0)
                _exit(1);
        if ((p->clone_flags & CLONE_NEWNET) && net_loopback_up() < 0)
                _exit(1);
        if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
                die_errno(errno, "--hostname: can't set hostname %s", p->hostname);

        if (rootfs_enter(&rfs) < 0 || rootfs_apply(&rfs, p) < 0 || rootfs_finish(&rfs) < 0)
                _exit(1);
        cwd = enter_cwd(p);

        if (plan_needs_reaper(p)) {
                pid_t me = getpid();
                pid_t command = fork();
                if (command < 0)
                        die_errno(errno, "can't fork the command");
                if (command > 0)
                        reaper_run(command);
                if (p->die_with_parent)
                        die_with_parent(me);
        }
        exec_command(ctx, cwd);
}

int launch(const struct plan *p)
{
        struct launch_ctx ctx = {.plan = p, .monitor = getpid()};
        pid_t parent = getppid();
        pid_t child;

        /* Outside: learn about the caller, then arm the monitor. */
        ctx.saved_umask = umask(022);
        umask(ctx.saved_umask);
        for (size_t i = 0; i < p->n_ops; i++)
                if (p->ops[i].kind == FS_DEV && isatty(STDOUT_FILENO)) {
                        ctx.console = ttyname(STDOUT_FILENO);
                        break;
                }
        signals_block(&ctx.saved_mask, p->die_with_parent);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        if (p->die_with_parent)
                prctl(PR_SET_PDEATHSIG, PARENT_DEATH_SIGNAL);

        /* The sandbox: new namespaces, set up from the inside. */
        child = (pid_t) syscall(SYS_clone, (unsigned long) (p->clone_flags | CLONE_NEWNS | SIGCHLD), NULL, NULL, NULL,
                                0);
        if (child < 0) {
                log_errno(errno, "can't create the namespaces");
                return 1;
        }
        if (child == 0)
                sandbox_main(&ctx);

        return monitor_run(child, p->die_with_parent, p->new_session, parent);
}
