# SPDX-License-Identifier: LGPL-2.1-or-later
"""The fd table inside holds exactly what was passed: inherited fds that are
not close-on-exec, and none of the launcher's own."""

import fcntl
import os

import pytest

from harness import memfd_with, nul_args

ROOT = ["--ro-bind", "/", "/"]
VARIANTS = {
    "plain": ROOT,
    "pidns": ROOT + ["--unshare-pid", "--proc", "/proc"],
    "all": ROOT + ["--unshare-all", "--proc", "/proc", "--dev", "/dev"],
    "as-pid-1": ROOT + ["--unshare-pid", "--as-pid-1", "--proc", "/proc"],
    "userns-uid": ROOT + ["--unshare-user", "--uid", "0", "--new-session", "--die-with-parent"],
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_only_stdio_by_default(sb, variant):
    d = sb.probe(VARIANTS[variant])
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_inherited_fds_reach_command(sb, variant, scratch):
    path = os.path.join(scratch, "data")
    with open(path, "w") as f:
        f.write("x")
    fd_file = os.open(path, os.O_RDONLY)
    r, w = os.pipe()
    # high, distinctive numbers, as Flatpak uses for its sync fds
    hi_file = fcntl.fcntl(fd_file, fcntl.F_DUPFD, 37)
    hi_pipe = fcntl.fcntl(w, fcntl.F_DUPFD, 201)
    try:
        d = sb.probe(VARIANTS[variant], pass_fds=[hi_file, hi_pipe])
    finally:
        for fd in (fd_file, r, w, hi_file, hi_pipe):
            os.close(fd)
    assert set(d["fds"]) == {"0", "1", "2", str(hi_file), str(hi_pipe)}, d["fds"]
    assert d["fds"][str(hi_file)] == path
    assert d["fds"][str(hi_pipe)].startswith("pipe:")


def test_inherited_fd_is_usable(sb, scratch):
    r, w = os.pipe()
    try:
        res = sb.run(ROOT + ["bash", "-c", f"echo through-fd >&{w}"], pass_fds=[w])
        os.close(w)
        w = -1
        data = os.read(r, 100)
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    assert res.rc == 0, res.describe()
    assert data == b"through-fd\n"


def test_cloexec_fd_does_not_reach_command(sb):
    """An fd the caller marked close-on-exec is not inherited."""
    r, w = os.pipe()
    keep = fcntl.fcntl(w, fcntl.F_DUPFD, 50)
    gone = fcntl.fcntl(w, fcntl.F_DUPFD_CLOEXEC, 60)
    try:
        # pass_fds clears CLOEXEC on `keep` only; `gone` stays close-on-exec
        d = sb.probe(ROOT, pass_fds=[keep])
    finally:
        for fd in (r, w, keep, gone):
            os.close(fd)
    assert "50" in d["fds"] and "60" not in d["fds"], d["fds"]


def test_args_fd_is_consumed(sb):
    fd = memfd_with(nul_args(["--setenv", "A", "1"]))
    try:
        d = sb.probe(ROOT + ["--args", str(fd)], pass_fds=[fd])
    finally:
        os.close(fd)
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


def test_closed_stdin(sb):
    """Started with stdin closed, the launcher must not hand one of its own
    fds to the command as fd 0 (or as any other)."""
    d = sb.probe(ROOT, stdin=None, preexec_fn=lambda: os.close(0))
    assert set(d["fds"]) <= {"0", "1", "2"}, d["fds"]
    assert d["fds"].get("0") in (None, "/dev/null"), d["fds"]
