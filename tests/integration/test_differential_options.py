# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential tests of option parsing: the same command line under cocoon
(through its bwrap link, and under its own name) and, where it is installed,
under Debian's bwrap (0.8.0). Where the behaviour is newer than 0.8, the
expectation comes from bubblewrap's sources (0.11 and later) and the test
says so. Each test runs for both identities."""

import os

import pytest

from harness import memfd_with, nul_args

BWRAP = "/usr/bin/bwrap"
HAVE_BWRAP = os.access(BWRAP, os.X_OK)
ROOT = ["--ro-bind", "/", "/"]


def _exes(sb):
    """(label, exe) for the reference bwrap (when installed) and cocoon
    through its link named bwrap."""
    out = [("bwrap", BWRAP)] if HAVE_BWRAP else []
    return out + [("cocoon-as-bwrap", sb.bins.bwrap_link)]


def _same(results, what):
    """Every launcher gave the same (what) as the first."""
    (l0, r0), rest = results[0], results[1:]
    for label, r in rest:
        assert what(r) == what(r0), f"{l0}:\n{r0.describe()}\n{label}:\n{r.describe()}"


# ---------------------------------------------------------------- --size

@pytest.mark.parametrize("value,size", [("0x100000", 1 << 20), ("0100000", 32768), ("100000", 102400),
                                        ("1048576", 1 << 20)])
def test_size_reads_numbers_as_bwrap_does(sb, value, size):
    """bwrap reads --size with strtoull(base 0): hex with 0x, octal with a
    leading 0. The tmpfs must come out the same size under both."""
    args = ROOT + ["--size", value, "--tmpfs", "/mnt", "stat", "-f", "-c", "%b %S", "/mnt"]
    results = [(label, sb.run(args, exe=exe)) for label, exe in _exes(sb)]
    results.append(("cocoon", sb.run(args)))
    for label, r in results:
        assert r.rc == 0, f"{label}:\n" + r.describe()
        blocks, bsize = map(int, r.out.split())
        assert blocks * bsize == size, f"{label}:\n" + r.describe()


@pytest.mark.parametrize("value", ["", "0", "0x", "08", "1x", " 1", "-1", "+1", "99999999999999999999999",
                                   "9223372036854775808", "0x8000000000000000"])
def test_size_refuses_garbage_and_huge_values(sb, value):
    """One line, exit status 1: under the bwrap name bwrap's exact words
    (0.8 and 0.11 agree), under cocoon's a line that names --size and the
    value."""
    args = ROOT + ["--size", value, "--tmpfs", "/mnt", "true"]
    results = [(label, sb.run(args, exe=exe)) for label, exe in _exes(sb)]
    for label, r in results:
        assert r.rc == 1 and len(r.err_lines()) == 1, f"{label}:\n" + r.describe()
    _same(results, lambda r: r.err)
    r = sb.expect_error(args, "--size", prefix="cocoon: ")
    assert repr(value)[1:-1] in r.err or value == "", r.describe()


def test_size_suffixes_are_cocoon_s_own(sb):
    """K/M/G/T suffixes are a cocoon extension, under both names, also after
    a hex number."""
    r = sb.ok(ROOT + ["--size", "0x2M", "--tmpfs", "/mnt", "stat", "-f", "-c", "%b %S", "/mnt"],
              exe=sb.bins.bwrap_link)
    blocks, bsize = map(int, r.out.split())
    assert blocks * bsize == 2 << 20, r.describe()


# ---------------------------------------------------------------- repeated single-value options

def _repeat_cases(sb):
    """(flag, extra args before, the two values, fds to pass, fds to close)"""
    cases = [("--chdir", [], ["/", "/tmp"], ()),
             ("--hostname", ["--unshare-uts"], ["a", "b"], ()),
             ("--uid", ["--unshare-user"], ["0", "0"], ()),
             ("--gid", ["--unshare-user"], ["0", "0"], ())]
    for flag in ("--sync-fd", "--info-fd", "--json-status-fd", "--block-fd"):
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        if flag == "--block-fd":
            os.write(w1, b"x" * 8)   # one byte for each run
            os.write(w2, b"x" * 8)
            pair = [r1, r2]
        else:
            pair = [w1, w2]
        cases.append((flag, [], [str(pair[0]), str(pair[1])], (r1, w1, r2, w2)))
    return cases


def test_repeated_single_value_options_warn(sb):
    """bwrap (0.6+) warns `Only the last --X option will take effect` and
    goes on; so does cocoon, in the same words under the bwrap name."""
    for flag, before, values, fds in _repeat_cases(sb):
        try:
            args = ROOT + before + [flag, values[0], flag, values[1], "true"]
            results = [(label, sb.run(args, exe=exe, pass_fds=fds)) for label, exe in _exes(sb)]
            for label, r in results:
                assert r.rc == 0 and r.err == f"bwrap: Only the last {flag} option will take effect\n", \
                    f"{label}:\n" + r.describe()
            r = sb.run(args, pass_fds=fds)
            assert r.rc == 0 and len(r.err_lines()) == 1, r.describe()
            assert r.err.startswith(f"cocoon: {flag}: ") and "only the last" in r.err, r.describe()
        finally:
            for fd in fds:
                os.close(fd)


def test_repeated_option_warning_with_level_prefix(sb):
    for label, exe in _exes(sb):
        if exe == BWRAP:
            continue   # 0.8 predates --level-prefix (0.10); its test expects the <4> of a warning
        r = sb.ok(ROOT + ["--level-prefix", "--chdir", "/", "--chdir", "/", "true"], exe=exe)
        assert r.err == "<4>bwrap: Only the last --chdir option will take effect\n", r.describe()


@pytest.mark.cocoon_only("bwrap 0.8 has no --argv0; 0.9+ refuses it twice (its sources)")
def test_argv0_twice_is_an_error(sb):
    args = ROOT + ["--argv0", "a", "--argv0", "b", "true"]
    r = sb.expect_error(args, "--argv0", prefix="bwrap: ", exe=sb.bins.bwrap_link)
    assert r.err == "bwrap: --argv0 used multiple times\n", r.describe()
    sb.expect_error(args, "--argv0", prefix="cocoon: ")


# ---------------------------------------------------------------- --args

ARGS_CASES = [
    # data, command line after --args FD, what it prints
    (["echo", "from-args"], ["/bin/echo", "inline"], "inline\n"),
    (["--chdir", "/tmp", "--", "echo", "x"], ["/bin/echo", "inline"], "inline\n"),
    (["--setenv", "CITEST_A", "1", "sh", "-c", "echo no"], ["sh", "-c", "echo ${CITEST_A}yes"], "1yes\n"),
    (["--chdir", "/tmp"], ["pwd"], "/tmp\n"),
]


@pytest.mark.parametrize("data,tail,out", ARGS_CASES, ids=["only-words", "double-dash", "option-then-words",
                                                            "options-only"])
def test_args_data_after_the_options_is_ignored(sb, data, tail, out):
    """bwrap parses --args data on its own and ignores what follows its
    options there; the command comes from the command line."""
    labels = _exes(sb) + [("cocoon", None)]
    for label, exe in labels:
        fd = memfd_with(nul_args(data))
        try:
            r = sb.run(ROOT + ["--args", str(fd)] + tail, exe=exe, pass_fds=(fd,))
        finally:
            os.close(fd)
        assert r.rc == 0 and r.out == out, f"{label}:\n" + r.describe()
        if label == "cocoon" and data[-1] != "/tmp":
            # under its own name it says what it ignored
            assert r.err.startswith("cocoon: --args: ignoring ") and len(r.err_lines()) == 1, r.describe()
        elif exe is not None:
            assert r.err == "", f"{label}:\n" + r.describe()


@pytest.mark.parametrize("data,tail", [
    (["--bind", "/tmp"], ["/mnt", "true"]),           # an option's arguments stay inside the data
    (["--perms", "0700"], ["--dir", "/mnt", "true"]),  # so does the option a modifier applies to
], ids=["split-option", "split-modifier"])
def test_args_data_is_parsed_on_its_own(sb, data, tail):
    for label, exe in _exes(sb) + [("cocoon", None)]:
        fd = memfd_with(nul_args(data))
        try:
            r = sb.run(ROOT + ["--tmpfs", "/mnt", "--args", str(fd)] + tail, exe=exe, pass_fds=(fd,))
        finally:
            os.close(fd)
        assert r.rc == 1 and len(r.err_lines()) == 1, f"{label}:\n" + r.describe()
        assert data[0] in r.err, f"{label}:\n" + r.describe()
