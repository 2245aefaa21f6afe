# SPDX-License-Identifier: LGPL-2.1-or-later
"""README's shell examples run as written, as root and as the user.

Every ```sh block of README.md is extracted. A block that only uses cocoon
runs whole, with bash, from a small project directory (a Makefile, and
build/src/cocoon and `cocoon` on PATH naming the binary under test). A
block that sets a machine up (apt-get, meson, ninja, a link under
/usr/local) is checked with `bash -n`, and the cocoon commands in it are
run; the setup itself is what CI does on a fresh machine, README's two
first commands included. Any block this can't place fails the test, so a
new example can't go unchecked."""

import os
import re
import shlex
import subprocess

import pytest

import harness
from harness import chown_tree

pytestmark = pytest.mark.cocoon_only("README documents cocoon")

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SETUP_WORDS = ("apt-get", "meson ", "ninja ", "/usr/local/bin/bwrap")


def blocks():
    text = open(os.path.join(SOURCE, "README.md")).read()
    return re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)


def commands(block):
    """The commands of a block: continuation lines joined, comments and
    blank lines left out, && chains split."""
    joined = block.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.split("  #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        out += [c.strip() for c in line.split("&&")]
    return out


def is_setup(block):
    return any(w in block for w in SETUP_WORDS)


@pytest.fixture
def project(sb):
    """A project directory with a Makefile, build/src/cocoon and a bin/
    directory with `cocoon`, for the identity."""
    d = os.path.join(sb.scratch, "project")
    os.makedirs(os.path.join(d, "build", "src"))
    os.makedirs(os.path.join(d, "bin"))
    os.symlink(sb.cocoon, os.path.join(d, "build", "src", "cocoon"))
    os.symlink(sb.cocoon, os.path.join(d, "bin", "cocoon"))
    with open(os.path.join(d, "Makefile"), "w") as f:
        f.write("all:\n\techo built > out.txt\n")
    chown_tree(sb.scratch, sb.ident.uid, sb.ident.gid)
    home = os.path.join(sb.scratch, "home")
    os.mkdir(home)
    chown_tree(home, sb.ident.uid, sb.ident.gid)
    env = dict(harness.BASE_ENV, HOME=home, TERM="dumb",
               PATH=os.path.join(d, "bin") + ":" + harness.BASE_ENV["PATH"])
    return d, env


def bash(sb, script, cwd, env, stdin=""):
    return subprocess.run(sb.ident.wrap + ["bash", "-e", "-c", script], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_readme_has_blocks():
    assert len(blocks()) >= 5


@pytest.mark.parametrize("n", range(len(blocks())))
def test_readme_block_runs(sb, project, n):
    block = blocks()[n]
    cwd, env = project
    syntax = subprocess.run(["bash", "-n", "-c", block], capture_output=True, text=True)
    assert syntax.returncode == 0, (block, syntax.stderr)
    if not is_setup(block):
        r = bash(sb, block, cwd, env)
        assert r.returncode == 0, (block, r.stdout, r.stderr)
        if "make" in block:
            assert open(os.path.join(cwd, "out.txt")).read() == "built\n", block
        return
    ran = 0
    for c in commands(block):
        words = shlex.split(c)
        if words and words[0] in ("build/src/cocoon", "cocoon"):
            # An interactive shell: give it a line to run, and end.
            r = bash(sb, c, cwd, env, stdin="echo README-OK; exit 0\n")
            assert r.returncode == 0 and "README-OK" in r.stdout, (c, r.stdout, r.stderr)
            ran += 1
        else:
            assert words[0] in ("apt-get", "meson", "ninja", "sudo", "mkdir", "build-fuzz/tests/fuzz/fuzz-args",
                                "CC=clang"), f"README block {n}: don't know how to check {c!r}"
    if "cocoon" in block and "--profile" in block:
        assert ran, f"README block {n} names cocoon but no command of it ran"
