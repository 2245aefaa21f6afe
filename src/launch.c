/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The launch, from the top: which process does what, in which order. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf.h"
#include "caps.h"
#include "cgroup.h"
#include "keyring.h"
#include "label.h"
#include "landlock.h"
#include "log.h"
#include "net.h"
#include "plan.h"
#include "process.h"
#include "reaper.h"
#include "rlimits.h"
#include "rootfs.h"
#include "status.h"
#include "timens.h"
#include "userns.h"
#include "util.h"
#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

extern char **environ;

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3 */
#endif

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
        int report[2];     /* child -> monitor: its namespaces, for the status fds */
        int reaper_fds[8]; /* lock files held by the reaper */
        size_t n_reaper_fds;
        struct cgroup cgroup; /* ours, when cgroup limits are asked for */
        bool shares_memory;   /* the sandbox's first process runs in our memory until it execs */
        int release[2];       /* pipe: its write end closes when nothing of the sandbox runs in our memory */
};

/* Every process of the sandbox dies with the one that started it, so that
 * nothing outlives the monitor, however it ends (--die-with-parent extends
 * this to the monitor's own parent). The parent may have died before we
 * asked: parent_pidfd (a pidfd, readable once it has exited) tells, or, when
 * it is -1, our parent's pid as we see it. */
static void die_with_parent(int parent_pidfd, pid_t parent)
{
        struct pollfd pfd = {.fd = parent_pidfd, .events = POLLIN};

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (parent_pidfd >= 0 ? poll(&pfd, 1, 0) != 0 : getppid() != parent)
                _exit(1);
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

/* With no reaper, the command itself keeps what the reaper would hold. */
static void keep_across_exec(const struct launch_ctx *ctx)
{
        for (size_t i = 0; i < ctx->n_reaper_fds; i++)
                fcntl(ctx->reaper_fds[i], F_SETFD, 0);
        if (ctx->plan->sync_fd >= 0)
                fcntl(ctx->plan->sync_fd, F_SETFD, 0);
}

/* The command's own process: last settings, then exec. */
static _Noreturn void exec_command(const struct launch_ctx *ctx, const char *cwd)
{
        const struct plan *p = ctx->plan;
        char **argv = p->argv;

        if (p->new_session && setsid() < 0)
                die_errno(errno, "--new-session: setsid failed");
        if (p->block_fd >= 0) {
                char c;
                while (read(p->block_fd, &c, 1) < 0 && errno == EINTR)
                        ;
                close(p->block_fd);
        }
        if (p->assert_userns_disabled && userns_assert_disabled() < 0)
                _exit(1);
        umask(ctx->saved_umask);

        /* Allocate what exec needs first: nothing below runs under --rlimit
         * limits but the last few system calls. */
        if (p->argv0) {
                argv = xcalloc(p->argc + 1, sizeof(char *));
                memcpy(argv, p->argv, p->argc * sizeof(char *));
                argv[0] = p->argv0;
        }
        /* PATH is looked up in the sandbox's environment (glibc falls back to
         * /bin:/usr/bin without one), as a client with an empty environment
         * expects. */
        environ = command_env(p, cwd);

        if (rlimits_apply(p) < 0) /* before the capabilities go: raising a hard limit needs them */
                _exit(1);
        if (caps_apply(p, (p->clone_flags & CLONE_NEWUSER) || p->userns_fd >= 0) < 0)
                die("can't set the command's capabilities");
        if (label_exec(p->exec_label) < 0)
                _exit(1);
        sigprocmask(SIG_SETMASK, &ctx->saved_mask, NULL);
        /* Seccomp last: from here on only exec needs to be allowed. */
        for (size_t i = 0; i < p->n_programs; i++) {
                int r = bpf_load(&p->programs[i]);
                if (r < 0)
                        die_errno(r, "can't load seccomp program %zu of %zu", i + 1, p->n_programs);
        }
        execvp(p->argv[0], argv);
        die_errno(errno, "can't execute %s", p->argv[0]);
}

/* The command's process, below the reaper. vfork: it borrows our memory
 * until it execs, so no page tables are copied at the fork nor torn down at
 * the exec, and no page is copied on write in between, which is most of what
 * a fork costs here. We are suspended until then. It writes only what we no
 * longer use (the environment, libcap-ng's state, its own stack frames below
 * ours), keeps its own fd table and signal mask, and never returns here:
 * exec_command() execs or _exits. */
static pid_t spawn_command(const struct launch_ctx *ctx, const char *cwd)
{
        pid_t me = getpid();
        pid_t command = vfork();

        if (command != 0)
                return command;
        for (size_t i = 0; i < ctx->n_reaper_fds; i++)
                close(ctx->reaper_fds[i]);
        die_with_parent(-1, me);
        exec_command(ctx, cwd);
}

/* Close, in this process only, an fd the plan names (-1: none). */
static void close_plan_fd(int fd)
{
        if (fd >= 0)
                close(fd);
}

/* Tell the monitor which namespaces we are in, for --info-fd. The kernel
 * attaches our pid, as the monitor sees it, to the message. */
static void report_namespaces(struct launch_ctx *ctx)
{
        struct ns_report r;

        if (ctx->report[1] < 0)
                return;
        ns_report_collect(&r, ctx->plan->clone_flags | CLONE_NEWNS);
        (void) !send(ctx->report[1], &r, sizeof r, MSG_NOSIGNAL);
        close(ctx->report[1]);
}

#if HAVE_REAPER_IMAGE
/* A sealed memfd holding the freestanding reaper, or -1. */
static int reaper_image_open(void)
{
        const unsigned seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        int fd = memfd_create("cocoon-reaper", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

        if (fd < 0 && errno == EINVAL) /* before Linux 6.3, every memfd may be exec'd */
                fd = memfd_create("cocoon-reaper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -1;
        if (write(fd, reaper_image, reaper_image_size) != (ssize_t) reaper_image_size ||
            fcntl(fd, F_ADD_SEALS, seals) < 0)
                closep(&fd);
        return fd;
}

/* pid 1, set up in the monitor's memory, with the command started: become
 * the reaper. Exec'ing the freestanding one from a sealed memfd gives it a few
 * pages of its own, while the command starts on the other side, instead of a
 * copy of the monitor's address space made before. The command can read the
 * image through /proc/1/exe but not change it. Where that exec is refused
 * (vm.memfd_noexec=2, an LSM), the same loop runs here, on our own stack,
 * using nothing of the C library that the monitor then goes on using beside
 * us: the monitor's memory stays non-dumpable and owned by the caller's user
 * namespace, out of the reach of anything in the sandbox's. Under a seccomp
 * filter we inherited, which might kill rather than refuse, it runs here
 * without trying. */
static _Noreturn void reap_beside_monitor(struct launch_ctx *ctx, pid_t command)
{
        char pid_env[sizeof REAPER_ENV + 16];
        char *argv[] = {program_invocation_short_name, NULL};
        char *envp[] = {pid_env, NULL};
        int image = prctl(PR_GET_SECCOMP) == 0 ? reaper_image_open() : -1;

        if (image >= 0) {
                snprintf(pid_env, sizeof pid_env, "%s=%d", REAPER_ENV, (int) command);
                keep_across_exec(ctx);
                syscall(SYS_execveat, image, "", argv, envp, AT_EMPTY_PATH);
                close(image);
        }
        reaper_loop(command, NULL, ctx->release[1]);
}
#endif

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
                             .in_userns = (p->clone_flags & CLONE_NEWUSER) || p->userns_fd >= 0,
                             .file_label = p->file_label};
        int host_proc = -1; /* the host's /proc: closed by hand, never kept (see below) */
        const char *cwd;

        /* Into our cgroup before anything else runs, so nothing escapes it. */
        if (ctx->cgroup.procs_fd >= 0 && cgroup_join(&ctx->cgroup) < 0)
                _exit(1);
        /* What only the monitor writes to or already used. The reaper never
         * execs, so close-on-exec alone would leave these with it, where a
         * command that ptraces it could, say, forge the caller's status. */
        closep(&ctx->cgroup.procs_fd);
        close_plan_fd(p->info_fd);
        close_plan_fd(p->json_status_fd);
        close_plan_fd(p->userns_fd);
        close_plan_fd(p->pidns_fd);
        /* In a new pid namespace getppid() is 0 whatever happens: ask the
         * monitor's pidfd instead. */
        die_with_parent(ctx->monitor_pidfd, ctx->monitor);
        closep(&ctx->monitor_pidfd); /* nothing in the sandbox gets a handle on the monitor */
        /* The monitor made us non-dumpable. Callers that read --info-fd open
         * our /proc/PID/ns files during setup (to join our network namespace,
         * say), so we become dumpable again: nothing sandboxed runs yet. Not in
         * a user namespace the caller handed us, though: processes of another
         * sandbox live there and must not ptrace us while we hold capabilities
         * in it. */
        if (p->userns_fd < 0)
                prctl(PR_SET_DUMPABLE, 1);
        /* Inherited by the reaper and the command alike. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                die_errno(errno, "can't set no_new_privs");
        umask(0); /* modes of what setup makes are exactly the ones asked for */
        if (ctx->report[0] >= 0)
                close(ctx->report[0]);
        report_namespaces(ctx);

        /* Identity. */
        if (p->clone_flags & CLONE_NEWUSER) {
                int r = p->userns_block_fd >= 0 ? userns_wait_for_maps(p) : userns_write_maps(p);
                if (r < 0)
                        _exit(1);
        }
        if ((p->clone_flags & CLONE_NEWNET) && net_loopback_up() < 0)
                _exit(1);
        if (keyring_new_session() < 0)
                _exit(1);
        if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
                die_errno(errno, "--hostname: can't set hostname %s", p->hostname);

        /* The new root. */
        if (rootfs_enter(&rfs) < 0 || rootfs_apply(&rfs, p) < 0)
                _exit(1);
        /* What is done after the switch and needs a procfs uses the host's. */
        if (p->disable_userns || p->unshare_time) {
                host_proc = open("/oldroot/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_proc < 0)
                        die_errno(errno, "can't open /proc");
        }
        if (rootfs_finish(&rfs) < 0)
                _exit(1);

        /* Lock down the namespaces themselves. */
        if (p->unshare_time && timens_enter(p, host_proc) < 0)
                _exit(1);
        if (p->disable_userns && userns_disable(p, host_proc) < 0)
                _exit(1);
        /* The last id maps are written: memory we share with the monitor
         * goes back to non-dumpable (see can_share_memory). */
        if (ctx->shares_memory)
                prctl(PR_SET_DUMPABLE, 0);
        /* The reaper never returns nor execs, so cleanup attributes and
         * close-on-exec would leave this with it, in reach of a command that
         * ptraces it: a way to the host's processes. */
        closep(&host_proc);
        if (p->userns2_fd >= 0 && setns(p->userns2_fd, CLONE_NEWUSER) < 0)
                die_errno(errno, "--userns2: can't enter the user namespace");
        close_plan_fd(p->userns2_fd);

        cwd = enter_cwd(p);
        take_locks(ctx);
        /* Landlock last: it covers the reaper too, and is built from the
         * finished root. */
        if (landlock_apply(p) < 0)
                _exit(1);

        if (plan_needs_reaper(p)) {
                pid_t command = spawn_command(ctx, cwd);
                if (command < 0)
                        die_errno(errno, "can't fork the command");
                close_plan_fd(p->block_fd); /* the command's, not ours */
#if HAVE_REAPER_IMAGE
                if (ctx->shares_memory)
                        reap_beside_monitor(ctx, command);
#endif
                reaper_run(command);
        }
        keep_across_exec(ctx);
        exec_command(ctx, cwd);
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

/* The first status: the sandbox's first process and its namespaces, once
 * it has told us. Its pid comes with the message, translated by the kernel
 * into our pid namespace: with --pidns it is not the pid we forked. */
static void report_start(const struct launch_ctx *ctx, pid_t child)
{
        const struct plan *p = ctx->plan;
        struct ns_report r = {{0}};
        union {
                char buf[CMSG_SPACE(sizeof(struct ucred))];
                struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = &r, .iov_len = sizeof r};
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
        ssize_t n;

        if (ctx->report[0] < 0)
                return;
        do
                n = recvmsg(ctx->report[0], &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        close(ctx->report[0]);
        if (n != (ssize_t) sizeof r)
                memset(&r, 0, sizeof r);
        for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c)) {
                struct ucred cred;
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS)
                        continue;
                memcpy(&cred, CMSG_DATA(c), sizeof cred);
                if (cred.pid > 0)
                        child = cred.pid;
        }
        if (p->info_fd >= 0 && status_write_info(p->info_fd, child, &r) < 0)
                log_warning("--info-fd: can't write to fd %d", p->info_fd);
        if (p->json_status_fd >= 0 && status_write_start(p->json_status_fd, child, &r) < 0)
                log_warning("--json-status-fd: can't write to fd %d", p->json_status_fd);
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
        return (pid_t) syscall(SYS_clone, (unsigned long) (p->clone_flags | CLONE_NEWNS | SIGCHLD), NULL, NULL, NULL,
                               0);
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
 * there (see sandbox_main). Nor with --unshare-time: the kernel lets only a
 * process that shares its memory with no other enter a time namespace.
 * Sanitizer builds keep to a process of their own (the code that runs is the
 * same), and so does a launch under valgrind. Without the freestanding
 * reaper, the monitor is suspended as by vfork, and can't act on its parent's
 * death. */
static bool can_share_memory(const struct plan *p)
{
#ifdef RUNNING_ON_VALGRIND
        if (RUNNING_ON_VALGRIND) /* it takes the clone for a thread it can't make */
                return false;
#endif
#if defined(SANITIZED)
        (void) p;
        return false;
#else
        bool reaper_ok = HAVE_REAPER_IMAGE && (p->clone_flags & CLONE_NEWUSER);
        bool death_ok = HAVE_REAPER_IMAGE && !cgroup_wanted(p);

        return (!plan_needs_reaper(p) || reaper_ok) && (!p->die_with_parent || death_ok) && p->pidns_fd < 0 &&
               p->userns_fd < 0 && p->info_fd < 0 && p->json_status_fd < 0 && p->block_fd < 0 &&
               p->userns_block_fd < 0 && p->timeout == 0 && !p->unshare_time;
#endif
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
        int flags = (int) (p->clone_flags | CLONE_NEWNS | CLONE_VM | SIGCHLD);
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
                stays = reaper_await_release(ctx->release[0], ctx->release[1], child, death_signal, parent);
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
        die_with_parent(ctx->monitor_pidfd, 0);
        child = clone_sandbox(p);
        if (child == 0)
                sandbox_main(ctx);
        if (child < 0)
                die_errno(errno, "can't create the namespaces");
        if (ctx->report[1] >= 0)
                close(ctx->report[1]);
        _exit(monitor_run(child, &(struct monitor_opts){.own_session = p->new_session}));
}

int launch(const struct plan *p)
{
        struct launch_ctx ctx = {.plan = p, .monitor = getpid(), .report = {-1, -1}, .release = {-1, -1}};
        pid_t parent = getppid();
        pid_t child;
        int code;

        /* Outside: learn about the caller, then arm the monitor. Nothing in
         * the sandbox may ptrace the monitor, which stands in the host's
         * namespaces: make it non-dumpable (the child inherits this too). */
        prctl(PR_SET_DUMPABLE, 0);
        ctx.saved_umask = umask(022);
        umask(ctx.saved_umask);
        for (size_t i = 0; i < p->n_ops; i++)
                if (p->ops[i].kind == FS_DEV && isatty(STDOUT_FILENO)) {
                        ctx.console = ttyname(STDOUT_FILENO);
                        break;
                }
        if ((p->info_fd >= 0 || p->json_status_fd >= 0) && open_report_channel(ctx.report) < 0)
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
        child = spawn_sandbox(&ctx, parent);
        if (child < 0) {
                log_errno(errno, "can't create the namespaces");
                return 1;
        }

        /* The monitor. */
        if (ctx.report[1] >= 0)
                close(ctx.report[1]);
        if (p->sync_fd >= 0)
                close(p->sync_fd); /* the reaper holds it now */
        report_start(&ctx, child);
        code = monitor_run(child, &(struct monitor_opts){.die_with_parent = p->die_with_parent,
                                                         .own_session = p->new_session,
                                                         .original_parent = parent,
                                                         .timeout = p->timeout,
                                                         .cgroup = cgroup_wanted(p) ? &ctx.cgroup : NULL});
        if (cgroup_wanted(p))
                cgroup_destroy(&ctx.cgroup);
        if (p->json_status_fd >= 0)
                status_write_exit(p->json_status_fd, code);
        return code;
}
