# SPDX-License-Identifier: LGPL-2.1-or-later
"""The /proc and /sys protections wherever the host's procfs and sysfs are
bound (security review, issue 12): --ro-bind / /, --bind / /, a bind of /sys
or of a part of either. What --proc and --sys hide stays hidden, the kernel's
settings stay read-only, and --unmask lifts them.

Nothing here ever writes a kernel setting: a tunable is checked by opening
it for writing, and an open that succeeds is closed at once and fails the
test."""

import glob
import json
import os
import subprocess

import pytest

import harness
from harness import mount_at

pytestmark = pytest.mark.cocoon_only("bwrap protects nothing of a bound /proc or /sys")

ROOT = ["--ro-bind", "/", "/"]

PROC_MASKED = ["acpi", "interrupts", "kcore", "keys", "latency_stats", "sched_debug", "scsi", "timer_list",
               "timer_stats"]
SYS_MASKED = ["firmware", "kernel/security", "kernel/debug", "fs/selinux", "devices/virtual/powercap"]
# Kernel settings that must not open for writing; opening one writes nothing.
TUNABLES = ["/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches", "/proc/sysrq-trigger",
            "/sys/kernel/mm/transparent_hugepage/enabled", "/sys/power/state"]

# Inside: what each path shows, then the mount table. "list:P" counts the
# entries of directory P, "read:P" the bytes of file P, "openw:P" tries to
# open P for writing (and closes it again at once, writing nothing).
INSPECT = r"""
import json, os, sys
out = {}
for arg in sys.argv[1:]:
    kind, _, path = arg.partition(":")
    try:
        if kind == "list":
            out[arg] = len(os.listdir(path))
        elif kind == "read":
            with open(path, "rb") as f:
                out[arg] = len(f.read())
        elif kind == "openw":
            fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
            os.close(fd)
            out[arg] = "opened"
    except OSError as e:
        out[arg] = e.strerror
print(json.dumps(out))
print("---")
with open("/proc/self/mountinfo") as f:
    print(f.read(), end="")
"""


def inspect(sb, args, checks, **kw):
    """Run INSPECT under args; return (results by check, mounts)."""
    r = sb.run(args + ["/usr/bin/python3", "-c", INSPECT] + list(checks), **kw)
    assert r.rc == 0, r.describe()
    head, _, mi = r.out.partition("---\n")
    return json.loads(head), harness.parse_mountinfo(mi.splitlines())


def present_proc():
    return [n for n in PROC_MASKED if os.path.lexists(f"/proc/{n}")]


def present_sys():
    found = [n for n in SYS_MASKED if os.path.isdir(f"/sys/{n}")]
    return found + sorted(os.path.relpath(p, "/sys")
                          for p in glob.glob("/sys/devices/system/cpu/cpu[0-9]*/thermal_throttle"))


def checks_for(base, names, real):
    """list: or read: checks of each name under base, as the host has it under real."""
    return [("list:" if os.path.isdir(f"{real}/{n}") else "read:") + f"{base}/{n}" for n in names]


def assert_hidden(res, mounts, checks):
    for c in checks:
        path = c.partition(":")[2]
        assert res[c] == 0, f"{path} shows {res[c]} (entries or bytes) inside; it should be hidden"
        m = mount_at(mounts, path)
        assert m is not None and m.ro and m.fstype == "tmpfs", (path, m)


def root_cap_drop(sb):
    return ["--cap-drop", "ALL"] if sb.ident.is_root else []


HOST_BINDS = {
    "ro-bind-sys": lambda sb: sb.minimal + ["--ro-bind", "/sys", "/sys"],
    "ro-bind-root": lambda sb: ROOT,
    "bind-root": lambda sb: ["--bind", "/", "/"] + root_cap_drop(sb),
}


@pytest.mark.parametrize("case", list(HOST_BINDS))
def test_sys_hidden_through_binds(sb, case):
    present = present_sys()
    if not present:
        pytest.skip("none of the hidden /sys paths exists on this machine")
    checks = checks_for("/sys", present, "/sys")
    res, mounts = inspect(sb, HOST_BINDS[case](sb), checks)
    assert_hidden(res, mounts, checks)


@pytest.mark.parametrize("case", ["ro-bind-root", "bind-root"])
def test_proc_hidden_through_binds(sb, case):
    present = present_proc()
    if not present:
        pytest.skip("none of the hidden /proc paths exists on this kernel")
    checks = checks_for("/proc", present, "/proc")
    res, mounts = inspect(sb, HOST_BINDS[case](sb), checks)
    assert_hidden(res, mounts, checks)


def assert_not_writable(sb, res, paths):
    tried = [p for p in paths if f"openw:{p}" in res and res[f"openw:{p}"] != "No such file or directory"]
    assert tried, f"none of {paths} exists inside: {res}"
    for p in tried:
        got = res[f"openw:{p}"]
        assert got != "opened", f"{p} opened for writing inside the sandbox (closed again, nothing written)"
        if sb.ident.is_root:
            assert got == "Read-only file system", (p, got)


@pytest.mark.parametrize("case", ["ro-bind-root", "bind-root", "bind-proc-sys", "bind-sys-part"])
def test_tunables_not_writable_through_binds(sb, case):
    """/proc/sys, /proc/sysrq-trigger and the host's sysfs stay read-only
    wherever a bind puts them, for a root caller too."""
    if case == "bind-proc-sys":
        args, paths = ROOT + ["--tmpfs", "/mnt", "--bind", "/proc/sys", "/mnt/ps"] + root_cap_drop(sb), \
            ["/mnt/ps/kernel/hostname", "/mnt/ps/vm/drop_caches"]
    elif case == "bind-sys-part":
        args, paths = ROOT + ["--tmpfs", "/mnt", "--bind", "/sys/kernel", "/mnt/k", "--bind", "/sys/power",
                              "/mnt/power"] + root_cap_drop(sb), \
            ["/mnt/k/mm/transparent_hugepage/enabled", "/mnt/power/state"]
    else:
        args, paths = HOST_BINDS[case](sb), TUNABLES
    res, _ = inspect(sb, args, [f"openw:{p}" for p in paths])
    assert_not_writable(sb, res, paths)


def test_sys_devices_bind(sb):
    """A bind of /sys/devices gets the powercap counters and every cpu's
    thermal_throttle hidden, where this machine has them."""
    present = [n for n in present_sys() if n.startswith("devices/")]
    if not present:
        pytest.skip("no powercap or thermal_throttle under /sys/devices on this machine")
    checks = checks_for("/mnt/devices", [os.path.relpath(n, "devices") for n in present], "/sys/devices")
    res, mounts = inspect(sb, ROOT + ["--tmpfs", "/mnt", "--ro-bind", "/sys/devices", "/mnt/devices"], checks)
    assert_hidden(res, mounts, checks)


def test_parts_of_sys_and_proc(sb):
    """A bind that lies inside a hidden path is hidden as a whole; one that
    holds hidden paths has them hidden where they are; --ro-bind-fd too."""
    present = [n for n in ("firmware", "kernel/security", "kernel/debug") if os.path.isdir(f"/sys/{n}")]
    if not present:
        pytest.skip("none of firmware, kernel/security, kernel/debug under /sys on this machine")
    fd = os.open("/sys", os.O_PATH | os.O_DIRECTORY)
    os.set_inheritable(fd, True)
    try:
        args = ROOT + ["--tmpfs", "/mnt", "--ro-bind", f"/sys/{present[0]}", "/mnt/whole",
                       "--ro-bind", "/sys/kernel", "/mnt/kernel", "--ro-bind-fd", str(fd), "/mnt/fd"]
        checks = (["list:/mnt/whole"] + checks_for("/mnt/fd", present, "/sys") +
                  checks_for("/mnt/kernel", [os.path.relpath(n, "kernel") for n in present
                                             if n.startswith("kernel/")], "/sys/kernel"))
        res, mounts = inspect(sb, args, checks, pass_fds=(fd,))
    finally:
        os.close(fd)
    assert_hidden(res, mounts, checks)


def hidden_here(mounts, path):
    m = mount_at(mounts, path)
    return m is not None and m.fstype == "tmpfs" and m.ro


def test_unmask_through_binds(sb):
    """--unmask lifts each mask of a bound /proc and /sys, one at a time,
    and --unmask all lifts them all."""
    names = [f"/proc/{n}" for n in present_proc()] + [f"/sys/{n}" for n in present_sys()]
    if len(names) < 2:
        pytest.skip("fewer than two hidden /proc and /sys paths on this machine")
    checks = [("list:" if os.path.isdir(p) else "read:") + p for p in names]
    for one in names:
        res, mounts = inspect(sb, ROOT + ["--unmask", one], checks)
        assert not hidden_here(mounts, one), f"--unmask {one} did not lift its mask"
        if os.path.isdir(one) and os.listdir(one):
            assert res[f"list:{one}"] > 0, (one, res)
        others = [p for p in names if p != one]
        assert all(hidden_here(mounts, p) for p in others), f"--unmask {one} lifted others too"
    _, mounts = inspect(sb, ROOT + ["--unmask", "all"], checks)
    assert not any(hidden_here(mounts, p) for p in names), "--unmask all left masks"


def test_unmask_of_a_bound_part(sb):
    present = [n for n in ("firmware", "kernel/security", "kernel/debug") if os.path.isdir(f"/sys/{n}")]
    if not present:
        pytest.skip("none of firmware, kernel/security, kernel/debug under /sys on this machine")
    _, mounts = inspect(sb, ROOT + ["--tmpfs", "/mnt", "--ro-bind", "/sys", "/mnt/s", "--ro-bind",
                                    f"/sys/{present[0]}", "/mnt/whole", "--unmask", f"/mnt/s/{present[0]}",
                                    "--unmask", "/mnt/whole"], [])
    assert not hidden_here(mounts, f"/mnt/s/{present[0]}") and not hidden_here(mounts, "/mnt/whole")
    for n in present[1:]:
        assert hidden_here(mounts, f"/mnt/s/{n}"), n


@pytest.mark.parametrize("args, unmask", [
    (ROOT, "/proc/cpuinfo"),
    (ROOT, "/sys/class"),
    (["--ro-bind", "/usr", "/usr"], "/usr/firmware"),
    (["--ro-bind", "/sys", "/mnt/s"], "/sys/firmware"),
    (["--ro-bind", "/sys/kernel", "/mnt/k"], "/mnt/k/firmware"),
], ids=["proc-cpuinfo", "sys-class", "not-sys", "other-dest", "outside-the-part"])
def test_unmask_of_nonsense_through_binds(sb, args, unmask):
    sb.expect_error(args + ["--unmask", unmask, "true"], ["--unmask"])


def test_unmask_tunables_of_a_bind_needs_a_user_namespace(sb):
    """A root caller's sandbox is the host's uid 0 with or without a user
    namespace: the kernel's settings in a bound /proc or /sys stay
    read-only for it, --unmask or not."""
    if not sb.ident.is_root:
        pytest.skip("about root callers")
    for extra in ([], ["--unshare-user"]):
        for u in ("/proc/sys", "/sys"):
            r = sb.expect_error(["--bind", "/", "/", "--cap-drop", "ALL", *extra, "--unmask", u, "true"],
                                ["--unmask"])
            assert u in r.err, r.describe()


def test_fresh_proc_over_a_bound_one(sb):
    """--ro-bind / / --proc /proc gives a fresh /proc as before, and the
    bound /proc it covers is not masked for nothing."""
    d = sb.probe(ROOT + ["--unshare-pid", "--proc", "/proc"])
    m = mount_at(d["_mounts"], "/proc")
    assert m.fstype == "proc" and {"nosuid", "nodev", "noexec"} <= m.opts and d["pid"] == 2, m
    for n in present_proc():
        at = [x for x in d["_mounts"] if x.point == f"/proc/{n}"]
        assert len(at) == 1, f"/proc/{n} masked {len(at)} times: the covered bound /proc was masked too"


def test_sysfs_elsewhere_is_refused(sb):
    """A source on the host's sysfs that doesn't lie under /sys (sysfs mounted
    a second time elsewhere) can't be mapped onto the masks: one clear line,
    unless --unmask all. Run in a mount namespace of the test's own."""
    if os.geteuid() != 0:
        pytest.skip("needs real root to mount sysfs in a private mount namespace")
    if not os.path.isdir("/sys/firmware"):
        pytest.skip("/sys/firmware does not exist on this machine")
    where = os.path.join(sb.scratch, "sys2")
    os.mkdir(where)

    def run(extra):
        argv = sb.argv(ROOT + ["--tmpfs", "/mnt", "--ro-bind", f"{where}/firmware", "/mnt/fw"] + extra +
                       ["ls", "/mnt/fw"])
        return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                               'mount -t sysfs sysfs "$0" && exec "$@"', where] + argv,
                              env=harness.tagged_env(None), cwd=sb.scratch, capture_output=True, timeout=60)

    r = run([])
    err = harness.Result([], r.returncode, "", r.stderr.decode()).err  # without the advice lines
    assert r.returncode == 1 and len(err.splitlines()) == 1 and err.startswith(sb.bins.msg_prefix), (r, err)
    assert "--ro-bind" in err and "sysfs" in err, err
    r = run(["--unmask", "all"])
    assert r.returncode == 0 and r.stdout.decode().split() == sorted(os.listdir("/sys/firmware")), r
