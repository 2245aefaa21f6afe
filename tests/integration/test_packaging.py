# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a packager gets: an install into a staging directory, the build
options that shape it, and a test suite that leaves no account behind.

COCOON_BUILD_ROOT names the build directory (meson test sets it); without
it these tests skip."""

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

import pytest

BUILD = os.environ.get("COCOON_BUILD_ROOT")
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(not BUILD or not shutil.which("meson"),
                                reason="COCOON_BUILD_ROOT is not set, or meson is missing")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def elf_sections(path):
    """The section names of an ELF64 little-endian file, read from its header."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, path
    shoff = int.from_bytes(data[0x28:0x30], "little")
    shentsize = int.from_bytes(data[0x3A:0x3C], "little")
    shnum = int.from_bytes(data[0x3C:0x3E], "little")
    shstrndx = int.from_bytes(data[0x3E:0x40], "little")

    def header(i):
        h = data[shoff + i * shentsize: shoff + (i + 1) * shentsize]
        return int.from_bytes(h[0:4], "little"), int.from_bytes(h[0x18:0x20], "little")

    _, stroff = header(shstrndx)
    names = []
    for i in range(shnum):
        name, _ = header(i)
        end = data.index(b"\0", stroff + name)
        names.append(data[stroff + name:end].decode())
    return names


@pytest.fixture(scope="module")
def staged():
    """`meson install` of the build under test into a staging directory:
    {installed path: staged path}."""
    d = tempfile.mkdtemp(prefix="cocoon-stage-")
    try:
        r = run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet", "--destdir", d])
        assert r.returncode == 0, r.stdout + r.stderr
        r = run(["meson", "introspect", "--installed", BUILD])
        installed = json.loads(r.stdout).values()
        yield {p: d + p for p in installed}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_installed_binary_is_stripped(staged):
    """The build tree keeps its symbols for debugging; the installed copy
    carries none."""
    binary = next(p for p in staged if p.endswith("/bin/cocoon"))
    built = os.path.join(BUILD, "src", "cocoon")
    assert ".symtab" in elf_sections(built), "the build tree's binary should keep its symbols"
    assert ".symtab" not in elf_sections(staged[binary])
    assert os.path.getsize(staged[binary]) < os.path.getsize(built)
    r = run([staged[binary], "--version"])
    assert r.returncode == 0 and r.stdout.startswith("cocoon"), r.stdout + r.stderr


def test_fish_finds_the_completions(staged):
    """fish reads vendor completions only where its own data lives (or
    XDG_DATA_DIRS says): the install must land in a directory of its
    search path, with the default prefix."""
    fish = shutil.which("fish")
    if not fish:
        pytest.skip("fish is not installed")
    home = tempfile.mkdtemp(prefix="cocoon-fish-")
    try:
        # fish's own configuration sets the search path; nobody's else.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
        r = run([fish, "-c", "string join \\n -- $fish_complete_path"], env=env)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    search = r.stdout.split()
    path = next(p for p in staged if p.endswith("/cocoon.fish"))
    assert os.path.dirname(path) in search, (path, search)
    assert os.path.isfile(staged[path])


def test_tests_option_is_honoured():
    """-Dtests=false configures no test at all (nor the helpers they need)."""
    d = tempfile.mkdtemp(prefix="cocoon-notests-")
    try:
        r = run(["meson", "setup", d, SOURCE, "-Dtests=false"])
        assert r.returncode == 0, r.stdout + r.stderr
        r = run(["meson", "introspect", "--tests", "--benchmarks", d])
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout) == {"tests": [], "benchmarks": []}, r.stdout
        r = run(["meson", "introspect", "--targets", d])
        assert '"probe"' not in r.stdout and '"cocoon"' in r.stdout
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_suite_removes_the_account_it_made():
    """A suite run that had to create its unprivileged account removes it
    at the end (a run that found it existing leaves it alone)."""
    if os.geteuid() != 0:
        pytest.skip("only a suite started as root creates an account")
    name = "cocoon-pk%d" % os.getpid()
    with pytest.raises(KeyError):
        pwd.getpwnam(name)
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, COCOON_TEST_USER=name)
    # One test that runs as the user, in a pytest of its own.
    r = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             os.path.join(here, "test_cli.py") + "::test_version_plain_name[user]"], env=env, cwd=here)
    created = "1 passed" in r.stdout
    try:
        assert created, r.stdout[-2000:] + r.stderr[-2000:]
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
    finally:
        if subprocess.run(["getent", "passwd", name], capture_output=True).returncode == 0:
            subprocess.run(["userdel", name], capture_output=True)
