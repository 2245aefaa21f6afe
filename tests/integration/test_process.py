# SPDX-License-Identifier: LGPL-2.1-or-later
"""Process model: exit status, signals, sessions, --die-with-parent, the pid 1
reaper, and no process outliving the launcher."""

import fcntl
import os
import random
import signal
import subprocess
import termios

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

def _start_under_parent(sb, args):
    """Start `sh` (as the identity) that runs the launcher in the background
    and waits. Returns (parent Popen). stdout carries the launcher's pid
    first, then whatever the sandbox prints."""
    inner = " ".join(f"'{a}'" for a in [sb.cocoon] + args)
    script = f"{inner} & echo $!; wait"
    return subprocess.Popen(sb.ident.wrap + ["/bin/sh", "-c", script], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=sb.scratch,
                            env={"PATH": "/usr/bin:/bin", "CITEST": harness.SESSION_TOKEN})


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
        parent.kill()            # the launcher's parent dies
        parent.wait()
        left = wait_gone(lambda: procs_with(m) + procs_with(f"{sb.cocoon}\0"), timeout=10)
        assert not left, f"processes survived the death of the launcher's parent: {left}"
        assert not wait_gone(lambda: [launcher] if alive(launcher) else [], timeout=10), \
            "the launcher survived its parent"
    finally:
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
