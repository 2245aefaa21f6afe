# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared helpers for the integration suite: running the launcher under a
given identity, parsing what the probe reports, and checking the host."""

import errno
import fcntl
import json
import os
import re
import select
import shlex
import signal
import struct
import subprocess
import time
from dataclasses import dataclass, field

DEFAULT_COCOON = "/work/main/build/src/cocoon"
DEFAULT_PROBE = "/work/main/build/tests/probe"

# Prefix of every directory this suite makes under /tmp.
TMP_PREFIX = "citest-"

# Environment given to the launcher unless a test asks for another one.
# A token unique to this run of the suite; every launcher started with
# BASE_ENV carries it, so leftover processes can be told apart from others.
SESSION_TOKEN = f"{os.getpid()}-{int(time.time())}"
# Set by conftest to the private bin dir once it exists.
BIN_MARK = None

BASE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/nonexistent-citest-home",
    "CITEST": SESSION_TOKEN,
}
# A sanitizer build of the launcher reads its settings from the environment:
# keep them, so that undefined behaviour fails the test that triggers it.
for _name in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
    if _name in os.environ:
        BASE_ENV[_name] = os.environ[_name]
# The suite runs against a sanitizer build when its settings are given.
SANITIZED = "ASAN_OPTIONS" in os.environ

SETPRIV = "/usr/bin/setpriv"

# The system calls that answer ENOSYS in this run of the suite: the runs
# integration-no-X of tests/meson.build start it under tests/enosys, whose
# seccomp filter refuses them, as gVisor or systemd's RestrictSUIDSGID=
# refuse openat2. The sandboxes inherit the filter.
ENOSYS_CALLS = frozenset(c for c in os.environ.get("COCOON_ENOSYS", "").split(",") if c)


def lacks(call):
    """Whether `call` answers ENOSYS in this run (see ENOSYS_CALLS)."""
    return call in ENOSYS_CALLS


def own_seccomp_filters():
    """How many seccomp programs this process (and so every sandbox it
    starts) already runs under: 0, or 1 under tests/enosys."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Seccomp_filters:"):
                return int(line.split()[1])
    return 0


def cap_last_cap():
    with open("/proc/sys/kernel/cap_last_cap") as f:
        return int(f.read())


ALL_CAPS = (1 << (cap_last_cap() + 1)) - 1

CAP = {
    "CAP_CHOWN": 0,
    "CAP_DAC_OVERRIDE": 1,
    "CAP_KILL": 5,
    "CAP_SETUID": 7,
    "CAP_NET_BIND_SERVICE": 10,
    "CAP_NET_ADMIN": 12,
    "CAP_NET_RAW": 13,
    "CAP_SYS_CHROOT": 18,
    "CAP_SYS_PTRACE": 19,
    "CAP_SYS_ADMIN": 21,
}


def host_caps():
    """Capability sets of this (the test) process, as ints."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
                out[k[3:].lower()] = int(v.strip(), 16)
    return out


def host_namespaces():
    ns = {}
    for name in os.listdir("/proc/self/ns"):
        target = os.readlink(f"/proc/self/ns/{name}")
        ns[name] = int(target[target.index("[") + 1:-1])
    return ns


# ---------------------------------------------------------------- identities

@dataclass
class Ident:
    name: str          # "root" or "user"
    uid: int
    gid: int
    wrap: list         # argv prefix that switches to this identity

    @property
    def is_root(self):
        return self.uid == 0


# ---------------------------------------------------------------- results

# cocoon's advice before a run ("cocoon: warning: ..."): kept apart from err,
# so that a test of something else sees the errors alone; the tests of the
# advice look at warnings.
WARNING_LINE = re.compile(r"^(<\d>)?cocoon: warning: ")


@dataclass
class Result:
    argv: list
    rc: int
    out: str
    err: str
    warnings: list = None
    raw_err: str = None

    def __post_init__(self):
        if self.warnings is None:
            lines = self.err.splitlines(keepends=True)
            self.raw_err = self.err
            self.warnings = [l.rstrip("\n") for l in lines if WARNING_LINE.match(l)]
            self.err = "".join(l for l in lines if not WARNING_LINE.match(l))

    def describe(self):
        shown = self.argv
        if len(shown) > 40:
            shown = shown[:30] + [f"...({len(self.argv) - 40} more)..."] + shown[-10:]
        return (f"command: {shlex.join(str(a) for a in shown)}\n"
                f"exit status: {self.rc}\nstderr: {self.raw_err if self.raw_err is not None else self.err!r}\nstdout: {self.out[:2000]!r}")

    def err_lines(self):
        return self.err.splitlines()


class ProbeFailed(AssertionError):
    pass


def _decode(b):
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")


# ---------------------------------------------------------------- mountinfo

_UNESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape(s):
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 8)), s)


@dataclass
class Mount:
    id: int
    parent: int
    root: str
    point: str
    opts: set
    fstype: str
    source: str
    super: dict = field(default_factory=dict)

    @property
    def ro(self):
        return "ro" in self.opts

    def __repr__(self):
        return (f"<{self.id}<-{self.parent} {self.point} {self.fstype} "
                f"{','.join(sorted(self.opts))} root={self.root}>")


def parse_mountinfo(lines):
    mounts = []
    for line in lines:
        left, _, right = line.partition(" - ")
        f = left.split()
        r = right.split()
        sup = {}
        for opt in (r[2].split(",") if len(r) > 2 else []):
            k, _, v = opt.partition("=")
            sup[k] = v
        mounts.append(Mount(int(f[0]), int(f[1]), _unescape(f[3]), _unescape(f[4]),
                            set(f[5].split(",")), r[0], _unescape(r[1]) if len(r) > 1 else "", sup))
    return mounts


def _under(ancestor, path):
    return ancestor == "/" and path != "/" or path.startswith(ancestor.rstrip("/") + "/")


def visible_mounts(mounts):
    """The mounts a path lookup can reach: at each mount point only the top
    one, nothing under a covered mount, and nothing under a later mount on
    a parent directory. mountinfo lists mounts in the order they were made."""
    ids = {m.id for m in mounts}
    children = {}
    for m in mounts:
        children.setdefault(m.parent, []).append(m)

    def top(m):
        while True:
            over = [c for c in children.get(m.id, []) if c.point == m.point and c is not m]
            if not over:
                return m
            m = over[-1]

    roots = [m for m in mounts if m.parent not in ids or m.parent == m.id]
    result = []
    stack = [top(roots[0])] if roots else []
    while stack:
        m = stack.pop()
        result.append(m)
        kids = [c for c in children.get(m.id, []) if c.point != m.point]
        for i, c in enumerate(kids):
            if any(d.point == c.point or _under(d.point, c.point) for d in kids[i + 1:]):
                continue
            stack.append(top(c))
    result.sort(key=lambda x: x.point)
    return result


def mount_at(mounts, point):
    """The visible mount at exactly this mount point, or None."""
    for m in visible_mounts(mounts):
        if m.point == point:
            return m
    return None


def host_mount_table():
    with open("/proc/self/mountinfo") as f:
        ms = parse_mountinfo(f.read().splitlines())
    return sorted((m.point, m.fstype, m.source, m.root) for m in ms)


# ---------------------------------------------------------------- processes

def procs_with(marker):
    """pids of host processes whose command line contains marker."""
    found = []
    mb = marker.encode()
    me = os.getpid()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                if mb in f.read():
                    found.append(int(d))
        except OSError:
            pass
    return found


def procs_of_session():
    """pids of live (non-zombie) host processes this suite started: their
    environment holds SESSION_TOKEN or their command line names our private
    bin dir. Other users of the machine (and of the test account) are never
    matched, so whatever this finds is ours to kill."""
    found = []
    me = os.getpid()
    token = f"CITEST={SESSION_TOKEN}".encode()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(f"/proc/{d}/environ", "rb") as f:
                env = f.read()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read()
        except (OSError, IndexError):
            continue
        if token in env.split(b"\0") or (BIN_MARK and BIN_MARK.encode() in cmd):
            found.append(int(d))
    return found


class Running:
    """A launcher started in the background with stdin, stdout and stderr on
    pipes (Sandbox.popen gives it /dev/null as stdin)."""

    def __init__(self, argv, env, cwd, pass_fds=()):
        self.argv = argv
        self.p = subprocess.Popen(argv, env=env, cwd=cwd, pass_fds=pass_fds,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)

    @property
    def pid(self):
        return self.p.pid

    def describe(self, out="", err=""):
        return Result(self.argv, self.p.returncode, out, err).describe()

    def readline(self):
        return self.p.stdout.readline().decode()

    def finish(self, data=b""):
        out, err = self.p.communicate(data, timeout=60)
        return Result(self.argv, self.p.returncode, out.decode(errors="replace"),
                      err.decode(errors="replace"))

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.communicate(timeout=30)


def read_json_object(fd, timeout=20.0):
    """Read from fd until what came parses as one JSON object; return it and
    the raw bytes."""
    buf = b""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return json.loads(buf.decode()), buf
        except ValueError:
            pass
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no complete JSON object on the fd (got {buf!r})")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise AssertionError(f"EOF before a complete JSON object (got {buf!r})")
        buf += chunk


def try_write_lock(path):
    """Try F_SETLK F_WRLCK on path from this process; return the errno (0 on
    success, the lock then being dropped again)."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)   # drops the lock, if taken


def ppid_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def descendants(pid):
    """pid and every process below it (by scanning /proc)."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                children.setdefault(ppid_of(int(d)), []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


# An outer sandbox that an inner launch can work in: its own /proc, so that
# the inner one can write its id maps.
NESTING = ["--ro-bind", "/", "/", "--unshare-pid", "--proc", "/proc"]


def refusing_profile(directory, names, err=errno.EPERM):
    """A --seccomp-profile file that allows everything but the calls named,
    which fail with err: what an outer sandbox's filter may do to us."""
    path = os.path.join(directory, "refuse.json")
    with open(path, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": names, "action": "SCMP_ACT_ERRNO", "errnoRet": err}]}, f)
    os.chmod(path, 0o644)
    return path


def alive(pid):
    """True while pid exists and is not a zombie. (This machine's init may be
    slow to reap orphans, so a dead orphan can linger as a zombie.)"""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_gone(pid_lister, timeout=10.0):
    """Poll until pid_lister() is empty; return what is left at the end."""
    deadline = time.monotonic() + timeout
    left = pid_lister()
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = pid_lister()
    return left


def readline(stream, timeout=30.0):
    """Read one line from a child's pipe, giving up (b"") after timeout
    seconds so that a hung launcher fails the test instead of hanging it."""
    fd = stream.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 1)
        if not chunk:
            break
        buf += chunk
    return buf


def kill_pids(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- the runner

def tagged_env(env):
    """The environment for a launcher run: BASE_ENV by default. A given
    environment gets the session token added, except an empty one, which
    stays empty (Flatpak starts the launcher that way)."""
    if env is None:
        return dict(BASE_ENV)
    if not env:
        return {}
    return dict(env, CITEST=SESSION_TOKEN)


class Sandbox:
    """Runs the launcher as one identity, with one scratch directory."""

    def __init__(self, ident, bins, scratch):
        self.ident = ident
        self.bins = bins
        self.scratch = scratch
        self.cocoon = bins.cocoon
        self.probe_path = bins.probe
        self.bindir = bins.dir
        self.windows = []   # (start, end) wall-clock times of launcher runs

    # -- basic roots
    @property
    def rootfs(self):
        return ["--ro-bind", "/", "/"]

    @property
    def minimal(self):
        """A root with only /usr, the usual top-level links, /proc and the probe."""
        args = ["--ro-bind", "/usr", "/usr"]
        for top in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
            p = "/" + top
            if os.path.islink(p):
                args += ["--symlink", os.readlink(p), p]
            elif os.path.isdir(p):
                args += ["--ro-bind", p, p]
        args += ["--ro-bind", self.bindir, self.bindir, "--proc", "/proc"]
        return args

    # -- running
    def argv(self, args, exe=None):
        return self.ident.wrap + [exe or self.cocoon] + [str(a) for a in args]

    def run(self, args, *, exe=None, env=None, cwd=None, pass_fds=(), input=None,
            timeout=60, stdin=subprocess.DEVNULL, preexec_fn=None):
        argv = self.argv(args, exe)
        t0 = time.time()
        try:
            p = self._run(argv, env, cwd, pass_fds, input, timeout, stdin, preexec_fn)
        finally:
            self.windows.append((t0, time.time()))
        return Result(argv, p.returncode, _decode(p.stdout), _decode(p.stderr))

    def _run(self, argv, env, cwd, pass_fds, input, timeout, stdin, preexec_fn):
        return subprocess.run(argv, env=tagged_env(env), cwd=cwd or self.scratch, pass_fds=pass_fds,
                              input=input, stdin=None if input is not None else stdin,
                              capture_output=True, timeout=timeout, preexec_fn=preexec_fn)

    def popen(self, args, *, exe=None, env=None, cwd=None, pass_fds=(),
              stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw):
        argv = self.argv(args, exe)
        return subprocess.Popen(argv, env=tagged_env(env),
                                cwd=cwd or self.scratch, pass_fds=pass_fds,
                                stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, **kw)

    def ok(self, args, **kw):
        r = self.run(args, **kw)
        if r.rc != 0:
            raise ProbeFailed("launcher failed\n" + r.describe())
        return r

    def probe(self, args, probe_args=(), *, command=None, **kw):
        """Run the probe under args and return what it reports."""
        cmd = [command or self.probe_path] + [str(a) for a in probe_args]
        r = self.run(list(args) + cmd, **kw)
        if r.rc != 0:
            raise ProbeFailed("probe run failed\n" + r.describe())
        try:
            data = json.loads(r.out)
        except ValueError as e:
            raise ProbeFailed(f"probe output is not JSON ({e})\n" + r.describe())
        data["_result"] = r
        data["_mounts"] = parse_mountinfo(data["mountinfo"]) if data.get("mountinfo") else None
        return data

    def expect_error(self, args, mentions, *, prefix=None, exe=None, **kw):
        """The launcher must fail with status 1 and exactly one stderr line
        that starts with the expected prefix and names one of mentions."""
        r = self.run(args, exe=exe, **kw)
        lines = r.err_lines()
        pfx = prefix if prefix is not None else self.bins.msg_prefix
        assert r.rc == 1, "expected exit status 1\n" + r.describe()
        assert len(lines) == 1 and r.err.endswith("\n"), \
            "expected exactly one line on stderr\n" + r.describe()
        assert lines[0].startswith(pfx), f"expected prefix {pfx!r}\n" + r.describe()
        if isinstance(mentions, str):
            mentions = [mentions]
        assert any(m in lines[0] for m in mentions), \
            f"error line names none of {mentions}\n" + r.describe()
        return r


def chown_tree(path, uid, gid):
    os.lchown(path, uid, gid)
    for base, dirs, files in os.walk(path):
        for n in dirs + files:
            os.lchown(os.path.join(base, n), uid, gid)


def memfd_with(data: bytes, name="args"):
    """An fd (inheritable) holding data, positioned at the start."""
    fd = os.memfd_create(name, 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


def nul_args(args):
    return b"".join(a.encode() + b"\0" for a in args)
