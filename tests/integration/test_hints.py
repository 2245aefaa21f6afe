# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors that say what to do (issue 15): a suggestion for a mistyped option,
which side of a bind is a directory, which interpreter or loader of a command
is missing in the sandbox, and the features --version reports. Under the
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
import struct
import subprocess
import time

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


# ---------------------------------------------------------------- a command that can't be exec'd

def elf_interp(path):
    """PT_INTERP of a 64-bit little-endian ELF file, or None."""
    with open(path, "rb") as f:
        data = f.read(1 << 16)
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 3:
            return data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
    return None


TRUE = "/usr/bin/true"
LOADER = elf_interp(os.path.realpath(TRUE))
needs_loader = pytest.mark.skipif(not LOADER or not LOADER.startswith("/lib"),
                                  reason="/usr/bin/true has no ELF interpreter outside /usr here")


def usr_only(sb):
    """/usr and the scratch dir: no /lib64 (so no ELF loader) and no /bin/sh."""
    return ["--ro-bind", "/usr", "/usr", "--ro-bind", sb.scratch, sb.scratch]


def with_loader(sb):
    """/usr and the loader's link, but no /bin: dynamic binaries run, /bin/sh is missing."""
    top = LOADER.split("/")[1]
    return usr_only(sb) + ["--symlink", "usr/" + top, "/" + top]


def script(sb, name, data, mode=0o755):
    path = os.path.join(sb.scratch, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


@needs_loader
def test_elf_interpreter_missing(sb):
    line = only_line(sb, usr_only(sb) + [TRUE])
    assert line == f"cocoon: can't execute {TRUE}: its ELF interpreter {LOADER} is missing in the sandbox"


@needs_loader
def test_elf_interpreter_missing_found_through_path(sb):
    line = only_line(sb, usr_only(sb) + ["--setenv", "PATH", "/nowhere:/usr/bin", "true"])
    assert line == f"cocoon: can't execute true: its ELF interpreter {LOADER} is missing in the sandbox"


@needs_loader
def test_elf_interpreter_missing_without_path_variable(sb):
    """With no PATH, execvp searches the C library's default list."""
    line = only_line(sb, usr_only(sb) + ["--unsetenv", "PATH", "--symlink", "usr/bin", "/bin", "true"])
    assert line == f"cocoon: can't execute true: its ELF interpreter {LOADER} is missing in the sandbox"


def test_script_interpreter_missing(sb):
    s = script(sb, "py", b"#!/opt/cocoon-missing/python3 -u\nprint(1)\n")
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s])
    assert line == (f"cocoon: can't execute {s}: its interpreter /opt/cocoon-missing/python3 "
                    "(from its #! line) is missing in the sandbox")


@needs_loader
def test_script_interpreter_needs_missing_loader(sb):
    s = script(sb, "e", b"#! /usr/bin/env true\n")
    line = only_line(sb, usr_only(sb) + [s])
    assert line == (f"cocoon: can't execute {s}: its interpreter /usr/bin/env needs the ELF interpreter "
                    f"{LOADER}, which is missing in the sandbox")


def test_shebang_without_newline(sb):
    s = script(sb, "nonl", b"#!/opt/cocoon-missing/sh")
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s])
    assert line == (f"cocoon: can't execute {s}: its interpreter /opt/cocoon-missing/sh "
                    "(from its #! line) is missing in the sandbox")


def test_shebang_relative_interpreter(sb):
    s = script(sb, "rel", b"#!cocoon-missing/sh\n")
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, "--chdir", "/usr", s])
    assert line == (f"cocoon: can't execute {s}: its interpreter cocoon-missing/sh (from its #! line, "
                    "a relative path looked up from the working directory) is missing in the sandbox")


@needs_loader
@pytest.mark.parametrize("name,data,why", [
    ("long", b"#!/" + b"a" * 300 + b"\n", "its #! line is longer than the kernel reads"),
    ("empty", b"#!  \n", "its #! line names no interpreter"),
    ("text", b"echo hi\n", "it is neither an ELF binary nor a #! script"),
    ("trunc", b"\x7fELF\x02\x01\x01", "it is an ELF file the kernel can't load (damaged, or for another machine)"),
    ("other", b"\x7fELF\x01\x02\x01" + b"\0" * 100, "it is an ELF file the kernel can't load (damaged, or for another machine)"),
], ids=["too-long", "no-name", "plain-text", "truncated-elf", "foreign-elf"])
def test_kernel_refuses_and_no_shell(sb, name, data, why):
    """The kernel refuses the file (ENOEXEC); execvp then runs /bin/sh on it,
    which is missing: that is the ENOENT the caller sees."""
    s = script(sb, name, data)
    line = only_line(sb, with_loader(sb) + [s])
    assert line == (f"cocoon: can't execute {s}: {why}, and /bin/sh, which would run it as a shell script, "
                    "is missing in the sandbox")
    line = only_line(sb, usr_only(sb) + ["--symlink", "usr/bin", "/bin", s])
    assert line == (f"cocoon: can't execute {s}: {why}, and /bin/sh, which would run it as a shell script, "
                    f"needs the ELF interpreter {LOADER}, which is missing in the sandbox")


@pytest.mark.parametrize("data", [
    bytes(open(TRUE, "rb").read(200)),   # ELF header, program headers cut off
    b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x1000, 64, 0, 0, 64, 56,
                                                      0xffff, 64, 0, 0),
    b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x1000, 64, 0, 0, 64, 56,
                                                      1, 64, 0, 0)
    + struct.pack("<IIQQQQQ", 3, 4, 0x10000000, 0, 0, 0x7fffffff, 0x7fffffff),
], ids=["cut-phdrs", "huge-phnum", "huge-interp"])
def test_garbage_elf(sb, data):
    """Damaged ELF files: one line, status 1, no hang, no crash; the hint is
    given only when it is certain, else the kernel's error stays."""
    s = script(sb, "bad", data)
    line = only_line(sb, with_loader(sb) + [s], timeout=20)
    hint = (f"cocoon: can't execute {s}: it is an ELF file the kernel can't load (damaged, or for another "
            "machine), and /bin/sh, which would run it as a shell script, is missing in the sandbox")
    # the kernel refuses these with ENOEXEC (then /bin/sh is tried) or EIO
    assert line in (hint, f"cocoon: can't execute {s}: Input/output error"), line


def test_missing_command(sb):
    line = only_line(sb, sb.minimal + ["--setenv", "PATH", "/usr/bin:/nowhere", "cocoon-no-such-command"])
    assert line == ("cocoon: can't execute cocoon-no-such-command: "
                    "no such command in the sandbox's PATH (/usr/bin:/nowhere)")


def test_missing_file_with_slash(sb):
    line = only_line(sb, sb.minimal + ["/usr/bin/cocoon-no-such-command"])
    assert line == "cocoon: can't execute /usr/bin/cocoon-no-such-command: No such file or directory"


def test_dangling_symlink(sb):
    link = os.path.join(sb.scratch, "dangling")
    os.symlink("/opt/cocoon-missing/tool", link)
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, link])
    assert line == (f"cocoon: can't execute {link}: {link} is a symlink to /opt/cocoon-missing/tool, "
                    "which is missing in the sandbox")


def test_not_executable(sb):
    s = script(sb, "plain", b"echo hi\n", 0o644)
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s])
    assert line == f"cocoon: can't execute {s}: it has no execute permission (mode 0644)"


def test_directory_as_command(sb):
    line = only_line(sb, sb.minimal + ["/usr"])
    assert line == "cocoon: can't execute /usr: it is a directory"
    line = only_line(sb, sb.minimal + ["--setenv", "PATH", "/", "usr"])
    assert line == "cocoon: can't execute usr: it is a directory"


def test_interpreter_is_a_directory(sb):
    s = script(sb, "d", b"#!/usr\n")
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s])
    assert line == f"cocoon: can't execute {s}: its interpreter /usr (from its #! line) is a directory"


def test_interpreter_is_a_fifo(sb):
    """A FIFO named as the interpreter is never opened: the hint must not hang."""
    fifo = os.path.join(sb.scratch, "fifo")
    os.mkfifo(fifo, 0o777)
    os.chmod(fifo, 0o777)
    s = script(sb, "f", f"#!{fifo}\n".encode())
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s], timeout=20)
    assert line == f"cocoon: can't execute {s}: its interpreter {fifo} (from its #! line) is not a regular file"
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, fifo], timeout=20)
    assert line == f"cocoon: can't execute {fifo}: it is not a regular file"


def test_noexec_mount(sb):
    if os.geteuid() != 0:
        pytest.skip("needs real root to mount a noexec tmpfs")
    d = os.path.join(sb.scratch, "noexec")
    os.mkdir(d)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "noexec,mode=0755,size=64k", "citest", d], check=True)
    try:
        s = os.path.join(d, "x")
        with open(s, "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(s, 0o755)
        line = only_line(sb, sb.minimal + ["--ro-bind", d, d, s])
    finally:
        subprocess.run(["umount", d], check=True)
    assert line == f"cocoon: can't execute {s}: it is on a file system mounted noexec"


@needs_loader
@pytest.mark.parametrize("action", ["SCMP_ACT_KILL", "SCMP_ACT_ERRNO"])
def test_seccomp_refusing_the_hints_calls(sb, action):
    """Under a filter that would refuse (or kill on) a call the hint makes,
    no hint is tried: the plain message, never a SIGSYS."""
    prof = os.path.join(sb.scratch, "prof.json")
    with open(prof, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": ["pread64"], "action": action, "errnoRet": 1}]}, f)
    os.chmod(prof, 0o644)
    line = only_line(sb, usr_only(sb) + ["--seccomp-profile", prof, TRUE])
    assert line == f"cocoon: can't execute {TRUE}: No such file or directory"


@needs_loader
def test_exec_hint_bwrap_name_keeps_its_text(sb):
    line = only_line(sb, usr_only(sb) + [TRUE], exe=sb.bins.bwrap_link, prefix="bwrap: ")
    assert line == f"bwrap: can't execute {TRUE}: No such file or directory"
    line = only_line(sb, sb.minimal + ["/usr"], exe=sb.bins.bwrap_link, prefix="bwrap: ")
    assert line == "bwrap: can't execute /usr: Permission denied"


# ---------------------------------------------------------------- --version

VERSION_KEYS = ["build", "libseccomp", "selinux", "landlock", "user namespaces", "seccomp user notification",
                "openat2", "mount_setattr"]
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
                                                                                    "selinux", "landlock"))


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


def minimal_elf(interp: bytes):
    """A 64-bit x86_64 ELF header and one PT_INTERP naming interp: enough for
    the kernel to go and open the interpreter."""
    path_off = 64 + 56
    ehdr = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, 64, 0, 0,
                                                             64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 3, 4, path_off, 0, 0, len(interp) + 1, len(interp) + 1, 1)
    return ehdr + phdr + interp + b"\0"


@x86_64_only
def test_elf_interpreter_is_a_fifo(sb):
    """An ELF file whose interpreter is a FIFO: the kernel refuses it, and
    nothing here opens the FIFO (which would block): the plain error."""
    fifo = os.path.join(sb.scratch, "fifo")
    os.mkfifo(fifo, 0o777)
    os.chmod(fifo, 0o777)
    s = script(sb, "elf", minimal_elf(fifo.encode()))
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s], timeout=20)
    assert line == f"cocoon: can't execute {s}: Permission denied"


@x86_64_only
def test_elf_interpreter_missing_in_crafted_elf(sb):
    s = script(sb, "elf", minimal_elf(b"/opt/cocoon-missing/ld.so"))
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s])
    assert line == f"cocoon: can't execute {s}: its ELF interpreter /opt/cocoon-missing/ld.so is missing in the sandbox"


def test_interpreter_symlink_loop(sb):
    loop = os.path.join(sb.scratch, "loop")
    os.symlink(loop, loop)
    s = script(sb, "l", f"#!{loop}\n".encode())
    line = only_line(sb, sb.minimal + ["--ro-bind", sb.scratch, sb.scratch, s], timeout=20)
    assert line == f"cocoon: can't execute {s}: Too many levels of symbolic links"
