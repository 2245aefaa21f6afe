# SPDX-License-Identifier: LGPL-2.1-or-later
"""Beyond bwrap (issue 5): Landlock (derived from the mount plan, by hand,
TCP ports, scoping), resource limits, --timeout, the time namespace and
cgroup v2 limits. Every test runs as root and as the unprivileged user.

The sandboxed side is a short python3 script (the host's /usr is bound);
it prints one JSON object on its last line of output."""

import json
import os
import random
import re
import signal
import socket
import subprocess
import time

import pytest

import harness
from harness import TMP_PREFIX, chown_tree, kill_pids, procs_with, wait_gone

pytestmark = pytest.mark.cocoon_only("Landlock, rlimits, cgroups, --timeout and time namespaces are cocoon extensions")

PY = "/usr/bin/python3"

# A root that is the host, read-only, with a fresh /dev (sh needs /dev/null).
HOST = ["--ro-bind", "/", "/", "--dev", "/dev"]
PIDNS = ["--unshare-pid", "--proc", "/proc"]
NEWPID = ["--unshare-pid"]  # with sb.minimal, which mounts /proc itself

# Helpers every script inside gets.
PRELUDE = r'''
import ctypes, errno, json, os, signal, socket, sys, time
def t(f, *a, **k):
    """'ok', or the errno name of the OSError f raised."""
    try:
        f(*a, **k)
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
def write(path, data="x", mode="w"):
    with open(path, mode) as f:
        f.write(data)
def out(**kw):
    print(json.dumps(kw), flush=True)
'''


def py(code):
    return [PY, "-c", PRELUDE + code]


def report(r):
    """The JSON object on the last line of a run's stdout."""
    lines = r.out.strip().splitlines()
    assert r.rc == 0 and lines, "the script inside failed\n" + r.describe()
    try:
        return json.loads(lines[-1])
    except ValueError:
        raise AssertionError("no JSON from the script inside\n" + r.describe())


def run_py(sb, args, code, *script_args, **kw):
    return report(sb.run(list(args) + py(code) + [str(a) for a in script_args], **kw))


def marker():
    """A sleep duration nobody else uses, so the process can be found by it."""
    return str(random.randint(10**8, 10**9 - 1))


@pytest.fixture
def reap():
    """Markers of host processes a test started; whatever still carries one
    at the end is killed (the test fails on its own when it should not)."""
    marks = []
    yield marks
    left = [p for m in marks for p in procs_with(m)]
    kill_pids(left)


def owned_dir(ident, path, files=()):
    """A directory (and files in it) that the identity owns."""
    os.makedirs(path, exist_ok=True)
    for name, data in files:
        with open(os.path.join(path, name), "w") as f:
            f.write(data)
    chown_tree(path, ident.uid, ident.gid)
    return path


# ================================================================ Landlock: filesystem

REMOUNT = r'''
path = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
def ro():
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
def call(rc):
    return "ok" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
ro_before = ro()
# mount(2): a bind remount read-write. Landlock itself refuses mount(2) to a
# restricted process, so also try mount_setattr(2), which it does not hook.
MS_REMOUNT, MS_BIND = 32, 4096
remount = call(libc.mount(None, path.encode(), None, MS_REMOUNT | MS_BIND, None))
setattr_ = None
if ro():
    class MountAttr(ctypes.Structure):
        _fields_ = [("set", ctypes.c_uint64), ("clr", ctypes.c_uint64),
                    ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]
    MOUNT_ATTR_RDONLY, AT_FDCWD, SYS_mount_setattr = 1, -100, 442
    attr = MountAttr(0, MOUNT_ATTR_RDONLY, 0, 0)
    setattr_ = call(libc.syscall(SYS_mount_setattr, AT_FDCWD, path.encode(), 0,
                                 ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr))))
out(ro_before=ro_before, remount=remount, mount_setattr=setattr_, ro_after=ro(),
    read=open(path + "/existing").read(),
    create=t(write, path + "/created", "new"),
    overwrite=t(write, path + "/existing", "changed", "r+"),
    mkdir=t(os.mkdir, path + "/newdir"),
    unlink=t(os.unlink, path + "/existing"))
'''


REMOUNT = REMOUNT.replace("    unlink=t(", """    chmod=t(os.chmod, path + "/existing", 0o4755), chown=t(os.chown, path + "/existing", 0, 0),
    utime=t(os.utime, path + "/existing", (0, 0)),
    setxattr=t(os.setxattr, path + "/existing", "user.citest", b"x"),
    unlink=t(""")


@pytest.mark.parametrize("landlock", [False, True], ids=["no-landlock", "landlock"])
def test_ro_bind_stays_readonly_with_cap_sys_admin(sb, scratch, landlock):
    """A command with CAP_SYS_ADMIN in the sandbox's user namespace (a root
    caller keeps it; a user asks for it with --cap-add) tries to make a
    read-only bind read-write, with mount(2) and with mount_setattr(2), which
    Landlock does not mediate, and then to write, chmod (a setuid bit),
    chown, utime and setxattr what it sees there. The finished mount tree is
    locked: every attempt fails and the host's files are unchanged."""
    src = owned_dir(sb.ident, os.path.join(scratch, "src"), [("existing", "old")])
    os.chmod(os.path.join(src, "existing"), 0o644)
    before = os.stat(os.path.join(src, "existing"))
    args = (sb.minimal + ["--unshare-user", "--ro-bind", src, "/data"]
            + ([] if sb.ident.is_root else ["--cap-add", "CAP_SYS_ADMIN"])
            + (["--landlock"] if landlock else []))
    d = run_py(sb, args, REMOUNT, "/data")
    assert d["ro_before"] is True and d["ro_after"] is True, d
    # In the run without mount_setattr the command can't call it either.
    setattr_refused = ("EPERM", "EACCES") + (("ENOSYS",) if harness.lacks("mount_setattr") else ())
    assert d["remount"] in ("EPERM", "EACCES") and d["mount_setattr"] in setattr_refused, d
    assert d["read"] == "old", d
    for k in ("create", "overwrite", "mkdir", "unlink", "chmod", "chown", "utime", "setxattr"):
        assert d[k] in ("EROFS", "EACCES", "EPERM"), (k, d)
    assert sorted(os.listdir(src)) == ["existing"]
    assert open(os.path.join(src, "existing")).read() == "old"
    after = os.stat(os.path.join(src, "existing"))
    assert (after.st_mode, after.st_uid, after.st_mtime_ns) == (before.st_mode, before.st_uid, before.st_mtime_ns)


def test_locked_mounts_control(sb, scratch):
    """Control for the test above: the same command, on a writable bind of
    the same tree, does change it (its CAP_SYS_ADMIN and CAP_FOWNER are
    real), so the refusals there come from the lock."""
    src = owned_dir(sb.ident, os.path.join(scratch, "src"), [("existing", "old")])
    args = (sb.minimal + ["--unshare-user", "--bind", src, "/data"]
            + ([] if sb.ident.is_root else ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_FOWNER"]))
    d = run_py(sb, args, r'''
path = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND = 1, 2, 4, 32, 4096
chmod = t(os.chmod, path + "/existing", 0o600)
rc = libc.mount(None, path.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
out(remount_ro="ok" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), "?"), chmod=chmod)
''', "/data")
    assert d["chmod"] == "ok", d
    assert d["remount_ro"] == "ok", d


RW_WRITES = r'''
res = {}
for d in sys.argv[1:]:
    res[d] = dict(create=t(write, d + "/f", "data"), mkdir=t(os.mkdir, d + "/sub"),
                  symlink=t(os.symlink, "f", d + "/link"), truncate=t(write, d + "/f", "again"),
                  rename=t(os.rename, d + "/f", d + "/g"), unlink=t(os.unlink, d + "/g"),
                  rmdir=t(os.rmdir, d + "/sub"))
out(**res)
'''


@pytest.mark.parametrize("landlock", [False, True], ids=["no-landlock", "landlock"])
def test_landlock_rw_bind_and_tmpfs_writable(sb, scratch, landlock):
    rw = owned_dir(sb.ident, os.path.join(scratch, "rw"))
    args = (sb.minimal + NEWPID + ["--bind", rw, "/rw", "--tmpfs", "/tt", "--perms", "0777", "--tmpfs", "/tt2"]
            + (["--landlock"] if landlock else []))
    d = run_py(sb, args, RW_WRITES + "\nwrite('/rw/kept', 'from inside')\n", "/rw", "/tt", "/tt2")
    for where in ("/rw", "/tt", "/tt2"):
        assert set(d[where].values()) == {"ok"}, (where, d)
    assert open(os.path.join(rw, "kept")).read() == "from inside"


ROOT_WRITES = r'''
out(mkdir=t(os.mkdir, "/newdir"), create=t(write, "/newfile"), symlink=t(os.symlink, "x", "/newlink"),
    madedir=t(write, "/made/f"), read=t(os.listdir, "/usr"), usr=t(write, "/usr/citest-never"))
'''


@pytest.mark.parametrize("landlock", [False, True], ids=["no-landlock", "landlock"])
def test_landlock_refuses_writes_to_the_root(sb, landlock):
    """The new root is a writable tmpfs; under --landlock only what a mount
    operation made writable is, so the root itself and a --dir on it are not."""
    args = sb.minimal + NEWPID + ["--dir", "/made"] + (["--landlock"] if landlock else [])
    d = run_py(sb, args, ROOT_WRITES)
    want = "EACCES" if landlock else "ok"
    assert (d["mkdir"], d["create"], d["symlink"], d["madedir"]) == (want,) * 4, d
    assert d["read"] == "ok", d
    assert d["usr"] in ("EROFS", "EACCES"), d


@pytest.mark.parametrize("extra", [[], ["--landlock-write", "/made"]], ids=["derived", "landlock-write"])
def test_landlock_write_opens_a_path(sb, extra):
    args = sb.minimal + NEWPID + ["--dir", "/made", "--dir", "/other", "--landlock"] + extra
    d = run_py(sb, args, 'out(made=t(write, "/made/f"), other=t(write, "/other/f"), '
                         'mkdir=t(os.mkdir, "/made/d"))')
    want = "ok" if extra else "EACCES"
    assert (d["made"], d["mkdir"]) == (want, want), d
    assert d["other"] == "EACCES", d


LISTED_ONLY = r'''
out(etc=t(lambda: open("/etc/passwd").read()), usr=t(os.listdir, "/usr"),
    data_list=t(os.listdir, "/data"), data_read=t(lambda: open("/data/f").read()),
    data_write=t(write, "/data/g"), w_write=t(write, "/data/w/f"), w_read=t(lambda: open("/data/w/f").read()),
    proc=t(lambda: open("/proc/self/status").read()), tt=t(write, "/tt/f"))
'''


@pytest.mark.parametrize("mode", ["none", "listed", "listed+write"])
def test_landlock_read_alone_restricts_to_listed_paths(sb, scratch, mode):
    """--landlock-read/-exec/-write without --landlock: only the listed paths
    are reachable at all, even where the mounts are read-write."""
    data = owned_dir(sb.ident, os.path.join(scratch, "data"), [("f", "secret")])
    owned_dir(sb.ident, os.path.join(data, "w"), [("f", "w")])
    args = sb.minimal + NEWPID + ["--ro-bind", "/etc", "/etc", "--bind", data, "/data", "--tmpfs", "/tt"]
    if mode != "none":
        args += ["--landlock-exec", "/usr", "--landlock-read", "/etc"]
    if mode == "listed+write":
        args += ["--landlock-write", "/data/w"]
    d = run_py(sb, args, LISTED_ONLY)
    assert d["etc"] == "ok" and d["usr"] == "ok", d
    if mode == "none":
        assert set(d.values()) == {"ok"}, d
        return
    for k in ("data_list", "data_read", "data_write", "proc", "tt"):
        assert d[k] == "EACCES", (k, d)
    want = "ok" if mode == "listed+write" else "EACCES"
    assert (d["w_write"], d["w_read"]) == (want, want), d
    assert sorted(os.listdir(data)) == ["f", "w"]


def test_landlock_read_only_path_takes_no_exec(sb):
    """--landlock-read grants reading, not executing: the command itself
    cannot be run from a path that is only readable."""
    r = sb.run(sb.minimal + ["--landlock-read", "/", PY, "-c", "print('ran')"])
    assert r.rc != 0 and "ran" not in r.out, r.describe()
    r = sb.run(sb.minimal + ["--landlock-exec", "/", PY, "-c", "print('ran')"])
    assert r.rc == 0 and r.out == "ran\n", r.describe()


# What the mount plan makes writable stays writable under --landlock.
def test_landlock_proc_self_takes_shell_redirects(sb):
    """Writing to /proc/self files with a shell redirect (O_TRUNC) works as
    without Landlock: /proc 'takes writes (comm, oom_score_adj)'."""
    base = sb.minimal + NEWPID + ["--dev", "/dev"]
    cmd = ["sh", "-c", "echo citest > /proc/self/comm && echo 0 > /proc/self/oom_score_adj && echo done"]
    r = sb.run(base + cmd)
    assert r.rc == 0 and r.out == "done\n", r.describe()
    r = sb.run(base + ["--landlock"] + cmd)
    assert r.rc == 0 and r.out == "done\n", "a /proc write that works without --landlock fails with it\n" + r.describe()


def test_landlock_dev_shm_stays_writable(sb):
    """--dev makes a writable /dev with a /dev/shm dir in it; 'tmpfs mounts and
    /dev follow what they are', so POSIX shared memory keeps working."""
    base = sb.minimal + NEWPID + ["--dev", "/dev"]
    code = ('import multiprocessing.shared_memory as s\n'
            'def shm():\n    m = s.SharedMemory(create=True, size=16); m.close(); m.unlink()\n'
            'out(file=t(write, "/dev/shm/f"), shm=t(shm))')
    d = run_py(sb, base, code)
    assert d == {"file": "ok", "shm": "ok"}, d
    d = run_py(sb, base + ["--landlock"], code)
    assert d == {"file": "ok", "shm": "ok"}, f"/dev/shm works without --landlock but not with it: {d}"


# ================================================================ Landlock: TCP

def listen(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    return s


@pytest.fixture
def servers():
    """Loopback listeners made on the host; all closed when the test ends."""
    socks = []

    def make(n=1, consecutive=False):
        if not consecutive:
            new = [listen() for _ in range(n)]
        else:
            # Below the ephemeral range, so nothing else grabs them meanwhile.
            for _ in range(100):
                base = random.randint(20000, 30000)
                new = []
                try:
                    for i in range(n):
                        new.append(listen(base + i))
                    break
                except OSError:
                    for s in new:
                        s.close()
                    new = []
            assert new, "found no free run of loopback ports"
        socks.extend(new)
        return [s.getsockname()[1] for s in new]

    yield make
    for s in socks:
        s.close()


def free_ports(n):
    """Ports that are free now (bound and released again)."""
    socks = [listen() for _ in range(n)]
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


CONNECT = r'''
res = {}
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    res[p] = t(s.connect, ("127.0.0.1", int(p)))
    s.close()
out(**res)
'''

BIND = r'''
res = {}
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    res[p] = t(s.bind, ("127.0.0.1", int(p)))
    s.close()
out(**res)
'''


def test_connect_tcp_one_port(sb, servers):
    p1, p2 = servers(2)
    d = run_py(sb, HOST, CONNECT, p1, p2)
    assert d == {str(p1): "ok", str(p2): "ok"}, d
    d = run_py(sb, HOST + ["--connect-tcp", p1], CONNECT, p1, p2)
    assert d == {str(p1): "ok", str(p2): "EACCES"}, d


def test_connect_tcp_repeated(sb, servers):
    p1, p2, p3 = servers(3)
    d = run_py(sb, HOST + ["--connect-tcp", p1, "--connect-tcp", p3], CONNECT, p1, p2, p3)
    assert d == {str(p1): "ok", str(p2): "EACCES", str(p3): "ok"}, d


def test_connect_tcp_range(sb, servers):
    ports = servers(4, consecutive=True)
    lo, hi = ports[1], ports[2]
    d = run_py(sb, HOST + ["--connect-tcp", f"{lo}-{hi}"], CONNECT, *ports)
    assert d == {str(ports[0]): "EACCES", str(lo): "ok", str(hi): "ok", str(ports[3]): "EACCES"}, d


def test_bind_tcp(sb, servers):
    p1, p2 = free_ports(2)
    d = run_py(sb, HOST, BIND, p1, p2)
    assert d == {str(p1): "ok", str(p2): "ok"}, d
    d = run_py(sb, HOST + ["--bind-tcp", p1], BIND, p1, p2)
    assert d == {str(p1): "ok", str(p2): "EACCES"}, d


def test_bind_tcp_alone_refuses_connects(sb, servers):
    """'Once one is given, every other TCP connect or bind is refused.'"""
    (p,) = servers(1)
    (b,) = free_ports(1)
    d = run_py(sb, HOST + ["--bind-tcp", b], CONNECT, p)
    assert d == {str(p): "EACCES"}, d


def test_tcp_rules_with_fs_landlock(sb, servers):
    p1, p2 = servers(2)
    d = run_py(sb, HOST + ["--landlock", "--connect-tcp", p1], CONNECT, p1, p2)
    assert d == {str(p1): "ok", str(p2): "EACCES"}, d


# ================================================================ Landlock: scoping

ABSTRACT = r'''
def conn(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0" + name)
    finally:
        s.close()
def own():
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind("\0" + sys.argv[1] + "-inside")
    srv.listen(1)
    conn(sys.argv[1] + "-inside")
    srv.close()
out(host=t(conn, sys.argv[1]), own=t(own))
'''


@pytest.mark.parametrize("scope", [False, True], ids=["unscoped", "scoped"])
def test_scope_abstract_unix(sb, scope):
    name = f"citest-{harness.SESSION_TOKEN}-{marker()}"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        srv.bind("\0" + name)
        srv.listen(4)
        args = HOST + (["--scope-abstract-unix"] if scope else [])
        d = run_py(sb, args, ABSTRACT, name)
    finally:
        srv.close()
    assert d == {"host": "EPERM" if scope else "ok", "own": "ok"}, d


SIGNALS = r'''
target = int(sys.argv[1])
def child():
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
out(probe=t(os.kill, target, 0), term=t(os.kill, target, signal.SIGTERM), own=t(child))
'''


@pytest.mark.parametrize("scope", [False, True], ids=["unscoped", "scoped"])
def test_scope_signals(sb, scope, reap):
    """A sleep on the host, run as the same identity (so that the uid check
    alone would let the signal through), with host pids visible."""
    m = marker()
    reap.append(m)
    target = subprocess.Popen(sb.ident.wrap + ["sleep", m], env=harness.tagged_env(None),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        args = HOST + (["--scope-signals"] if scope else [])
        d = run_py(sb, args, SIGNALS, target.pid)
        if scope:
            assert d == {"probe": "EPERM", "term": "EPERM", "own": "ok"}, d
            assert target.poll() is None, "the host process died of a refused signal"
        else:
            assert d == {"probe": "ok", "term": "ok", "own": "ok"}, d
            assert target.wait(timeout=10) == -signal.SIGTERM
    finally:
        target.kill()
        target.wait()


def test_landlock_best_effort_quiet_when_all_supported(sb):
    r = sb.run(HOST + ["--landlock-best-effort", "--landlock", "--landlock-read", "/usr", "--connect-tcp", "1-2",
                       "--bind-tcp", "3", "--scope-abstract-unix", "--scope-signals", "true"])
    assert r.rc == 0 and r.err == "", r.describe()


# ================================================================ rlimits

LIMIT_ROWS = {
    "as": "Max address space", "vmem": "Max address space", "core": "Max core file size",
    "cpu": "Max cpu time", "data": "Max data size", "fsize": "Max file size", "locks": "Max file locks",
    "memlock": "Max locked memory", "msgqueue": "Max msgqueue size", "nice": "Max nice priority",
    "nofile": "Max open files", "nproc": "Max processes", "rss": "Max resident set",
    "rtprio": "Max realtime priority", "rttime": "Max realtime timeout", "sigpending": "Max pending signals",
    "stack": "Max stack size",
}
RESOURCE = {
    "as": "RLIMIT_AS", "vmem": "RLIMIT_AS", "core": "RLIMIT_CORE", "cpu": "RLIMIT_CPU", "data": "RLIMIT_DATA",
    "fsize": "RLIMIT_FSIZE", "locks": 10,  # RLIMIT_LOCKS, which python's resource module lacks
    "memlock": "RLIMIT_MEMLOCK", "msgqueue": "RLIMIT_MSGQUEUE",
    "nice": "RLIMIT_NICE", "nofile": "RLIMIT_NOFILE", "nproc": "RLIMIT_NPROC", "rss": "RLIMIT_RSS",
    "rtprio": "RLIMIT_RTPRIO", "rttime": "RLIMIT_RTTIME", "sigpending": "RLIMIT_SIGPENDING",
    "stack": "RLIMIT_STACK",
}
K, M, G = 1024, 1024**2, 1024**3
U = "unlimited"
# argument -> (soft, hard) as /proc/self/limits shows them
RLIMIT_CASES = [
    ("as=1G:2G", G, 2 * G),
    ("vmem=512M", 512 * M, 512 * M),
    ("core=0:unlimited", 0, U),
    ("core=unlimited", U, U),
    ("cpu=100:200", 100, 200),
    ("data=1G:unlimited", G, U),
    ("fsize=64K:1M", 64 * K, M),
    ("fsize=infinity", U, U),
    ("locks=100:200", 100, 200),
    ("memlock=64K", 64 * K, 64 * K),
    ("msgqueue=100K:200K", 100 * K, 200 * K),
    ("nice=0", 0, 0),
    ("nofile=64:1024", 64, 1024),
    ("nproc=1000:2000", 1000, 2000),
    ("rss=1G", G, G),
    ("rtprio=0", 0, 0),
    ("rttime=1000000:unlimited", 1000000, U),
    ("sigpending=100:200", 100, 200),
    ("stack=4M:unlimited", 4 * M, U),
]


def parse_limits(text):
    rows = {}
    for line in text.splitlines()[1:]:
        m = re.match(r"^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)", line)
        if m:
            rows[m.group(1)] = tuple(v if v == U else int(v) for v in m.group(2, 3))
    return rows


def host_hard(name):
    import resource
    res = RESOURCE[name]
    return resource.getrlimit(res if isinstance(res, int) else getattr(resource, res))[1]


def fits_host(name, hard):
    """A hard limit can only be lowered without CAP_SYS_RESOURCE in the
    initial user namespace."""
    have = host_hard(name)
    import resource
    return have == resource.RLIM_INFINITY or (hard != U and hard <= have)


# AddressSanitizer reserves terabytes of address space at start-up, so a
# sanitized launcher can't run at all under an address-space or data limit:
# those cases run against the normal build only.
SANITIZED = harness.SANITIZED


def skip_if_sanitized(*names):
    if SANITIZED and set(names) & {"as", "vmem", "data"}:
        pytest.skip("a sanitized launcher can't run under RLIMIT_AS or RLIMIT_DATA")


@pytest.mark.parametrize("arg,soft,hard", RLIMIT_CASES, ids=[c[0] for c in RLIMIT_CASES])
def test_rlimit_visible_in_proc_limits(sb, arg, soft, hard):
    name = arg.split("=")[0]
    skip_if_sanitized(name)
    if not fits_host(name, hard):
        pytest.skip(f"{arg}: above the host's hard limit {host_hard(name)} for {name}")
    r = sb.ok(HOST + PIDNS + ["--rlimit", arg, "cat", "/proc/self/limits"])
    rows = parse_limits(r.out)
    assert rows[LIMIT_ROWS[name]] == (soft, hard), r.out


def test_several_rlimits_at_once(sb):
    skip_if_sanitized("as")
    args = ["--rlimit", "as=1G", "--rlimit", "nofile=64:128", "--rlimit", "fsize=1M", "--rlimit", "nproc=500",
            "--rlimit", "core=0", "--rlimit", "stack=8M:unlimited", "--rlimit", "nofile=32:100"]
    r = sb.ok(HOST + PIDNS + args + ["cat", "/proc/self/limits"])
    rows = parse_limits(r.out)
    assert rows["Max address space"] == (G, G), r.out
    assert rows["Max open files"] == (32, 100), "the last --rlimit for a name wins\n" + r.out
    assert rows["Max file size"] == (M, M), r.out
    assert rows["Max processes"] == (500, 500), r.out
    assert rows["Max core file size"] == (0, 0), r.out
    assert rows["Max stack size"] == (8 * M, U), r.out


# Fork 50 children that wait on a pipe, or as many as the kernel allows;
# `kids` and `err` (the errno name that stopped it) say how it went.
FORK_50 = r'''
r, w = os.pipe()
kids, err = [], None
for i in range(50):
    try:
        pid = os.fork()
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e.errno))
        break
    if pid == 0:
        os.close(w)
        os.read(r, 1)  # until the parent is done
        os._exit(0)
    kids.append(pid)
os.close(w)
for k in kids:
    os.waitpid(k, 0)
'''
FORK_LOOP = FORK_50 + "out(forked=len(kids), err=err)\n"


def test_rlimit_nproc_stops_a_fork_loop(sb, scratch, request):
    """50 forks under nproc=20 stop short with EAGAIN.

    RLIMIT_NPROC counts the processes of the same real uid in the same user
    namespace (and, level by level, its ancestors against the limit of the
    time each was made). As the unprivileged user the sandbox has its own
    user namespace, so only its processes count. The kernel never applies
    the limit to the initial user's kuid 0, whatever its capabilities: for
    root the fork loop runs as the unprivileged test user (setpriv inside,
    with CAP_SETUID/CAP_SETGID), where other processes of that user may
    count too, so only an upper bound is certain there."""
    cmd = py(FORK_LOOP)
    args = HOST + PIDNS
    if sb.ident.is_root:
        pw = request.getfixturevalue("unpriv_account")
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        cmd = [harness.SETPRIV, f"--reuid={pw.uid}", f"--regid={pw.gid}", "--clear-groups", "--"] + cmd
    d = report(sb.run(args + ["--rlimit", "nproc=20"] + cmd))
    assert d["err"] == "EAGAIN", d
    assert d["forked"] < 20, d
    if not sb.ident.is_root:
        assert d["forked"] >= 10, f"only the sandbox's few processes should count: {d}"
    # and without the limit all 50 forks go through
    d = report(sb.run(args + cmd))
    assert d == {"forked": 50, "err": None}, d


FSIZE = r'''
def big():
    with open("/tmp/py", "wb", buffering=0) as f:
        left = 2 * 1024 * 1024
        while left:
            left -= f.write(b"\0" * left)
res = t(big)
out(py=res, py_size=os.path.getsize("/tmp/py"))
'''


def test_rlimit_fsize_stops_a_large_write(sb):
    """fsize=1M: a 2 MiB write stops at 1 MiB. Python ignores SIGXFSZ, so it
    sees EFBIG; a shell's child is killed by SIGXFSZ (status 128+25)."""
    base = HOST + PIDNS + ["--tmpfs", "/tmp", "--rlimit", "fsize=1M"]
    d = run_py(sb, base, FSIZE)
    assert d == {"py": "EFBIG", "py_size": M}, d
    r = sb.run(base + ["sh", "-c", "head -c 2097152 /dev/zero > /tmp/sh; echo $?; wc -c < /tmp/sh"])
    assert r.rc == 0 and r.out.split() == [str(128 + signal.SIGXFSZ), str(M)], r.describe()
    r = sb.run(HOST + PIDNS + ["--tmpfs", "/tmp", "sh", "-c", "head -c 2097152 /dev/zero > /tmp/sh; wc -c < /tmp/sh"])
    assert r.rc == 0 and r.out.split() == [str(2 * M)], r.describe()


def test_rlimit_nofile_and_as_bite(sb):
    skip_if_sanitized("as")
    code = r'''
fds, err = [], None
while len(fds) < 200:
    try:
        fds.append(os.open("/dev/null", os.O_RDONLY))
    except OSError as e:
        err = errno.errorcode[e.errno]
        break
top = max(fds)
for fd in fds:
    os.close(fd)
try:
    x = bytearray(1024 * 1024 * 1024)
    mem = "allocated"
except MemoryError:
    mem = "MemoryError"
out(nofile_err=err, top_fd=top, mem=mem)
'''
    d = run_py(sb, HOST + PIDNS + ["--rlimit", "nofile=32", "--rlimit", "as=256M"], code)
    assert d == {"nofile_err": "EMFILE", "top_fd": 31, "mem": "MemoryError"}, d


# ================================================================ --timeout

TREE = "sleep {m1} & (setsid sleep {m2} &); sleep {m3}; echo not-killed"


@pytest.mark.parametrize("pidns", [[], PIDNS], ids=["host-pidns", "new-pidns"])
def test_timeout_kills_the_whole_tree(sb, pidns, reap):
    m = [marker() for _ in range(3)]
    reap.extend(m)
    t0 = time.monotonic()
    r = sb.run(HOST + pidns + ["--timeout", "2", "sh", "-c", TREE.format(m1=m[0], m2=m[1], m3=m[2])], timeout=90)
    took = time.monotonic() - t0
    assert r.rc == 124, r.describe()
    assert "not-killed" not in r.out, r.describe()
    assert 1.5 <= took < 60, f"took {took:.1f}s\n" + r.describe()
    assert len(r.err_lines()) == 1 and "--timeout" in r.err, r.describe()
    left = wait_gone(lambda: [p for x in m for p in procs_with(x)], timeout=10)
    assert not left, f"processes of the sandbox outlived --timeout: {left}"


def test_timeout_not_reached_keeps_exit_status(sb):
    r = sb.run(HOST + ["--timeout", "60", "sh", "-c", "exit 3"])
    assert r.rc == 3 and r.err == "", r.describe()


# ================================================================ time namespace

CLOCKS = r'''
out(mono=time.clock_gettime(time.CLOCK_MONOTONIC), boot=time.clock_gettime(time.CLOCK_BOOTTIME),
    real=time.time(), uptime=float(open("/proc/uptime").read().split()[0]))
'''


def clocks():
    return {"mono": time.clock_gettime(time.CLOCK_MONOTONIC), "boot": time.clock_gettime(time.CLOCK_BOOTTIME),
            "real": time.time()}


def assert_shifted(before, inside, after, key, offset, margin=5.0):
    lo, hi = before[key] + offset - margin, after[key] + offset + margin
    assert lo <= inside[key] <= hi, f"{key}: inside {inside[key]:.1f}, expected {lo:.1f}..{hi:.1f}"


@pytest.mark.parametrize("mono,boot", [(0, 0), (1000003, 0), (0, 2000005), (86400 * 400, 3600), (-5, -7)],
                         ids=["none", "monotonic", "boottime", "both", "negative"])
def test_time_namespace_offsets(sb, mono, boot):
    before = clocks()
    if min(before["mono"], before["boot"]) < 60:
        pytest.skip("the machine booted less than a minute ago")
    args = HOST + PIDNS + ["--unshare-time"]
    if mono:
        args += ["--monotonic-offset", mono]
    if boot:
        args += ["--boottime-offset", boot]
    d = run_py(sb, args, CLOCKS)
    after = clocks()
    assert_shifted(before, d, after, "mono", mono)
    assert_shifted(before, d, after, "boot", boot)
    assert_shifted(before, d, after, "real", 0)
    # /proc/uptime is CLOCK_BOOTTIME as the reader's time namespace sees it
    assert abs(d["uptime"] - d["boot"]) < 5, d


def test_time_namespace_is_new(sb):
    r = sb.ok(HOST + ["--unshare-time", "--monotonic-offset", "100", "readlink", "/proc/self/ns/time"])
    assert r.out.strip() != os.readlink("/proc/self/ns/time"), r.describe()


# ================================================================ cgroups

CG_FLAGS = {"--memory-max": ("64M", "memory"), "--pids-max": ("10", "pids"), "--cpu-max": ("50", "cpu")}


def cgroup2_mounts():
    """cgroup2 mount points, in /proc/self/mountinfo order."""
    with open("/proc/self/mountinfo") as f:
        ms = harness.parse_mountinfo(f.read().splitlines())
    return [m.point for m in ms if m.fstype == "cgroup2"]


def own_cgroup():
    """This process's cgroup in the first cgroup2 mount (the one the
    launcher, started from here, uses), or None."""
    mounts = cgroup2_mounts()
    if not mounts:
        return None
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                rel = line[3:].strip()
                return mounts[0] + ("" if rel == "/" else rel)
    return None


def read_words(path):
    try:
        with open(path) as f:
            return f.read().split()
    except OSError:
        return []


def subcgroups(path):
    out = set()
    for base, dirs, _ in os.walk(path):
        out |= {os.path.join(base, d) for d in dirs}
    return out


@pytest.mark.parametrize("flag", list(CG_FLAGS))
def test_cgroup_limit_clear_error_without_delegation(sb, flag):
    value, controller = CG_FLAGS[flag]
    cg = own_cgroup()
    if cg and controller in read_words(cg + "/cgroup.controllers") \
            and controller in read_words(cg + "/cgroup.subtree_control"):
        pytest.skip(f"{cg} has the {controller} controller delegated here: the error path is not reached")
    before = subcgroups(cg) if cg else set()
    r = sb.expect_error(HOST + [flag, value, "true"], flag)
    line = r.err_lines()[0]
    assert "cgroup" in line, r.describe()
    assert controller in line or "cgroup2" in line or "cgroup v2" in line, "the line does not say why\n" + r.describe()
    assert any(w in line for w in ("delegat", "systemd-run", "subtree_control", "Delegate")), \
        "the line does not say what to do\n" + r.describe()
    after = subcgroups(cg) if cg else set()
    assert after == before, f"cgroups created under {cg}: {sorted(after - before)}"


NEEDED_CONTROLLERS = ("memory", "pids", "cpu")


@pytest.fixture
def scratch_cgroup(ident):
    """A scratch cgroup made by the test below its own, with the memory, pids
    and cpu controllers, delegated to the identity (as a systemd scope with
    Delegate=yes is): the controllers are enabled for its children, and the
    launcher runs in a leaf "runner" inside it, so cocoon's cgroup goes
    beside the runner. Skips, saying why, when the machine offers none. The
    test's own cgroup is only read, never changed; the scratch cgroup (and
    anything left below it) is removed at the end."""
    mounts = cgroup2_mounts()
    if not mounts:
        pytest.skip("no cgroup2 hierarchy is mounted")
    parent = own_cgroup()
    if parent is None:
        pytest.skip("this process is in no cgroup2 cgroup")
    have = read_words(parent + "/cgroup.controllers")
    missing = [c for c in NEEDED_CONTROLLERS if c not in have]
    if missing:
        pytest.skip(f"the cgroup2 hierarchy at {mounts[0]} offers no {'/'.join(missing)} controller to {parent} "
                    f"(its cgroup.controllers: {' '.join(have) or 'none'}), so there is no scratch cgroup with them")
    enabled = read_words(parent + "/cgroup.subtree_control")
    missing = [c for c in NEEDED_CONTROLLERS if c not in enabled]
    if missing:
        pytest.skip(f"{parent} does not enable {'/'.join(missing)} for its children, and this test changes no "
                    f"cgroup it did not make")
    path = os.path.join(parent, f"{TMP_PREFIX}cg-{os.getpid()}-{marker()}")
    try:
        os.mkdir(path)
    except OSError as e:
        pytest.skip(f"can't create a scratch cgroup under {parent}: {e}")
    try:
        got = read_words(path + "/cgroup.controllers")
        missing = [c for c in NEEDED_CONTROLLERS if c not in got]
        if missing:
            pytest.skip(f"scratch cgroup {path} lacks {'/'.join(missing)}")
        with open(path + "/cgroup.subtree_control", "w") as f:
            f.write(" ".join("+" + c for c in NEEDED_CONTROLLERS))
        os.mkdir(path + "/runner")
        if not ident.is_root:
            for d in (path, path + "/runner"):
                for f in ["", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"]:
                    os.chown(os.path.join(d, f), ident.uid, ident.gid)
        yield path
    finally:
        # Children first (anything cocoon left), killing what is in them.
        for base, dirs, _ in sorted(os.walk(path), key=lambda x: -len(x[0])):
            if base != path:
                try:
                    with open(base + "/cgroup.kill", "w") as f:
                        f.write("1")
                except OSError:
                    pass
                for _ in range(100):
                    if "populated 0" in open(base + "/cgroup.events").read():
                        break
                    time.sleep(0.02)
                os.rmdir(base)
        for _ in range(100):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.05)
        assert not os.path.exists(path), f"scratch cgroup {path} could not be removed"


CG_INSIDE = r'''
rel = [l[3:].strip() for l in open("/proc/self/cgroup") if l.startswith("0::")][0]
cg = sys.argv[1] + rel
def rd(n):
    try:
        return open(cg + "/" + n).read().strip()
    except OSError as e:
        return errno.errorcode[e.errno]
''' + FORK_50 + r'''
out(cgroup=cg, memory_max=rd("memory.max"), pids_max=rd("pids.max"), cpu_max=rd("cpu.max"),
    forked=len(kids), err=err)
'''


def test_cgroup_limits_in_scratch_cgroup(sb, scratch_cgroup):
    """The real cgroup v2 path: the launcher runs in a delegated scratch
    cgroup that offers the controllers; the sandbox lands in a child cgroup
    carrying the limits; a fork loop stops at pids-max; the child cgroup is
    gone afterwards."""
    def enter():
        with open(scratch_cgroup + "/runner/cgroup.procs", "w") as f:
            f.write(str(os.getpid()))
    mount = cgroup2_mounts()[0]
    before = subcgroups(scratch_cgroup)
    r = sb.run(HOST + PIDNS + ["--memory-max", "64M", "--pids-max", "10", "--cpu-max", "50"] + py(CG_INSIDE)
               + [mount], preexec_fn=enter)
    d = report(r)
    assert d["cgroup"].startswith(scratch_cgroup + "/"), d
    assert d["memory_max"] == str(64 * M), d
    assert d["pids_max"] == "10", d
    assert d["cpu_max"] == "50000 100000", d
    assert d["err"] == "EAGAIN" and d["forked"] < 10, d
    assert not os.path.exists(d["cgroup"]), f"the sandbox's cgroup {d['cgroup']} is left behind"
    assert subcgroups(scratch_cgroup) == before


# ================================================================ bad input

BAD_INPUT = [
    (["--rlimit", "bogus=1"], "--rlimit"),
    (["--rlimit", "NOFILE=1"], "--rlimit"),
    (["--rlimit", "nofile"], "--rlimit"),
    (["--rlimit", "nofile=abc"], "--rlimit"),
    (["--rlimit", "nofile=12Q"], "--rlimit"),
    (["--rlimit", "nofile=100:50"], "--rlimit"),
    (["--rlimit", "fsize=2M:1M"], "--rlimit"),
    (["--rlimit", "nofile=1:"], "--rlimit"),
    (["--rlimit", "nofile=-1"], "--rlimit"),
    (["--memory-max", "12Q"], "--memory-max"),
    (["--memory-max", "abc"], "--memory-max"),
    (["--memory-max", "0"], "--memory-max"),
    (["--pids-max", "abc"], "--pids-max"),
    (["--pids-max", "0"], "--pids-max"),
    (["--cpu-max", "abc"], "--cpu-max"),
    (["--cpu-max", "0"], "--cpu-max"),
    (["--timeout", "abc"], "--timeout"),
    (["--timeout", "0"], "--timeout"),
    (["--monotonic-offset", "10"], "--monotonic-offset"),
    (["--boottime-offset", "10"], "--boottime-offset"),
    (["--unshare-time", "--monotonic-offset", "abc"], "--monotonic-offset"),
    (["--unshare-time", "--boottime-offset", "1x"], "--boottime-offset"),
    (["--landlock-write", ""], "--landlock-write"),
] + [([flag, port], flag) for flag in ("--connect-tcp", "--bind-tcp")
     for port in ("0", "70000", "10-5", "abc", "", "5-", "-5", "1-65536", "80-abc")]


@pytest.mark.parametrize("args,flag", BAD_INPUT, ids=[" ".join(a) or "empty" for a, _ in BAD_INPUT])
def test_bad_input_one_line(sb, args, flag):
    sb.expect_error(HOST + args + ["true"], flag)


def test_landlock_path_that_does_not_exist(sb):
    """A hand-written rule for a missing path is an error naming the flag,
    and the command never runs."""
    r = sb.expect_error(HOST + ["--landlock-read", "/citest-no-such-path", "sh", "-c", "echo ran"],
                        "--landlock-read")
    assert "ran" not in r.out
