# SPDX-License-Identifier: LGPL-2.1-or-later
"""--dev and --proc."""

import json
import os
import shlex
import subprocess
import sys
import time

import pytest

import harness
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


# Runs as root, in a mount namespace of its own (private, so nothing reaches
# the host): binds the test's own device nodes over /dev/null and /dev/zero,
# mounts a devpts instance of its own on /dev/pts and opens a terminal there,
# owned by the identity as a login terminal is, then starts the launcher with
# that terminal as its stdout, so that --dev binds it on /dev/console. It
# reports what the sandbox said and the terminal's stat before and after.
# The machine's own /dev nodes are never what the sandbox is given.
DEV_HELPER = r"""
import ctypes, json, os, subprocess, sys
cfg = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000

def check(r, what):
    if r != 0:
        e = ctypes.get_errno()
        sys.exit(f"helper: {what}: {os.strerror(e)}")

check(libc.unshare(0x20000), "unshare(CLONE_NEWNS)")
check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
for name, path in cfg["nodes"].items():
    check(libc.mount(path.encode(), ("/dev/" + name).encode(), None, MS_BIND, None), "bind " + name)
check(libc.mount(b"devpts", b"/dev/pts", b"devpts", 0, b"newinstance,ptmxmode=0666,mode=620"), "devpts")
master, slave = os.openpty()
tty = os.ttyname(slave)
assert tty.startswith("/dev/pts/"), tty
os.chown(tty, cfg["uid"], cfg["gid"])
def snap(path):
    st = os.stat(path)
    return [st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_ctime_ns, sorted(os.listxattr(path))]
before = snap(tty)
p = subprocess.run(cfg["argv"], stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE,
                   env=cfg["env"], cwd=cfg["cwd"], timeout=60)
print(json.dumps({"rc": p.returncode, "err": p.stderr.decode(errors="replace"), "tty": tty,
                  "before": before, "after": snap(tty)}))
"""

# Inside: try to change each node named, and use the devices.
DEV_CHANGE_SCRIPT = r"""
import errno, json, os, sys, termios
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
def write_null():
    with open("/dev/null", "w") as f:
        f.write("x")
def read_zero():
    with open("/dev/zero", "rb") as f:
        assert f.read(4) == bytes(4)
def console_ioctl():
    fd = os.open("/dev/console", os.O_RDWR | os.O_NOCTTY)
    try:
        termios.tcgetattr(fd)
    finally:
        os.close(fd)
xattr = "trusted.citest" if os.getuid() == 0 else "user.citest"
out = {p: {"chmod": attempt(lambda: os.chmod(p, 0o600)),
           "chown": attempt(lambda: os.chown(p, os.getuid(), os.getgid())),
           "utime": attempt(lambda: os.utime(p, (0, 0))),
           "setxattr": attempt(lambda: os.setxattr(p, xattr, b"x"))} for p in sys.argv[1:]}
if os.path.exists("/dev/console"):
    out["use"] = {"write_null": attempt(write_null), "read_zero": attempt(read_zero),
                  "console_ioctl": attempt(console_ioctl)}
print("RESULT " + json.dumps(out), file=sys.stderr)
"""


def node_snapshot(path):
    st = os.lstat(path)
    return [st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_ctime_ns, sorted(os.listxattr(path))]


def run_in_private_dev(sb, args, nodes, inside_paths):
    cfg = {"nodes": nodes, "uid": sb.ident.uid, "gid": sb.ident.gid,
           "argv": sb.argv(args + ["/usr/bin/python3", "-c", DEV_CHANGE_SCRIPT] + inside_paths),
           "env": harness.tagged_env(None), "cwd": sb.scratch}
    p = subprocess.run([sys.executable, "-c", DEV_HELPER, json.dumps(cfg)], capture_output=True, timeout=90)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    rep = json.loads(p.stdout)
    assert rep["rc"] == 0, rep
    line = [ln for ln in rep["err"].splitlines() if ln.startswith("RESULT ")]
    assert line, rep
    rep["inside"] = json.loads(line[0][len("RESULT "):])
    return rep


@pytest.mark.cocoon_only("bwrap binds the --dev nodes writable")
def test_dev_nodes_cannot_be_changed(sb):
    """--dev gives the devices, not the host's nodes: chmod, chown, utimes and
    setxattr on them fail (the binds are read-only), for a root caller too,
    and for the console, which the caller owns. The nodes are the test's own,
    bound over /dev/null and /dev/zero in a private mount namespace."""
    if os.geteuid() != 0:
        pytest.skip("needs real root for a private mount namespace with the test's own nodes")
    nodes_dir = os.path.join(sb.scratch, "nodes")
    os.mkdir(nodes_dir)
    nodes = {}
    for name, (major, minor) in (("null", (1, 3)), ("zero", (1, 5)), ("ctl", (1, 3))):
        path = os.path.join(nodes_dir, name)
        os.mknod(path, 0o20666, os.makedev(major, minor))
        os.chmod(path, 0o666)
        if name == "ctl":   # the control is the caller's own, as the console is
            os.chown(path, sb.ident.uid, sb.ident.gid)
        nodes[name] = path
    before = {n: node_snapshot(p) for n, p in nodes.items()}

    rep = run_in_private_dev(sb, ROOT + ["--dev", "/dev"] + (["--cap-drop", "ALL"] if sb.ident.is_root else []),
                             {"null": nodes["null"], "zero": nodes["zero"]},
                             ["/dev/null", "/dev/zero", "/dev/console"])
    inside = rep["inside"]
    for p in ("/dev/null", "/dev/zero", "/dev/console"):
        for op, res in inside[p].items():
            assert res == "EROFS", (p, op, res, rep)
    assert inside["use"] == {"write_null": "ok", "read_zero": "ok", "console_ioctl": "ok"}, inside
    assert rep["after"] == rep["before"], f"the terminal bound on /dev/console changed: {rep}"
    for n in ("null", "zero"):
        assert node_snapshot(nodes[n]) == before[n], f"the test's node on /dev/{n} changed"

    # The control: the same attempt through a writable --dev-bind of the
    # test's own node does change it, so the checks above would see a change.
    rep = run_in_private_dev(sb, ROOT + ["--dev", "/dev", "--tmpfs", "/mnt", "--dev-bind", nodes["ctl"], "/mnt/ctl"],
                             {}, ["/mnt/ctl"])
    assert rep["inside"]["/mnt/ctl"]["chmod"] == "ok", rep
    after = node_snapshot(nodes["ctl"])
    assert after != before["ctl"] and after[0] & 0o7777 == 0o600, (before["ctl"], after)


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


# ---------------------------------------------------------------- --pidns without --unshare-pid

@pytest.fixture
def pid_sandbox(sb):
    """Sandbox A, as Flatpak starts an app: a user and a pid namespace of its
    own, --info-fd, the launcher's user namespace bound on /run/.userns; once
    its command runs, it waits on stdin. Yields (A's first process as the host sees it,
    its command line marker)."""
    marker = f"citest-pidns-{os.getpid()}-{time.monotonic_ns()}"
    r, w = os.pipe()
    a = harness.Running(sb.argv(["--unshare-user", "--unshare-pid", "--info-fd", str(w)] + ROOT +
                                ["--proc", "/proc", "--tmpfs", "/run", "--ro-bind-try", "/proc/self/ns/user",
                                 "/run/.userns", "sh", "-c", f"echo ready; read x # {marker}"]),
                        harness.tagged_env(None), sb.scratch, pass_fds=(w,))
    os.close(w)
    try:
        info, _ = harness.read_json_object(r, timeout=30.0)
        # --info-fd comes as setup starts; the command runs once it is done
        line = harness.readline(a.p.stdout)
        assert line == b"ready\n", a.finish().describe()
        yield info["child-pid"], marker
    finally:
        os.close(r)
        a.kill()


def joined_argv(sb, child, args, userns=True):
    """The launcher joining A's namespaces, the fds opened by the identity
    itself, as flatpak-spawn does: 5 is the user namespace A's launcher made
    (which owns A's pid namespace), 6 the one A's command runs in (a nested
    one when A locks its mounts), 7 A's pid namespace."""
    opens = [f"5</proc/{child}/root/run/.userns", f"6</proc/{child}/ns/user"] if userns else []
    opens.append(f"7</proc/{child}/ns/pid")
    shell = f"exec {shlex.quote(sb.cocoon)} " + " ".join(shlex.quote(a) for a in args) + " " + " ".join(opens)
    return sb.ident.wrap + ["/bin/sh", "-c", shell]


def pids_in_namespace(ns_inode):
    """Each process of the pid namespace, host pid -> pid inside."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if os.stat(f"/proc/{d}/ns/pid").st_ino != ns_inode:
                continue
            with open(f"/proc/{d}/status") as f:
                nspid = [ln.split()[1:] for ln in f if ln.startswith("NSpid:")][0]
        except (OSError, IndexError):
            continue
        out[int(d)] = int(nspid[-1])
    return out


JOINED_SCRIPT = r"""
for d in /proc/[0-9]*; do echo "pid ${d#/proc/}"; done
echo "self $$"
echo "one $(tr '\0' ' ' < /proc/1/cmdline)"
echo ready
read x
"""


def test_proc_of_a_joined_pid_namespace(sb, pid_sandbox):
    """--pidns FD without --unshare-pid (flatpak run --parent-share-pids,
    flatpak-spawn --sandbox --share-pids): --proc shows the joined pid
    namespace, never the host's processes."""
    child, marker = pid_sandbox
    a_pidns = os.stat(f"/proc/{child}/ns/pid").st_ino
    # Flatpak adds --userns2 when A's command runs in a user namespace below
    # the launcher's.
    nested = os.stat(f"/proc/{child}/root/run/.userns").st_ino != os.stat(f"/proc/{child}/ns/user").st_ino
    b = harness.Running(joined_argv(sb, child, ["--userns", "5"] + (["--userns2", "6"] if nested else []) +
                                    ["--pidns", "7"] + ROOT + ["--proc", "/proc", "sh", "-c", JOINED_SCRIPT]),
                        harness.tagged_env(None), sb.scratch)
    try:
        lines = []
        while True:
            line = b.readline()
            if not line or line == "ready\n":
                break
            lines.append(line.rstrip("\n"))
        if not line:
            res = b.finish()
            raise AssertionError("the joining sandbox failed\n" + res.describe())
        seen = {int(ln.split()[1]) for ln in lines if ln.startswith("pid ")}
        self_pid = int([ln.split()[1] for ln in lines if ln.startswith("self ")][0])
        in_a = pids_in_namespace(a_pidns)    # A's processes and B's shell, which joined it
        res = b.finish(b"go\n")
    finally:
        b.kill()
    assert res.rc == 0, res.describe()
    assert self_pid in seen and self_pid in in_a.values(), (self_pid, seen, in_a)
    assert seen == set(in_a.values()), f"/proc inside lists {sorted(seen)}, A's pid namespace holds {in_a}"
    assert os.getpid() not in seen, "the test process (a host pid) is visible inside"
    one = [ln[len("one "):] for ln in lines if ln.startswith("one ")][0]
    with open(f"/proc/{child}/cmdline", "rb") as f:
        assert one.strip() == f.read().replace(b"\0", b" ").decode().strip(), "/proc/1 is not A's pid 1"
    assert in_a.get(child) == 1


def test_proc_of_a_pid_namespace_out_of_reach(sb, pid_sandbox):
    """A pid namespace whose owner the sandbox has no privilege over can't be
    shown by a procfs: one clear line, never the host's /proc instead."""
    child, _ = pid_sandbox
    argv = joined_argv(sb, child, ["--unshare-user", "--pidns", "7"] + ROOT + ["--proc", "/proc", "true"],
                       userns=False)
    r = subprocess.run(argv, env=harness.tagged_env(None), cwd=sb.scratch, capture_output=True, timeout=60)
    err = harness.Result([], r.returncode, "", r.stderr.decode()).err  # without the advice lines
    assert r.returncode == 1 and len(err.splitlines()) == 1 and err.startswith(sb.bins.msg_prefix), (r, err)
    assert "--pidns" in err, err
