# SPDX-License-Identifier: LGPL-2.1-or-later
"""--dev and --proc."""

import pytest

from harness import mount_at

ROOT = ["--ro-bind", "/", "/"]

NODES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8), "urandom": (1, 9), "tty": (5, 0)}
LINKS = {"stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2",
         "fd": "/proc/self/fd", "core": "/proc/kcore", "ptmx": "pts/ptmx"}


def stat_args(base):
    out = []
    for n in list(NODES) + list(LINKS) + ["shm", "pts", ""]:
        out += ["--stat", f"{base}/{n}" if n else base]
    return out


@pytest.mark.parametrize("where", ["/dev", "/mnt/sandbox/dev"])
def test_dev_contents(sb, where):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--dev", where], stat_args(where))
    st = d["stat"]
    for n, rdev in NODES.items():
        assert st[f"{where}/{n}"]["type"] == "chr", (n, st[f"{where}/{n}"])
        assert st[f"{where}/{n}"]["rdev"] == list(rdev), n
    for n, target in LINKS.items():
        assert st[f"{where}/{n}"]["type"] == "lnk" and st[f"{where}/{n}"]["target"] == target, (n, st[f"{where}/{n}"])
    assert st[f"{where}/shm"]["type"] == "dir"
    assert st[f"{where}/pts"]["type"] == "dir"
    assert st[where]["mode"] == 0o755


def test_dev_mounts(sb):
    d = sb.probe(ROOT + ["--dev", "/dev"])
    dev = mount_at(d["_mounts"], "/dev")
    assert dev.fstype == "tmpfs" and {"nosuid", "nodev"} <= dev.opts and "rw" in dev.opts, dev
    assert dev.super.get("mode") == "755", dev.super
    pts = mount_at(d["_mounts"], "/dev/pts")
    assert pts.fstype == "devpts", pts
    assert pts.super.get("ptmxmode") == "666" and "newinstance" not in pts.opts, pts.super
    assert pts.super.get("mode") == "620", pts.super
    for n in NODES:
        m = mount_at(d["_mounts"], f"/dev/{n}")
        assert m is not None and "nodev" not in m.opts, (n, m)


def test_dev_nodes_usable(sb):
    d = sb.probe(ROOT + ["--dev", "/dev"],
                 ["--read", "/dev/null", "--write", "/dev/null", "--write", "/dev/full", "--read", "/dev/urandom"])
    assert d["read"]["/dev/null"] == {"data": ""}
    assert d["write"]["/dev/null"] == "ok"
    assert d["write"]["/dev/full"] == "No space left on device"
    assert "data" in d["read"]["/dev/urandom"]


def test_dev_fd_links_resolve(sb):
    # the pipe is made inside, so that the sandbox user owns it
    r = sb.ok(ROOT + ["--dev", "/dev", "--proc", "/proc", "sh", "-c", "echo via-dev-stdin | cat /dev/stdin"])
    assert r.out == "via-dev-stdin\n", r.describe()


def test_dev_pts_usable(sb):
    """A pty can be opened through /dev/ptmx in the new devpts instance."""
    script = ("import os; m, s = os.openpty(); n = os.ttyname(s); "
              "print(n.startswith('/dev/pts/'), os.path.exists('/dev/ptmx'))")
    r = sb.ok(ROOT + ["--dev", "/dev", "--proc", "/proc", "/usr/bin/python3", "-c", script])
    assert r.out == "True True\n", r.describe()


def test_dev_shm_writable(sb):
    d = sb.probe(ROOT + ["--dev", "/dev"], ["--write", "/dev/shm/x"])
    assert d["write"]["/dev/shm/x"] == "ok"


def test_dev_hides_host_devices(sb):
    d = sb.probe(ROOT + ["--dev", "/dev"], ["--stat", "/dev/vda", "--stat", "/dev/mem", "--stat", "/dev/kmsg"])
    for p, st in d["stat"].items():
        assert "error" in st, f"{p} should not exist in the sandbox's /dev"


def test_proc_with_pid_namespace(sb, host_ns):
    d = sb.probe(ROOT + ["--unshare-pid", "--proc", "/proc"])
    m = mount_at(d["_mounts"], "/proc")
    assert m.fstype == "proc" and {"nosuid", "nodev", "noexec"} <= m.opts, m
    assert d["ns"]["pid"] != host_ns["pid"]
    assert d["pid"] == 2


def test_proc_without_pid_namespace(sb, host_ns):
    d = sb.probe(ROOT + ["--tmpfs", "/proc", "--proc", "/proc"])
    m = mount_at(d["_mounts"], "/proc")
    assert m.fstype == "proc", m
    assert d["ns"]["pid"] == host_ns["pid"]
    assert d["pid"] > 2


def test_proc_elsewhere(sb):
    d = sb.probe(sb.minimal + ["--unshare-pid", "--proc", "/altproc"], ["--read", "/altproc/self/comm"])
    assert d["read"]["/altproc/self/comm"]["data"] == "probe\n"


def test_no_proc_probe_still_reports(sb):
    """Without /proc the probe still answers (sanity check of the probe)."""
    args = [a for a in sb.minimal if a not in ("--proc", "/proc")]
    d = sb.probe(args)
    assert d["mountinfo"] is None and d["status"] is None
    assert d["no_new_privs"] == 1
    assert set(d["fds"]) == {"0", "1", "2"}


@pytest.mark.parametrize("pidns", [False, True], ids=["host-pidns", "new-pidns"])
def test_proc_sys_not_writable(sb, pidns):
    """Kernel tunables stay read-only inside. For a non-root caller the kernel
    already forbids writes; for root the launcher must make /proc/sys
    read-only (a DESIGN rule; bwrap leaves it writable for root)."""
    if sb.ident.is_root and sb.bins.is_bwrap:
        pytest.skip(f"cocoon-only for root ({sb.bins.version} under test): bwrap leaves /proc/sys writable")
    extra = ["--unshare-pid"] if pidns else []
    d = sb.probe(ROOT + extra + ["--proc", "/proc"],
                 ["--access", "/proc/sys/kernel/hostname", "--access", "/proc/sys/vm/drop_caches"])
    for p, res in d["access"].items():
        if sb.ident.is_root:
            assert res == "Read-only file system", (p, res)
        else:
            assert res != "ok", f"{p} writable inside the sandbox"
