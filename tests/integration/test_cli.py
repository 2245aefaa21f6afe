# SPDX-License-Identifier: LGPL-2.1-or-later
"""General options: --help, --version, the bwrap identity, --args, --argv0,
--level-prefix and --."""

import os
import re

import pytest

from harness import host_namespaces as sb_host_ns, memfd_with, nul_args

# Every option of issue 2; --help must list each one.
ISSUE2_OPTIONS = """
--help --version --args --argv0 --level-prefix
--unshare-user --unshare-user-try --unshare-ipc --unshare-pid --unshare-net --unshare-uts
--unshare-cgroup --unshare-cgroup-try --unshare-all --share-net --uid --gid --hostname
--chdir --setenv --unsetenv --clearenv
--bind --bind-try --ro-bind --ro-bind-try --dev-bind --dev-bind-try --remount-ro --tmpfs --dir
--symlink --proc --dev --perms --size
--new-session --die-with-parent --as-pid-1 --cap-add --cap-drop
""".split()


def test_help_lists_every_option(sb):
    r = sb.ok(["--help"])
    assert r.out.startswith("usage: "), r.describe()
    listed = set(re.findall(r"--[a-z0-9][a-z0-9-]*", r.out))
    wanted = set(ISSUE2_OPTIONS)
    if sb.bins.is_bwrap:
        # bwrap's own --help leaves out --argv0; 0.8 predates --level-prefix
        wanted -= {"--argv0", "--level-prefix"}
    missing = sorted(wanted - listed)
    assert not missing, f"--help does not mention {missing}\n" + r.describe()


@pytest.mark.cocoon_only("cocoon's own name and version")
def test_version_plain_name(sb):
    r = sb.ok(["--version"])
    # the first line; the build and kernel features follow (test_hints.py)
    assert re.fullmatch(r"cocoon \d+\.\d+(\.\d+)?\S*", r.out.split("\n")[0]), r.describe()
    assert r.err == ""


@pytest.mark.cocoon_only("the bwrap link reports the 0.12.0 compatibility level")
def test_version_as_bwrap(sb):
    """0.12.0: the newest release whose user-visible changes cocoon matches
    (--not-a-security-boundary, tested in test_differential_options.py)."""
    r = sb.ok(["--version"], exe=sb.bins.bwrap_link)
    assert r.out == "bubblewrap 0.12.0\n", r.describe()


def test_help_as_bwrap_via_path(sb):
    """Found through PATH as `bwrap`, like Flatpak and BuildStream call it."""
    env = {"PATH": sb.bins.link_dir + ":/usr/bin:/bin"}
    r = sb.run(["--help"], exe="bwrap", env=env)
    assert r.rc == 0, r.describe()
    assert r.out.startswith("usage: bwrap"), r.describe()


def test_errors_as_bwrap_start_with_bwrap(sb):
    for exe in (sb.bins.bwrap_link, "bwrap"):
        env = {"PATH": sb.bins.link_dir + ":/usr/bin:/bin"}
        sb.expect_error(["--frobnicate", "true"], "--frobnicate", prefix="bwrap: ", exe=exe, env=env)
        sb.expect_error(sb.rootfs + ["--bind", "/nonexistent-citest", "/x", "true"],
                        "/nonexistent-citest", prefix="bwrap: ", exe=exe, env=env)


@pytest.mark.cocoon_only("under its own name cocoon says cocoon:")
def test_errors_as_cocoon_start_with_cocoon(sb):
    sb.expect_error(["--frobnicate", "true"], "--frobnicate", prefix="cocoon: ")


def test_version_as_bwrap_parses_like_buildstream(sb):
    """BuildStream reads the second word as a version number."""
    r = sb.ok(["--version"], exe=sb.bins.bwrap_link)
    words = r.out.split()
    assert words[0] == "bubblewrap", r.describe()
    assert re.fullmatch(r"\d+\.\d+\.\d+", words[1]), r.describe()


# ---------------------------------------------------------------- --args

def test_args_options_then_command_without_dashdash(sb):
    fd = memfd_with(nul_args(sb.rootfs + ["--setenv", "FROM_ARGS", "a b c", "--setenv", "EMPTY", ""]))
    try:
        d = sb.probe(["--args", str(fd)], pass_fds=[fd])
    finally:
        os.close(fd)
    assert "FROM_ARGS=a b c" in d["env"]
    assert "EMPTY=" in d["env"]
    # the --args fd was consumed: it must not reach the command
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


def test_args_with_dashdash_and_repeated(sb):
    fd1 = memfd_with(nul_args(sb.rootfs + ["--setenv", "ONE", "1"]))
    fd2 = memfd_with(nul_args(["--setenv", "TWO", "2", "--setenv", "ONE", "override"]))
    try:
        d = sb.probe(["--args", str(fd1), "--args", str(fd2), "--"], pass_fds=[fd1, fd2])
    finally:
        os.close(fd1)
        os.close(fd2)
    assert "TWO=2" in d["env"]
    assert "ONE=override" in d["env"], "later --args data must apply after earlier"
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


def test_args_mixed_with_argv_in_order(sb, scratch):
    """--args data is spliced in where --args stands: later argv wins."""
    fd = memfd_with(nul_args(["--setenv", "X", "from-args", "--chdir", "/usr"]))
    try:
        d = sb.probe(sb.rootfs + ["--setenv", "X", "before", "--args", str(fd), "--setenv", "Y", "after"],
                     pass_fds=[fd])
    finally:
        os.close(fd)
    assert "X=from-args" in d["env"] and "Y=after" in d["env"]
    assert d["cwd"] == "/usr"


def test_args_from_a_pipe(sb):
    r_fd, w_fd = os.pipe()
    os.write(w_fd, nul_args(sb.rootfs + ["--setenv", "PIPED", "yes"]))
    os.close(w_fd)
    try:
        d = sb.probe(["--args", str(r_fd)], pass_fds=[r_fd])
    finally:
        os.close(r_fd)
    assert "PIPED=yes" in d["env"]


# ---------------------------------------------------------------- --argv0, --, --level-prefix

@pytest.mark.cocoon_only("--argv0 is new in bwrap 0.9; Debian's 0.8 lacks it")
def test_argv0(sb):
    d = sb.probe(sb.rootfs + ["--argv0", "not-the-probe"], ["x", "y"])
    assert d["argv"] == ["not-the-probe", "x", "y"]


def test_command_args_pass_through_unchanged(sb):
    args = ["--bind", "/", "", "a b", "--", "-x", "ünï"]
    d = sb.probe(sb.rootfs + ["--"], args)
    assert d["argv"] == [sb.probe_path] + args


def test_dashdash_ends_options(sb, scratch):
    """After --, a word that looks like an option is the command."""
    os.symlink(sb.probe_path, os.path.join(scratch, "--unshare-net"))
    d = sb.probe(sb.rootfs + ["--setenv", "PATH", scratch, "--"], command="--unshare-net")
    assert d["argv"] == ["--unshare-net"]
    assert d["ns"]["net"] == sb_host_ns()["net"], "--unshare-net after -- must not be an option"


def test_missing_command_is_an_error(sb):
    r = sb.run(sb.rootfs)
    assert r.rc == 1, r.describe()
    assert r.err.strip(), r.describe()


@pytest.mark.cocoon_only("--level-prefix is new in bwrap 0.9; Debian's 0.8 lacks it")
def test_level_prefix(sb):
    r = sb.run(["--level-prefix", "--frobnicate", "true"])
    assert r.rc == 1
    lines = r.err_lines()
    assert len(lines) == 1, r.describe()
    assert lines[0].startswith("<3>" + sb.bins.msg_prefix), r.describe()
    # and without it, no level prefix
    r = sb.run(["--frobnicate", "true"])
    assert r.err.startswith(sb.bins.msg_prefix), r.describe()


@pytest.mark.cocoon_only("--level-prefix is new in bwrap 0.9; Debian's 0.8 lacks it")
def test_level_prefix_successful_run_is_silent(sb):
    r = sb.ok(sb.rootfs + ["--level-prefix", "true"])
    assert r.err == "", r.describe()
