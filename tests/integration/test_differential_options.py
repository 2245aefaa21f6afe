# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential tests of option parsing: the same command line under cocoon
(through its bwrap link, and under its own name) and, where it is installed,
under Debian's bwrap (0.8.0). Where the behaviour is newer than 0.8, the
expectation comes from bubblewrap's sources (0.11 and later) and the test
says so. Each test runs for both identities."""

import os
import shutil
import subprocess

import pytest

import harness
from harness import BASE_ENV, chown_tree, memfd_with, nul_args

# LeakSanitizer can't run under ptrace: an ASan build traced by strace
# must leave it off.
TRACED_ENV = dict(BASE_ENV, ASAN_OPTIONS=(BASE_ENV.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":"))

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


# ---------------------------------------------------------------- bwrap 0.12 and 0.13
# Debian's 0.8 has none of these: the expectations come from bubblewrap's
# 0.12.0 release notes and the review of its --not-a-security-boundary
# (pull request 751): only the flags of a bind's submounts may fail, with a
# warning; the bind's own mount stays strict.

def _inject_first_mount_setattr(sb, args, exe=None):
    """Run under strace, the first mount_setattr (the one that gives a bind's
    whole tree its flags) refused with EPERM, as an automount that does not
    answer would make the kernel refuse it."""
    strace = shutil.which("strace")
    if not strace:
        pytest.skip("strace is not installed")
    argv = sb.ident.wrap + [strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=mount_setattr",
                            "-e", "inject=mount_setattr:error=EPERM:when=1", exe or sb.cocoon] + args
    p = subprocess.run(argv, env=TRACED_ENV, cwd=sb.scratch, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


TOUCH = ["sh", "-c", "touch /citest-x 2>/dev/null && echo WROTE; echo ran"]


@pytest.mark.parametrize("name", ["cocoon", "bwrap"])
def test_not_a_security_boundary_lets_submount_flags_fail(sb, name):
    if "mount_setattr" in os.environ.get("COCOON_ENOSYS", ""):
        pytest.skip("the test refuses cocoon's first mount_setattr, which this run has removed")
    exe = sb.cocoon if name == "cocoon" else sb.bins.bwrap_link
    # Without the flag: the launch fails, naming the bind.
    rc, out, err = _inject_first_mount_setattr(sb, ["--ro-bind", "/", "/"] + TOUCH, exe)
    err = harness.Result([], rc, out, err).err  # cocoon's advice lines aside
    assert rc == 1 and "ran" not in out, (rc, out, err)
    assert len(err.splitlines()) == 1 and "--ro-bind" in err, err
    # With it: one warning, the command runs, and the bind itself is still
    # read-only.
    rc, out, err = _inject_first_mount_setattr(sb, ["--not-a-security-boundary", "--ro-bind", "/", "/"] + TOUCH,
                                               exe)
    assert rc == 0 and out == "ran\n", (rc, out, err)
    err = harness.Result([], rc, out, err).err
    assert len(err.splitlines()) == 1 and "--not-a-security-boundary" in err and "--ro-bind" in err, err


def test_not_a_security_boundary_changes_nothing_else(sb):
    """Given, with nothing failing, the sandbox is the same: the submounts
    of a read-only bind are read-only, and the masks are in place."""
    script = ("for p in / /proc /sys; do touch $p/citest-x 2>/dev/null && echo WROTE $p; done; "
              "cat /proc/kcore >/dev/null 2>&1 && echo READ-KCORE; echo ran")
    for extra in ([], ["--not-a-security-boundary"]):
        r = sb.run(extra + ["--ro-bind", "/", "/", "--dev", "/dev", "sh", "-c", script])
        assert r.rc == 0 and r.out == "ran\n" and r.err == "", r.describe()


def _path_args(bins_dump):
    """(option, argument index, argv) for every argument of kind file or dir
    in the option table, that argument empty and the others harmless."""
    out = []
    for line in bins_dump.splitlines():
        name, nargs, _, kinds, _ = line.split("\t", 4)
        kinds = [k.strip() for k in kinds.split(",")][:int(nargs)]
        for i, k in enumerate(kinds):
            if k not in ("file", "dir"):
                continue
            args = [{"fd": "0", "number": "0755"}.get(kk, "/tmp") for kk in kinds]
            args[i] = ""
            pre = ["--overlay-src", "/tmp", "--overlay-src", "/tmp"] if "overlay" in name and \
                name != "--overlay-src" else []
            out.append((name, i, pre + [name] + args))
    return out


def test_empty_path_arguments_are_refused(sb):
    """bwrap 0.13 refuses an empty path; cocoon refuses every one, whatever
    the option: one line that names the flag, exit status 1, under both
    names."""
    dump = os.environ.get("COCOON_DUMP_OPTIONS", "/work/main/build/tests/dump-options")
    if not os.access(dump, os.X_OK):
        pytest.skip("no dump-options program (COCOON_DUMP_OPTIONS)")
    cases = _path_args(subprocess.run([dump], capture_output=True, text=True, check=True).stdout)
    assert len(cases) > 30, cases
    for name, i, argv in cases:
        for exe, prefix in ((None, "cocoon: "), (sb.bins.bwrap_link, "bwrap: ")):
            r = sb.expect_error(ROOT + argv + ["true"], name, prefix=prefix, exe=exe)
            assert "empty" in r.err, r.describe()


def _layers(sb, n):
    base = os.path.join(sb.scratch, "layers")
    os.mkdir(base)
    for i in range(1, n + 1):
        d = os.path.join(base, str(i))
        os.mkdir(d)
        with open(os.path.join(d, "top"), "w") as f:
            f.write(f"{i}\n")
        with open(os.path.join(d, f"only-{i}"), "w") as f:
            f.write("x")
    chown_tree(base, sb.ident.uid, sb.ident.gid)
    return [a for i in range(1, n + 1) for a in ("--overlay-src", os.path.join(base, str(i)))]


@pytest.mark.parametrize("n", [2, 12, 60, 500])
def test_any_number_of_overlay_layers(sb, n):
    """No limit of cocoon's own on --overlay-src (bwrap 0.13); the last one
    given is the top layer. 12 and more no longer fit in one lowerdir value."""
    args = ROOT + _layers(sb, n) + ["--ro-overlay", "/mnt", "sh", "-c",
                                     f"cat /mnt/top; ls /mnt | grep -c only-"]
    r = sb.ok(args)
    assert r.out == f"{n}\n{n}\n", r.describe()


def test_overlay_layers_past_the_kernel_limit(sb):
    """The kernel stacks at most 500 lower layers: past that, one line that
    names the option and the kernel's reason, exit status 1."""
    args = ROOT + _layers(sb, 501) + ["--tmp-overlay", "/mnt", "true"]
    r = sb.expect_error(args, "--tmp-overlay", prefix="cocoon: ")
    assert "500" in r.err, r.describe()
