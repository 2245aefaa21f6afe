# SPDX-License-Identifier: LGPL-2.1-or-later
"""The sandbox's life as a terminal user sees it: Ctrl-C and Ctrl-Z typed on
a real terminal, the last word when one of cocoon's own mechanisms ends the
command, command-pid in the status fds, and leftovers killed by pidfd.

The terminal is a real pty: the launcher leads a session whose controlling
terminal it is (setsid and TIOCSCTTY in the child), and ^C, ^\\ and ^Z are
typed into the master, so that the line discipline sends the signals, as it
does for a person at a keyboard."""

import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

import harness
from harness import descendants, procs_with, tagged_env, wait_gone

pytestmark = pytest.mark.cocoon_only("the terminal's signals, the last word and command-pid are cocoon's")

HOST = ["--ro-bind", "/", "/", "--dev", "/dev"]
PIDNS = ["--unshare-pid", "--proc", "/proc"]
INTR, QUIT, SUSP = b"\x03", b"\x1c", b"\x1a"


class Tty:
    """The launcher on a pty of its own: stdin and stdout on the slave,
    stderr on a pipe (for cocoon's own words)."""

    def __init__(self, sb, args, env=None, exe=None, stderr_on_tty=False, argv=None):
        self.master, slave = os.openpty()
        # A terminal as a shell leaves it: signals on, echo off (less to read).
        attrs = termios.tcgetattr(slave)
        attrs[3] = (attrs[3] | termios.ISIG | termios.ICANON) & ~termios.ECHO
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.argv = argv or sb.argv(args, exe)
        t0 = time.time()

        def controlling_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.p = subprocess.Popen(self.argv, stdin=slave, stdout=slave,
                                  stderr=slave if stderr_on_tty else subprocess.PIPE,
                                  env=tagged_env(env), cwd=sb.scratch, preexec_fn=controlling_terminal)
        os.close(slave)
        sb.windows.append((t0, t0 + 120))
        self.out = b""

    def type(self, data):
        os.write(self.master, data)

    def expect(self, what, timeout=20.0):
        """Read the terminal until what has come; return everything read."""
        deadline = time.monotonic() + timeout
        while what.encode() not in self.out:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.master], [], [], left)[0]:
                raise AssertionError(f"waited for {what!r} on the terminal; got {self.out!r}\n"
                                     f"command: {self.argv}")
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: nothing holds the slave any more
                chunk = b""
            if not chunk:
                raise AssertionError(f"the terminal closed before {what!r}; got {self.out!r}")
            self.out += chunk
        return self.out

    def foreground(self):
        """The terminal's foreground process group, as the host sees it."""
        return struct.unpack("i", fcntl.ioctl(self.master, termios.TIOCGPGRP, b"\0" * 4))[0]

    def wait(self, timeout=30):
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise AssertionError(f"the launcher did not end; terminal: {self.out!r}")
        err = self.p.stderr.read().decode(errors="replace") if self.p.stderr else ""
        return rc, harness.Result([], rc, "", err).err  # cocoon's advice lines aside

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        if self.p.stderr:
            self.p.stderr.close()
        os.close(self.master)


@pytest.fixture
def tty(sb):
    made = []

    def start(args, **kw):
        t = Tty(sb, args, **kw)
        made.append(t)
        return t
    yield start
    for t in made:
        t.close()


def mark():
    return f"citest-life-{os.getpid()}-{time.monotonic_ns()}"


MAKEFILE = """\
all: t1 t2 t3
t1 t2 t3:
\t@echo started-$@; sleep 2; touch $@
"""


@pytest.mark.parametrize("args", [[], ["--new-session"], ["--new-session"] + PIDNS],
                         ids=["shared-terminal", "new-session", "new-session-pidns"])
def test_ctrl_c_stops_make(sb, tty, args):
    """make -j3 honours SIGINT: one Ctrl-C ends the whole tree, and no target
    appears later."""
    with open(os.path.join(sb.scratch, "Makefile"), "w") as f:
        f.write(MAKEFILE)
    os.chmod(os.path.join(sb.scratch, "Makefile"), 0o644)
    t = tty(HOST + ["--bind", sb.scratch, sb.scratch, "--chdir", sb.scratch] + args + ["make", "-j3"])
    for target in ("t1", "t2", "t3"):
        t.expect(f"started-{target}")
    t.type(INTR)
    rc, err = t.wait()
    # GNU make dies of the SIGINT (130); now and then, busy reaping the
    # recipes the same ^C ended, it gets ECHILD instead and exits 2 after
    # "Interrupt". Either way the exit status is make's own.
    assert rc == 130 or (rc == 2 and "Interrupt" in err), (rc, err, t.out)
    assert "cocoon:" not in err, err  # one Ctrl-C: nothing for cocoon to say
    time.sleep(3)  # the recipes would have touched their targets by now
    made = [n for n in ("t1", "t2", "t3") if os.path.exists(os.path.join(sb.scratch, n))]
    assert not made, f"targets written after Ctrl-C: {made}"


# A tree that ignores SIGINT: a shell that traps it, and children in the
# background (which a shell without job control starts with SIGINT ignored).
STUBBORN = ("trap '' INT; for i in 1 2 3; do (sleep 2.5; touch {d}/t$i # {m}\n) & done; "
            "sleep 0.3; echo started; wait; echo survived")


@pytest.mark.parametrize("pidns", [[], PIDNS], ids=["host-pidns", "new-pidns"])
@pytest.mark.parametrize("session", [[], ["--new-session"]], ids=["shared-terminal", "new-session"])
def test_second_ctrl_c_kills_the_sandbox(sb, tty, session, pidns):
    m = mark()
    script = STUBBORN.format(d=sb.scratch, m=m)
    t = tty(HOST + ["--bind", sb.scratch, sb.scratch] + session + pidns + ["sh", "-c", script])
    t.expect("started")
    t.type(INTR)
    time.sleep(0.5)
    assert t.p.poll() is None, "one Ctrl-C ended a sandbox that ignores SIGINT"
    t.type(INTR)
    rc, err = t.wait()
    assert rc == 137, (rc, err, t.out)  # the command's own status: SIGKILL
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cocoon: ") and "Ctrl-C" in lines[0], err
    assert not wait_gone(lambda: procs_with(m), timeout=5), "processes of the sandbox outlived the second Ctrl-C"
    time.sleep(3)
    made = [n for n in ("t1", "t2", "t3") if os.path.exists(os.path.join(sb.scratch, n))]
    assert not made, f"files written after the second Ctrl-C: {made}"
    assert b"survived" not in t.out


@pytest.mark.parametrize("session", [[], ["--new-session"]], ids=["shared-terminal", "new-session"])
def test_ctrl_c_once_is_not_fatal_to_cocoon(sb, tty, session):
    """A command that handles SIGINT gets it once (not twice) and goes on;
    cocoon stays."""
    script = ("n=0; trap 'n=$((n+1)); echo got-$n' INT; echo ready; "
              "while [ $n -lt 1 ]; do sleep 0.1; done; sleep 1; echo done-$n")
    t = tty(HOST + session + PIDNS + ["sh", "-c", script])
    t.expect("ready")
    t.type(INTR)
    t.expect("done-")
    rc, err = t.wait()
    assert rc == 0 and err == "", (rc, err, t.out)
    assert b"got-1" in t.out and b"got-2" not in t.out and b"done-1" in t.out, t.out


@pytest.mark.parametrize("pidns", [[], PIDNS], ids=["host-pidns", "new-pidns"])
def test_ctrl_z_and_fg_in_a_sandboxed_shell(sb, tty, pidns):
    """Job control in an interactive shell without --new-session: Ctrl-Z
    stops the job, fg brings it back, and the job is the terminal's
    foreground group while it runs."""
    m = mark()
    t = tty(HOST + pidns + ["bash", "--norc", "--noprofile", "-i"],
            env=dict(tagged_env(None), PS1="prompt> "), stderr_on_tty=True)
    t.expect("prompt> ")
    t.type(f"sh -c 'cat; echo cat-ended' {m}\n".encode())
    wait_gone(lambda: [] if procs_with(m) else [0], timeout=10)
    cat = procs_with(m)  # the job's shell, with cat below it
    assert cat and cat[0] in descendants(t.p.pid), "the job did not start in the sandbox"
    cat = cat[0]
    deadline = time.monotonic() + 10
    while t.foreground() != os.getpgid(cat) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert t.foreground() == os.getpgid(cat), "the sandbox's job is not the terminal's foreground"
    t.out = b""
    t.type(SUSP)
    t.expect("Stopped")
    t.expect("prompt> ")
    with open(f"/proc/{cat}/stat") as f:
        assert f.read().rsplit(")", 1)[1].split()[0] == "T", "Ctrl-Z did not stop the job"
    t.out = b""
    t.type(b"fg\n")
    t.expect("sh -c")
    t.type(b"back-again\n")
    t.expect("back-again")
    assert t.foreground() == os.getpgid(cat)
    t.type(b"\x04")  # end of input: cat ends
    t.expect("cat-ended")
    t.expect("prompt> ")
    t.type(b"exit\n")
    rc, err = t.wait()
    assert rc == 0, (rc, err, t.out)
    assert b"no job control" not in t.out, t.out


def state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


@pytest.mark.parametrize("args", [[], ["--new-session"], ["--new-session"] + PIDNS],
                         ids=["shared-terminal", "new-session", "new-session-pidns"])
def test_ctrl_z_stops_the_sandbox_as_a_job(sb, tty, args):
    """cocoon run from an interactive shell: Ctrl-Z stops the sandbox and
    cocoon, the shell sees a stopped job, fg continues both, Ctrl-C ends it."""
    m = mark()
    shell = tty(None, argv=sb.ident.wrap + ["bash", "--norc", "--noprofile", "-i"],
                env=dict(tagged_env(None), PS1="outer> "), stderr_on_tty=True)
    shell.expect("outer> ")
    line = " ".join([sb.cocoon] + HOST + args + ["sh", "-c", f"'echo started; sleep 30; : {m}'"])
    shell.type(line.encode() + b"\n")
    shell.expect("started")
    inside = procs_with(m)
    assert inside, "the sandbox's command is not running"
    shell.out = b""
    shell.type(SUSP)
    shell.expect("Stopped")
    shell.expect("outer> ")
    assert state(inside[0]) == "T", "Ctrl-Z did not stop the sandbox"
    launcher = [p for p in procs_with(sb.cocoon) if state(p) == "T"]
    assert launcher, "cocoon did not stop with its sandbox"
    shell.type(b"fg\n")
    deadline = time.monotonic() + 10
    while state(inside[0]) == "T" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state(inside[0]) != "T", "fg did not continue the sandbox"
    time.sleep(0.2)
    shell.out = b""
    shell.type(INTR)
    shell.expect("outer> ")
    shell.type(b"echo status=$?\n")
    shell.expect("status=130")
    assert not wait_gone(lambda: procs_with(m), timeout=5)
    shell.type(b"exit\n")
    shell.wait()


def test_terminal_foreground_given_back(sb, tty):
    """A shell in a pid namespace takes the terminal for its jobs and can't
    give it back to a process group it can't see: cocoon does, so that the
    script that ran it can read the terminal again."""
    script = (f"{sb.cocoon} " + " ".join(HOST + PIDNS) + " bash --norc --noprofile -i; "
              "read x; echo got-$x")
    t = tty(None, argv=sb.ident.wrap + ["sh", "-c", script], env=dict(tagged_env(None), PS1="inner> "),
            stderr_on_tty=True)
    t.expect("inner> ")
    t.type(b"sleep 0.1\n")
    t.expect("inner> ")
    t.type(b"exit\n")
    time.sleep(0.5)
    t.type(b"hello\n")
    t.expect("got-hello")
    rc, _ = t.wait()
    assert rc == 0, t.out


# ---------------------------------------------------------------- the last word

def test_last_word_second_ctrl_c_silent_as_bwrap(sb, tty):
    m = mark()
    t = tty(HOST + PIDNS + ["sh", "-c", STUBBORN.format(d=sb.scratch, m=m)], exe=sb.bins.bwrap_link)
    t.expect("started")
    t.type(INTR)
    time.sleep(0.3)
    t.type(INTR)
    rc, err = t.wait()
    assert rc == 137 and err == "", (rc, err)
    assert not wait_gone(lambda: procs_with(m), timeout=5)


SPIN = "while :; do :; done"


@pytest.mark.parametrize("pidns", [[], PIDNS], ids=["host-pidns", "new-pidns"])
@pytest.mark.parametrize("limit,code,words", [
    ("cpu=1", 137, "--rlimit cpu"),          # soft = hard: SIGKILL at the limit
    ("cpu=1:3", 152, "--rlimit cpu=1"),      # SIGXCPU at the soft limit
])
def test_last_word_rlimit_cpu(sb, pidns, limit, code, words):
    r = sb.run(HOST + pidns + ["--rlimit", limit, "sh", "-c", "exec sh -c '%s'" % SPIN], timeout=60)
    assert r.rc == code, r.describe()
    lines = r.err_lines()
    assert len(lines) == 1 and lines[0].startswith("cocoon: ") and words in lines[0], r.describe()
    assert "CPU" in lines[0]


@pytest.mark.parametrize("pidns", [[], PIDNS], ids=["host-pidns", "new-pidns"])
def test_last_word_rlimit_fsize(sb, pidns):
    out = os.path.join(sb.scratch, "big")
    r = sb.run(HOST + pidns + ["--bind", sb.scratch, sb.scratch, "--rlimit", "fsize=4K",
                               "sh", "-c", f"exec yes > {out}"])
    assert r.rc == 128 + signal.SIGXFSZ, r.describe()
    lines = r.err_lines()
    assert len(lines) == 1 and "--rlimit fsize" in lines[0] and lines[0].startswith("cocoon: "), r.describe()
    assert os.path.getsize(out) == 4096


def test_last_word_only_for_our_mechanisms(sb):
    """A command that dies of SIGKILL or SIGXCPU sent by someone else, or
    that exits 137 on its own, gets no word from cocoon."""
    for script in ("kill -KILL $$", "exit 137", "kill -XCPU $$"):
        r = sb.run(HOST + PIDNS + ["sh", "-c", script])
        assert r.err == "", r.describe()
    r = sb.run(HOST + ["--rlimit", "cpu=100", "sh", "-c", "kill -KILL $$"])
    assert r.rc == 137 and r.err == "", r.describe()


def test_last_word_rlimit_silent_as_bwrap(sb):
    r = sb.run(HOST + PIDNS + ["--rlimit", "cpu=1", "sh", "-c", SPIN], exe=sb.bins.bwrap_link, timeout=60)
    assert r.rc == 137 and r.err == "", r.describe()


def test_last_word_timeout(sb):
    r = sb.run(HOST + PIDNS + ["--timeout", "1", "sleep", "30"], timeout=60)
    assert r.rc == 124, r.describe()
    lines = r.err_lines()
    assert len(lines) == 1 and lines[0].startswith("cocoon: --timeout"), r.describe()


def test_last_word_oom(sb):
    """--memory-max: the cgroup's OOM killer. Needs a cgroup v2 with the
    memory controller delegated; this test changes no cgroup of the host."""
    probe = sb.run(HOST + ["--memory-max", "64M", "true"])
    if probe.rc != 0:
        pytest.skip("no cgroup v2 memory controller for the sandbox here: " + probe.err.strip())
    r = sb.run(HOST + ["--memory-max", "32M", "python3", "-c", "b = []\nwhile True: b.append(bytearray(1 << 20))"],
               timeout=60)
    assert r.rc == 137, r.describe()
    lines = r.err_lines()
    assert len(lines) == 1 and "OOM" in lines[0] and "--memory-max" in lines[0], r.describe()


# ---------------------------------------------------------------- command-pid

def _cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")


@pytest.mark.parametrize("args", [
    [],                                     # no reaper: the command is the first process
    PIDNS,                                  # the reaper is pid 1
    PIDNS + ["--as-pid-1"],                 # no reaper in the pid namespace
    ["--die-with-parent", "--proc", "/proc"],  # a reaper above the command, no pid namespace
    ["--sync-fd", "@sync"],                 # a reaper that holds the fd
], ids=["plain", "pidns-reaper", "pidns-as-pid-1", "reaper-no-pidns", "sync-fd"])
def test_command_pid(sb, args):
    m = mark()
    info_r, info_w = os.pipe()
    st_r, st_w = os.pipe()
    sync_r, sync_w = os.pipe()
    fds = [info_w, st_w]
    args = [str(sync_w) if a == "@sync" else a for a in args]
    if "--sync-fd" in args:
        fds.append(sync_w)
    p = subprocess.Popen(sb.argv(HOST + args + ["--info-fd", str(info_w), "--json-status-fd", str(st_w),
                                                "sh", "-c", "echo ready; read x", m]),
                         env=tagged_env(None), cwd=sb.scratch, pass_fds=fds,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for fd in (info_w, st_w, sync_w):
        os.close(fd)
    try:
        assert p.stdout.readline() == b"ready\n"
        info = json.loads(os.read(info_r, 65536).decode())
        first = json.loads(os.read(st_r, 65536).decode().splitlines()[0])
        cmd = info["command-pid"]
        assert first["command-pid"] == cmd and first["child-pid"] == info["child-pid"]
        # the command, as this process sees it: its command line is ours
        assert _cmdline(cmd)[-2:] == [m.encode(), b""], (_cmdline(cmd), info)
        assert cmd in descendants(p.pid)
        reaper = "--as-pid-1" not in args and any(a in args for a in ("--unshare-pid", "--die-with-parent",
                                                                           "--sync-fd"))
        assert (cmd != info["child-pid"]) == reaper, info
    finally:
        p.stdin.write(b"x\n")
        p.stdin.close()
        p.wait(timeout=30)
        p.stdout.close()
        p.stderr.close()
        os.close(info_r)
        os.close(st_r)
        os.close(sync_r)
    assert p.returncode == 0


def test_command_pid_with_userns_block_fd(sb):
    """Where the caller writes the id maps during setup, --info-fd comes
    before the command exists; --json-status-fd then gives command-pid on a
    line of its own."""
    info_r, info_w = os.pipe()
    st_r, st_w = os.pipe()
    blk_r, blk_w = os.pipe()
    m = mark()
    p = sb.popen(HOST + ["--unshare-user", "--unshare-pid", "--info-fd", str(info_w), "--json-status-fd", str(st_w),
                         "--userns-block-fd", str(blk_r), "sh", "-c", "echo ready", m],
                 pass_fds=[info_w, st_w, blk_r])
    for fd in (info_w, st_w, blk_r):
        os.close(fd)
    try:
        info = json.loads(os.read(info_r, 65536).decode())
        child = info["child-pid"]
        assert "command-pid" not in info
        os.write(blk_w, b"1")  # no maps written: the launcher writes its own
        assert p.stdout.readline() == b"ready\n"
        assert p.wait(timeout=30) == 0
        lines = [json.loads(x) for x in os.read(st_r, 65536).decode().splitlines()]
        assert "command-pid" in lines[1] and lines[1]["command-pid"] != child, lines
    finally:
        p.kill()
        p.wait()
        for fd in (info_r, st_r, blk_w):
            os.close(fd)
        p.stdout.close()
        p.stderr.close()


# ---------------------------------------------------------------- leftovers by pidfd

# Run in a pid namespace of the test's own, as its pid 1 (root outside): the
# launcher (traced by strace, which holds each of its kill and
# pidfd_send_signal calls back 2 s) runs a command that leaves P behind, and
# P's child L, which P reaps when it ends, 1 s in. The moment L is gone, its
# pid goes to a "host" process H (ns_last_pid of this namespace, which is not
# the host's). A monitor that killed what it had read from /proc, by pid,
# would kill H on its way through the list.
REUSE_HELPER = r'''
import ctypes, json, os, subprocess, sys, time
cfg = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x20000000 | 0x00020000) != 0:   # CLONE_NEWPID | CLONE_NEWNS
    sys.exit("unshare: %d" % ctypes.get_errno())
pid = os.fork()
if pid:
    _, st = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(st))
subprocess.run(["mount", "--make-rprivate", "/"], check=True)
subprocess.run(["mount", "-t", "proc", "proc", "/proc"], check=True)
lpid = cfg["lpid"]
launcher = subprocess.Popen(["strace", "-qq", "-o", "/dev/null", "-e", "trace=kill,pidfd_send_signal,tgkill",
                             "-e", "inject=kill,pidfd_send_signal,tgkill:delay_enter=2000000", "--"] + cfg["argv"],
                            env=cfg["env"], cwd=cfg["cwd"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
deadline = time.monotonic() + 20
while not (os.path.exists(lpid) and open(lpid).read().strip()) and time.monotonic() < deadline:
    time.sleep(0.005)
l = int(open(lpid).read())
while os.path.exists("/proc/%d" % l) and time.monotonic() < deadline:
    time.sleep(0.002)
with open("/proc/sys/kernel/ns_last_pid", "w") as f:
    f.write(str(l - 1))
h = subprocess.Popen(cfg["wrap"] + ["sleep", "60"])  # as the launcher's user: it could kill it
out, err = launcher.communicate(timeout=60)
time.sleep(0.5)
alive = h.poll() is None
left = []
for d in (d for d in os.listdir("/proc") if d.isdigit() and int(d) != os.getpid()):
    try:
        if cfg["mark"].encode() in open("/proc/%s/cmdline" % d, "rb").read():
            left.append(int(d))
    except OSError:
        pass
h.kill()
h.wait()
print(json.dumps({"l": l, "h": h.pid, "h_alive": alive, "rc": launcher.returncode, "err": err.decode(),
                  "left": left}))
'''

# The command: P (which reaps L, then becomes sleep) left behind.
LEAVER = ("sh -c 'sleep 1 & echo $! > {lpid}; wait; exec sleep 30 # {m}' & "
          "while [ ! -s {lpid} ]; do sleep 0.01; done")


def test_leftover_pid_reused_by_a_host_process(sb):
    if os.geteuid() != 0:
        pytest.skip("makes a pid namespace of its own as real root")
    if not shutil.which("strace"):
        pytest.skip("needs strace to hold the launcher's kill calls back")
    m = mark()
    lpid = os.path.join(sb.scratch, "lpid")
    argv = sb.argv(HOST + ["--bind", sb.scratch, sb.scratch, "sh", "-c", LEAVER.format(lpid=lpid, m=m)])
    cfg = {"argv": argv, "env": tagged_env(None), "cwd": sb.scratch, "lpid": lpid, "wrap": sb.ident.wrap, "mark": m}
    t0 = time.time()
    r = subprocess.run([sys.executable, "-c", REUSE_HELPER, json.dumps(cfg)], capture_output=True, timeout=120)
    sb.windows.append((t0, time.time()))
    assert r.returncode == 0, r.stderr.decode()
    d = json.loads(r.stdout)
    assert d["h"] == d["l"], f"could not give the leftover's pid to the host process: {d}"
    assert d["rc"] == 0, d
    assert d["h_alive"], f"the monitor killed a host process that took a leftover's pid: {d}"
    assert not d["left"], f"the leftover outlived the sandbox: {d}"


# ---------------------------------------------------------------- nothing of the monitor's inside

MONITOR_FDS = ("anon_inode:[pidfd]", "pidfd:", "anon_inode:[signalfd]", "anon_inode:[timerfd]",
               "anon_inode:[eventpoll]", "socket:")


@pytest.mark.parametrize("pidns", [[], PIDNS], ids=["host-pidns", "new-pidns"])
def test_monitor_fds_stay_outside(sb, pidns):
    """With every service of the monitor at work (status fds, --timeout,
    --die-with-parent, a new session), no process of the sandbox holds a
    pidfd, signalfd, timerfd, epoll fd or the report socket: the command's
    /proc/self/fd, and, read from outside, every process below the launcher."""
    if os.geteuid() != 0:
        pytest.skip("reads the fds of the sandbox's non-dumpable pid 1 from outside, as root")
    m = mark()
    info_r, info_w = os.pipe()
    st_r, st_w = os.pipe()
    script = 'for f in /proc/self/fd/*; do echo "fd $(readlink $f)"; done; echo ready; read x'
    p = subprocess.Popen(sb.argv(HOST + pidns + ["--new-session", "--die-with-parent", "--timeout", "60",
                                                 "--info-fd", str(info_w), "--json-status-fd", str(st_w),
                                                 "sh", "-c", script, m]),
                         env=tagged_env(None), cwd=sb.scratch, pass_fds=(info_w, st_w),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(info_w)
    os.close(st_w)
    try:
        inside = []
        while True:
            line = p.stdout.readline().decode()
            assert line, p.stderr.read().decode()
            if line == "ready\n":
                break
            inside.append(line)
        bad = [x for x in inside if any(k in x for k in MONITOR_FDS)]
        assert not bad, f"the command holds the monitor's fds: {inside}"
        info = json.loads(os.read(info_r, 65536).decode())
        seen = {}
        for pid in descendants(p.pid)[1:]:  # the launcher itself holds them, of course
            try:
                seen[pid] = [(n, os.readlink(f"/proc/{pid}/fd/{n}")) for n in os.listdir(f"/proc/{pid}/fd")]
            except OSError:
                continue

        def allowed(pid, n, target):
            # Without a pid namespace, the reaper of --die-with-parent keeps
            # a pidfd of the launcher (to know when it is gone), out of the
            # command's reach: that one only.
            if pidns or pid != info["child-pid"] or "pidfd" not in target:
                return False
            with open(f"/proc/{pid}/fdinfo/{n}") as f:
                return f"Pid:\t{p.pid}\n" in f.read()
        bad = {pid: fds for pid, fds in seen.items()
               if any(k in f and not allowed(pid, n, f) for n, f in fds for k in MONITOR_FDS)}
        assert seen and not bad, f"processes of the sandbox hold the monitor's fds: {bad}"
    finally:
        p.stdin.write(b"x\n")
        p.stdin.close()
        p.wait(timeout=30)
        p.stdout.close()
        p.stderr.close()
        os.close(info_r)
        os.close(st_r)
    assert p.returncode == 0


@pytest.mark.parametrize("refused", [["pidfd_open"], ["sendmsg", "pidfd_open"]], ids=["pidfd_open", "sendmsg"])
def test_status_when_the_command_cannot_tell(sb, refused):
    """A seccomp profile that refuses the command's word to the monitor
    (pidfd_open, or sendmsg itself): --info-fd still comes, with the
    namespaces, and the caller's --block-fd does not wait forever; without
    the pidfd, command-pid still comes from the kernel's credentials."""
    prof = harness.refusing_profile(sb.scratch, refused)
    info_r, info_w = os.pipe()
    blk_r, blk_w = os.pipe()
    p = sb.popen(HOST + PIDNS + ["--seccomp-profile", prof, "--info-fd", str(info_w), "--block-fd", str(blk_r),
                                "sh", "-c", "echo ran"], pass_fds=(info_w, blk_r))
    os.close(info_w)
    os.close(blk_r)
    try:
        info = harness.read_json_object(info_r, timeout=20)[0]
        assert "mnt-namespace" in info and "pid-namespace" in info, info
        assert ("command-pid" in info) == ("sendmsg" not in refused), info
        os.write(blk_w, b"x")
        out, err = p.communicate(timeout=30)
        assert p.returncode == 0 and out == b"ran\n", (p.returncode, out, err)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(info_r)
        os.close(blk_w)
