# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bad input: exit status 1, exactly one stderr line that names the flag or
the path, and nothing left behind (the sb fixture checks mounts and
processes; tmp_unchanged checks /tmp)."""

import os

import pytest

from harness import memfd_with, nul_args

pytestmark = pytest.mark.usefixtures("tmp_unchanged")

ROOT = ["--ro-bind", "/", "/"]


@pytest.mark.parametrize("args,mentions", [
    (["--frobnicate", "true"], "--frobnicate"),
    (["--bind-tr", "/", "/", "true"], "--bind-tr"),
    (["-x", "true"], "-x"),
], ids=["long", "near-miss", "short"])
def test_unknown_option(sb, args, mentions):
    sb.expect_error(args, mentions)


@pytest.mark.parametrize("args,flag", [
    (["--bind", "/usr"], "--bind"),
    (["--ro-bind"], "--ro-bind"),
    (["--uid"], "--uid"),
    (["--setenv", "X"], "--setenv"),
    (["--args"], "--args"),
    (["--tmpfs"], "--tmpfs"),
    (["--symlink", "a"], "--symlink"),
    (["--perms"], "--perms"),
    (["--cap-add"], "--cap-add"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_missing_argument(sb, args, flag):
    sb.expect_error(args, flag)


@pytest.mark.parametrize("flag", ["--uid", "--gid"])
@pytest.mark.parametrize("value", ["abc", "12x", "-1", ""])
def test_non_numeric_id(sb, flag, value):
    # "Invalid uid: abc" names the value; for an empty value the id kind must show
    sb.expect_error(ROOT + ["--unshare-user", flag, value, "true"],
                    [flag, f": {value}"] if value else [flag, flag[2:] + ":"])


@pytest.mark.cocoon_only("bwrap 0.8 silently truncates out-of-range ids")
@pytest.mark.parametrize("flag", ["--uid", "--gid"])
@pytest.mark.parametrize("value", ["4294967296", "99999999999", "4294967295"])
def test_out_of_range_id(sb, flag, value):
    sb.expect_error(ROOT + ["--unshare-user", flag, value, "true"], [flag, value])


@pytest.mark.parametrize("value", ["abc", "-1", "3x"])
def test_non_numeric_fd(sb, value):
    sb.expect_error(ROOT + ["--args", value, "true"], ["--args", value])


def test_out_of_range_fd(sb):
    sb.expect_error(ROOT + ["--args", "99999999999", "true"], ["--args", "99999999999"])


def test_closed_fd_for_args(sb):
    # the runner closes every fd above 2, so 77 is closed in the launcher
    sb.expect_error(ROOT + ["--args", "77", "true"], ["--args", "77"])


@pytest.mark.cocoon_only("bwrap binds the whole host root for --bind-try '' ''")
@pytest.mark.parametrize("args,flag", [
    (["--bind-try", "", ""], "--bind-try"),
    (["--bind", "", "/x"], "--bind"),
    (["--ro-bind", "/usr", ""], "--ro-bind"),
    (["--tmpfs", ""], "--tmpfs"),
    (["--dir", ""], "--dir"),
    (["--symlink", "x", ""], "--symlink"),
], ids=["bind-try", "bind-src", "ro-bind-dest", "tmpfs", "dir", "symlink"])
def test_empty_path_refused(sb, args, flag):
    sb.expect_error(ROOT + args + ["true"], flag)


@pytest.mark.parametrize("flag", ["--bind", "--ro-bind", "--dev-bind"])
def test_missing_source(sb, flag, scratch):
    missing = os.path.join(scratch, "no-such-source")
    sb.expect_error(ROOT + ["--tmpfs", "/mnt", flag, missing, "/mnt/x", "true"], missing)


def test_too_many_arguments_argv(sb):
    sb.expect_error(["--unshare-ipc"] * 9100 + ROOT + ["true"], ["argument", "9000"])


def test_too_many_arguments_args_fd(sb):
    fd = memfd_with(nul_args(["--unshare-ipc"] * 9100 + ROOT))
    try:
        sb.expect_error(["--args", str(fd), "true"], ["argument", "9000", "--args"], pass_fds=[fd])
    finally:
        os.close(fd)


def test_many_arguments_below_limit_are_fine(sb):
    sb.ok(["--unshare-ipc"] * 4000 + ROOT + ["true"])


@pytest.mark.parametrize("value", ["abc", "0999", "8", "", "-1", "077777"])
def test_perms_not_octal(sb, value):
    sb.expect_error(ROOT + ["--perms", value, "--tmpfs", "/mnt", "true"], "--perms")


def test_perms_must_precede_a_creating_op(sb, scratch):
    sb.expect_error(ROOT + ["--perms", "0700", "--bind", scratch, "/mnt", "true"], "--perms")


@pytest.mark.parametrize("value", ["abc", "0", "-5", "", "1x"])
def test_size_not_a_positive_number(sb, value):
    sb.expect_error(ROOT + ["--size", value, "--tmpfs", "/mnt", "true"], "--size")


def test_size_must_precede_tmpfs(sb):
    sb.expect_error(ROOT + ["--size", "100000", "--dir", "/mnt/x", "true"], "--size")


@pytest.mark.parametrize("flag", ["--cap-add", "--cap-drop"])
@pytest.mark.parametrize("name", ["CAP_FOO", "NOT_A_CAP", "cap_bogus"])
def test_invalid_capability(sb, flag, name):
    sb.expect_error(ROOT + [flag, name, "true"], [flag, name])


# (--uid without --unshare-user: see test_ids.test_uid_gid_without_unshare_user)
@pytest.mark.parametrize("args,flag", [
    (["--hostname", "x"], "--hostname"),
    (["--as-pid-1"], "--as-pid-1"),
], ids=["hostname-needs-uts", "as-pid-1-needs-pid"])
def test_option_needs_another(sb, args, flag):
    sb.expect_error(ROOT + args + ["true"], flag)


def test_chdir_missing(sb):
    sb.expect_error(ROOT + ["--chdir", "/nonexistent-citest-dir", "true"], "/nonexistent-citest-dir")


def test_command_not_found(sb):
    sb.expect_error(ROOT + ["/nonexistent-citest-command"], "/nonexistent-citest-command")


def test_conflicting_symlink(sb):
    sb.expect_error(ROOT + ["--tmpfs", "/mnt", "--symlink", "a", "/mnt/l", "--symlink", "b", "/mnt/l", "true"],
                    "/mnt/l")


def test_symlink_over_existing_file(sb):
    sb.expect_error(ROOT + ["--tmpfs", "/mnt", "--dir", "/mnt/d", "--symlink", "a", "/mnt/d", "true"],
                    "/mnt/d")
