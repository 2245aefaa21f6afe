# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors that say what to do (issue 15), for a command that can't be exec'd:
the ELF interpreter or #! interpreter that is missing in the sandbox (or
/bin/sh, for the C library's fallback), and why a file can't be executed.
Under the cocoon name only: under the bwrap name the text stays as it was.
The hint runs in the command's process after the failed exec, so the
garbage and abuse cases (damaged ELF files, FIFOs, loops, a seccomp filter
that kills) must end in one line and never in a hang or a crash."""

import json
import os
import platform
import struct
import subprocess

import pytest

pytestmark = [pytest.mark.usefixtures("tmp_unchanged"),
              pytest.mark.cocoon_only("cocoon's own wording of its errors")]

x86_64_only = pytest.mark.skipif(platform.machine() != "x86_64", reason="system call numbers of x86_64")


def only_line(sb, args, **kw):
    """The launcher fails with status 1 and exactly one stderr line: that line."""
    r = sb.expect_error(args, "", **kw)
    return r.err_lines()[0]


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
