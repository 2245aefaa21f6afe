# SPDX-License-Identifier: LGPL-2.1-or-later
"""Process model: exit status, signals, sessions, --die-with-parent, the pid 1
reaper, and no process outliving the launcher."""

import errno
import fcntl
import json
import os
import platform
import random
import signal
import subprocess
import termios
import time

import pytest

import harness
from harness import alive, kill_pids, procs_with, readline, wait_gone

# /dev is needed for `cmd &` in sh (it redirects the job's stdin from /dev/null)
BASE = ["--ro-bind", "/", "/", "--dev", "/dev"]
PIDNS = ["--unshare-pid", "--proc", "/proc"]

pidns_param = pytest.mark.parametrize("pidns", [[], PIDNS], ids=["host-pidns", "new-pidns"])


def marker():
    """A sleep duration nobody else uses, so the process can be found by it."""
    return str(random.randint(10**8, 10**9 - 1))


@pytest.fixture
def reap():
    """Collects markers; any process still carrying one at the end is killed
    (these are processes the test started) and reported."""
    marks = []
    yield marks
    left = []
    for m in marks:
        left += procs_with(m)
    kill_pids(left)


# ---------------------------------------------------------------- exit status

@pidns_param
@pytest.mark.parametrize("code", [0, 1, 3, 42, 126, 255])
def test_exit_status_passes_through(sb, pidns, code):
    r = sb.run(BASE + pidns + ["sh", "-c", f"exit {code}"])
    assert r.rc == code, r.describe()
    assert r.err == "", r.describe()


@pidns_param
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGUSR1, signal.SIGSEGV],
                         ids=lambda s: s.name)
def test_killed_by_signal_gives_128_plus_n(sb, pidns, sig):
    r = sb.run(BASE + pidns + ["sh", "-c", f"kill -{int(sig)} $$"])
    assert r.rc == 128 + int(sig), r.describe()


def test_as_pid_1_exit_status(sb):
    r = sb.run(BASE + PIDNS + ["--as-pid-1", "sh", "-c", "exit 7"])
    assert r.rc == 7, r.describe()


# ---------------------------------------------------------------- signals sent to the launcher

READY_TRAP = ("trap 'kill $p 2>/dev/null; exit 42' TERM INT HUP; "
              "sleep {m} & p=$!; echo ready; wait $p")


@pytest.mark.cocoon_only("bwrap does not forward signals to the command")
@pidns_param
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_signal_reaches_command(sb, pidns, sig, reap):
    m = marker()
    reap.append(m)
    p = sb.popen(BASE + pidns + ["sh", "-c", READY_TRAP.format(m=m)])
    try:
        assert readline(p.stdout) == b"ready\n"
        p.send_signal(sig)
        rc = p.wait(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert rc == 42, f"the command's trap for {sig.name} should exit 42, got {rc}; stderr={p.stderr.read()!r}"
    assert not wait_gone(lambda: procs_with(m), timeout=5), "a process outlived the launcher"


@pytest.mark.cocoon_only("bwrap does not forward signals to the command")
@pidns_param
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_signal_kills_command_status_128_plus_n(sb, pidns, sig, reap):
    m = marker()
    reap.append(m)
    p = sb.popen(BASE + pidns + ["sh", "-c", f"echo ready; exec sleep {m}"])
    try:
        assert readline(p.stdout) == b"ready\n"
        p.send_signal(sig)
        rc = p.wait(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert rc == 128 + int(sig), f"expected {128 + int(sig)}, got {rc}; stderr={p.stderr.read()!r}"
    assert not wait_gone(lambda: procs_with(m), timeout=5)


# ---------------------------------------------------------------- sessions

def test_same_session_by_default(sb):
    d = sb.probe(BASE)
    assert d["sid"] == os.getsid(0)


def test_new_session(sb):
    d = sb.probe(BASE + ["--new-session"])
    assert d["sid"] != os.getsid(0)
    assert d["sid"] == d["pgid"], "the command runs in the new session's process group"


def test_new_session_with_pid_namespace(sb):
    d = sb.probe(BASE + PIDNS + ["--new-session"])
    # the session leader is inside the pid namespace, so its id is visible
    assert d["sid"] in (1, 2), d["sid"]
    without = sb.probe(BASE + PIDNS)
    assert without["sid"] == 0, "without --new-session the session leader is outside"


def _run_with_ctty(sb, args):
    """Run the launcher in a new session whose controlling terminal is a
    fresh pty; stdout and stderr stay pipes."""
    master, slave = os.openpty()

    def become_tty_owner():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    try:
        return sb.run(args, pass_fds=[slave], preexec_fn=become_tty_owner)
    finally:
        os.close(master)
        os.close(slave)


TTY_CHECK = "if ( exec 3</dev/tty ) 2>/dev/null; then echo has-tty; else echo no-tty; fi"


def test_controlling_tty_kept_without_new_session(sb):
    r = _run_with_ctty(sb, BASE + ["sh", "-c", TTY_CHECK])
    assert r.out == "has-tty\n", r.describe()


def test_new_session_drops_controlling_tty(sb):
    r = _run_with_ctty(sb, BASE + ["--new-session", "sh", "-c", TTY_CHECK])
    assert r.out == "no-tty\n", r.describe()


# ---------------------------------------------------------------- pid 1

def test_reaper_is_pid_1(sb):
    d = sb.probe(BASE + PIDNS)
    assert (d["pid"], d["ppid"]) == (2, 1)
    assert d["pid1_comm"].strip() != "probe"


def test_reaper_reaps_orphans(sb):
    """An orphan that exits is reaped by pid 1 (no zombie stays)."""
    script = ("(sleep 0 & echo $! > /tmp/gc); p=$(cat /tmp/gc); i=0; "
              "while [ -e /proc/$p ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
              "if [ -e /proc/$p ]; then cat /proc/$p/stat; exit 3; fi; echo reaped")
    r = sb.run(BASE + PIDNS + ["--tmpfs", "/tmp", "sh", "-c", script])
    assert r.rc == 0 and r.out.strip() == "reaped", r.describe()


def test_as_pid_1(sb):
    d = sb.probe(BASE + PIDNS + ["--as-pid-1"])
    assert (d["pid"], d["ppid"]) == (1, 0)


# Reported from inside about pid 1: what it runs, its name, capabilities,
# resident size, and the seals on its program. Found by its pid in our pid
# namespace, which works in an outer sandbox's /proc too.
PID1_REPORT = r"""
import fcntl, json, os
def nspid(p):
    return [l.split()[1:] for l in open(f"/proc/{p}/status") if l.startswith("NSpid:")][0]
def find_pid1():
    depth = len(nspid("self"))
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            ns = nspid(p)
        except OSError:
            continue
        if len(ns) == depth and ns[-1] == "1":
            return p
P = "/proc/" + find_pid1()
r = {"comm": open(P + "/comm").read().strip()}
st = dict(l.split(":", 1) for l in open(P + "/status").read().splitlines() if ":" in l)
r["caps"] = sorted({st[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")})
r["rss_kb"] = int(st["VmRSS"].split()[0])
try:
    r["exe"] = os.readlink(P + "/exe")
    fd = os.open(P + "/exe", os.O_RDONLY)
    r["magic"] = os.read(fd, 4).hex()
    r["seals"] = fcntl.fcntl(fd, 1034)  # F_GET_SEALS
except OSError as e:
    r["exe"] = e.errno
try:
    os.open(P + "/exe", os.O_RDWR)
    r["rdwr"] = "ok"
except OSError as e:
    r["rdwr"] = e.errno
print(json.dumps(r))
"""

# Sent from inside to pid 1, which passes it on like one from the monitor.
SIGNAL_VIA_PID1 = ("trap 'echo got-usr1; exit 9' USR1; kill -USR1 1; "
                   "i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exit 3")

needs_reaper_image = pytest.mark.skipif(
    platform.machine() != "x86_64" or harness.SANITIZED,
    reason="the freestanding reaper is built for x86_64 only, and sanitizer builds fork pid 1 (see can_share_memory)")


def _pid1_report_from_outside(pid):
    """What PID1_REPORT says, read by the test itself: from inside, pid 1
    is out of the command's reach (test_pid1)."""
    r = {"comm": open(f"/proc/{pid}/comm").read().strip()}
    st = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines() if ":" in line)
    r["caps"] = sorted({st[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")})
    r["rss_kb"] = int(st["VmRSS"].split()[0])
    r["exe"] = os.readlink(f"/proc/{pid}/exe")
    fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
    try:
        r["magic"] = os.read(fd, 4).hex()
        r["seals"] = fcntl.fcntl(fd, 1034)  # F_GET_SEALS
        r["mode"] = os.fstat(fd).st_mode & 0o7777
    finally:
        os.close(fd)
    try:
        os.close(os.open(f"/proc/{pid}/exe", os.O_RDWR))
        r["rdwr"] = "ok"
    except OSError as e:
        r["rdwr"] = e.errno
    return r


@pytest.mark.cocoon_only("bwrap's pid 1 is a fork of bwrap")
@needs_reaper_image
@pytest.mark.parametrize("how", ["shared-memory", "forked"])
def test_reaper_is_a_small_sealed_program_of_its_own(sb, how):
    """pid 1 sets up in the monitor's memory (with a user namespace of its
    own and nothing to report) or as a fork of it (--info-fd), and then execs
    the freestanding reaper from a sealed memfd: a few pages, no
    capabilities, the launcher's name, and a program that nobody can change
    (runc's CVE-2019-5736 went through /proc/PID/exe), of mode 0100 so that
    the kernel keeps the reaper non-dumpable."""
    info = os.open("/dev/null", os.O_WRONLY)
    extra = ["--info-fd", str(info)] if how == "forked" else []
    try:
        p = sb.popen(BASE + PIDNS + ["--unshare-user", *extra, "sh", "-c", "echo ready; exec sleep 30"],
                     pass_fds=(info,))
    finally:
        os.close(info)
    try:
        while True:
            line = readline(p.stdout)
            assert line, "the sandbox did not start"
            if line == b"ready\n":
                break
        kids = [c for c in harness.descendants(p.pid) if c != p.pid and harness.ppid_of(c) == p.pid]
        assert len(kids) == 1, kids

        def busy():   # the command may run before pid 1 has exec'd the reaper
            try:
                with open(f"/proc/{kids[0]}/syscall") as f:
                    return [] if f.read().split()[0] == "128" else kids   # rt_sigtimedwait: in its loop
            except (OSError, IndexError):
                return kids
        assert not wait_gone(busy, timeout=10), "pid 1 never settled in its loop"
        d = _pid1_report_from_outside(kids[0])
    finally:
        p.kill()
        p.communicate()
    assert d["exe"] == "/memfd:cocoon-reaper (deleted)", d
    assert d["magic"] == "7f454c46", d   # an ELF image
    assert d["seals"] & 15 == 15, d      # F_SEAL_SEAL | SHRINK | GROW | WRITE
    assert d["mode"] == 0o100, d
    assert d["rdwr"] in (errno.EPERM, errno.EACCES, errno.ETXTBSY), d
    assert d["comm"] == os.path.basename(sb.cocoon)[:15], d
    assert d["caps"] == ["0000000000000000"], d
    assert d["rss_kb"] < 256, d          # the forked reaper carried the launcher's pages


@pytest.mark.cocoon_only("bwrap's pid 1 does not pass signals on")
@pytest.mark.parametrize("userns", [[], ["--unshare-user"]], ids=["default", "own-userns"])
def test_reaper_passes_signals_on(sb, userns):
    r = sb.run(BASE + PIDNS + userns + ["sh", "-c", SIGNAL_VIA_PID1])
    assert (r.rc, r.out) == (9, "got-usr1\n"), r.describe()


def _run_where_the_reaper_cant_exec(sb, scratch, how, command):
    """Run the launcher, with its own user and pid namespaces, where pid 1
    can't or won't exec the reaper: under a seccomp filter (which might kill
    rather than refuse, so it doesn't try), or in a pid namespace with
    vm.memfd_noexec=2 (no executable memfd at all; set by root, in a pid
    namespace of the test's own)."""
    inner = [*sb.rootfs, "--unshare-pid", "--unshare-user"]
    if how == "seccomp-filter":
        profile = harness.refusing_profile(scratch, ["execveat"])
        # no new /proc inside: the outer one is masked
        return sb.run([*harness.NESTING, "--seccomp-profile", profile, sb.cocoon, *inner, *command])
    if os.geteuid() != 0:
        pytest.skip("setting vm.memfd_noexec in a pid namespace takes root")
    argv = ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
            'echo 2 > /proc/sys/vm/memfd_noexec && exec "$@"', "sh"] + sb.argv(inner + PIDNS[1:] + command)
    p = subprocess.run(argv, capture_output=True, timeout=60, cwd=sb.scratch, stdin=subprocess.DEVNULL,
                       env=harness.tagged_env(None))
    return harness.Result(argv, p.returncode, p.stdout.decode(), p.stderr.decode())


@pytest.mark.cocoon_only("bwrap's pid 1 is a fork of bwrap")
@needs_reaper_image
@pytest.mark.parametrize("how", ["seccomp-filter", "memfd-noexec"])
def test_reaper_stays_in_place_when_it_cant_exec(sb, scratch, how):
    """pid 1 then runs the same loop where it is, in memory it shares with
    the monitor: the command's status and signals still pass, and that
    memory stays out of the sandbox's reach (non-dumpable, so pid 1's exe
    can't be read)."""
    r = _run_where_the_reaper_cant_exec(sb, scratch, how, ["sh", "-c", SIGNAL_VIA_PID1])
    assert (r.rc, r.out) == (9, "got-usr1\n"), r.describe()
    r = _run_where_the_reaper_cant_exec(sb, scratch, how, ["python3", "-c", PID1_REPORT + "raise SystemExit(7)"])
    assert r.rc == 7, r.describe()
    d = json.loads(r.out)
    assert d["exe"] == errno.EACCES and d["rdwr"] == errno.EACCES, d
    assert d["caps"] == ["0000000000000000"], d


# ---------------------------------------------------------------- nothing outlives the launcher

def run_detached(sb, args):
    """Run the launcher with stdio not captured (a leftover child holding a
    pipe must not block the test) and return its exit status."""
    p = sb.popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


@pytest.mark.cocoon_only("bwrap's pid 1 keeps running while background children live")
def test_pid_namespace_background_children_die(sb, reap):
    m = marker()
    reap.append(m)
    assert run_detached(sb, BASE + PIDNS + ["sh", "-c", f"sleep {m} & setsid -f sleep {m}; exit 0"]) == 0
    left = wait_gone(lambda: procs_with(m), timeout=5)
    assert not left, f"children outlived the launcher: {left}"


@pytest.mark.cocoon_only("bwrap leaves background children running without a pid namespace")
def test_no_stray_without_pid_namespace(sb, reap):
    m = marker()
    reap.append(m)
    assert run_detached(sb, BASE + ["sh", "-c", f"sleep {m} & exit 0"]) == 0
    left = wait_gone(lambda: procs_with(m), timeout=5)
    assert not left, f"`sleep {m} &` outlived the launcher: {left}"


@pytest.mark.cocoon_only("bwrap leaves daemonized children running without a pid namespace")
def test_no_daemon_survives_without_pid_namespace(sb, reap):
    m = marker()
    reap.append(m)
    assert run_detached(sb, BASE + ["sh", "-c", f"setsid -f sleep {m}; exit 0"]) == 0
    assert not wait_gone(lambda: procs_with(m), timeout=5)


def test_launcher_gone_after_exit(sb):
    p = sb.popen(BASE + ["true"])
    p.communicate(timeout=30)
    assert p.returncode == 0
    assert not wait_gone(lambda: procs_with(sb.bindir), timeout=5)


# ---------------------------------------------------------------- --die-with-parent

def _start_under_parent(sb, args, feed=""):
    """Start `sh` (as the identity) that runs the launcher in the background
    (its stdin from the command feed, if given) and waits. Returns (parent
    Popen). stdout carries the launcher's pid first, then whatever the
    sandbox prints."""
    inner = " ".join(f"'{a}'" for a in [sb.cocoon] + args)
    script = f"{feed + ' | ' if feed else ''}{inner} & echo $!; wait"
    return subprocess.Popen(sb.ident.wrap + ["/bin/sh", "-c", script], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=sb.scratch,
                            env={"PATH": "/usr/bin:/bin", "CITEST": harness.SESSION_TOKEN})


def _kill_parent_and_expect_all_gone(sb, parent, launcher, mark=None):
    """Kill the launcher's parent; the launcher, every process of the launcher's
    binary and every process carrying mark (if given) must go."""
    parent.kill()
    parent.wait()
    left = wait_gone(lambda: (procs_with(mark) if mark else []) + procs_with(f"{sb.cocoon}\0"), timeout=10)
    assert not left, f"processes survived the death of the launcher's parent: {left}"
    assert not wait_gone(lambda: [launcher] if alive(launcher) else [], timeout=10), \
        "the launcher survived its parent"


@pytest.mark.parametrize("pidns", [
    pytest.param([], id="host-pidns", marks=pytest.mark.cocoon_only(
        "bwrap's PDEATHSIG does not reach grandchildren without a pid namespace")),
    pytest.param(PIDNS, id="new-pidns"),
])
def test_die_with_parent_kills_whole_tree(sb, pidns, reap):
    m = marker()
    reap.append(m)
    script = f"sleep {m} & setsid -f sleep {m}; echo ready; wait"
    parent = _start_under_parent(sb, BASE + pidns + ["--die-with-parent", "sh", "-c", script])
    try:
        launcher = int(readline(parent.stdout))
        assert readline(parent.stdout) == b"ready\n", "the sandbox did not start"
        assert len(procs_with(m)) >= 2, "the sandboxed sleeps should be running"
        _kill_parent_and_expect_all_gone(sb, parent, launcher, m)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


@pidns_param
def test_die_with_parent_while_setup_blocks(sb, pidns, reap):
    """The parent dies while the sandbox is still being set up (its --file
    data comes from a pipe nobody writes): the launcher takes it down
    without waiting for setup to end."""
    m = marker()
    reap.append(m)
    args = ["--tmpfs", "/tmp", "--die-with-parent", "--file", "0", "/tmp/x", "true"]
    parent = _start_under_parent(sb, BASE + pidns + args, feed=f"sleep {m}")  # the feeder never writes
    try:
        launcher = int(readline(parent.stdout))
        time.sleep(0.5)
        assert alive(launcher), "the launcher should be waiting for its data"
        _kill_parent_and_expect_all_gone(sb, parent, launcher)
    finally:
        kill_pids(procs_with(m))
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_without_die_with_parent_sandbox_survives_parent(sb, reap):
    """Control for the test above: the sandbox does not die by itself."""
    m = marker()
    reap.append(m)
    parent = _start_under_parent(sb, BASE + PIDNS + ["sh", "-c", f"echo ready; exec sleep {m}"])
    try:
        launcher = int(readline(parent.stdout))
        assert readline(parent.stdout) == b"ready\n"
        parent.kill()
        parent.wait()
        assert procs_with(m), "the sandbox should still run"
        assert alive(launcher)
    finally:
        kill_pids(procs_with(m))
        if parent.poll() is None:
            parent.kill()
            parent.wait()
