# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors that say what to do (issue 15): a suggestion for a mistyped option,
which side of a bind is a directory, and the features --version reports
(a command that can't be exec'd: test_exec_hints.py). Under the
cocoon name only: under the bwrap name the texts stay as they were."""

import ctypes
import errno
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

import harness

from harness import memfd_with, nul_args
from test_exec_hints import elf_interp

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


# ---------------------------------------------------------------- --version

VERSION_KEYS = ["build", "libseccomp", "selinux", "landlock", "user namespaces", "seccomp user notification",
                "openat2", "mount_setattr", "pasta"]
x86_64_only = pytest.mark.skipif(platform.machine() != "x86_64", reason="system call numbers of x86_64")
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def version_fields(out):
    lines = out.splitlines()
    fields = dict(line.split(": ", 1) for line in lines[1:])
    assert list(fields) == VERSION_KEYS, out
    return lines[0], fields


def syscall_errno(*args):
    """0 when the call succeeds, else its errno (as this process sees it)."""
    args = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    return 0 if _libc.syscall(*args) >= 0 else ctypes.get_errno()


def test_version_lists_features(sb):
    r = sb.ok(["--version"])
    first, f = version_fields(r.out)
    assert re.fullmatch(r"cocoon \d+\.\d+\.\d+\S*", first), r.out
    assert r.err == ""
    assert f["build"] == ("dynamic" if elf_interp(sb.cocoon) else "static"), r.out
    assert re.fullmatch(r"\d+\.\d+\.\d+ \(built with \d+\.\d+\.\d+\)", f["libseccomp"]), r.out
    assert f["selinux"] in ("no (built without libselinux)", "yes (enabled on this host)",
                            "yes (not enabled on this host)"), r.out
    assert all(v == "yes" or v.startswith("no (") for k, v in f.items() if k not in ("build", "libseccomp",
                                                                                    "selinux", "landlock", "pasta"))
    pasta = shutil.which("pasta", path=harness.BASE_ENV["PATH"])
    assert f["pasta"] == (f"yes ({pasta})" if pasta else "no (--net pasta needs the package passt)"), r.out


def test_version_libseccomp_matches_pkg_config(sb):
    if not shutil.which("pkg-config"):
        pytest.skip("no pkg-config")
    dev = subprocess.run(["pkg-config", "--modversion", "libseccomp"], capture_output=True, text=True).stdout.strip()
    if not dev:
        pytest.skip("pkg-config does not know libseccomp")
    _, f = version_fields(sb.ok(["--version"]).out)
    assert f["libseccomp"].endswith(f"(built with {dev})"), f


@x86_64_only
def test_version_kernel_features_match_probes(sb):
    """Each answer agrees with the same call made here, independently."""
    _, f = version_fields(sb.ok(["--version"]).out)
    abi = _libc.syscall(ctypes.c_long(444), None, ctypes.c_long(0), ctypes.c_long(1))  # landlock_create_ruleset
    assert f["landlock"] == (f"ABI {abi}" if abi > 0 else f["landlock"]), f
    if abi <= 0:
        assert f["landlock"].startswith("no ("), f
    notif = ctypes.c_uint(0x7fc00000)  # SECCOMP_RET_USER_NOTIF
    err = syscall_errno(317, 2, 0, ctypes.byref(notif))  # seccomp(SECCOMP_GET_ACTION_AVAIL)
    assert (f["seccomp user notification"] == "yes") == (err == 0), f
    how = (ctypes.c_uint64 * 3)(os.O_PATH | os.O_CLOEXEC, 0, 0)
    fd = _libc.syscall(ctypes.c_long(437), ctypes.c_long(-100), b"/", ctypes.byref(how), ctypes.c_long(24))
    if fd >= 0:
        os.close(fd)
    assert (f["openat2"] == "yes") == (fd >= 0), f
    err = syscall_errno(442, -1, b"", 0, None, 0)  # mount_setattr with a size it refuses
    assert (f["mount_setattr"] == "yes") == (err == errno.EINVAL), f


def test_version_user_namespaces_match_unshare(sb):
    """As the identity under test, util-linux's unshare makes the same
    namespaces (it makes / private in the new mount namespace, as the probe does)."""
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1)")
    _, f = version_fields(sb.ok(["--version"]).out)
    ok = subprocess.run(sb.ident.wrap + ["unshare", "--user", "--mount", "true"], capture_output=True).returncode == 0
    assert (f["user namespaces"] == "yes") == ok, f


def test_version_reports_what_is_refused(sb):
    """Inside a sandbox whose filter refuses the calls, and where no user
    namespace may be made, --version says no to each, with the reason."""
    prof = os.path.join(sb.scratch, "prof.json")
    with open(prof, "w") as fp:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": ["openat2", "mount_setattr", "landlock_create_ruleset"],
                                 "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS},
                                {"names": ["seccomp"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EPERM}]}, fp)
    os.chmod(prof, 0o644)
    r = sb.ok(ROOT + ["--unshare-user", "--disable-userns", "--seccomp-profile", prof, sb.cocoon, "--version"])
    _, f = version_fields(r.out)
    assert f["landlock"] == "no (not in this kernel)", r.out
    assert f["openat2"] == "no (not in this kernel)", r.out
    assert f["mount_setattr"] == "no (not in this kernel)", r.out
    assert f["seccomp user notification"] == "no (Operation not permitted)", r.out
    assert f["user namespaces"] == "no (none left: user.max_user_namespaces is 0 or reached)", r.out


def test_version_probe_killed(sb):
    """A filter that kills on unshare takes the probe's child, not cocoon."""
    prof = os.path.join(sb.scratch, "kill.json")
    with open(prof, "w") as fp:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": ["unshare"], "action": "SCMP_ACT_KILL"}]}, fp)
    os.chmod(prof, 0o644)
    r = sb.ok(ROOT + ["--seccomp-profile", prof, sb.cocoon, "--version"])
    _, f = version_fields(r.out)
    assert f["user namespaces"] == f"no (the probe was killed by signal {signal.SIGSYS.value})", r.out


def test_version_is_fast(sb):
    t0 = time.monotonic()
    for _ in range(10):
        sb.ok(["--version"])
    assert (time.monotonic() - t0) / 10 < 0.25


def test_version_as_bwrap_is_one_line(sb):
    r = sb.ok(["--version"], exe=sb.bins.bwrap_link)
    assert r.out.count("\n") == 1 and r.out.startswith("bubblewrap "), r.describe()
