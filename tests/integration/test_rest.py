# SPDX-License-Identifier: LGPL-2.1-or-later
"""The rest of bwrap (issue 3): data files (--file, --bind-data,
--ro-bind-data), fd binds, --chmod, --mqueue, overlays, --lock-file, the
coordination fds (--sync-fd, --block-fd, --userns-block-fd), the status fds
(--info-fd, --json-status-fd), --disable-userns and
--assert-userns-disabled, the SELinux label options, and the errors that go
with them. Every test runs as root and as the unprivileged test user (the
`sb` fixture), and checks what is seen inside and on the host.

Tests of options that the launcher under test does not list in its --help
are skipped (Debian's bwrap 0.8 has no overlays), so this file can also be
run with COCOON=/usr/bin/bwrap to check the tests themselves."""

import errno
import functools
import json
import os
import select
import subprocess
import threading
import time

import pytest

import harness
from harness import (chown_tree, descendants, read_json_object, memfd_with, ppid_of, mount_at,
                     try_write_lock)

ROOT = ["--ro-bind", "/", "/"]
EROFS = "Read-only file system"
NAMESPACES = ("cgroup", "ipc", "mnt", "net", "pid", "uts")
CLOSED_FD = 987   # never open: subprocess closes every fd not in pass_fds


# ---------------------------------------------------------------- helpers

@functools.lru_cache(maxsize=None)
def _help_text(path):
    return subprocess.run([path, "--help"], capture_output=True, env=harness.BASE_ENV,
                          timeout=30).stdout.decode()


def require(sb, *options):
    """Skip unless the launcher under test lists every option in --help."""
    text = _help_text(sb.cocoon)
    missing = [o for o in options if f"{o} " not in text and f"{o}\n" not in text]
    if missing:
        pytest.skip(f"{sb.bins.version or sb.cocoon} has no {' '.join(missing)}")


def own(sb, *paths):
    """Give what the test made to the identity (it runs as root)."""
    if os.geteuid() == 0:
        for p in paths:
            chown_tree(p, sb.ident.uid, sb.ident.gid)


def write_file(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def tree_snapshot(top):
    """Every path under top with its type, size, mode and content digest."""
    snap = {}
    for base, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(base, n)
            st = os.lstat(p)
            content = None
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    content = f.read()
            snap[os.path.relpath(p, top)] = (st.st_mode, st.st_size, content)
    return snap


def raw_mount_devs(lines):
    """{mount point: 'major:minor'} from raw mountinfo lines."""
    out = {}
    for line in lines:
        f = line.split()
        out[harness._unescape(f[4])] = f[2]
    return out


def host_devs():
    with open("/proc/self/mountinfo") as f:
        return set(raw_mount_devs(f.read().splitlines()).values())


def ns_inodes(pid):
    out = {}
    for ns in NAMESPACES + ("user",):
        try:
            t = os.readlink(f"/proc/{pid}/ns/{ns}")
        except OSError:
            continue
        out[ns] = int(t[t.index("[") + 1:-1])
    return out



def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def wait_for(pred, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def blocked_in_read(top, fd):
    """The pid of a process under top that sits in read(fd, ...), or None."""
    for p in descendants(top):
        try:
            with open(f"/proc/{p}/syscall") as f:
                fields = f.read().split()
        except OSError:
            continue
        if len(fields) > 1 and fields[0] == "0" and int(fields[1], 16) == fd:
            return p
    return None


def readable(fd):
    return bool(select.select([fd], [], [], 0)[0])


def read_all(fd):
    out = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return out
        out += chunk


def inheritable_pipe():
    r, w = os.pipe()
    os.set_inheritable(r, True)
    os.set_inheritable(w, True)
    return r, w


def Running(sb, args, pass_fds=()):
    """The launcher in the background, as sb's identity, on pipes."""
    return harness.Running(sb.argv(args), harness.tagged_env(None), sb.scratch, pass_fds)


@pytest.fixture
def launched():
    """Starts Running launchers and kills any still alive at the end."""
    started = []

    def start(sb, args, pass_fds=()):
        r = Running(sb, args, pass_fds)
        started.append(r)
        return r
    yield start
    for r in started:
        r.kill()


@pytest.fixture
def fds():
    """A list to put fds in; all are closed at the end of the test."""
    opened = []
    yield opened
    for fd in opened:
        try:
            os.close(fd)
        except OSError:
            pass


# ---------------------------------------------------------------- data sources

DATA = "".join(f"line {i:06d} of the data\n" for i in range(6000))  # 144 KB: more than one read


def _feed(w, data):
    try:
        os.write(w, data)
    except OSError:
        pass
    finally:
        os.close(w)


def data_fd(kind, data, scratch):
    """An inheritable fd, positioned at the start, from which data can be read."""
    raw = data.encode()
    if kind == "pipe":
        r, w = os.pipe()
        os.set_inheritable(r, True)
        # more than the pipe buffer: a thread feeds it while the launcher reads
        threading.Thread(target=_feed, args=(w, raw), daemon=True).start()
        return r
    if kind == "memfd":
        return memfd_with(raw, "data")
    if kind == "tmpfile":
        fd = os.open(scratch, os.O_TMPFILE | os.O_RDWR, 0o600)
    elif kind == "unlinked":
        path = os.path.join(scratch, "unlinked-data")
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.unlink(path)
    else:
        raise ValueError(kind)
    os.write(fd, raw)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


DATA_OPS = ["--file", "--bind-data", "--ro-bind-data"]
DEFAULT_MODE = {"--file": 0o666, "--bind-data": 0o600, "--ro-bind-data": 0o600}


# ---------------------------------------------------------------- --file, --bind-data, --ro-bind-data

def test_data_ops_content_mode_owner_ro(sb, fds):
    """Default modes 0666 / 0600 / 0600, owned by the sandbox's ids; only
    --ro-bind-data is a read-only mount; --file is a plain file, not a mount."""
    for _ in DATA_OPS:
        fds.append(memfd_with(b"payload\n"))
    args = ROOT + ["--tmpfs", "/mnt"]
    for op, fd in zip(DATA_OPS, fds):
        args += [op, fd, "/mnt/" + op.strip("-")]
    probe_args = []
    for op in DATA_OPS:
        p = "/mnt/" + op.strip("-")
        probe_args += ["--stat", p, "--write", p, "--read", p]
    d = sb.probe(args, probe_args, pass_fds=fds)

    for op in DATA_OPS:
        p = "/mnt/" + op.strip("-")
        st = d["stat"][p]
        assert st["type"] == "reg", (op, st)
        assert st["mode"] == DEFAULT_MODE[op], (op, oct(st["mode"]))
        assert (st["uid"], st["gid"]) == (sb.ident.uid, sb.ident.gid), (op, st)
    # the probe appends "probe\n" before it reads
    assert d["write"]["/mnt/file"] == "ok"
    assert d["read"]["/mnt/file"]["data"] == "payload\nprobe\n"
    assert d["write"]["/mnt/bind-data"] == "ok"
    assert d["read"]["/mnt/bind-data"]["data"] == "payload\nprobe\n"
    assert d["write"]["/mnt/ro-bind-data"] == EROFS
    assert d["read"]["/mnt/ro-bind-data"]["data"] == "payload\n"

    assert mount_at(d["_mounts"], "/mnt/file") is None, "--file makes a file, not a mount"
    rw = mount_at(d["_mounts"], "/mnt/bind-data")
    ro = mount_at(d["_mounts"], "/mnt/ro-bind-data")
    assert rw is not None and "rw" in rw.opts and {"nosuid", "nodev"} <= rw.opts, rw
    assert ro is not None and "ro" in ro.opts and {"nosuid", "nodev"} <= ro.opts, ro
    assert set(d["fds"]) == {"0", "1", "2"}, f"consumed data fds reached the command: {d['fds']}"


def test_data_ops_with_uid_gid(sb, fds):
    """Owned by the sandbox's uid and gid when --uid/--gid change them."""
    for _ in DATA_OPS:
        fds.append(memfd_with(b"x"))
    args = ROOT + ["--unshare-user", "--uid", "1234", "--gid", "4321", "--tmpfs", "/mnt"]
    for op, fd in zip(DATA_OPS, fds):
        args += [op, fd, "/mnt/" + op.strip("-")]
    d = sb.probe(args, [a for op in DATA_OPS for a in ("--stat", "/mnt/" + op.strip("-"))],
                 pass_fds=fds)
    assert d["uid"] == [1234] * 3 and d["gid"] == [4321] * 3
    for op in DATA_OPS:
        st = d["stat"]["/mnt/" + op.strip("-")]
        assert (st["uid"], st["gid"]) == (1234, 4321), (op, st)


@pytest.mark.parametrize("mode", [0o640, 0o400, 0o755])
def test_data_ops_perms(sb, fds, mode):
    """--perms sets the mode of the next data op; the one after it is back
    to its default."""
    args = ROOT + ["--tmpfs", "/mnt"]
    probe_args = []
    for op in DATA_OPS:
        a, b = memfd_with(b"x"), memfd_with(b"y")
        fds += [a, b]
        name = op.strip("-")
        args += ["--perms", f"{mode:o}", op, a, f"/mnt/{name}-perms", op, b, f"/mnt/{name}-default"]
        probe_args += ["--stat", f"/mnt/{name}-perms", "--stat", f"/mnt/{name}-default"]
    d = sb.probe(args, probe_args, pass_fds=fds)
    for op in DATA_OPS:
        name = op.strip("-")
        assert d["stat"][f"/mnt/{name}-perms"]["mode"] == mode, (op, d["stat"])
        assert d["stat"][f"/mnt/{name}-default"]["mode"] == DEFAULT_MODE[op], (op, d["stat"])


@pytest.mark.parametrize("op", DATA_OPS)
@pytest.mark.parametrize("kind", ["pipe", "memfd", "tmpfile", "unlinked"])
def test_data_sources(sb, fds, scratch, op, kind):
    """The data may come on a pipe, a memfd, an O_TMPFILE file or an
    unlinked file; all of it arrives, and the fd is not left open inside."""
    fd = data_fd(kind, DATA, scratch)
    fds.append(fd)
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", op, fd, "/mnt/data"],
                 ["--stat", "/mnt/data", "--read", "/mnt/data"], pass_fds=[fd])
    assert d["stat"]["/mnt/data"]["size"] == len(DATA), d["stat"]
    assert d["read"]["/mnt/data"]["data"] == DATA[:4096]
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


def test_data_whole_content_through_a_pipe(sb, fds, scratch):
    """All 144 KB arrive intact (checked by a digest inside)."""
    import hashlib
    fd = data_fd("pipe", DATA, scratch)
    fds.append(fd)
    r = sb.run(ROOT + ["--tmpfs", "/mnt", "--ro-bind-data", fd, "/mnt/data", "sha256sum", "/mnt/data"],
               pass_fds=[fd])
    assert r.rc == 0, r.describe()
    assert r.out.split()[0] == hashlib.sha256(DATA.encode()).hexdigest()


@pytest.mark.cocoon_only("bwrap 0.8 reads from the shared offset: the second file comes out empty")
def test_same_memfd_on_two_fds(sb, fds):
    """One memfd on two dup'ed fds (which share one file offset), used by two
    options: both files get the whole content."""
    a = memfd_with(DATA.encode(), "shared")
    b = os.dup(a)
    os.set_inheritable(b, True)
    fds += [a, b]
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--file", a, "/mnt/one", "--ro-bind-data", b, "/mnt/two"],
                 ["--stat", "/mnt/one", "--stat", "/mnt/two", "--read", "/mnt/one", "--read", "/mnt/two"],
                 pass_fds=[a, b])
    for p in ("/mnt/one", "/mnt/two"):
        assert d["stat"][p]["size"] == len(DATA), (p, d["stat"][p])
        assert d["read"][p]["data"] == DATA[:4096], p
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


def test_bind_data_is_not_on_the_host(sb, fds, scratch, tmp_unchanged):
    """The file behind --bind-data lives on the sandbox's own tmpfs: nothing
    new appears under /tmp or the scratch dir, and the mount inside comes
    from a filesystem that is not mounted anywhere on the host."""
    os.mkdir(os.path.join(scratch, "dest"))
    own(sb, scratch)
    before = tree_snapshot(scratch)
    a, b = memfd_with(b"secret-rw\n"), memfd_with(b"secret-ro\n")
    fds += [a, b]
    d = sb.probe(ROOT + ["--bind", scratch, scratch,
                         "--bind-data", a, f"{scratch}/dest/rw",
                         "--ro-bind-data", b, f"{scratch}/dest/ro"],
                 ["--write", f"{scratch}/dest/rw", "--read", f"{scratch}/dest/rw"],
                 pass_fds=fds)
    assert d["read"][f"{scratch}/dest/rw"]["data"] == "secret-rw\nprobe\n"
    devs = raw_mount_devs(d["mountinfo"])
    on_host = host_devs()
    for name in ("rw", "ro"):
        m = mount_at(d["_mounts"], f"{scratch}/dest/{name}")
        assert m is not None and m.fstype == "tmpfs", m
        assert devs[m.point] not in on_host, f"{m} is on a filesystem the host has mounted"
    # The mount points made for the binds went onto the host directory
    # (bwrap does the same for a destination under a writable bind): only
    # empty placeholders may be left, never the data.
    after = tree_snapshot(scratch)
    for path, (mode, size, content) in after.items():
        if path not in before:
            assert path in ("dest/rw", "dest/ro") and size == 0, (path, size, content)
    for path, (mode, size, content) in before.items():
        assert after.get(path) == (mode, size, content), f"{path} changed on the host"


def test_bind_data_placeholders_not_under_scratch_with_tmpfs(sb, fds, scratch, tmp_unchanged):
    """With the destination on a tmpfs inside, nothing at all is added on the host."""
    before = tree_snapshot(scratch)
    a = memfd_with(b"data\n")
    fds.append(a)
    sb.probe(ROOT + ["--tmpfs", "/mnt", "--bind-data", a, "/mnt/x"], pass_fds=fds)
    assert tree_snapshot(scratch) == before


# ---------------------------------------------------------------- --bind-fd, --ro-bind-fd

def test_bind_fd_dir(sb, fds, scratch):
    src = os.path.join(scratch, "src")
    write_file(os.path.join(src, "marker"), "marker\n")
    own(sb, src)
    rw = os.open(src, os.O_PATH | os.O_DIRECTORY)
    ro = os.open(src, os.O_PATH | os.O_DIRECTORY)
    fds += [rw, ro]
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--bind-fd", rw, "/mnt/rw", "--ro-bind-fd", ro, "/mnt/ro"],
                 ["--read", "/mnt/rw/marker", "--read", "/mnt/ro/marker",
                  "--write", "/mnt/rw/new", "--write", "/mnt/ro/other"],
                 pass_fds=fds)
    assert d["read"]["/mnt/rw/marker"]["data"] == "marker\n"
    assert d["read"]["/mnt/ro/marker"]["data"] == "marker\n"
    assert d["write"]["/mnt/rw/new"] == "ok"
    assert d["write"]["/mnt/ro/other"] == EROFS
    m_rw, m_ro = mount_at(d["_mounts"], "/mnt/rw"), mount_at(d["_mounts"], "/mnt/ro")
    assert "rw" in m_rw.opts and {"nosuid", "nodev"} <= m_rw.opts, m_rw
    assert "ro" in m_ro.opts and {"nosuid", "nodev"} <= m_ro.opts, m_ro
    with open(os.path.join(src, "new")) as f:
        assert f.read() == "probe\n", "a write through --bind-fd reaches the host directory"
    assert not os.path.exists(os.path.join(src, "other"))
    assert set(d["fds"]) == {"0", "1", "2"}, f"consumed O_PATH fds reached the command: {d['fds']}"


def test_bind_fd_file(sb, fds, scratch):
    path = write_file(os.path.join(scratch, "file"), "file content\n", 0o644)
    own(sb, path)
    ro = os.open(path, os.O_PATH)
    rw = os.open(path, os.O_PATH)
    fds += [ro, rw]
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--ro-bind-fd", ro, "/mnt/ro", "--bind-fd", rw, "/mnt/rw"],
                 ["--stat", "/mnt/ro", "--read", "/mnt/ro", "--write", "/mnt/ro", "--write", "/mnt/rw"],
                 pass_fds=fds)
    assert d["stat"]["/mnt/ro"]["type"] == "reg"
    # both binds are the same host file: the write through /mnt/rw (the
    # probe writes before it reads) shows through the read-only one
    assert d["read"]["/mnt/ro"]["data"] == "file content\nprobe\n"
    assert d["write"]["/mnt/ro"] == EROFS
    assert d["write"]["/mnt/rw"] == "ok"
    assert "ro" in mount_at(d["_mounts"], "/mnt/ro").opts
    with open(path) as f:
        assert f.read() == "file content\nprobe\n"
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


@pytest.mark.cocoon_only("bwrap says \"Can't find source path /proc/self/fd/N\", naming no flag")
@pytest.mark.parametrize("flag", ["--bind-fd", "--ro-bind-fd"])
def test_bind_fd_closed(sb, flag):
    sb.expect_error(ROOT + ["--tmpfs", "/mnt", flag, CLOSED_FD, "/mnt/x", "true"], flag)


def test_perms_then_bind_fd_is_an_error(sb, fds, scratch):
    fd = os.open(scratch, os.O_PATH | os.O_DIRECTORY)
    fds.append(fd)
    sb.expect_error(ROOT + ["--tmpfs", "/mnt", "--perms", "0700", "--bind-fd", fd, "/mnt/x", "true"],
                    "--perms", pass_fds=fds)


PERMS_ERRORS = [
    pytest.param(["--perms", "0640"], id="at-end",
                 marks=pytest.mark.cocoon_only("bwrap 0.8 ignores a trailing --perms")),
    pytest.param(["--perms", "0640", "--ro-bind", "/usr", "/mnt/u"], id="then-bind",
                 marks=pytest.mark.cocoon_only("bwrap 0.8 ignores a --perms before a bind")),
    pytest.param(["--perms", "999", "--dir", "/mnt/d"], id="not-octal"),
    pytest.param(["--perms", "rw-", "--dir", "/mnt/d"], id="symbolic"),
]


@pytest.mark.parametrize("args", PERMS_ERRORS)
def test_perms_errors(sb, args):
    sb.expect_error(ROOT + ["--tmpfs", "/mnt"] + args + ["true"], "--perms")


# ---------------------------------------------------------------- --chmod, --mqueue

def test_chmod(sb, fds):
    fd = memfd_with(b"x")
    fds.append(fd)
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--dir", "/mnt/d", "--file", fd, "/mnt/f",
                         "--chmod", "0750", "/mnt/d", "--chmod", "604", "/mnt/f",
                         "--chmod", "1777", "/mnt"],
                 ["--stat", "/mnt", "--stat", "/mnt/d", "--stat", "/mnt/f"], pass_fds=fds)
    assert d["stat"]["/mnt/d"]["mode"] == 0o750
    assert d["stat"]["/mnt/f"]["mode"] == 0o604
    assert d["stat"]["/mnt"]["mode"] == 0o1777


def test_chmod_missing_path(sb, scratch):
    before = tree_snapshot(scratch)
    # bwrap says "Can't chmod 0700 /mnt/missing: ..."
    mentions = ["--chmod"] + (["chmod"] if sb.bins.is_bwrap else [])
    r = sb.expect_error(ROOT + ["--tmpfs", "/mnt", "--chmod", "0700", "/mnt/missing", "true"], mentions)
    assert "/mnt/missing" in r.err, r.describe()
    assert tree_snapshot(scratch) == before


def test_mqueue(sb):
    d = sb.probe(ROOT + ["--dev", "/dev", "--unshare-ipc", "--mqueue", "/dev/mqueue"])
    m = mount_at(d["_mounts"], "/dev/mqueue")
    assert m is not None and m.fstype == "mqueue", m
    assert d["ns"]["ipc"] != harness.host_namespaces()["ipc"]


def test_mqueue_usable(sb):
    """A queue made inside shows up in the sandbox's mqueue mount."""
    code = ("import ctypes,os; rt=ctypes.CDLL('librt.so.1', use_errno=True); "
            "fd=rt.mq_open(b'/citest', os.O_CREAT|os.O_RDWR, 0o600, None); "
            "assert fd>=0, os.strerror(ctypes.get_errno()); print(os.listdir('/dev/mqueue'))")
    r = sb.run(ROOT + ["--dev", "/dev", "--unshare-ipc", "--mqueue", "/dev/mqueue",
                       "/usr/bin/python3", "-c", code])
    assert r.rc == 0, r.describe()
    assert r.out.strip() == "['citest']", r.describe()


# ---------------------------------------------------------------- overlays

@pytest.fixture
def layers(sb, scratch):
    """Two lower dirs with a name clash (x), files of their own, and an empty
    upper and work dir, all owned by the identity."""
    lo1, lo2 = os.path.join(scratch, "lower1"), os.path.join(scratch, "lower2")
    write_file(os.path.join(lo1, "x"), "one\n")
    write_file(os.path.join(lo1, "only1"), "only1\n")
    write_file(os.path.join(lo2, "x"), "two\n")
    write_file(os.path.join(lo2, "only2"), "only2\n")
    upper, work = os.path.join(scratch, "upper"), os.path.join(scratch, "work")
    os.mkdir(upper)
    os.mkdir(work)
    own(sb, lo1, lo2, upper, work)
    return lo1, lo2, upper, work


@pytest.mark.parametrize("kind", ["--ro-overlay", "--tmp-overlay", "--overlay"])
@pytest.mark.parametrize("order", ["1-then-2", "2-then-1"])
def test_overlay_src_order(sb, layers, kind, order):
    """The last --overlay-src given is the top layer: it wins a name clash."""
    require(sb, kind)
    lo1, lo2, upper, work = layers
    srcs = [lo1, lo2] if order == "1-then-2" else [lo2, lo1]
    args = ROOT + ["--tmpfs", "/mnt"]
    for s in srcs:
        args += ["--overlay-src", s]
    args += ([kind, upper, work, "/mnt/o"] if kind == "--overlay" else [kind, "/mnt/o"])
    d = sb.probe(args, ["--read", "/mnt/o/x", "--read", "/mnt/o/only1", "--read", "/mnt/o/only2"])
    assert d["read"]["/mnt/o/x"]["data"] == ("two\n" if order == "1-then-2" else "one\n")
    assert d["read"]["/mnt/o/only1"]["data"] == "only1\n"
    assert d["read"]["/mnt/o/only2"]["data"] == "only2\n"
    m = mount_at(d["_mounts"], "/mnt/o")
    assert m.fstype == "overlay", m
    assert ("ro" in m.opts) == (kind == "--ro-overlay"), m


def test_tmp_overlay_writes_stay_inside(sb, layers, scratch, tmp_unchanged):
    require(sb, "--tmp-overlay")
    lo1, lo2, upper, work = layers
    before = tree_snapshot(scratch)
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--overlay-src", lo1, "--overlay-src", lo2,
                         "--tmp-overlay", "/mnt/o"],
                 ["--write", "/mnt/o/new", "--write", "/mnt/o/x", "--write", "/mnt/o/only1",
                  "--read", "/mnt/o/new", "--read", "/mnt/o/x", "--read", "/mnt/o/only1"])
    for p in ("new", "x", "only1"):
        assert d["write"][f"/mnt/o/{p}"] == "ok", d["write"]
    assert d["read"]["/mnt/o/new"]["data"] == "probe\n"
    assert d["read"]["/mnt/o/x"]["data"] == "two\nprobe\n"
    assert d["read"]["/mnt/o/only1"]["data"] == "only1\nprobe\n"
    m = mount_at(d["_mounts"], "/mnt/o")
    assert m.fstype == "overlay" and "rw" in m.opts, m
    assert tree_snapshot(scratch) == before, "a --tmp-overlay write reached the host"
    # and a second sandbox starts from the lower layers again
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--overlay-src", lo1, "--tmp-overlay", "/mnt/o"],
                 ["--stat", "/mnt/o/new", "--read", "/mnt/o/x"])
    assert "error" in d["stat"]["/mnt/o/new"]
    assert d["read"]["/mnt/o/x"]["data"] == "one\n"


def test_ro_overlay_is_read_only(sb, layers, scratch):
    require(sb, "--ro-overlay")
    lo1, lo2, upper, work = layers
    before = tree_snapshot(scratch)
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--overlay-src", lo1, "--overlay-src", lo2,
                         "--ro-overlay", "/mnt/o"],
                 ["--write", "/mnt/o/new", "--write", "/mnt/o/x", "--access", "/mnt/o"])
    assert d["write"]["/mnt/o/new"] == EROFS
    assert d["write"]["/mnt/o/x"] == EROFS
    assert d["access"]["/mnt/o"] == EROFS
    assert "ro" in mount_at(d["_mounts"], "/mnt/o").opts
    assert tree_snapshot(scratch) == before


def test_overlay_writes_land_in_upper(sb, layers, scratch):
    require(sb, "--overlay")
    lo1, lo2, upper, work = layers
    lowers = {p: tree_snapshot(p) for p in (lo1, lo2)}
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--overlay-src", lo1, "--overlay-src", lo2,
                         "--overlay", upper, work, "/mnt/o"],
                 ["--write", "/mnt/o/new", "--write", "/mnt/o/x", "--read", "/mnt/o/x"])
    assert d["write"] == {"/mnt/o/new": "ok", "/mnt/o/x": "ok"}
    assert d["read"]["/mnt/o/x"]["data"] == "two\nprobe\n"
    with open(os.path.join(upper, "new")) as f:
        assert f.read() == "probe\n"
    with open(os.path.join(upper, "x")) as f:
        assert f.read() == "two\nprobe\n", "the copied-up file is in the upper dir"
    st = os.stat(os.path.join(upper, "new"))
    assert (st.st_uid, st.st_gid) == (sb.ident.uid, sb.ident.gid)
    for p, snap in lowers.items():
        assert tree_snapshot(p) == snap, f"a write through --overlay reached the lower dir {p}"
    # what was written is seen again by the next sandbox
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--overlay-src", lo1, "--overlay", upper, work, "/mnt/o"],
                 ["--read", "/mnt/o/new", "--read", "/mnt/o/x"])
    assert d["read"]["/mnt/o/new"]["data"] == "probe\n"
    assert d["read"]["/mnt/o/x"]["data"] == "two\nprobe\n"


def test_overlay_delete_makes_whiteout_in_upper(sb, layers):
    require(sb, "--overlay")
    lo1, lo2, upper, work = layers
    r = sb.run(ROOT + ["--tmpfs", "/mnt", "--overlay-src", lo1, "--overlay", upper, work, "/mnt/o",
                       "sh", "-c", "rm /mnt/o/only1 && ! test -e /mnt/o/only1 && echo gone"])
    assert r.rc == 0 and r.out == "gone\n", r.describe()
    assert os.path.exists(os.path.join(lo1, "only1")), "the lower file is untouched"
    assert os.path.lexists(os.path.join(upper, "only1")), "a whiteout is left in the upper dir"


def _overlay_error(sb, scratch, args, mentions):
    before = tree_snapshot(scratch)
    r = sb.expect_error(ROOT + ["--tmpfs", "/mnt"] + args + ["true"], mentions)
    assert tree_snapshot(scratch) == before, "the failed launch left something in the scratch dir"
    return r


def test_ro_overlay_needs_two_sources(sb, layers, scratch, tmp_unchanged):
    require(sb, "--ro-overlay")
    lo1 = layers[0]
    _overlay_error(sb, scratch, ["--overlay-src", lo1, "--ro-overlay", "/mnt/o"], "--ro-overlay")


@pytest.mark.parametrize("kind", ["--tmp-overlay", "--overlay"])
def test_overlay_needs_a_source(sb, layers, scratch, kind, tmp_unchanged):
    require(sb, kind)
    lo1, lo2, upper, work = layers
    args = [kind, upper, work, "/mnt/o"] if kind == "--overlay" else [kind, "/mnt/o"]
    _overlay_error(sb, scratch, args, kind)


@pytest.mark.parametrize("after", [["--tmpfs", "/mnt/t"], ["--bind", "/usr", "/mnt/u"], []],
                         ids=["then-tmpfs", "then-bind", "then-command"])
def test_overlay_src_must_be_followed_by_overlay(sb, layers, scratch, after, tmp_unchanged):
    require(sb, "--overlay-src")
    _overlay_error(sb, scratch, ["--overlay-src", layers[0]] + after, "--overlay-src")


@pytest.mark.parametrize("which", ["lower", "upper", "work"])
def test_overlay_missing_dir(sb, layers, scratch, which, tmp_unchanged):
    require(sb, "--overlay")
    lo1, lo2, upper, work = layers
    missing = os.path.join(scratch, "does-not-exist")
    lo1, upper, work = (missing if which == w else p for w, p in
                        (("lower", lo1), ("upper", upper), ("work", work)))
    r = _overlay_error(sb, scratch, ["--overlay-src", lo1, "--overlay", upper, work, "/mnt/o"],
                       ["--overlay", "--overlay-src"])
    assert missing in r.err, r.describe()
    assert os.listdir(layers[3]) == [] or which == "work", "the work dir was used"


def test_tmp_overlay_missing_lower(sb, scratch, tmp_unchanged):
    require(sb, "--tmp-overlay")
    missing = os.path.join(scratch, "does-not-exist")
    r = _overlay_error(sb, scratch, ["--overlay-src", missing, "--tmp-overlay", "/mnt/o"],
                       ["--tmp-overlay", "--overlay-src"])
    assert missing in r.err, r.describe()


# ---------------------------------------------------------------- --lock-file

PIDNS_VARIANTS = {"no-pidns": [], "pidns": ["--unshare-pid", "--proc", "/proc"]}


LOCK_VARIANTS = {
    "no-pidns": [],
    "pidns": ["--unshare-pid", "--proc", "/proc"],
    # bwrap refuses --as-pid-1 with --lock-file; cocoon lets the command hold the locks
    "pidns-as-pid-1": pytest.param(
        ["--unshare-pid", "--as-pid-1", "--proc", "/proc"],
        marks=pytest.mark.cocoon_only("bwrap refuses --as-pid-1 with --lock-file")),
}


@pytest.mark.parametrize("extra", list(LOCK_VARIANTS.values()), ids=list(LOCK_VARIANTS))
def test_lock_file_held_while_running(sb, scratch, launched, extra):
    lock1 = write_file(os.path.join(scratch, "lock1"), "")
    lock2 = write_file(os.path.join(scratch, "sub", "lock2"), "")
    own(sb, scratch)
    assert try_write_lock(lock1) == 0 and try_write_lock(lock2) == 0
    run = launched(sb, ROOT + extra +
                   ["--bind", os.path.join(scratch, "sub"), "/mnt",
                    "--lock-file", lock1, "--lock-file", "/mnt/lock2",
                    "sh", "-c", "echo ready; read x"])
    assert run.readline() == "ready\n", run.finish().describe()
    for path in (lock1, lock2):
        e = try_write_lock(path)
        assert e in (errno.EAGAIN, errno.EACCES), f"{path}: write lock taken while the sandbox runs ({e})"
    r = run.finish(b"go\n")
    assert r.rc == 0, r.describe()
    for path in (lock1, lock2):
        assert try_write_lock(path) == 0, f"{path}: lock still held after the sandbox exited"


def test_lock_file_missing_is_an_error(sb, scratch):
    r = sb.run(ROOT + ["--lock-file", os.path.join(scratch, "missing"), "true"])
    assert r.rc == 1 and len(r.err_lines()) == 1 and "missing" in r.err, r.describe()


# ---------------------------------------------------------------- --sync-fd

@pytest.mark.parametrize("variant", ["no-pidns", "pidns"])
def test_sync_fd_eof_only_after_exit(sb, launched, fds, variant):
    r, w = inheritable_pipe()
    fds += [r, w]
    run = launched(sb, ROOT + PIDNS_VARIANTS[variant] + ["--sync-fd", w, "sh", "-c", "echo ready; read x"],
                   pass_fds=[w])
    os.close(w)   # only the sandbox holds the write end now
    fds.remove(w)
    assert run.readline() == "ready\n", run.finish().describe()
    assert not readable(r), "EOF on the sync fd while the sandbox runs"
    res = run.finish(b"go\n")
    assert res.rc == 0, res.describe()
    # the sandbox's last process may close it just after the launcher exits (bwrap's pid 1 does)
    assert select.select([r], [], [], 20)[0] and os.read(r, 10) == b"", \
        "no EOF on the sync fd after the sandbox exited"


# ---------------------------------------------------------------- --block-fd

@pytest.mark.parametrize("variant", ["no-pidns", "pidns"])
def test_block_fd_holds_back_the_command(sb, launched, fds, variant):
    r, w = inheritable_pipe()
    fds += [r, w]
    run = launched(sb, ROOT + PIDNS_VARIANTS[variant] + ["--block-fd", r, "sh", "-c", "echo started"],
                   pass_fds=[r])
    os.close(r)
    fds.remove(r)
    blocked = wait_for(lambda: blocked_in_read(run.pid, r) or run.p.poll() is not None,
                       "the sandbox to wait on --block-fd")
    assert run.p.poll() is None, run.finish().describe()
    # the process that waits has not yet become the command, and nothing ran
    assert comm(blocked) != "sh"
    assert all(comm(p) != "sh" for p in descendants(run.pid))
    assert not readable(run.p.stdout.fileno()), "the command wrote before it was unblocked"
    os.write(w, b"x")
    res = run.finish()
    assert res.rc == 0 and res.out == "started\n", res.describe()


def test_block_fd_consumed(sb, fds):
    r, w = inheritable_pipe()
    fds += [r, w]
    os.write(w, b"x")
    d = sb.probe(ROOT + ["--block-fd", r], pass_fds=[r])
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


# ---------------------------------------------------------------- --info-fd, --json-status-fd

INFO_VARIANTS = {
    "none": ([], {"mnt"}),
    "pid": (["--unshare-pid", "--proc", "/proc"], {"mnt", "pid"}),
    "net-uts-ipc": (["--unshare-net", "--unshare-uts", "--unshare-ipc"], {"mnt", "net", "uts", "ipc"}),
    "cgroup": (["--unshare-cgroup"], {"mnt", "cgroup"}),
    "all": (["--unshare-all", "--proc", "/proc"], set(NAMESPACES)),
}


def ours(sb):
    """The members cocoon adds to bwrap's: command-pid (see test_lifecycle)."""
    return set() if sb.bins.is_bwrap else {"command-pid"}


@pytest.mark.parametrize("variant", list(INFO_VARIANTS))
def test_info_fd(sb, launched, fds, host_ns, variant):
    """--info-fd: one JSON object with child-pid and <ns>-namespace for the
    namespaces made, matching /proc/<child-pid>/ns/* read while the sandbox
    waits on --block-fd, and what the command sees."""
    extra, made = INFO_VARIANTS[variant]
    info_r, info_w = inheritable_pipe()
    blk_r, blk_w = inheritable_pipe()
    fds += [info_r, info_w, blk_r, blk_w]
    run = launched(sb, ROOT + extra + ["--info-fd", info_w, "--block-fd", blk_r, sb.probe_path],
                   pass_fds=[info_w, blk_r])
    for fd in (info_w, blk_r):
        os.close(fd)
        fds.remove(fd)
    info, raw = read_json_object(info_r)
    assert set(info) == {"child-pid"} | ours(sb) | {f"{n}-namespace" for n in made}, info
    assert all(type(v) is int for v in info.values()), info
    child = info["child-pid"]
    wait_for(lambda: blocked_in_read(run.pid, blk_r) or run.p.poll() is not None,
             "the sandbox to wait on --block-fd")
    assert run.p.poll() is None, run.finish().describe()
    assert child in descendants(run.pid), f"child-pid {child} is not a process of this launch"
    outside = ns_inodes(child)
    os.write(blk_w, b"x")
    res = run.finish()
    assert res.rc == 0, res.describe()
    d = json.loads(res.out)
    for ns in NAMESPACES:
        if ns in ("mnt", "user") and sb.ident.is_root and variant == "all":
            # a root caller's command keeps CAP_SYS_ADMIN: it runs in a
            # locked copy of the sandbox's mounts (which the report names, as
            # bwrap's tests want), in a user namespace of its own; pid 1 stays
            # in the originals
            if ns == "mnt":
                assert info["mnt-namespace"] == d["ns"]["mnt"] != outside["mnt"], (info, outside, d["ns"])
            else:
                assert outside["user"] != d["ns"]["user"], (outside, d["ns"])
        elif ns in made:
            assert info[f"{ns}-namespace"] == outside[ns] == d["ns"][ns], (ns, info, outside, d["ns"])
            assert d["ns"][ns] != host_ns[ns], ns
        else:
            assert d["ns"][ns] == host_ns[ns], f"{ns} namespace was not to be unshared"
    assert read_all(info_r) == b"", "only one object on --info-fd"
    assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


@pytest.mark.parametrize("how,code", [("exit 0", 0), ("exit 3", 3), ("exit 255", 255),
                                      ("kill -TERM $$", 128 + 15), ("kill -KILL $$", 128 + 9)])
@pytest.mark.parametrize("variant", ["none", "pid"])
def test_json_status_fd(sb, fds, how, code, variant):
    """The first line is the same object as --info-fd writes, on one line;
    then {"exit-code": N} with the command's status (128+N for signal N)."""
    extra, made = INFO_VARIANTS[variant]
    info_r, info_w = inheritable_pipe()
    st_r, st_w = inheritable_pipe()
    fds += [info_r, info_w, st_r, st_w]
    res = sb.run(ROOT + extra + ["--info-fd", info_w, "--json-status-fd", st_w, "sh", "-c", how],
                 pass_fds=[info_w, st_w])
    for fd in (info_w, st_w):
        os.close(fd)
        fds.remove(fd)
    assert res.rc == code, res.describe()
    info = json.loads(read_all(info_r).decode())
    status = read_all(st_r).decode()
    assert status.endswith("\n"), status
    lines = status.splitlines()
    assert len(lines) == 2, status
    first, last = json.loads(lines[0]), json.loads(lines[1])
    assert first == info, (first, info)
    assert set(first) == {"child-pid"} | ours(sb) | {f"{n}-namespace" for n in made}
    assert last == {"exit-code": code}, status


def test_json_status_fd_alone(sb, fds):
    st_r, st_w = inheritable_pipe()
    fds += [st_r, st_w]
    res = sb.run(ROOT + ["--unshare-net", "--json-status-fd", st_w, "sh", "-c", "exit 9"],
                 pass_fds=[st_w])
    os.close(st_w)
    fds.remove(st_w)
    assert res.rc == 9, res.describe()
    lines = read_all(st_r).decode().splitlines()
    assert len(lines) == 2
    assert set(json.loads(lines[0])) == {"child-pid", "mnt-namespace", "net-namespace"} | ours(sb)
    assert json.loads(lines[1]) == {"exit-code": 9}


# ---------------------------------------------------------------- --userns-block-fd

def write_maps_as_caller(sb, pid, uid_map, gid_map):
    """Write the id maps of pid the way the caller can: as root directly, as
    the unprivileged user from a process running as that user."""
    if sb.ident.is_root:
        with open(f"/proc/{pid}/uid_map", "w") as f:
            f.write(uid_map)
        with open(f"/proc/{pid}/gid_map", "w") as f:
            f.write(gid_map)
        return
    script = ('echo deny > /proc/"$1"/setgroups && printf "$2" > /proc/"$1"/uid_map '
              '&& printf "$3" > /proc/"$1"/gid_map')
    r = subprocess.run(sb.ident.wrap + ["/bin/sh", "-c", script, "sh", str(pid), uid_map, gid_map],
                       capture_output=True, timeout=30)
    assert r.returncode == 0, f"writing the maps as the user failed: {r.stderr!r}"


def launch_blocked_on_maps(sb, launched, fds):
    """Start the probe in a new user namespace that waits on --userns-block-fd;
    return the run, the --info-fd report and the fd that unblocks it."""
    info_r, info_w = inheritable_pipe()
    blk_r, blk_w = inheritable_pipe()
    fds += [info_r, info_w, blk_r, blk_w]
    run = launched(sb, ROOT + ["--unshare-user", "--info-fd", info_w, "--userns-block-fd", blk_r,
                               sb.probe_path], pass_fds=[info_w, blk_r])
    for fd in (info_w, blk_r):
        os.close(fd)
        fds.remove(fd)
    info, _ = read_json_object(info_r)
    return run, info, blk_w


def test_userns_block_fd_caller_writes_maps(sb, launched, fds):
    run, info, blk_w = launch_blocked_on_maps(sb, launched, fds)
    child = info["child-pid"]
    if sb.ident.is_root:
        # root maps itself and a range besides
        uid_map, gid_map = "5000 0 1\n10000 200000 1000\n", "6000 0 1\n10000 200000 1000\n"
    else:
        uid_map, gid_map = f"5000 {sb.ident.uid} 1\n", f"6000 {sb.ident.gid} 1\n"
    write_maps_as_caller(sb, child, uid_map, gid_map)
    os.write(blk_w, b"x")
    res = run.finish()
    assert res.rc == 0, res.describe()
    d = json.loads(res.out)
    assert d["uid"] == [5000] * 3 and d["gid"] == [6000] * 3, (d["uid"], d["gid"])

    def norm(m):
        return [line.split() for line in m.splitlines()]
    assert norm(d["uid_map"]) == norm(uid_map), d["uid_map"]
    assert norm(d["gid_map"]) == norm(gid_map), d["gid_map"]
    if not sb.ident.is_root:
        assert d["setgroups"].strip() == "deny"
    if not sb.bins.is_bwrap:   # bwrap 0.8 leaves the --userns-block-fd open in the command
        assert set(d["fds"]) == {"0", "1", "2"}, d["fds"]


@pytest.mark.cocoon_only("bwrap writes no maps after --userns-block-fd; its setup then fails (EOVERFLOW)")
def test_userns_block_fd_without_maps(sb, launched, fds):
    """When the caller writes no maps, the launcher writes its own after the
    unblock: one uid and one gid, the caller's."""
    run, info, blk_w = launch_blocked_on_maps(sb, launched, fds)
    with open(f"/proc/{info['child-pid']}/uid_map") as f:
        assert f.read() == "", "the launcher wrote maps before it was unblocked"
    os.write(blk_w, b"x")
    res = run.finish()
    assert res.rc == 0, res.describe()
    d = json.loads(res.out)
    assert d["uid"] == [sb.ident.uid] * 3 and d["gid"] == [sb.ident.gid] * 3
    assert d["uid_map"].split() == [str(sb.ident.uid), str(sb.ident.uid), "1"], d["uid_map"]
    assert d["gid_map"].split() == [str(sb.ident.gid), str(sb.ident.gid), "1"], d["gid_map"]


def test_userns_block_fd_needs_info_fd(sb, fds):
    r, w = inheritable_pipe()
    fds += [r, w]
    sb.expect_error(ROOT + ["--unshare-user", "--userns-block-fd", r, "true"], "--userns-block-fd",
                    pass_fds=[r])


# ---------------------------------------------------------------- --disable-userns

def test_disable_userns(sb):
    r = sb.run(ROOT + ["--unshare-user", "--disable-userns", "sh", "-c",
                       "unshare -U true && echo made || echo refused; "
                       "python3 -c 'import ctypes, sys; "
                       "sys.exit(ctypes.CDLL(None).unshare(0x10000000) != 0)' "
                       "&& echo made || echo refused"])
    assert r.rc == 0, r.describe()
    assert r.out.split() == ["refused", "refused"], r.describe()


def test_userns_allowed_without_disable(sb):
    """The control for test_disable_userns: the same command can make a user
    namespace in a sandbox without --disable-userns."""
    r = sb.run(ROOT + ["--unshare-user", "sh", "-c",
                       "unshare -U true && echo made || echo refused; "
                       "python3 -c 'import ctypes, sys; "
                       "sys.exit(ctypes.CDLL(None).unshare(0x10000000) != 0)' "
                       "&& echo made || echo refused"])
    assert r.rc == 0 and r.out == "made\nmade\n", r.describe()


def test_assert_userns_disabled_passes(sb):
    r = sb.run(ROOT + ["--unshare-user", "--disable-userns", "--assert-userns-disabled",
                       "sh", "-c", "echo ran"])
    assert r.rc == 0 and r.out == "ran\n", r.describe()


def test_assert_userns_disabled_fails_without_disable(sb):
    # bwrap says "creation of new user namespaces was not disabled as requested"
    mentions = ["--assert-userns-disabled"] + (["user namespaces"] if sb.bins.is_bwrap else [])
    r = sb.expect_error(ROOT + ["--unshare-user", "--assert-userns-disabled", "sh", "-c", "echo ran"],
                        mentions)
    assert r.out == "", "the command ran"


# (bwrap 0.8 refuses the plain --ro-bind form with ENOENT; flatpak uses -try)
@pytest.mark.parametrize("flag", ["--ro-bind-try"])
def test_bind_launcher_own_userns_file(sb, flag):
    """Flatpak binds /proc/self/ns/user to /run/.userns (so that a
    sub-sandbox can join it with --userns): /proc/self there is the
    launcher's process in the new user namespace, and the magic link must
    be bound, not refused."""
    # A root caller that keeps CAP_SYS_ADMIN gets its command in a user
    # namespace nested in this one, which locks the mounts; test_flatpak's
    # sub-sandbox covers that (the file is then the command's parent).
    no_lock = ["--cap-drop", "ALL"] if sb.ident.is_root else []
    d = sb.probe(ROOT + no_lock + ["--unshare-user", "--tmpfs", "/mnt", flag, "/proc/self/ns/user", "/mnt/userns"],
                 ["--stat", "/mnt/userns"])
    st = d["stat"]["/mnt/userns"]
    assert "error" not in st, st
    assert st["ino"] == d["ns"]["user"], "the bound file is the sandbox's own user namespace"
    assert d["ns"]["user"] != harness.host_namespaces()["user"]


# ---------------------------------------------------------------- errors: conflicting and wrong fds

def test_userns_with_unshare_user(sb, fds):
    fd = os.open("/proc/self/ns/user", os.O_RDONLY)
    os.set_inheritable(fd, True)
    fds.append(fd)
    sb.expect_error(ROOT + ["--userns", fd, "--unshare-user", "true"], "--userns", pass_fds=[fd])


def test_disable_userns_with_userns(sb, fds):
    fd = os.open("/proc/self/ns/user", os.O_RDONLY)
    os.set_inheritable(fd, True)
    fds.append(fd)
    sb.expect_error(ROOT + ["--userns", fd, "--disable-userns", "true"],
                    ["--disable-userns", "--userns"], pass_fds=[fd])


def _fd_of(kind, scratch):
    if kind == "write-only":
        fd = os.open(os.path.join(scratch, "wo"), os.O_WRONLY | os.O_CREAT, 0o600)
    elif kind == "read-only":
        fd = os.open(os.path.join(scratch, "ro"), os.O_RDONLY | os.O_CREAT, 0o600)
    elif kind == "O_PATH":
        fd = os.open(scratch, os.O_PATH)
    elif kind == "pipe-read":
        r, w = os.pipe()
        os.close(w)
        fd = r
    elif kind == "pipe-write":
        r, w = os.pipe()
        os.close(r)
        fd = w
    elif kind == "user-ns":
        fd = os.open("/proc/self/ns/user", os.O_RDONLY)
    else:
        raise ValueError(kind)
    os.set_inheritable(fd, True)
    return fd


WRONG_FDS = [
    ("--file", "write-only", ["/mnt/x"]),
    ("--file", "O_PATH", ["/mnt/x"]),
    ("--bind-data", "pipe-write", ["/mnt/x"]),
    ("--ro-bind-data", "write-only", ["/mnt/x"]),
    ("--block-fd", "write-only", []),
    ("--userns-block-fd", "pipe-write", []),
    ("--info-fd", "read-only", []),
    ("--info-fd", "pipe-read", []),
    ("--json-status-fd", "read-only", []),
    ("--userns", "read-only", []),
    ("--userns2", "pipe-read", []),
    ("--pidns", "read-only", []),
    ("--pidns", "user-ns", []),
]


@pytest.mark.cocoon_only("bwrap checks no fd when it parses the command line")
@pytest.mark.parametrize("flag,kind,rest", WRONG_FDS, ids=[f"{f}-{k}" for f, k, _ in WRONG_FDS])
def test_fd_open_for_wrong_purpose(sb, fds, scratch, flag, kind, rest):
    fd = _fd_of(kind, scratch)
    fds.append(fd)
    sb.expect_error(ROOT + ["--tmpfs", "/mnt", flag, fd] + rest + ["true"], flag, pass_fds=[fd])


CLOSED_FD_OPTS = [("--file", ["/mnt/x"]), ("--bind-data", ["/mnt/x"]), ("--ro-bind-data", ["/mnt/x"]),
                  ("--bind-fd", ["/mnt/x"]), ("--ro-bind-fd", ["/mnt/x"]), ("--sync-fd", []),
                  ("--block-fd", []), ("--info-fd", []), ("--json-status-fd", []),
                  ("--userns", []), ("--userns2", []), ("--pidns", [])]


@pytest.mark.cocoon_only("bwrap checks no fd when it parses the command line")
@pytest.mark.parametrize("flag,rest", CLOSED_FD_OPTS, ids=[f for f, _ in CLOSED_FD_OPTS])
def test_closed_fd(sb, flag, rest):
    r = sb.expect_error(ROOT + ["--tmpfs", "/mnt", flag, CLOSED_FD] + rest + ["true"], flag)
    assert str(CLOSED_FD) in r.err, r.describe()


# ---------------------------------------------------------------- SELinux labels

def selinux_enabled():
    try:
        with open("/sys/fs/selinux/enforce"):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("flag", ["--exec-label", "--file-label"])
def test_label_without_selinux_is_refused(sb, flag):
    """Where SELinux is not enabled, bwrap refuses both label options when
    it parses them (die_unless_label_valid: "labeling not supported on this
    system", exit 1; bubblewrap 0.8 through 0.11, with or without libselinux
    built in), and the command never runs. The issue asks cocoon to do what
    bwrap does there. This machine has SELinux off."""
    if selinux_enabled():
        pytest.skip("SELinux is enabled here: the labels would be applied")
    r = sb.expect_error(ROOT + [flag, "system_u:system_r:container_t:s0:c1,c2", "sh", "-c", "echo ran"],
                        [flag, "labeling not supported"])
    assert r.out == "", "the command ran"
