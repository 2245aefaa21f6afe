# SPDX-License-Identifier: LGPL-2.1-or-later
"""The texts and status lines that bubblewrap's own tests, and its callers,
look for. Under the bwrap name cocoon words them as bwrap does (0.11's
sources, and Debian's 0.8 where it agrees); under its own name it keeps its
own wording, which names the flag and the problem. Each test runs for both
identities."""

import json
import os
import re
import shutil
import subprocess

import pytest

from harness import BASE_ENV

# LeakSanitizer can't run under ptrace: an ASan build traced by strace
# must leave it off.
TRACED_ENV = dict(BASE_ENV, ASAN_OPTIONS=(BASE_ENV.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":"))

BWRAP = "/usr/bin/bwrap"
ROOT = ["--ro-bind", "/", "/"]


def _names(sb):
    """(exe, is the bwrap name) for the launcher under its own name and
    through the link named bwrap."""
    return [(sb.cocoon, sb.bins.is_bwrap), (sb.bins.bwrap_link, True)]


# ---------------------------------------------------------------- --help

def test_usage_names_argv0(sb):
    """bwrap prints its argv[0] in the usage line; its suite runs it by a
    full path and looks for `usage: /that/path`."""
    for exe in (sb.cocoon, sb.bins.bwrap_link):
        r = sb.ok(["--help"], exe=exe)
        assert r.out.startswith(f"usage: {exe} [OPTIONS...]"), r.describe()
    env = {"PATH": sb.bins.link_dir + ":/usr/bin:/bin"}
    r = sb.ok(["--help"], exe="bwrap", env=env)
    assert r.out.startswith("usage: bwrap [OPTIONS...]"), r.describe()


# ---------------------------------------------------------------- setup errors

def test_missing_bind_source(sb):
    for exe, as_bwrap in _names(sb):
        r = sb.expect_error(ROOT + ["--bind", "/nonexistent-citest", "/mnt", "true"], "/nonexistent-citest",
                            prefix="bwrap: " if as_bwrap else "cocoon: ", exe=exe)
        if as_bwrap:
            assert re.match(r"^bwrap: Can't find source path /nonexistent-citest: No such file or directory$",
                            r.err), r.describe()
        else:
            assert "--bind" in r.err and "No such file or directory" in r.err, r.describe()


@pytest.mark.cocoon_only("bwrap 0.8 also refuses an identical link; the wording is 0.9's")
def test_conflicting_symlink(sb):
    args = ROOT + ["--tmpfs", "/mnt", "--symlink", "a", "/mnt/l", "--symlink", "b", "/mnt/l", "true"]
    for exe, as_bwrap in _names(sb):
        r = sb.expect_error(args, "/mnt/l", prefix="bwrap: " if as_bwrap else "cocoon: ", exe=exe)
        if as_bwrap:
            assert r.err == "bwrap: Can't make symlink at /mnt/l: existing destination is a\n", r.describe()
        else:
            assert "--symlink" in r.err and "points to a" in r.err, r.describe()
    # Not a symlink at all.
    args = ROOT + ["--tmpfs", "/mnt", "--dir", "/mnt/l", "--symlink", "b", "/mnt/l", "true"]
    r = sb.expect_error(args, "/mnt/l", prefix="bwrap: ", exe=sb.bins.bwrap_link)
    assert r.err == "bwrap: Can't make symlink at /mnt/l: destination exists and is not a symlink\n", r.describe()
    # The same link again is fine.
    sb.ok(ROOT + ["--tmpfs", "/mnt", "--symlink", "a", "/mnt/l", "--symlink", "a", "/mnt/l", "true"])


# ---------------------------------------------------------------- --overlay-src

OVERLAY_CASES = [
    (["--overlay", "u", "w", "/tmp"], "--overlay requires at least one --overlay-src", "--overlay"),
    (["--tmp-overlay", "/tmp"], "--tmp-overlay requires at least one --overlay-src", "--tmp-overlay"),
    (["--ro-overlay", "/tmp"], "--ro-overlay requires at least two --overlay-src", "--ro-overlay"),
    (["--overlay-src", "/tmp", "--ro-overlay", "/tmp"], "--ro-overlay requires at least two --overlay-src",
     "--ro-overlay"),
    (["--overlay-src", "/tmp"],
     "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay",
     "--overlay-src"),
    (["--overlay-src", "/tmp", "--chdir", "/"],
     "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay",
     "--overlay-src"),
]


@pytest.mark.cocoon_only("bwrap 0.8 has no overlays; the texts are 0.10's")
@pytest.mark.parametrize("args,bwrap_text,flag", OVERLAY_CASES,
                         ids=["overlay", "tmp-overlay", "ro-overlay-none", "ro-overlay-one", "trailing", "other"])
def test_overlay_src_rules(sb, args, bwrap_text, flag):
    r = sb.expect_error(ROOT + args + ["true"], flag, prefix="bwrap: ", exe=sb.bins.bwrap_link)
    assert r.err == f"bwrap: {bwrap_text}\n", r.describe()
    r = sb.expect_error(ROOT + args + ["true"], flag, prefix="cocoon: ")
    assert r.err.startswith(f"cocoon: {flag}: ") and "--overlay-src" in r.err, r.describe()


# ---------------------------------------------------------------- --json-status-fd

def _status_lines(sb, args, exe=None):
    rd, wr = os.pipe()
    try:
        r = sb.run(["--json-status-fd", str(wr)] + args, exe=exe, pass_fds=(wr,))
        os.close(wr)
        wr = -1
        data = os.read(rd, 65536).decode()
    finally:
        os.close(rd)
        if wr >= 0:
            os.close(wr)
    return r, [json.loads(ln) for ln in data.splitlines() if ln.strip()]


def _exit_codes(lines):
    return [ln["exit-code"] for ln in lines if "exit-code" in ln]


@pytest.mark.parametrize("case", ["ran", "setup-failed", "exec-failed"])
def test_exit_code_only_when_the_command_started(sb, case):
    """bwrap leaves exit-code out when the command never started: a failed
    setup step or a failed exec. Debian's 0.8 does the same; compared with
    it where it is installed."""
    args = {"ran": ROOT + ["sh", "-c", "exit 7"],
            "setup-failed": ROOT + ["--bind", "/nonexistent-citest", "/mnt", "true"],
            "exec-failed": ROOT + ["/"]}[case]
    exes = [None] + ([BWRAP] if os.access(BWRAP, os.X_OK) else [])
    for exe in exes:
        r, lines = _status_lines(sb, args, exe=exe)
        if case == "ran":
            assert r.rc == 7 and _exit_codes(lines) == [7], r.describe() + f"\nstatus: {lines}"
        else:
            assert r.rc == 1 and _exit_codes(lines) == [], r.describe() + f"\nstatus: {lines}"
        if case == "exec-failed":
            assert "child-pid" in lines[0], lines


def _prctl_index(path, wanted):
    """From an strace -f log of prctl calls: (pid, how many prctl calls that
    pid had made up to and including its first call that contains wanted)."""
    counts = {}
    with open(path) as f:
        for line in f:
            pid, _, call = line.partition(" ")
            call = call.strip()
            if not call.startswith("prctl("):
                continue
            counts[pid] = counts.get(pid, 0) + 1
            if wanted in call:
                return pid, counts[pid]
    return None, 0


@pytest.mark.cocoon_only("finds cocoon's own last prctl before exec")
def test_no_exit_code_after_a_failure_just_before_exec(sb):
    """The seccomp filter is the last thing loaded before exec: when the
    kernel refuses it (strace injects the error), the command never starts,
    so no exit-code, though everything else of the setup went through."""
    strace = shutil.which("strace")
    if not strace:
        pytest.skip("strace is not installed")
    log = os.path.join(sb.scratch, "prctl.log")

    def traced(extra):
        path = os.path.join(sb.scratch, "status")
        wr = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            argv = sb.ident.wrap + [strace, "-f", "-qq", "-o", log, "-e", "trace=prctl"] + extra + \
                [sb.cocoon] + ROOT + ["--json-status-fd", str(wr), "true"]
            p = subprocess.run(argv, env=TRACED_ENV, cwd=sb.scratch, pass_fds=(wr,), capture_output=True, timeout=60)
        finally:
            os.close(wr)
        with open(path) as f:
            return p, [json.loads(ln) for ln in f.read().splitlines() if ln.strip()]

    os.chmod(sb.scratch, 0o777)
    p, lines = traced([])
    assert p.returncode == 0 and _exit_codes(lines) == [0], (p, lines)
    pid, n = _prctl_index(log, "PR_SET_SECCOMP")
    assert n, "no seccomp filter was loaded"
    p, lines = traced(["-e", f"inject=prctl:error=EINVAL:when={n}"])
    assert p.returncode == 1 and _exit_codes(lines) == [], (p, lines)
    assert lines and "child-pid" in lines[0], lines    # the sandbox did start
    assert b"can't load seccomp program" in p.stderr, p  # and failed where the injection aimed


def test_exec_note_pipe_is_out_of_reach(sb):
    """The pipe on which the command's process notes its exec is closed by
    that exec, and pid 1, which keeps it, is out of the command's reach: the
    command can neither see the pipe nor write a byte on it (which would
    hide its own exit-code)."""
    rd, wr = os.pipe()
    try:
        script = ("ls /proc/self/fd; for f in /proc/1/fd/*; do "
                  "if printf x 2>/dev/null >\"$f\"; then echo WROTE $f; fi; done; true")
        r = sb.run(sb.minimal + ["--unshare-pid", "--json-status-fd", str(wr), "sh", "-c", script],
                   pass_fds=(wr,))
        os.close(wr)
        wr = -1
        lines = [json.loads(ln) for ln in os.read(rd, 65536).decode().splitlines() if ln.strip()]
    finally:
        os.close(rd)
        if wr >= 0:
            os.close(wr)
    assert r.rc == 0, r.describe()
    fds = sorted(int(x) for x in r.out.split() if x.isdigit())
    assert fds == [0, 1, 2, 3], r.describe()      # 3: ls's own directory
    assert "WROTE" not in r.out, r.describe()
    assert _exit_codes(lines) == [0], lines


@pytest.mark.cocoon_only("bwrap 0.8 may be built for setuid; 0.11.2+ refuses it by default, 0.12 always")
@pytest.mark.parametrize("mode", [0o4755, 0o2755], ids=["setuid", "setgid"])
def test_refuses_to_run_setuid(sb, mode):
    """A setuid or setgid copy would lend root's privileges to every caller:
    cocoon refuses to run at all, before it reads a single option. For a
    root caller the bits change nothing, and it runs."""
    if os.geteuid() != 0:
        pytest.skip("making a setuid-root copy takes root")
    d = os.path.join(sb.scratch, "suid")
    os.mkdir(d)
    os.chmod(d, 0o755)
    copy = os.path.join(d, "cocoon")
    shutil.copyfile(sb.cocoon, copy)
    os.chown(copy, 0, 0)
    os.chmod(copy, mode)
    r = sb.run(ROOT + ["id", "-u"], exe=copy)
    if sb.ident.is_root:
        assert r.rc == 0 and r.out == "0\n", r.describe()
    else:
        assert r.rc == 1 and r.out == "" and len(r.err_lines()) == 1, r.describe()
        assert "setuid" in r.err, r.describe()
