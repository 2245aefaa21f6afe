# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors that say what to do (issue 15): a suggestion for a mistyped option,
which side of a bind is a directory, which interpreter or loader of a command
is missing in the sandbox, and the features --version reports. Under the
cocoon name only: under the bwrap name the texts stay as they were."""

import os
import socket

import pytest

from harness import memfd_with, nul_args

pytestmark = [pytest.mark.usefixtures("tmp_unchanged"),
              pytest.mark.cocoon_only("cocoon's own wording of its errors")]

ROOT = ["--ro-bind", "/", "/"]


def only_line(sb, args, **kw):
    """The launcher fails with status 1 and exactly one stderr line: that line."""
    r = sb.expect_error(args, "", **kw)
    return r.err_lines()[0]


# ---------------------------------------------------------------- mistyped options

@pytest.mark.parametrize("typed,line", [
    ("--ro-bnd", "cocoon: unknown option --ro-bnd (did you mean --ro-bind?)"),
    ("-ro-bind", "cocoon: unknown option -ro-bind (did you mean --ro-bind?)"),
    ("--bind-tr", "cocoon: unknown option --bind-tr (did you mean --bind-try?)"),
    ("--verison", "cocoon: unknown option --verison (did you mean --version?)"),
    ("--UNSHARE-NET", "cocoon: unknown option --UNSHARE-NET (did you mean --unshare-net?)"),
    ("--dev-bnd-try", "cocoon: unknown option --dev-bnd-try (did you mean --dev-bind-try?)"),
    ("--xid", "cocoon: unknown option --xid (did you mean --uid or --gid?)"),
    ("--frobnicate", "cocoon: unknown option --frobnicate"),
    ("-x", "cocoon: unknown option -x"),
    ("-", "cocoon: unknown option -"),
    ("---", "cocoon: unknown option ---"),
    ("--" + "a" * 200, "cocoon: unknown option --" + "a" * 200),
    ("--ro-bind\u00e9", "cocoon: unknown option --ro-bind\u00e9 (did you mean --ro-bind?)"),
])
def test_typo_suggestion(sb, typed, line):
    assert only_line(sb, [typed, "/", "/", "true"]) == line


@pytest.mark.parametrize("typed,line", [
    ("--chdir=/tmp", "cocoon: unknown option --chdir=/tmp (did you mean --chdir /tmp?)"),
    ("--chdr=/tmp", "cocoon: unknown option --chdr=/tmp (did you mean --chdir /tmp?)"),
    ("--bind=/usr", "cocoon: unknown option --bind=/usr (did you mean --bind /usr DEST?)"),
    ("--overlay=/a", "cocoon: unknown option --overlay=/a (did you mean --overlay /a WORKDIR DEST?)"),
    ("--bind=", "cocoon: unknown option --bind= (did you mean --bind SRC DEST?)"),
    ("--unshare-net=yes", "cocoon: unknown option --unshare-net=yes (--unshare-net takes no value)"),
    ("--frob=1", "cocoon: unknown option --frob=1"),
    ("--=x", "cocoon: unknown option --=x"),
])
def test_value_with_equals(sb, typed, line):
    assert only_line(sb, [typed, "true"]) == line


def test_typo_in_args_fd_data(sb):
    """Options read through --args are looked up the same way."""
    fd = memfd_with(nul_args(["--ro-bnd", "/", "/"]))
    try:
        line = only_line(sb, ["--args", str(fd), "true"], pass_fds=[fd])
    finally:
        os.close(fd)
    assert line == "cocoon: unknown option --ro-bnd (did you mean --ro-bind?)"


@pytest.mark.parametrize("typed", ["--ro-bnd", "--chdir=/tmp", "--xid"])
def test_bwrap_name_keeps_its_text(sb, typed):
    line = only_line(sb, [typed, "/", "/", "true"], exe=sb.bins.bwrap_link, prefix="bwrap: ")
    assert line == f"bwrap: unknown option {typed}"


@pytest.mark.parametrize("raw", [b"--\xff\xfe", b"-\x01", b"--ro-bind=\xff", b"--" + b"=" * 3000,
                                 b"-" * 70, b"--bind\x7f"])
def test_typo_garbage(sb, raw):
    """Bytes that are no text, control characters, words longer than any
    option: one line, status 1, never a crash."""
    line = only_line(sb, [os.fsdecode(raw), "true"])
    assert line.startswith("cocoon: unknown option ")


# ---------------------------------------------------------------- a file on a directory

@pytest.mark.parametrize("flag", ["--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try",
                                  "--dev-bind-try"])
def test_bind_file_on_directory(sb, flag):
    line = only_line(sb, ROOT + [flag, "/etc/passwd", "/usr", "true"])
    assert line == f"cocoon: {flag} /etc/passwd /usr: the source is a file and the destination is a directory"


@pytest.mark.parametrize("flag", ["--bind", "--ro-bind", "--dev-bind-try"])
def test_bind_directory_on_file(sb, flag):
    line = only_line(sb, ROOT + [flag, "/usr", "/etc/passwd", "true"])
    assert line == f"cocoon: {flag} /usr /etc/passwd: the source is a directory and the destination is a file"


def test_bind_device_and_socket_on_directory(sb):
    line = only_line(sb, ROOT + ["--ro-bind", "/dev/null", "/usr", "true"])
    assert line == ("cocoon: --ro-bind /dev/null /usr: "
                    "the source is a character device and the destination is a directory")
    sock = os.path.join(sb.scratch, "sock")
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(sock)
        os.chmod(sock, 0o777)
        line = only_line(sb, ROOT + ["--bind", sock, "/usr", "true"])
    finally:
        s.close()
        os.unlink(sock)
    assert line == f"cocoon: --bind {sock} /usr: the source is a socket and the destination is a directory"


def test_bind_through_a_symlink_to_a_directory(sb):
    """A destination that is a link in the sandbox is judged by what it names."""
    line = only_line(sb, ROOT + ["--tmpfs", "/tmp", "--dir", "/tmp/d", "--symlink", "d", "/tmp/l",
                                 "--ro-bind", "/etc/passwd", "/tmp/l", "true"])
    assert line == "cocoon: --ro-bind /etc/passwd /tmp/l: the source is a file and the destination is a directory"


def test_matching_kinds_still_bind(sb):
    """The check refuses only a directory against a non-directory."""
    fd = memfd_with(b"placeholder\n", "file")
    try:
        r = sb.ok(ROOT + ["--tmpfs", "/tmp", "--dir", "/tmp/d", "--file", str(fd), "/tmp/f",
                          "--ro-bind", "/etc/hostname", "/tmp/f", "--ro-bind", "/usr/bin", "/tmp/d",
                          "--dev-bind", "/dev/null", "/tmp/f", "sh", "-c", "test -x /tmp/d/sh && cat /tmp/f; echo ok"],
                  pass_fds=[fd])
    finally:
        os.close(fd)
    assert r.out == "ok\n", r.describe()


def test_bind_data_on_directory(sb):
    fd = memfd_with(b"data", "data")
    try:
        line = only_line(sb, ROOT + ["--bind-data", str(fd), "/usr", "true"], pass_fds=[fd])
    finally:
        os.close(fd)
    assert line == f"cocoon: --bind-data {fd} /usr: the source is a file and the destination is a directory"


@pytest.mark.parametrize("flag", ["--bind-fd", "--ro-bind-fd"])
def test_bind_fd_kinds(sb, flag):
    fd = os.open("/etc/passwd", os.O_RDONLY)
    dfd = os.open("/usr", os.O_RDONLY | os.O_DIRECTORY)
    try:
        line = only_line(sb, ROOT + [flag, str(fd), "/usr", "true"], pass_fds=[fd])
        assert line == f"cocoon: {flag} {fd} /usr: the source is a file and the destination is a directory"
        line = only_line(sb, ROOT + [flag, str(dfd), "/etc/passwd", "true"], pass_fds=[dfd])
        assert line == f"cocoon: {flag} {dfd} /etc/passwd: the source is a directory and the destination is a file"
    finally:
        os.close(fd)
        os.close(dfd)


def test_bind_kinds_bwrap_name_keeps_its_text(sb):
    line = only_line(sb, ROOT + ["--bind", "/etc/passwd", "/usr", "true"], exe=sb.bins.bwrap_link,
                     prefix="bwrap: ")
    assert line == "bwrap: --bind: can't bind /etc/passwd on /usr: Invalid argument"
