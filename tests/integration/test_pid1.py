# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every layer binds every process of the sandbox: pid 1 (the reaper) and any
process above the command run under the command's restrictions, and are out
of its reach besides.

Replays of a review's findings, each on every way the launcher may start
pid 1 (PATHS). From inside, the command tries to reach pid 1 (ptrace,
/proc/PID/mem, its fds, environment and exe, pidfd_getfd, process_vm_writev),
with a control on a process of its own that shows each attempt can succeed.
From outside, the test reads what pid 1 holds and runs under, and drives it
with ptrace itself (tests/inject.c): what the command could make it do if it
could drive it, each refused as the command would be."""

import errno
import fcntl
import json
import os
import platform
import signal
import struct
import termios
import textwrap
import time

import subprocess

import pytest

import harness
from harness import alive, kill_pids, procs_with, readline, wait_gone

PY = "/usr/bin/python3"
INJECT = os.environ.get("COCOON_INJECT", "/work/main/build/tests/inject")
X86_64 = platform.machine() == "x86_64"

# The ways pid 1 comes to be: (extra options, has a pid namespace, root only).
# "shared": sets up in the monitor's memory, execs the freestanding reaper.
# The status fds, --timeout and a time namespace fork pid 1 from the monitor.
# Without a pid namespace, --lock-file and --die-with-parent put a reaper
# above the command. A root caller without a user namespace forks too.
PATHS = {
    "shared": (["--unshare-pid", "--unshare-user"], True, False),
    "info-fd": (["--unshare-pid", "--unshare-user", "--info-fd", "@devnull"], True, False),
    "timeout": (["--unshare-pid", "--unshare-user", "--timeout", "300"], True, False),
    "unshare-time": (["--unshare-pid", "--unshare-user", "--unshare-time"], True, False),
    "lock-file": (["--lock-file", "@lock"], False, False),
    "die-with-parent": (["--die-with-parent"], False, False),
    "root-without-userns": (["--unshare-pid"], True, True),
}
path_param = pytest.mark.parametrize("path", list(PATHS))


def no_caps(sb):
    """A root caller keeps its capabilities (CAP_SYS_PTRACE among them)
    unless it drops them, as with bwrap: then it may reach anything."""
    return ["--cap-drop", "ALL"] if sb.ident.is_root else []


def path_args(sb, path, scratch, fds):
    extra, pidns, root_only = PATHS[path]
    if root_only and not sb.ident.is_root:
        pytest.skip("an unprivileged caller always gets a user namespace")
    out = []
    for a in extra:
        if a == "@devnull":
            fd = os.open("/dev/null", os.O_WRONLY)
            fds.append(fd)
            a = str(fd)
        elif a == "@lock":
            a = os.path.join(scratch, "lock")
            open(a, "w").close()
            if os.geteuid() == 0:
                os.chown(a, sb.ident.uid, sb.ident.gid)
            out[-1:] = ["--ro-bind", scratch, scratch, out[-1]]
        out.append(a)
    return out + (["--proc", "/proc"] if pidns else [])


@pytest.fixture
def fds():
    opened = []
    yield opened
    for fd in opened:
        os.close(fd)


def launcher_child(launcher):
    """pid 1, as the host sees it: the launcher's one child."""
    kids = [p for p in harness.descendants(launcher) if p != launcher and harness.ppid_of(p) == launcher]
    assert len(kids) == 1, f"the launcher should have one child, not {kids}"
    return kids[0]


def status_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)


def stat_fields(pid):
    """(pgrp, session, tty_nr) from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[2]), int(rest[3]), int(rest[4])


def reaper_waiting(pid):
    """pid 1 blocked in rt_sigtimedwait, its loop's only wait: it has set
    itself up and can be driven."""
    def busy():
        try:
            with open(f"/proc/{pid}/syscall") as f:
                return [] if f.read().split()[0] == "128" else [pid]
        except (OSError, IndexError):
            return [pid]
    assert wait_gone(busy, timeout=10) == [], "pid 1 never settled in its loop"
    return pid


# ---------------------------------------------------------------- from inside: pid 1 is out of reach

REACH = textwrap.dedent(r'''
    import ctypes, errno, json, os, subprocess, sys
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    def err():
        return errno.errorcode.get(ctypes.get_errno(), "?")
    def attempts(pid):
        res = {}
        def t(name, f):
            try:
                f()
                res[name] = "ok"
            except OSError as e:
                res[name] = errno.errorcode.get(e.errno, str(e.errno))
        rc = libc.ptrace(0x4206, pid, None, None)            # PTRACE_SEIZE
        res["ptrace"] = "ok" if rc == 0 else err()
        if rc == 0:
            libc.ptrace(17, pid, None, None)                 # PTRACE_DETACH
        t("mem", lambda: os.close(os.open(f"/proc/{pid}/mem", os.O_RDWR)))
        t("environ", lambda: open(f"/proc/{pid}/environ", "rb").read())
        t("exe", lambda: os.close(os.open(f"/proc/{pid}/exe", os.O_RDONLY)))
        t("fds", lambda: os.readlink(f"/proc/{pid}/fd/0"))
        t("root", lambda: os.listdir(f"/proc/{pid}/root/"))
        L = ctypes.c_long
        pidfd = libc.syscall(L(434), L(pid), L(0))                    # pidfd_open
        got = libc.syscall(L(438), L(pidfd), L(0), L(0)) if pidfd >= 0 else -1   # pidfd_getfd
        res["pidfd_getfd"] = "ok" if got >= 0 else err()
        class Iov(ctypes.Structure):
            _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
        buf = ctypes.create_string_buffer(8)
        local, remote = Iov(ctypes.addressof(buf), 8), Iov(0x10000, 8)
        rc = libc.syscall(L(311), L(pid), ctypes.byref(local), L(1), ctypes.byref(remote), L(1), L(0))  # process_vm_writev
        res["vm_writev"] = "ok" if rc >= 0 else err()        # EFAULT: allowed, but nothing there
        return res
    out = {"target": os.getppid(), "pid1": attempts(os.getppid())}
    own = subprocess.Popen(["sleep", "30"])
    out["own"] = attempts(own.pid)
    own.kill()
    own.wait()
    # No process in sight runs the launcher's binary.
    launcher = os.stat(sys.argv[1])
    same = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            fd = os.open(f"/proc/{p}/exe", os.O_RDONLY)
        except OSError:
            continue
        st = os.fstat(fd)
        os.close(fd)
        if (st.st_dev, st.st_ino) == (launcher.st_dev, launcher.st_ino):
            same.append(p)
    out["launcher_exe"] = same
    # Nor does any show the caller's environment.
    seen = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        for what in ("environ", "cmdline"):
            try:
                data = open(f"/proc/{p}/{what}", "rb").read()
            except OSError:
                continue
            if b"citest-secret-" + b"value" in data:   # (not in our own command line)
                seen.append((p, what))
    out["secret_seen"] = seen
    print(json.dumps(out))
''')


@path_param
def test_pid1_is_out_of_the_commands_reach(sb, scratch, fds, path):
    extra = path_args(sb, path, scratch, fds)
    env = dict(harness.BASE_ENV, CITEST_SECRET="citest-secret-value")
    r = sb.run(sb.minimal + no_caps(sb) + extra + ["--unsetenv", "CITEST_SECRET", "--dev", "/dev",
                                                   PY, "-c", REACH, sb.cocoon], env=env, pass_fds=fds)
    assert r.rc == 0, r.describe()
    d = json.loads(r.out)
    if PATHS[path][1]:
        assert d["target"] == 1, d
    # The control: each attempt works on a process of the command's own.
    own = d["own"]
    assert all(own[k] == "ok" for k in ("ptrace", "mem", "environ", "exe", "fds", "root", "pidfd_getfd")), own
    assert own["vm_writev"] == "EFAULT", own
    for k, v in d["pid1"].items():
        if k == "vm_writev":
            assert v == "EPERM", (k, d["pid1"])
        else:
            assert v in ("EPERM", "EACCES"), (k, d["pid1"])
    assert d["launcher_exe"] == [], d
    assert d["secret_seen"] == [], d


# ---------------------------------------------------------------- from outside: what pid 1 runs under

@path_param
def test_pid1_runs_under_the_commands_layers(sb, scratch, fds, path):
    """Read from outside: pid 1 has no_new_privs, as many seccomp filters as
    the command, the command's rlimits, no capabilities, the command's
    session (--new-session: a new one, without a terminal), nothing of the
    caller's environment; no process of the sandbox runs the launcher's
    file."""
    extra = path_args(sb, path, scratch, fds)
    m = str(time.monotonic_ns())
    env = dict(harness.BASE_ENV, CITEST_SECRET="citest-secret-value")
    p = sb.popen(sb.minimal + extra + ["--unsetenv", "CITEST_SECRET", "--new-session", "--seccomp-profile", "default",
                                       "--rlimit", "fsize=4K", "--rlimit", "nofile=64:128", "--dev", "/dev",
                                       "sh", "-c", f"echo ready; exec sleep {m}"], env=env, pass_fds=fds)
    try:
        assert readline(p.stdout) == b"ready\n", "the sandbox did not start"
        pid1 = reaper_waiting(launcher_child(p.pid))
        # (its command line reads empty while it execs sleep: look again)
        found = []
        wait_gone(lambda: [] if found.extend(c for c in procs_with(m) if c in harness.descendants(pid1)
                                             and c != pid1) or found else [1], timeout=10)
        assert found, "the command is not running"
        command = found[0]
        s1, sc = status_of(pid1), status_of(command)
        limits = {}
        for pid in (pid1, command):
            with open(f"/proc/{pid}/limits") as f:
                limits[pid] = [ln for ln in f.read().splitlines() if ln.startswith(("Max file size", "Max open files"))]
        (pg1, sid1, tty1), (pgc, sidc, ttyc) = stat_fields(pid1), stat_fields(command)
        launcher_sid = stat_fields(p.pid)[1]
        with open(f"/proc/{pid1}/environ", "rb") as f:
            environ = f.read()
        launcher = os.stat(sb.cocoon)
        exes = {}
        for d in harness.descendants(p.pid):
            if d != p.pid:
                st = os.stat(f"/proc/{d}/exe")
                exes[d] = (st.st_dev, st.st_ino)
    finally:
        p.kill()
        p.communicate()
    assert s1["NoNewPrivs"].strip() == "1", s1
    assert s1["Seccomp"].strip() == "2" and s1["Seccomp_filters"] == sc["Seccomp_filters"], (s1, sc)
    assert int(s1["Seccomp_filters"]) >= 2, s1      # the terminal guard and the profile
    for k in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        assert int(s1[k], 16) == 0, (k, s1)
    assert limits[pid1] == limits[command], limits
    assert any("4096" in ln for ln in limits[pid1]), limits
    # (without a pid namespace the command leads a session of its own, as
    # under bwrap, where no init runs above it)
    assert launcher_sid not in (sid1, sidc) and tty1 == ttyc == 0, (sid1, sidc, launcher_sid, tty1)
    assert pg1 != stat_fields(os.getpid())[0]
    assert b"citest-secret-value" not in environ and b"CITEST" not in environ, environ
    if X86_64 and not harness.SANITIZED:
        assert environ.startswith(b"COCOON_REAPER="), environ
    assert (launcher.st_dev, launcher.st_ino) not in exes.values(), exes


# ---------------------------------------------------------------- driving pid 1 from outside

# A filter shaped like Flatpak's (its --seccomp program): refuses ptrace,
# TIOCSTI and TIOCLINUX, keyctl and add_key, and netlink sockets; allows the
# rest. Built here as classic BPF for x86_64.
NR = {"ptrace": 101, "ioctl": 16, "socket": 41, "keyctl": 250, "add_key": 248, "getpid": 39, "close": 3,
      "unshare": 272, "io_uring_setup": 425, "openat": 257}
AUDIT_ARCH_X86_64 = 0xC000003E
TIOCSTI, TIOCLINUX = 0x5412, 0x541C
AF_UNIX, AF_NETLINK, SOCK_STREAM, SOCK_RAW, NETLINK_NETFILTER = 1, 16, 1, 3, 12


def flatpak_like_filter():
    ld, jeq, ret = 0x20, 0x15, 0x06
    eperm = 0x00050000 | errno.EPERM
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, AUDIT_ARCH_X86_64), (ret, 0, 0, 0x80000000), (ld, 0, 0, 0)]
    for name in ("ptrace", "keyctl", "add_key"):
        prog += [(jeq, 0, 1, NR[name]), (ret, 0, 0, eperm)]
    # ioctl(fd, TIOCSTI | TIOCLINUX): the request is args[1] (low word at 24)
    prog += [(jeq, 0, 4, NR["ioctl"]), (ld, 0, 0, 24), (jeq, 1, 0, TIOCSTI), (jeq, 0, 1, TIOCLINUX),
             (ret, 0, 0, eperm), (ld, 0, 0, 0)]
    # socket(AF_NETLINK, ...): the family is args[0] (at 16)
    prog += [(jeq, 0, 3, NR["socket"]), (ld, 0, 0, 16), (jeq, 0, 1, AF_NETLINK), (ret, 0, 0, eperm)]
    prog += [(ret, 0, 0, 0x7FFF0000)]
    return b"".join(struct.pack("=HBBI", *i) for i in prog)


def inject(pid, *call):
    """Make pid run one system call (tests/inject.c); its return value."""
    r = subprocess.run([INJECT, str(pid), *[str(c) for c in call]], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, f"inject failed: {r.stderr} {r.stdout}"
    return int(r.stdout.strip())


def with_pty_as_ctty(slave):
    def preexec():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    return preexec


def raw_pty():
    """A pty pair in raw mode: a character pushed in can be read at once."""
    import tty
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, slave


def pending_input(slave):
    buf = fcntl.ioctl(slave, termios.FIONREAD, b"\0\0\0\0")
    return struct.unpack("i", buf)[0]


needs_inject = pytest.mark.skipif(not X86_64 or os.geteuid() != 0,
                                  reason="tests/inject.c is for x86_64, and drives pid 1 as root")


@needs_inject
@pytest.mark.parametrize("path", ["shared", "info-fd", "lock-file", "die-with-parent", "root-without-userns"])
def test_pid1_under_the_filters_when_driven(sb, scratch, fds, path):
    """The replay: a Flatpak-like line (--args, --info-fd, its own --seccomp
    program, no --new-session) plus the default profile and an rlimit, on a
    real pty that is the caller's controlling terminal. The test drives pid 1
    with ptrace, as the command could before: TIOCSTI into the terminal,
    keyctl, a netlink socket, io_uring, a new user namespace. Each is
    refused; getpid and an AF_UNIX socket work (the control), and nothing
    reaches the terminal's input."""
    extra = path_args(sb, path, scratch, fds)
    bpf = harness.memfd_with(flatpak_like_filter(), "seccomp")
    args = harness.memfd_with(harness.nul_args(sb.minimal + no_caps(sb) + extra + [
        "--seccomp", str(bpf), "--seccomp-profile", "default", "--dev", "/dev"]))
    fds += [bpf, args]
    master, slave = raw_pty()
    fds += [master, slave]
    m = str(time.monotonic_ns())
    p = sb.popen(["--args", str(args), "sh", "-c", f"echo ready >&2; exec sleep {m}"], pass_fds=fds,
                 stdout=slave, stderr=subprocess.PIPE, preexec_fn=with_pty_as_ctty(slave))
    try:
        line = readline(p.stderr)
        while harness.WARNING_LINE.match(line.decode(errors="replace")):
            line = readline(p.stderr)  # cocoon's advice comes before the command's output
        assert line == b"ready\n", "the sandbox did not start"
        pid1 = reaper_waiting(launcher_child(p.pid))
        got = {
            "getpid": inject(pid1, NR["getpid"]),
            "tiocsti": inject(pid1, NR["ioctl"], 1, TIOCSTI, "@x"),
            "keyctl": inject(pid1, NR["keyctl"], 0, 0),
            "netlink": inject(pid1, NR["socket"], AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER),
            "io_uring": inject(pid1, NR["io_uring_setup"], 1, "@"),
            "userns": inject(pid1, NR["unshare"], 0x10000000),
        }
        unix = inject(pid1, NR["socket"], AF_UNIX, SOCK_STREAM, 0)
        if unix >= 0:
            inject(pid1, NR["close"], unix)
        queued = pending_input(slave)
        assert alive(pid1) and p.poll() is None, "pid 1 did not survive the test's injections"
    finally:
        p.kill()
        p.communicate()
    assert got["getpid"] == (1 if PATHS[path][1] else pid1), got   # the injection works
    assert unix >= 0, "an AF_UNIX socket is allowed, and pid 1 could make one"
    assert got["tiocsti"] == -errno.EPERM, got
    for k in ("keyctl", "netlink", "io_uring", "userns"):
        assert got[k] in (-errno.EPERM, -errno.ENOSYS), (k, got)
    assert queued == 0, f"{queued} bytes were pushed into the terminal"


@needs_inject
def test_injected_tiocsti_control(sb, fds):
    """Control for the test above: the same injection into a process that
    runs outside any sandbox, with the pty as its controlling terminal, does
    push the character into the terminal, and the test sees it."""
    import subprocess
    master, slave = raw_pty()
    fds += [master, slave]
    p = subprocess.Popen(["sleep", "30"], stdin=slave, stdout=slave, preexec_fn=with_pty_as_ctty(slave))
    try:
        time.sleep(0.1)
        assert inject(p.pid, NR["ioctl"], 0, TIOCSTI, "@x") == 0
        assert pending_input(slave) == 1
    finally:
        p.kill()
        p.wait()


# ---------------------------------------------------------------- Landlock and rlimits bind pid 1

@needs_inject
@pytest.mark.parametrize("landlock", [False, True], ids=["control", "landlock"])
def test_pid1_under_landlock(sb, scratch, landlock):
    """With Landlock rules that allow only reading, pid 1 driven from outside
    can't create a file in a writable bind; without them (the control) it
    can."""
    w = os.path.join(scratch, "w")
    os.mkdir(w)
    if os.geteuid() == 0:
        os.chown(w, sb.ident.uid, sb.ident.gid)
    rules = ["--landlock-exec", "/"] if landlock else []
    p = sb.popen(sb.minimal + ["--unshare-pid", "--bind", w, "/w", *rules, "sh", "-c", "echo ready; exec sleep 30"])
    try:
        assert readline(p.stdout) == b"ready\n", "the sandbox did not start"
        pid1 = reaper_waiting(launcher_child(p.pid))
        fd = inject(pid1, NR["openat"], -100, "@/w/made-by-pid1", os.O_WRONLY | os.O_CREAT, 0o644)
        if fd >= 0:
            inject(pid1, NR["close"], fd)
    finally:
        p.kill()
        p.communicate()
    if landlock:
        assert fd == -errno.EACCES and not os.path.exists(os.path.join(w, "made-by-pid1")), fd
    else:
        assert fd >= 0 and os.path.exists(os.path.join(w, "made-by-pid1")), fd


def test_rlimit_nproc_with_a_reaper(sb):
    """RLIMIT_NPROC counts pid 1 too: it is set once the command is forked,
    so nproc=1 still starts the command, which can't fork."""
    if sb.ident.is_root:
        pytest.skip("root is exempt from RLIMIT_NPROC")
    r = sb.run(sb.minimal + ["--unshare-pid", "--rlimit", "nproc=1", PY, "-c",
                             "import os\ntry:\n    os.fork() or os._exit(0)\n    print('forked')\n"
                             "except BlockingIOError:\n    print('refused')"])
    assert (r.rc, r.out) == (0, "refused\n"), r.describe()


def test_filters_that_refuse_fork_still_start_the_command(sb, scratch):
    """A profile that refuses every way to fork: pid 1 can't start the command
    under it, so each of the two loads it after the fork (as bwrap does);
    pid 1 still runs under as many filters as the command."""
    prof = harness.refusing_profile(scratch, ["clone", "clone3", "fork", "vfork"])
    r = sb.run(sb.minimal + ["--unshare-pid", "--seccomp-profile", prof, "--dev", "/dev", "sh", "-c",
                             'exec grep Seccomp_filters /proc/1/status /proc/self/status'])
    assert r.rc == 0, r.describe()
    counts = {line.split(":")[0]: line.split()[-1] for line in r.out.splitlines()}
    want = str(2 + harness.own_seccomp_filters())  # and any the suite itself runs under
    assert counts["/proc/1/status"] == counts["/proc/self/status"] == want, r.describe()


# ---------------------------------------------------------------- nothing outlives the monitor

def sleeps(m):
    """The `sleep m` processes."""
    out = []
    for p in procs_with(m):
        try:
            with open(f"/proc/{p}/comm") as f:
                if f.read().strip() == "sleep":
                    out.append(p)
        except OSError:
            pass
    return out


def _start(sb, args, m):
    p = sb.popen(args + ["sh", "-c", f"setsid -f sleep {m}; sleep {m} & echo ready; wait"],
                 stderr=subprocess.DEVNULL)
    assert readline(p.stdout) == b"ready\n", "the sandbox did not start"
    assert wait_gone(lambda: [] if len(sleeps(m)) >= 2 else [1], timeout=5) == [], "the sleeps did not start"
    return p


@pytest.mark.parametrize("extra", [[], ["--lock-file", "@lock"]], ids=["plain", "lock-file"])
def test_sigkill_of_the_launcher_takes_everything_down(sb, scratch, extra):
    """--die-with-parent without a pid namespace: a grandchild that
    daemonized dies too when the launcher itself is SIGKILLed, which leaves
    it no time to clean up. (bwrap leaves it running.)"""
    m = str(time.monotonic_ns() % 10**9 + 10**9)
    lock = os.path.join(scratch, "lock")
    open(lock, "w").close()
    extra = [lock if a == "@lock" else a for a in extra]
    p = _start(sb, sb.rootfs + ["--dev", "/dev", "--die-with-parent", *extra], m)
    try:
        p.kill()
        p.wait()
        left = wait_gone(lambda: sleeps(m), timeout=10)
        assert not left, f"processes outlived the launcher: {left}"
    finally:
        kill_pids(procs_with(m))
        p.communicate()


def test_sigkill_of_the_launcher_control(sb, scratch):
    """Control: without --die-with-parent the same sandbox keeps running,
    as bwrap's does, so the test above can tell."""
    m = str(time.monotonic_ns() % 10**9 + 10**9)
    p = _start(sb, sb.rootfs + ["--dev", "/dev"], m)
    try:
        p.kill()
        p.wait()
        time.sleep(0.5)
        assert len(sleeps(m)) >= 1, "the sandbox went with the launcher"
    finally:
        kill_pids(procs_with(m))
        p.communicate()


def test_forged_death_signal_does_not_end_the_sandbox(sb):
    """Anyone in the sandbox may send the reaper the signal it gets when the
    monitor dies: it checks the monitor's pidfd and goes on."""
    r = sb.run(sb.rootfs + ["--dev", "/dev", "--die-with-parent", "sh", "-c",
                            "kill -40 $PPID; sleep 0.3; kill -0 $PPID && echo alive; exit 5"])
    assert (r.rc, r.out) == (5, "alive\n"), r.describe()


# ---------------------------------------------------------------- seccomp programs that refuse what pid 1 needs

def pid1_cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])   # utime + stime


def test_pid1_waits_without_rt_sigtimedwait(sb, scratch):
    """A program that refuses rt_sigtimedwait: pid 1 waits for the command
    without forwarding signals instead of spinning, and passes its status."""
    prof = harness.refusing_profile(scratch, ["rt_sigtimedwait"])
    p = sb.popen(sb.minimal + ["--unshare-pid", "--seccomp-profile", prof, "sh", "-c", "echo ready; sleep 1; exit 3"])
    try:
        assert readline(p.stdout) == b"ready\n", "the sandbox did not start"
        pid1 = launcher_child(p.pid)
        time.sleep(0.8)
        ticks = pid1_cpu_ticks(pid1)
        assert p.wait(timeout=30) == 3
    finally:
        p.kill()
        p.communicate()
    assert ticks < os.sysconf("SC_CLK_TCK") // 5, f"pid 1 used {ticks} ticks in under a second: it spins"


def test_pid1_gives_up_without_wait4(sb, scratch):
    """A program that refuses wait4: pid 1 can't reap, and says so, rather
    than hang."""
    prof = harness.refusing_profile(scratch, ["wait4", "waitid"])
    r = sb.run(sb.minimal + ["--unshare-pid", "--seccomp-profile", prof, "true"], timeout=30)
    assert r.rc == 1, r.describe()
    assert "can't wait for the command" in r.err and "wait4" in r.err, r.describe()


def test_pid1_out_of_reach_when_prctl_is_refused(sb, scratch, fds):
    """A program that refuses prctl: pid 1 can't set up the exec'd reaper, so
    it stays where it is, non-dumpable since before the program was loaded:
    the command still can't reach it."""
    prof = harness.refusing_profile(scratch, ["prctl"])
    extra = path_args(sb, "info-fd", scratch, fds)
    r = sb.run(sb.minimal + no_caps(sb) + extra + ["--seccomp-profile", prof, "--dev", "/dev",
                                                   PY, "-c", REACH, sb.cocoon], pass_fds=fds)
    assert r.rc == 0, r.describe()
    d = json.loads(r.out)
    for k, v in d["pid1"].items():
        assert v in ("EPERM", "EACCES"), (k, d["pid1"])
    assert d["launcher_exe"] == [], d


@pytest.mark.skipif(not X86_64 or harness.SANITIZED, reason="the freestanding reaper is built for x86_64 only, "
                    "and sanitizer builds fork pid 1")
def test_reaper_is_execd_under_a_containers_filter(sb, scratch, fds):
    """Inside a container cocoon runs under a seccomp filter of the
    runtime's, which lets execveat through: pid 1 still execs the reaper,
    whose namespace files the caller can open (Flatpak does)."""
    outer = harness.refusing_profile(scratch, ["acct", "swapon"])
    info_r, info_w = os.pipe()
    os.set_inheritable(info_w, True)
    fds += [info_r, info_w]
    inner = [sb.cocoon, *sb.rootfs, "--unshare-pid", "--unshare-user", "--info-fd", str(info_w),
             "sh", "-c", "echo ready; exec sleep 30"]
    p = sb.popen([*harness.NESTING, "--seccomp-profile", outer, *inner], pass_fds=[info_w])
    try:
        assert readline(p.stdout) == b"ready\n", "the sandbox did not start"
        info, _ = harness.read_json_object(info_r)
        # child-pid is in the outer sandbox's pid namespace: find it by NSpid
        inner_launcher = [c for c in harness.descendants(p.pid) if c != p.pid and
                          _cmdline(c).startswith(sb.cocoon + "\0" + sb.rootfs[0])]
        assert inner_launcher, "the inner launcher is not running"
        pid1 = reaper_waiting(launcher_child(inner_launcher[-1]))
        exe = os.readlink(f"/proc/{pid1}/exe")
        opened = []
        for ns in ("user", "pid", "mnt"):
            fd = os.open(f"/proc/{pid1}/ns/{ns}", os.O_RDONLY)
            opened.append(ns)
            os.close(fd)
    finally:
        p.kill()
        p.communicate()
    assert exe == "/memfd:cocoon-reaper (deleted)", exe
    assert opened == ["user", "pid", "mnt"]


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline") as f:
            return f.read()
    except OSError:
        return ""


def test_root_with_caps_under_landlock_configures_its_namespaces(sb):
    """A root caller's command keeps CAP_SYS_ADMIN, so its mounts are locked
    in nested namespaces; with Landlock too, it still runs (the id maps are
    written before the domain exists), and its capabilities still reach the
    sandbox's network and UTS namespaces."""
    if not sb.ident.is_root:
        pytest.skip("about a root caller that keeps its capabilities")
    r = sb.run(sb.minimal + ["--dev", "/dev", "--tmpfs", "/tmp", "--unshare-all", "--landlock", "sh", "-c",
                             "ip addr add 10.7.7.7/8 dev lo && hostname citest && hostname"])
    assert (r.rc, r.out) == (0, "citest\n"), r.describe()
