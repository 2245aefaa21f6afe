/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The launch, from the top: which process does what, in which order. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "idmap.h"
#include "hostcause.h"
#include "keyring.h"
#include "landlock.h"
#include "log.h"
#include "monitor.h"
#include "net.h"
#include "netpasta.h"
#include "pid1.h"
#include "plan.h"
#include "process.h"
#include "reaper.h"
#include "rootfs.h"
#include "status.h"
#include "timens.h"
#include "userns.h"
#include "util.h"
#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

extern char **environ;

/* The stack of a sandbox process that runs in our memory, as large as a
 * main thread's usually is (execvp's fallback for scripts puts the whole
 * argument vector on it): only the pages it touches are ever allocated. A
 * guard below it, wider than any frame of ours, stops an overflow. */
#define SANDBOX_STACK_SIZE  (8 * 1024 * 1024)
#define SANDBOX_STACK_GUARD (256 * 1024)

/* What the launch learns about the caller before it forks. */
struct launch_ctx {
        const struct plan *plan;
        pid_t monitor;
        int monitor_pidfd; /* to notice the monitor's death from any pid namespace */
        sigset_t saved_mask;
        mode_t saved_umask;
        char *console;     /* the terminal on stdout, for --dev */
        int report[2];     /* sandbox -> monitor: its namespaces, and the command's word (see mon-report.c) */
        int reaper_fds[8]; /* lock files held by the reaper */
        size_t n_reaper_fds;
        struct cgroup cgroup; /* ours, when cgroup limits are asked for */
        bool shares_memory;   /* the sandbox's first process runs in our memory until it execs */
        int release[2];       /* pipe: its write end closes when nothing of the sandbox runs in our memory */
        bool own_memory_only; /* no process may share our memory (sanitizers, valgrind) */
        int self_exe;         /* our own file, for a reaper without the freestanding image */
        int exec_note[2];     /* pipe: the command's process notes its exec (see status_exec_note) */
        int idmap_sync[2];    /* pipe: the monitor wrote the sandbox's maps of many ids (idmap.h) */
        int proxy[2];         /* --allow-host: the sandbox hands the proxy's listening socket to the monitor */
        int net[2];           /* --net pasta: monitor <-> sandbox (see netpasta.h) */
};

/* Change to the working directory the command starts in, and return it:
 * --chdir, else the caller's own if it exists inside, else $HOME, else /.
 * With the capabilities the command will have, as bwrap does it: a
 * directory it may not enter is not entered for it. */
static const char *enter_cwd(const struct plan *p)
{
        const char *home = plan_getenv(p, "HOME");
        const char *cwd = NULL;
        int r = caps_act_as_command(p, plan_in_userns(p));

        if (r < 0)
                die_errno(r, "can't lower the capabilities to enter the working directory");
        if (p->chdir_path) {
                if (chdir(p->chdir_path) < 0) {
                        if (log_is_bwrap())
                                die_errno(errno, "Can't chdir to %s", p->chdir_path);
                        die_errno(errno, "--chdir: can't change to %s", p->chdir_path);
                }
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
        r = caps_act_as_self();
        if (r < 0)
                die_errno(r, "can't raise the capabilities again");
        return cwd;
}

/* --lock-file: a read lock on each file, taken inside the finished root and
 * held by the reaper (or, with --as-pid-1, by the command) while it lives. */
static void take_locks(struct launch_ctx *ctx)
{
        const struct plan *p = ctx->plan;

        for (size_t i = 0; i < p->n_lock_files; i++) {
                struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
                int fd = open(p->lock_files[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);

                if (fd < 0)
                        die_errno(errno, "--lock-file: can't open %s", p->lock_files[i]);
                if (fcntl(fd, F_SETLK, &fl) < 0)
                        die_errno(errno, "--lock-file: can't lock %s", p->lock_files[i]);
                if (ctx->n_reaper_fds == ARRAY_SIZE(ctx->reaper_fds))
                        die("--lock-file: at most %zu lock files", ARRAY_SIZE(ctx->reaper_fds));
                ctx->reaper_fds[ctx->n_reaper_fds++] = fd;
        }
}

/* Close, in this process only, an fd the plan names (-1: none). */
static void close_plan_fd(int fd)
{
        if (fd >= 0)
                close(fd);
}

/* The namespaces we are in, for --info-fd and --json-status-fd: sent at once
 * where the caller needs our pid during setup (--userns-block-fd), else
 * kept for pid 1 to send once the command has started (see pid1.c). The
 * kernel attaches our pid, as the monitor sees it, to the message. */
static void report_namespaces(struct launch_ctx *ctx, struct pid1 *s, int proc_fd)
{
        const struct plan *p = ctx->plan;

        if (ctx->report[1] < 0 || (p->info_fd < 0 && p->json_status_fd < 0))
                return;
        ns_report_collect(&s->ns, p->clone_flags | CLONE_NEWNS, proc_fd);
        if (p->userns_block_fd >= 0) {
                ns_report_send(ctx->report[1], &s->ns);
                return;
        }
        s->ns_pending = s->ns_collected = true;
}

/* First process in the new namespaces. */
static _Noreturn void sandbox_main(struct launch_ctx *ctx)
{
        const struct plan *p = ctx->plan;
        struct rootfs rfs = {.plan = p,
                             .empty_fd = -1,
                             .oldroot_fd = -1,
                             .newroot_fd = -1,
                             .console = ctx->console,
                             .new_pidns = !!(p->clone_flags & CLONE_NEWPID),
                             .in_userns = plan_in_userns(p),
                             .tunables_guarded = plan_tunables_guarded(p),
                             .file_label = p->file_label};
        struct pid1 s = {.plan = p,
                         .saved_mask = ctx->saved_mask,
                         .saved_umask = ctx->saved_umask,
                         .shares_memory = ctx->shares_memory,
                         .release_fd = ctx->release[1],
                         .fork_command = ctx->own_memory_only,
                         .monitor_pidfd = -1,
                         .host_proc = -1,
                         .self_exe = ctx->self_exe,
                         .report_fd = -1,
                         .exec_note_fd = ctx->exec_note[1],
                         .proxy_fd = -1};
        /* When the mounts get locked, the mount namespace the command runs in
         * is made at the end (by pid 1 with --disable-userns or Landlock,
         * else by the command): report it then, unless the caller needs our
         * pid first, to write our id maps. */
        const bool report_late = plan_locks_mounts(p) && p->userns_block_fd < 0;
        bool lock;

        /* Into our cgroup before anything else runs, so nothing escapes it. */
        if (ctx->cgroup.procs_fd >= 0 && cgroup_join(&ctx->cgroup) < 0)
                _exit(1);
        /* What only the monitor writes to or already used. The reaper may
         * not exec, so close-on-exec alone could leave these with it. */
        closep(&ctx->cgroup.procs_fd);
        close_plan_fd(p->info_fd);
        close_plan_fd(p->json_status_fd);
        close_plan_fd(p->report_fd);
        close_plan_fd(p->learn_fd);
        close_plan_fd(p->userns_fd);
        close_plan_fd(p->pidns_fd);
        /* In a new pid namespace getppid() is 0 whatever happens: ask the
         * monitor's pidfd instead. */
        die_with_parent(ctx->monitor_pidfd, ctx->monitor);
        /* Nothing in the sandbox gets a handle on the monitor, but a reaper
         * that must clean up when it dies keeps one, out of reach. */
        if (!plan_reaper_cleans_up(p))
                closep(&ctx->monitor_pidfd);
        s.monitor_pidfd = ctx->monitor_pidfd;
        /* The monitor made us non-dumpable. Callers that read --info-fd open
         * our /proc/PID/ns files during setup (to join our network namespace,
         * say), so we become dumpable again: nothing sandboxed runs yet, and
         * the command won't start until we are out of its reach (see pid1.c).
         * Not in a user namespace the caller handed us, though: processes of
         * another sandbox live there and must not ptrace us while we hold
         * capabilities in it. */
        if (p->userns_fd < 0)
                prctl(PR_SET_DUMPABLE, 1);
        /* Inherited by the reaper and the command alike. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                die_errno(errno, "can't set no_new_privs");
        umask(0); /* modes of what setup makes are exactly the ones asked for */
        if (ctx->report[0] >= 0)
                close(ctx->report[0]);
        closep(&ctx->exec_note[0]);
        closep(&ctx->proxy[0]);
        closep(&ctx->net[0]);
        if (!report_late)
                report_namespaces(ctx, &s, -1);

        /* Identity. */
        if (p->clone_flags & CLONE_NEWUSER) {
                int r = p->maps_wide              ? idmap_await(p, ctx->idmap_sync)
                        : p->userns_block_fd >= 0 ? userns_wait_for_maps(p)
                                                  : userns_write_maps(p);
                if (r < 0)
                        _exit(1);
        }
        if ((plan_clone_flags(p) & CLONE_NEWNET) && net_loopback_up() < 0)
                _exit(1);
        /* pasta starts while setup goes on (waited for below). */
        if (ctx->net[1] >= 0 && netpasta_send_namespaces(ctx->net[1]) < 0)
                _exit(1);
        if (keyring_new_session() < 0)
                _exit(1);
        if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
                die_errno(errno, "--hostname: can't set hostname %s", p->hostname);

        /* The new root. */
        if (rootfs_enter(&rfs) < 0 || rootfs_apply(&rfs, p) < 0)
                _exit(1);
        /* What is done after the switch and needs a procfs uses the host's. */
        if (p->disable_userns || p->unshare_time || plan_locks_mounts(p) || plan_reaper_cleans_up(p)) {
                s.host_proc = open("/oldroot/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (s.host_proc < 0)
                        die_errno(errno, "can't open /proc");
        }
        if (rootfs_finish(&rfs) < 0)
                _exit(1);

        /* Lock down the namespaces themselves, and the finished mounts. */
        if (p->unshare_time && timens_enter(p, s.host_proc) < 0)
                _exit(1);
        /* The command holds CAP_SYS_ADMIN here as uid 0, or as any uid it
         * was given; a --userns-block-fd caller may have mapped us to
         * another. Then its mounts must be locked: with --disable-userns in
         * the nested namespace we all move to, else in one of the command's
         * own (see pid1.c), so that pid 1 stays in the namespace that owns
         * the sandbox's others, for callers that join them through it. */
        lock = plan_locks_mounts(p) && (p->caps_given || p->userns_block_fd < 0 || getuid() == 0);
        /* The command writes its id maps through the host's procfs, which a
         * Landlock domain would refuse it: with Landlock, pid 1 moves into
         * the nested namespaces before it, and the command with it. */
        s.nest_command = lock && !p->disable_userns && !landlock_wanted(p);
        if ((p->disable_userns || (lock && !s.nest_command)) &&
            (userns_nest(p, s.host_proc, lock) < 0 ||
             (lock && (userns_nest_flags(p) & CLONE_NEWNET) && net_loopback_up() < 0)))
                _exit(1);
        /* The network namespace is the command's now, unless the command
         * makes it again as it locks its mounts: the proxy's socket goes
         * there (see pid1.c's lock_mounts). */
        if (lock && s.nest_command)
                s.proxy_fd = take_fd(&ctx->proxy[1]);
        else if (net_proxy_hand_over(take_fd(&ctx->proxy[1])) < 0)
                _exit(1);
        if (report_late && !s.nest_command)
                report_namespaces(ctx, &s, s.host_proc);
        /* else pid 1 reports once the command has locked its mounts */
        if (report_late && s.nest_command && (p->info_fd >= 0 || p->json_status_fd >= 0))
                s.ns_pending = true;
        s.report_fd = ctx->report[1];
        /* The last id maps are written: memory we share with the monitor
         * goes back to non-dumpable (see can_share_memory). */
        if (ctx->shares_memory)
                prctl(PR_SET_DUMPABLE, 0);
        if (p->userns2_fd >= 0 && setns(p->userns2_fd, CLONE_NEWUSER) < 0)
                die_errno(errno, "--userns2: can't enter the user namespace");
        close_plan_fd(p->userns2_fd);

        /* Nothing of the command runs before its network is up. */
        if (ctx->net[1] >= 0 && netpasta_wait_ready(ctx->net[1]) < 0)
                _exit(1);
        closep(&ctx->net[1]);
        s.cwd = enter_cwd(p);
        take_locks(ctx);
        s.lock_fds = ctx->reaper_fds;
        s.n_lock_fds = ctx->n_reaper_fds;
        /* Landlock last: it covers pid 1 too, and is built from the finished
         * root. */
        if (landlock_apply(p) < 0)
                _exit(1);
        pid1_run(&s);
}

/* Outside, before the fork: join namespaces the caller handed us. */
static int join_namespaces(const struct plan *p)
{
        /* The user namespace first: joining a pid namespace takes
         * CAP_SYS_ADMIN in the user namespace that owns it. */
        if (p->userns_fd >= 0 && setns(p->userns_fd, CLONE_NEWUSER) < 0)
                return log_errno(errno, "--userns: can't join the user namespace"), -1;
        if (p->pidns_fd >= 0 && setns(p->pidns_fd, CLONE_NEWPID) < 0)
                return log_errno(errno, "--pidns: can't join the pid namespace"), -1;
        return 0;
}

static int open_report_channel(int fds[2])
{
        int on = 1;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
                return -1;
        return setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

static pid_t clone_sandbox(const struct plan *p)
{
        return (pid_t) syscall(SYS_clone, (unsigned long) (plan_clone_flags(p) | CLONE_NEWNS | SIGCHLD), NULL, NULL,
                               NULL, 0);
}

/* Sanitizers keep state per thread, and take a process that shares our
 * memory for a thread that switched stacks without saying so. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer) ||          \
        __has_feature(hwaddress_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Whether the sandbox's first process may run in our memory: until it execs
 * the command, or until it has started the command and exec'd the reaper
 * (reap_beside_monitor). The reaper's own loop may stay in our memory when
 * its exec is refused, and is then kept away from the sandbox by our
 * memory's user namespace: the sandbox must have a user namespace of its
 * own. The monitor must have nothing to do while it waits: no status to
 * report, nothing the caller waits on, no timeout, and, if its parent's death
 * is to end it, no cgroup to remove (reaper_await_release leaves at once).
 * Not in a user namespace the caller handed us either: other processes live
 * there (see sandbox_main). Not with --report, whose listener the monitor
 * serves from the first seccomp program on. Nor with --unshare-time: the kernel lets only a
 * process that shares its memory with no other enter a time namespace.
 * Sanitizer builds keep to a process of their own (the code that runs is the
 * same), and so does a launch under valgrind. Without the freestanding
 * reaper, the monitor is suspended as by vfork, and can't act on its parent's
 * death. */
static bool processes_may_share_memory(void)
{
#ifdef RUNNING_ON_VALGRIND
        if (RUNNING_ON_VALGRIND) /* it takes the clone for a thread it can't make */
                return false;
#endif
#if defined(SANITIZED)
        return false;
#else
        return true;
#endif
}

static bool can_share_memory(const struct plan *p)
{
        bool reaper_ok = HAVE_REAPER_IMAGE && (p->clone_flags & CLONE_NEWUSER);
        bool death_ok = HAVE_REAPER_IMAGE && !cgroup_wanted(p);

        return processes_may_share_memory() && (!plan_needs_reaper(p) || reaper_ok) &&
               (!p->die_with_parent || death_ok) && p->pidns_fd < 0 && p->userns_fd < 0 && p->info_fd < 0 &&
               p->json_status_fd < 0 && p->block_fd < 0 && p->userns_block_fd < 0 && p->timeout == 0 &&
               !p->unshare_time && !p->maps_wide && !plan_reports(p) && p->net_mode != NET_PASTA;
}

/* On a copy of the context: what the sandbox changes in it (the fds it
 * closes) is not the monitor's business. */
static int sandbox_entry(void *arg)
{
        struct launch_ctx ctx = *(struct launch_ctx *) arg;

        closep(&ctx.release[0]);
        sandbox_main(&ctx);
}

static void on_parent_death(int sig)
{
        (void) sig; /* only to interrupt reaper_await_release */
}

/*
 * The sandbox's first process, sharing our memory, as vfork does, on a stack
 * of its own. A new address space costs a copy of the page tables and then a
 * fault for every page either side touches, which on a virtual machine with
 * shadow page tables is the largest part of a launch's setup: setup runs in
 * ours, which is warm. We wait, touching nothing it uses, until it and the
 * command it forks have exec'd or exited (see reaper_await_release); a parent's
 * death on the way still takes the sandbox down.
 * It works on its own copy of the launch context; what else it writes we no
 * longer use after it is gone (libcap-ng's state, memory it allocates), or
 * put back (the environment, the dumpable flag).
 */
static pid_t clone_sandbox_in_our_memory(struct launch_ctx *ctx, pid_t parent)
{
        const struct plan *p = ctx->plan;
        const size_t size = SANDBOX_STACK_SIZE, guard = SANDBOX_STACK_GUARD;
        char **saved_environ = environ;
        char *stack = mmap(NULL, size + guard, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        int flags = (int) (plan_clone_flags(p) | CLONE_NEWNS | CLONE_VM | SIGCHLD);
#if !HAVE_REAPER_IMAGE
        flags |= CLONE_VFORK; /* and no wait of our own */
#endif
        int death_signal = p->die_with_parent ? PARENT_DEATH_SIGNAL : 0;
        bool stays = false;
        pid_t child;

        if (stack == MAP_FAILED)
                return -1;
        if (mprotect(stack + guard, size, PROT_READ | PROT_WRITE) < 0 || /* the bottom stays a guard */
            (HAVE_REAPER_IMAGE && pipe2(ctx->release, O_CLOEXEC) < 0)) {
                munmap(stack, size + guard);
                return -1;
        }
        if (death_signal)
                sigaction(death_signal, &(struct sigaction){.sa_handler = on_parent_death}, NULL);
        ctx->shares_memory = true;
        child = clone(sandbox_entry, stack + guard + size, flags, ctx);
#if HAVE_REAPER_IMAGE
        if (child > 0) /* nothing but system calls until it returns */
                stays = reaper_await_release(ctx->release[0], ctx->release[1], child, death_signal, parent,
                                             plan_reaper_cleans_up(p));
        else
                close(ctx->release[1]);
        close(ctx->release[0]);
#else
        (void) parent;
#endif
        ctx->release[0] = ctx->release[1] = -1;
        ctx->shares_memory = false;
        if (death_signal)
                signal(death_signal, SIG_DFL); /* blocked: the monitor waits for it */
        /* It made our memory dumpable to write its id maps, and may have
         * died before it undid that; it also set the command's environment. */
        prctl(PR_SET_DUMPABLE, 0);
        environ = saved_environ;
        if (!stays) /* else the reaper runs on it */
                munmap(stack, size + guard);
        return child;
}

/* Start the sandbox's first process and return the pid to wait for. A
 * process that joined a pid namespace cannot make a new one inside it
 * (clone refuses CLONE_NEWPID after setns), but a process forked into it
 * can: with --pidns and --unshare-pid, such an intermediate makes the
 * sandbox and relays signals and the exit status, like a monitor. */
static pid_t spawn_sandbox(struct launch_ctx *ctx, pid_t parent)
{
        const struct plan *p = ctx->plan;
        pid_t child, mid;

        if (can_share_memory(p))
                return clone_sandbox_in_our_memory(ctx, parent);
        if (p->pidns_fd < 0 || !(p->clone_flags & CLONE_NEWPID)) {
                child = clone_sandbox(p);
                if (child == 0)
                        sandbox_main(ctx);
                return child;
        }
        mid = fork();
        if (mid != 0)
                return mid;
        die_with_parent(ctx->monitor_pidfd, ctx->monitor);
        child = clone_sandbox(p);
        if (child == 0)
                sandbox_main(ctx);
        if (child < 0) {
                hostcause_log_clone(errno, plan_clone_flags(p));
                _exit(1);
        }
        closep(&ctx->report[1]);
        closep(&ctx->report[0]); /* the monitor above reads it */
        closep(&ctx->proxy[1]);
        closep(&ctx->proxy[0]);
        closep(&ctx->net[0]);
        closep(&ctx->net[1]);
        _exit(monitor_run(child,
                          &(struct monitor_opts){
                                  .plan = p, .relay = true, .report_fd = -1, .proxy_fd = -1, .tty = -1, .net_fd = -1}));
}

/* Write the maps of the sandbox's first process, then let it go on; if
 * that fails, it goes, and nothing of it is left. */
static int map_sandbox(struct launch_ctx *ctx, pid_t child)
{
        int r;

        closep(&ctx->idmap_sync[0]);
        r = idmap_write(ctx->plan, child);
        if (r == 0 && write(ctx->idmap_sync[1], "m", 1) != 1)
                log_errno(errno, "can't tell the sandbox its maps are written"), r = -1;
        closep(&ctx->idmap_sync[1]);
        if (r < 0) {
                kill(child, SIGKILL);
                while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        return r;
}

int launch(const struct plan *p)
{
        struct launch_ctx ctx = {.plan = p,
                                 .monitor = getpid(),
                                 .report = {-1, -1},
                                 .release = {-1, -1},
                                 .exec_note = {-1, -1},
                                 .idmap_sync = {-1, -1},
                                 .proxy = {-1, -1},
                                 .net = {-1, -1}};
        pid_t parent = getppid();
        char pasta[4096];
        struct monitor_opts mo = {.plan = p,
                                  .original_parent = parent,
                                  .proxy_fd = -1,
                                  .cgroup = cgroup_wanted(p) ? &ctx.cgroup : NULL,
                                  .net_fd = -1,
                                  .pasta = pasta};
        pid_t child;
        int code;

        /* Outside: learn about the caller, then arm the monitor. Nothing in
         * the sandbox may ptrace the monitor, which stands in the host's
         * namespaces: make it non-dumpable (the child inherits this too). */
        prctl(PR_SET_DUMPABLE, 0);
        ctx.own_memory_only = !processes_may_share_memory();
        ctx.self_exe = -1;
        if (!HAVE_REAPER_IMAGE && plan_needs_reaper(p))
                ctx.self_exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        ctx.saved_umask = umask(022);
        umask(ctx.saved_umask);
        for (size_t i = 0; i < p->n_ops; i++)
                if (p->ops[i].kind == FS_DEV && isatty(STDOUT_FILENO)) {
                        ctx.console = ttyname(STDOUT_FILENO);
                        break;
                }
        if (p->net_mode == NET_PASTA) {
                if (netpasta_find(pasta, sizeof pasta) < 0)
                        return log_error("--net pasta: pasta is not installed (Debian/Ubuntu package passt)"), 1;
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctx.net) < 0)
                        return log_errno(errno, "can't create a socket pair"), 1;
        }
        if (open_report_channel(ctx.report) < 0)
                return log_errno(errno, "can't create a socket pair"), 1;
        if (p->json_status_fd >= 0 && pipe2(ctx.exec_note, O_CLOEXEC) < 0)
                return log_errno(errno, "can't create a pipe"), 1;
        if (p->maps_wide && pipe2(ctx.idmap_sync, O_CLOEXEC) < 0)
                return log_errno(errno, "can't create a pipe"), 1;
        if (p->n_allow_hosts && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctx.proxy) < 0)
                return log_errno(errno, "can't create a socket pair"), 1;
        if (join_namespaces(p) < 0)
                return 1;
        ctx.cgroup.procs_fd = -1;
        ctx.monitor_pidfd = (int) syscall(SYS_pidfd_open, ctx.monitor, 0);
        if (ctx.monitor_pidfd >= 0)
                fcntl(ctx.monitor_pidfd, F_SETFD, FD_CLOEXEC);
        if (cgroup_wanted(p) && cgroup_create(p, &ctx.cgroup) < 0)
                return 1;
        signals_block(&ctx.saved_mask, p->die_with_parent);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        if (p->die_with_parent)
                prctl(PR_SET_PDEATHSIG, PARENT_DEATH_SIGNAL);

        /* The sandbox: new namespaces, set up from the inside. */
        monitor_note_terminal(&mo);
        child = spawn_sandbox(&ctx, parent);
        closep(&ctx.self_exe);
        if (child < 0) {
                hostcause_log_clone(errno, plan_clone_flags(p));
                return 1;
        }

        /* Its maps of many ids, while it waits: it never runs unmapped. */
        if (p->maps_wide && map_sandbox(&ctx, child) < 0) {
                if (cgroup_wanted(p))
                        cgroup_destroy(&ctx.cgroup);
                return 1;
        }

        /* The monitor. */
        if (ctx.report[1] >= 0)
                close(ctx.report[1]);
        closep(&ctx.exec_note[1]);
        closep(&ctx.proxy[1]);
        mo.proxy_fd = ctx.proxy[0];
        closep(&ctx.net[1]);
        mo.net_fd = ctx.net[0];
        if (ctx.exec_note[0] >= 0)
                fcntl(ctx.exec_note[0], F_SETFL, O_NONBLOCK);
        if (p->sync_fd >= 0)
                close(p->sync_fd); /* the reaper holds it now */
        mo.report_fd = ctx.report[0];
        code = monitor_run(child, &mo);
        closep(&ctx.report[0]);
        closep(&ctx.proxy[0]);
        closep(&ctx.net[0]);
        if (cgroup_wanted(p))
                cgroup_destroy(&ctx.cgroup);
        if (p->json_status_fd >= 0 && status_command_started(ctx.exec_note[0]))
                status_write_exit(p->json_status_fd, code);
        closep(&ctx.exec_note[0]);
        return code;
}
