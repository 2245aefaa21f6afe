/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sandbox's first process, from the finished root to the command.
 *
 * Every process the command can reach runs under every layer the command
 * runs under. pid 1 locks itself down exactly as the command will be, and only
 * then starts it, so that the command inherits all of it and each seccomp
 * program is loaded once:
 *   - no_new_privs and Landlock, applied during setup;
 *   - a session of its own with --new-session (no controlling terminal);
 *   - the --rlimits (RLIMIT_NPROC once the command is forked, see rlimits.c);
 *   - the command's capabilities, then none at all for pid 1;
 *   - the SELinux exec label;
 *   - the seccomp programs, the terminal guard first.
 * The reaper keeps nothing of the caller's environment: it is a fresh program
 * with one variable of its own.
 *
 * Better still, pid 1 is out of the command's reach: the command can't
 * ptrace it, write its memory through /proc/1/mem, read its environment or
 * open its fds, its exe or its namespaces. We do that by making pid 1
 * non-dumpable to the command, not with a nested Landlock domain for the
 * command: dumpability is in every kernel and costs nothing, where Landlock
 * may be missing or refused on the host (and its domains nest 16 deep at
 * most). The exec'd reaper is non-dumpable from its first instruction (see
 * reaper_image_open); the kernel ties that to the user namespace it was
 * exec'd in, so a caller outside still opens its namespace files (Flatpak
 * does), while the command, without CAP_SYS_PTRACE there, can't. pid 1 as a
 * fork of the monitor is dumpable during setup, for the same callers, so the
 * command waits on a pipe until pid 1 has exec'd or turned non-dumpable (the
 * gate). Where pid 1 sets up in the monitor's memory it is non-dumpable
 * already, and the command starts without waiting.
 */
#include "pid1.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf.h"
#include "caps.h"
#include "exechint.h"
#include "label.h"
#include "net.h"
#include "log.h"
#include "plan.h"
#include "process.h"
#include "reaper.h"
#include "status.h"
#include "rlimits.h"
#include "userns.h"
#include "util.h"

extern char **environ;

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3 */
#endif

/* The command's stack while it runs in pid 1's memory (the gate): execvp's
 * fallback for scripts puts the whole argument vector on it. Only the pages
 * it touches are ever allocated; the guard below stops an overflow. */
#define COMMAND_STACK_SIZE  (8 * 1024 * 1024)
#define COMMAND_STACK_GUARD (256 * 1024)

/* --block-fd: the command waits for the caller, who has read our report. */
static void wait_for_block_fd(const struct plan *p)
{
        char c;

        if (p->block_fd < 0)
                return;
        while (read(p->block_fd, &c, 1) < 0 && errno == EINTR)
                ;
        close(p->block_fd);
}

/* Whatever the command's process needs after the fork is ready before it:
 * nothing after the fork allocates (RLIMIT_AS may be tiny by then, and the
 * processes that share memory must not both use the heap). */
static void prepare_command(struct pid1 *s)
{
        const struct plan *p = s->plan;

        s->argv = p->argv;
        if (p->argv0) {
                s->argv = xcalloc(p->argc + 1, sizeof(char *));
                memcpy(s->argv, p->argv, p->argc * sizeof(char *));
                s->argv[0] = p->argv0;
        }
        /* PATH is looked up in the sandbox's environment (glibc falls back to
         * /bin:/usr/bin without one), as a client with an empty environment
         * expects. */
        environ = plan_command_env(p, s->cwd);
        if (!s->ns_pending) /* else once the caller has had our report */
                wait_for_block_fd(p);
        /* Before the seccomp programs, which may refuse unshare themselves. */
        if (p->assert_userns_disabled && userns_assert_disabled() < 0)
                _exit(1);
        umask(s->saved_umask);
}

static void load_filters(const struct plan *p);
static bool filters_allow(const struct plan *p, int nr, uint64_t arg0, uint64_t arg4);

/* The monitor's listener, with a message of one byte (see mon-report.c). */
static void send_listener(int chan, int fd)
{
        if (send_fds(chan, 'L', &fd, 1) != 1)
                die_errno(errno, "--report: can't hand the listener to the monitor");
}

/*
 * --report: the programs that let the monitor see what the command is
 * refused (notifybpf.h), the listener's last. Its fd goes to the monitor at
 * once and is closed here: nothing of the sandbox keeps it, or the sandbox
 * could answer its own calls. Until the monitor has it, a notified call
 * waits; the send itself is no call that the listener's program notifies
 * (unless the programs refuse it: then cocoon says so before loading).
 */
static void load_observed_filters(struct pid1 *s)
{
        const struct plan *p = s->plan;
        size_t n = p->n_report_programs;
        int fd;

        if (s->notify_chan < 0 || n == 0)
                die("--report: the monitor's channel is gone");
        if (!filters_allow(p, SYS_sendmsg, (uint64_t) s->notify_chan, 0))
                die("--report: the seccomp programs refuse sendmsg, which hands the monitor its listener");
        for (size_t i = 0; i + 1 < n; i++) {
                int r = bpf_load(&p->report_programs[i]);
                if (r < 0)
                        die_errno(r, "can't load seccomp program %zu of %zu", i + 1, n);
        }
        fd = bpf_load_listener(&p->report_programs[n - 1]);
        if (fd == -EBUSY)
                die("--report: a seccomp listener is active above cocoon already (the kernel allows one)");
        if (fd < 0)
                die_errno(fd, "--report: can't load the listener's seccomp program");
        send_listener(s->notify_chan, fd);
        close(fd);
        close(s->notify_chan);
}

/* The command's programs: observed with --report. */
static void load_command_filters(struct pid1 *s)
{
        if (plan_reports(s->plan))
                load_observed_filters(s);
        else
                load_filters(s->plan);
}

static void load_filters(const struct plan *p)
{
        for (size_t i = 0; i < p->n_programs; i++) {
                int r = bpf_load(&p->programs[i]);
                if (r < 0)
                        die_errno(r, "can't load seccomp program %zu of %zu", i + 1, p->n_programs);
        }
}

/* Whether the plan's seccomp programs let this call through. */
static bool filters_allow(const struct plan *p, int nr, uint64_t arg0, uint64_t arg4)
{
        struct seccomp_data d = {.nr = nr, .arch = seccomp_arch_native(), .args = {arg0, 0, 0, 0, arg4, 0}};

        return bpf_all_allow(p->programs, p->n_programs, &d);
}

/* A command that holds CAP_SYS_ADMIN over the sandbox's mounts moves into a
 * user and mount namespace of its own, where the kernel locks every mount
 * (see userns_nest). Writing our own id maps takes a dumpable process:
 * nothing of the sandbox runs in this memory meanwhile. The new namespace
 * gives us every capability again: the command's are set after this. */
static void lock_mounts(const struct pid1 *s, bool forked)
{
        prctl(PR_SET_DUMPABLE, 1);
        if (userns_nest(s->plan, s->host_proc, true) < 0)
                _exit(1);
        /* Forked, we stay dumpable for pid 1 to join our namespaces (nothing
         * of the sandbox runs yet; see gated_command). */
        if (!forked)
                prctl(PR_SET_DUMPABLE, 0);
        if ((userns_nest_flags(s->plan) & CLONE_NEWNET) && net_loopback_up() < 0)
                _exit(1);
        /* Our copy of the channel: pid 1 closes its own (see pid1_run). */
        if (net_proxy_hand_over(s->proxy_fd) < 0)
                _exit(1);
}

/* pid 1 moves into the namespaces that the command made again, but for its
 * mounts: the ones the caller finds through child-pid are the command's. */
static void join_command(const struct pid1 *s, pid_t command)
{
        int flags = userns_nest_flags(s->plan) & ~CLONE_NEWNS;
        _cleanup_close_ int fd = flags ? (int) syscall(SYS_pidfd_open, command, 0) : -1;

        /* No fallback (syscalls.h): our /proc doesn't know the command by
         * the pid we know it by. */
        if (flags && fd < 0 && errno == ENOSYS)
                log_note_missing("pidfd_open (Linux 5.3)");
        if (flags && (fd < 0 || setns(fd, flags) < 0)) {
                if (fd >= 0 && errno == EINVAL)
                        die("can't join the namespaces of the command: this kernel lacks setns on a pidfd (Linux 5.8)");
                die_errno(errno, "can't join the namespaces of the command");
        }
}

/* The layers that pid 1 shares with the command, on this process. */
static void lock_down(struct pid1 *s)
{
        const struct plan *p = s->plan;

        if (p->new_session && setsid() < 0)
                die_errno(errno, "--new-session: setsid failed");
        if (rlimits_apply(p) < 0) /* before the capabilities go: raising a hard limit needs them */
                _exit(1);
        if (caps_apply(p, plan_in_userns(p)) < 0)
                die("can't set the command's capabilities");
        if (label_exec(p->exec_label) < 0)
                _exit(1);
}

/* The command's own process: the last steps that are its alone, then exec.
 * The seccomp programs come last when nothing else loaded them. */
static _Noreturn void exec_command(struct pid1 *s)
{
        const struct plan *p = s->plan;

        /* bwrap's command leads its new session unless an init runs above
         * it; ours does the same above a reaper that is only there to clean
         * up, which is in a new session of its own. */
        if (p->new_session && getpid() != s->pid && !plan_bwrap_has_init(p) && setsid() < 0)
                die_errno(errno, "--new-session: setsid failed");
        if (rlimits_apply_nproc(p) < 0)
                _exit(1);
        sigprocmask(SIG_SETMASK, &s->saved_mask, NULL);
        /* The note goes before the filters, which might refuse the write; a
         * second byte says the command did not start after all. */
        status_exec_note(s->exec_note_fd);
        if (!s->filters_on && plan_reports(p))
                load_observed_filters(s);
        else if (!s->filters_on)
                for (size_t i = 0; i < p->n_programs; i++) {
                        int r = bpf_load(&p->programs[i]);
                        if (r < 0) {
                                status_exec_note(s->exec_note_fd);
                                die_errno(r, "can't load seccomp program %zu of %zu", i + 1, p->n_programs);
                        }
                }
        execvp(p->argv[0], s->argv);
        {
                int err = errno;
                status_exec_note(s->exec_note_fd); /* a second byte: it did not start */
                exechint_die(p, err, p->argv[0]);
        }
}

/* An executable memfd for the reaper's image (written by the caller), or -1. */
static int image_memfd(void)
{
        int fd = memfd_create("cocoon-reaper", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

        if (fd < 0 && errno == EINVAL) /* before Linux 6.3, every memfd may be exec'd */
                fd = memfd_create("cocoon-reaper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        return fd;
}

/* The image written: sealed, so that the command can't change it through
 * /proc/1/exe (runc's CVE-2019-5736), and of mode 0100: exec'd by a process
 * without capabilities, which can't read it, the kernel makes the new
 * process non-dumpable from the start, tied to the user namespace it runs
 * in. Returns fd, or -1 (closed). */
static int image_seal(int fd)
{
        const unsigned seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

        if (fchmod(fd, 0100) < 0 || fcntl(fd, F_ADD_SEALS, seals) < 0)
                closep(&fd);
        return fd;
}

#if HAVE_REAPER_IMAGE
/* The freestanding reaper, in a sealed memfd; or -1. */
static int reaper_image_open(const struct pid1 *s)
{
        int fd = image_memfd();

        if (fd < 0)
                return -1;
        if (write(fd, reaper_image, reaper_image_size) != (ssize_t) reaper_image_size)
                return closep(&fd), -1;
        return image_seal(fd);
}
#else
/* No freestanding reaper for this architecture: a sealed copy of cocoon,
 * made from the launcher's own file (s->self_exe, opened before setup), runs
 * the same loop (reaper_exec_main). It costs a copy of the binary, and gives
 * what the image gives: a reaper that nothing can change, non-dumpable from
 * its first instruction, whose namespace files the caller can open. */
static int reaper_image_open(const struct pid1 *s)
{
        int fd = s->self_exe < 0 ? -1 : image_memfd();
        struct stat st;
        off_t off = 0;

        if (fd < 0 || fstat(s->self_exe, &st) < 0)
                return closep(&fd), -1;
        while (off < st.st_size)
                if (sendfile(fd, s->self_exe, &off, (size_t) (st.st_size - off)) <= 0)
                        return closep(&fd), -1;
        return image_seal(fd);
}
#endif

/* Whether pid 1 may exec the reaper: not where our own programs would
 * refuse it, or the capset before it, or what the reaper sets up with prctl
 * after it. (A filter the launcher runs under, a container's, may refuse it
 * too, and then pid 1 stays; one that kills on execveat would end the
 * sandbox, which no container runtime's does.) */
static bool may_exec_reaper(const struct pid1 *s)
{
        const struct plan *p = s->plan;
        static const int prctls[] = {PR_SET_DUMPABLE, PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NAME};

        for (size_t i = 0; i < ARRAY_SIZE(prctls); i++)
                if (!filters_allow(p, SYS_prctl, (uint64_t) prctls[i], 0))
                        return false;
        return filters_allow(p, SYS_execveat, 0, AT_EMPTY_PATH) && filters_allow(p, SYS_capset, 0, 0);
}

/* Whether the seccomp programs let pid 1 fork the command and let the command
 * restore its signal mask: then they go on before the fork, once for both.
 * Otherwise (and when the command must first lock its mounts, which they may
 * refuse) each process loads them after the fork, as bwrap does. */
static bool filters_before_fork(const struct pid1 *s)
{
        const struct plan *p = s->plan;
        /* glibc's vfork and fork, and our clone (see spawn_command) */
        bool spawn = s->shares_memory ? filters_allow(p, SYS_vfork, 0, 0)
                     : s->fork_command
                             ? filters_allow(p, SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, 0)
                             : filters_allow(p, SYS_clone, CLONE_VM | SIGCHLD, 0);

        return spawn && filters_allow(p, SYS_rt_sigprocmask, SIG_SETMASK, 0);
}

/* A procfs of our own pid namespace: where the reaper finds its children. */
static int own_procfs(const struct pid1 *s)
{
        const struct plan *p = s->plan;
        char self[32] = "";
        int fd = -1;

        if (p->pidns_fd < 0) /* the host's pid namespace: the host's procfs */
                return s->host_proc >= 0 ? fcntl(s->host_proc, F_DUPFD_CLOEXEC, 3) : -1;
        /* A joined one: the fresh procfs that --proc mounted for it. */
        for (size_t i = p->n_ops; fd < 0 && i-- > 0;)
                if (p->ops[i].kind == FS_PROC) {
                        _cleanup_free_ char *dest = xasprintf("/%s", p->ops[i].dest);
                        fd = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
                }
        if (fd >= 0 && (readlinkat(fd, "self", self, sizeof self - 1) < 0 || atoi(self) != getpid()))
                closep(&fd);
        return fd;
}

/* Without a pid namespace of our own, nothing would take down a process
 * that left the command's tree when the monitor dies: the reaper, a
 * subreaper over everything below it, does. It is told by a signal when
 * its parent dies, and checks the monitor's pidfd. */
static void prepare_cleanup(struct pid1 *s)
{
        _cleanup_close_ int proc = own_procfs(s);
        sigset_t death;

        if (s->monitor_pidfd < 0)
                die("--die-with-parent: without --unshare-pid, this needs pidfd_open (Linux 5.3)");
        if (proc < 0)
                die("--die-with-parent: without --unshare-pid, cocoon needs a procfs of the sandbox's pid namespace "
                    "(--proc) to find what to kill");
        s->children_fd = openat(proc, "thread-self/children", O_RDONLY | O_CLOEXEC);
        if (s->children_fd < 0)
                die_errno(errno, "--die-with-parent: can't open the reaper's list of children");
        sigemptyset(&death);
        sigaddset(&death, REAPER_DEATH_SIGNAL);
        sigprocmask(SIG_BLOCK, &death, NULL);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || prctl(PR_SET_PDEATHSIG, REAPER_DEATH_SIGNAL) < 0)
                die_errno(errno, "--die-with-parent: can't become a subreaper");
        if (poll(&(struct pollfd){.fd = s->monitor_pidfd, .events = POLLIN}, 1, 0) != 0)
                _exit(1); /* it died before we asked */
}

/* Get ready to become the reaper, while the host and the heap are still ours
 * to use: the image, the cleanup, the gate and the command's stack. */
static void prepare_reaper(struct pid1 *s)
{
        const struct plan *p = s->plan;

        if (may_exec_reaper(s))
                s->image_fd = reaper_image_open(s);
        if (plan_reaper_cleans_up(p))
                prepare_cleanup(s);
        if (!s->gated)
                return;
        if (pipe2(s->gate, O_CLOEXEC) < 0 || (s->nest_command && pipe2(s->nested, O_CLOEXEC) < 0))
                die_errno(errno, "can't create a pipe");
        if (s->fork_command)
                return;
        s->stack = mmap(NULL, COMMAND_STACK_SIZE + COMMAND_STACK_GUARD, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (s->stack == MAP_FAILED ||
            mprotect(s->stack + COMMAND_STACK_GUARD, COMMAND_STACK_SIZE, PROT_READ | PROT_WRITE) < 0)
                die_errno(errno, "can't map a stack for the command");
}

/* The command, through the gate: it shares pid 1's memory on a stack of its
 * own, and waits until pid 1 has exec'd the reaper (the write end of the
 * pipe closes on exec) or made itself non-dumpable. While one of the two
 * uses the C library, the other waits in read() or runs raw system calls. */
static _Noreturn int gated_command(void *arg)
{
        struct pid1 *s = arg;
        char c;

        command_hello(s->report_fd);
        close(s->gate[1]);
        /* Locking the mounts, we use the C library while pid 1 waits in
         * read(), and the other way round after: never both at once. */
        if (s->nest_command) {
                struct stat st;
                uint64_t ino;

                close(s->nested[0]);
                lock_mounts(s, true);
                ino = fstatat(s->host_proc, "thread-self/ns/mnt", &st, 0) == 0 ? (uint64_t) st.st_ino : 0;
                (void) !write(s->nested[1], &ino, sizeof ino);
                close(s->nested[1]);
                close(s->host_proc);
        }
        while (read(s->gate[0], &c, 1) < 0 && errno == EINTR)
                ;
        close(s->gate[0]);
        die_with_parent(-1, s->pid);
        /* Dumpable for pid 1 to join our namespaces; the memory may be the
         * monitor's, which must not stay so once we exec. */
        if (s->nest_command)
                prctl(PR_SET_DUMPABLE, 0);
        if (s->nest_command && caps_apply(s->plan, true) < 0)
                die("can't set the command's capabilities");
        exec_command(s);
}

/* Start the command below us: through the gate (see gated_command), or,
 * where we run in the monitor's memory and are out of reach already, vfork:
 * the command borrows it until it execs, with no page tables copied, and we
 * are suspended until then. It writes only what we no longer use (the
 * environment, its own stack frames below ours), and never returns here. */
static pid_t spawn_command(struct pid1 *s)
{
        pid_t command;

        if (s->gated && s->fork_command) {
                command = fork();
                if (command == 0)
                        gated_command(s);
                return command;
        }
        if (s->gated)
                return clone(gated_command, s->stack + COMMAND_STACK_GUARD + COMMAND_STACK_SIZE, CLONE_VM | SIGCHLD, s);
        command = vfork();
        if (command == 0) {
                command_hello(s->report_fd);
                die_with_parent(-1, s->pid);
                exec_command(s);
        }
        return command;
}

static _Noreturn void become_reaper(struct pid1 *s, pid_t command)
{
        const struct plan *p = s->plan;
        const struct rlimit_setting *nproc = rlimits_nproc(p);
        struct reaper_handover h = {
                .args = {.command = command, .monitor_fd = -1, .children_fd = -1},
                .image_fd = s->image_fd,
                .name = program_invocation_short_name,
                .gate_fd = s->gate[1],
                .release_fd = s->release_fd,
        };

        h.may_drop_caps = filters_allow(p, SYS_capset, 0, 0);
        if (plan_reaper_cleans_up(p)) {
                h.args.monitor_fd = s->monitor_pidfd;
                h.args.children_fd = s->children_fd;
        }
        if (nproc) {
                h.set_nproc = true;
                h.nproc[0] = nproc->soft;
                h.nproc[1] = nproc->hard;
        }
        h.keep_fds[h.n_keep++] = p->sync_fd;
        h.keep_fds[h.n_keep++] = h.args.monitor_fd;
        h.keep_fds[h.n_keep++] = h.args.children_fd;
        for (size_t i = 0; i < s->n_lock_fds && h.n_keep < ARRAY_SIZE(h.keep_fds); i++)
                h.keep_fds[h.n_keep++] = s->lock_fds[i];
        reaper_become(&h);
}

/* The namespaces, for --info-fd and --json-status-fd, once the command has
 * started (and locked its mounts: then ours, and the command's mount
 * namespace). Returns whether the caller had them only now: then the
 * command waits for --block-fd. */
static bool report(struct pid1 *s, uint64_t command_mnt)
{
        if (s->report_fd < 0 || !s->ns_pending)
                return false;
        if (!s->ns_collected)
                ns_report_collect(&s->ns, s->plan->clone_flags | CLONE_NEWNS, s->host_proc);
        if (command_mnt)
                s->ns.ino[NS_REPORT_MNT] = command_mnt;
        ns_report_send(s->report_fd, &s->ns);
        s->ns_pending = false;
        return true;
}

/* The command is pid 1 itself: it keeps what the reaper would hold. */
static void keep_across_exec(const struct pid1 *s)
{
        for (size_t i = 0; i < s->n_lock_fds; i++)
                fcntl(s->lock_fds[i], F_SETFD, 0);
        if (s->plan->sync_fd >= 0)
                fcntl(s->plan->sync_fd, F_SETFD, 0);
}

_Noreturn void pid1_run(struct pid1 *s)
{
        const struct plan *p = s->plan;
        uint64_t nested_mnt = 0;
        bool reported;
        pid_t command;

        s->image_fd = s->children_fd = s->gate[0] = s->gate[1] = s->nested[0] = s->nested[1] = -1;
        s->pid = getpid();
        s->notify_chan = -1;
        if (plan_reports(p) && s->report_fd >= 0)
                s->notify_chan = fcntl(s->report_fd, F_DUPFD_CLOEXEC, 3);
        prepare_command(s);
        if (!plan_needs_reaper(p)) {
                if (s->nest_command)
                        lock_mounts(s, false);
                reported = report(s, 0);
                command_hello(s->report_fd); /* pid 1 is the command */
                s->report_fd = -1;
                if (reported)
                        wait_for_block_fd(p);
                closep(&s->host_proc);
                lock_down(s);
                keep_across_exec(s);
                exec_command(s);
        }

        /* Decided once, before the fork: the command reads the flag in our
         * memory. When the programs refuse the fork, the command also waits
         * at the gate, so that pid 1 has loaded its own before it runs. */
        s->filters_on = !s->nest_command && filters_before_fork(s);
        s->gated = !s->shares_memory || !s->filters_on;
        prepare_reaper(s);
        /* Staying where we are: out of the command's reach for good, before
         * the seccomp programs could refuse it. */
        if (s->image_fd < 0 && prctl(PR_SET_DUMPABLE, 0) < 0)
                die_errno(errno, "can't make pid 1 non-dumpable");
        /* pid 1 may never exec, so close-on-exec alone would leave these
         * with it: a way to the host's processes, and to the launcher. The
         * command takes the host's /proc to lock its mounts, first. */
        if (!s->nest_command)
                closep(&s->host_proc);
        closep(&s->self_exe);
        /* The namespaces before the seccomp programs, which may refuse the
         * send; the monitor writes them once the command has told it of
         * itself too. A command that locks its mounts reports below. */
        reported = !s->nest_command && report(s, 0);
        lock_down(s);
        if (s->filters_on)
                load_command_filters(s);
        command = spawn_command(s);
        if (command < 0)
                die_errno(errno, "can't fork the command");
        if (s->nest_command) {
                uint64_t mnt = 0;

                close(s->nested[1]);
                while (read(s->nested[0], &mnt, sizeof mnt) < 0 && errno == EINTR)
                        ;
                close(s->nested[0]);
                if (mnt) /* else the command failed, and ends */
                        join_command(s, command);
                nested_mnt = mnt;
        }
        if (s->nest_command)
                reported = report(s, nested_mnt);
        /* The command tells the monitor of itself (command_hello). The
         * reaper keeps no way to the monitor; and closed before we wait, the
         * channel ends even if the command could not send, so the monitor
         * writes what it has for the caller who unblocks us. Our copy only:
         * the command reads the field. */
        if (s->report_fd >= 0)
                close(s->report_fd);
        if (s->proxy_fd >= 0)
                close(s->proxy_fd);
        if (s->notify_chan >= 0 && !s->filters_on) /* the command's, to send its listener */
                close(s->notify_chan);
        if (reported)
                wait_for_block_fd(p); /* the command waits at the gate meanwhile */
        /* Our copies only: the command, which may share this memory, reads
         * the fields. */
        if (s->host_proc >= 0)
                close(s->host_proc);
        if (s->gate[0] >= 0)
                close(s->gate[0]);
        if (!s->filters_on) /* each loads its own, the command before its exec */
                load_filters(p);
        become_reaper(s, command);
}
