# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures for the integration suite.

COCOON and COCOON_PROBE name the launcher and the probe. Both are copied into
a world-readable directory so that the unprivileged identity can run them.
Every test that takes the `sb` (or `ident`) fixture runs twice: as root and as
an unprivileged user, made here when the suite starts as root."""

import ctypes
import functools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import pytest

import harness
from harness import Ident, Sandbox, TMP_PREFIX

# The unprivileged account: made by the suite when missing, and removed
# again at its end if it made it.
TEST_USER = os.environ.get("COCOON_TEST_USER", "cocoon-test")


@functools.lru_cache(maxsize=None)
def target_version():
    """First line of `COCOON --version` (run once, as the suite's user)."""
    path = os.environ.get("COCOON", harness.DEFAULT_COCOON)
    try:
        out = subprocess.run([path, "--version"], capture_output=True, timeout=30,
                             env=harness.BASE_ENV).stdout.decode()
    except OSError:
        return ""
    return out.strip().splitlines()[0] if out.strip() else ""


def target_is_bwrap():
    return target_version().startswith("bubblewrap")


def pytest_runtest_setup(item):
    m = item.get_closest_marker("cocoon_only")
    if m is not None and target_is_bwrap():
        why = m.args[0] if m.args else "cocoon-specific behaviour"
        pytest.skip(f"cocoon-only ({target_version()} under test): {why}")


def pytest_report_header(config):
    return [f"COCOON={os.environ.get('COCOON', harness.DEFAULT_COCOON)} ({target_version() or 'not runnable'})",
            f"COCOON_PROBE={os.environ.get('COCOON_PROBE', harness.DEFAULT_PROBE)}"]


# ---------------------------------------------------------------- binaries

@dataclass
class Bins:
    dir: str
    cocoon: str        # the launcher copy
    probe: str         # the probe copy
    bwrap_link: str    # a symlink named bwrap to the launcher copy
    link_dir: str      # directory holding only that link
    is_bwrap: bool     # the launcher under test is bubblewrap itself
    version: str

    @property
    def msg_prefix(self):
        if self.is_bwrap or os.path.basename(self.cocoon) == "bwrap":
            return "bwrap: "
        return "cocoon: "


@pytest.fixture(scope="session")
def bins():
    src = os.environ.get("COCOON", harness.DEFAULT_COCOON)
    probe = os.environ.get("COCOON_PROBE", harness.DEFAULT_PROBE)
    for what, p in (("COCOON", src), ("COCOON_PROBE", probe)):
        if not os.access(p, os.X_OK):
            pytest.fail(f"{what}={p} is not an executable file (build first, or set {what})")
    d = tempfile.mkdtemp(prefix=TMP_PREFIX + "bin-", dir="/tmp")
    os.chmod(d, 0o755)
    try:
        name = os.path.basename(src)
        cocoon = os.path.join(d, name)
        shutil.copyfile(src, cocoon)
        os.chmod(cocoon, 0o755)
        probe_copy = os.path.join(d, "probe")
        shutil.copyfile(probe, probe_copy)
        os.chmod(probe_copy, 0o755)
        link_dir = os.path.join(d, "link")
        os.mkdir(link_dir, 0o755)
        os.chmod(link_dir, 0o755)
        link = os.path.join(link_dir, "bwrap")
        os.symlink(cocoon, link)
        harness.BIN_MARK = d
        yield Bins(d, cocoon, probe_copy, link, link_dir, target_is_bwrap(), target_version())
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- identities

@dataclass
class Account:
    uid: int
    gid: int


@pytest.fixture(scope="session")
def unpriv_account():
    """The unprivileged user, created when missing (the suite runs as root)."""
    made = False
    try:
        pw = pwd.getpwnam(TEST_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run([useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", TEST_USER],
                       check=True, capture_output=True)
        pw = pwd.getpwnam(TEST_USER)
        made = True
    assert pw.pw_uid != 0
    try:
        yield Account(pw.pw_uid, pw.pw_gid)
    finally:
        if made:
            _remove_account(TEST_USER, pw.pw_uid)


def _remove_account(name, uid):
    # Nothing of the account may outlive the suite: its processes first,
    # then the account and its group.
    subprocess.run([shutil.which("pkill") or "/usr/bin/pkill", "-KILL", "-U", str(uid)], capture_output=True)
    userdel = shutil.which("userdel") or "/usr/sbin/userdel"
    r = subprocess.run([userdel, name], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"conftest: could not remove the account {name}: {r.stderr.strip()}")


@pytest.fixture(params=["root", "user"])
def ident(request):
    if request.param == "root":
        if os.geteuid() != 0:
            pytest.skip("root case: the suite was not started as root")
        return Ident("root", 0, 0, [])
    if os.geteuid() == 0:
        acct = request.getfixturevalue("unpriv_account")
        return Ident("user", acct.uid, acct.gid,
                     [harness.SETPRIV, f"--reuid={acct.uid}", f"--regid={acct.gid}",
                      "--clear-groups", "--"])
    return Ident("user", os.getuid(), os.getgid(), [])


_libc = ctypes.CDLL(None, use_errno=True)
MNT_DETACH = 2


def _mounts_under(path):
    return [m for m in harness.parse_mountinfo(open("/proc/self/mountinfo").read().splitlines())
            if m.point == path or m.point.startswith(path + "/")]


def make_scratch(ident, tag="s"):
    d = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{tag}-", dir="/tmp")
    os.chmod(d, 0o755)
    if os.geteuid() == 0:
        os.chown(d, ident.uid, ident.gid)
    return d


def remove_scratch(d):
    """Remove a scratch dir; unmount anything left on it first. Returns the
    mount points that had to be unmounted (there should be none)."""
    left = _mounts_under(d)
    for _ in range(10):
        now = _mounts_under(d)
        if not now:
            break
        for m in sorted(now, key=lambda m: -len(m.point)):
            _libc.umount2(m.point.encode(), MNT_DETACH)
    shutil.rmtree(d, ignore_errors=True)
    return [m.point for m in left]


@pytest.fixture
def scratch(ident):
    """A per-test directory under /tmp, 0755, owned by the identity."""
    d = make_scratch(ident)
    try:
        yield d
    finally:
        left = remove_scratch(d)
        assert not left, f"mounts left on the host under the scratch dir: {left}"


@pytest.fixture
def sb(ident, bins, scratch):
    """The runner. On teardown it checks that the host's mount table did not
    change and that no process of the unprivileged user is left."""
    before = harness.host_mount_table()
    yield Sandbox(ident, bins, scratch)
    problems = []
    left = harness.wait_gone(harness.procs_of_session, timeout=5)
    if left:
        cmds = {}
        for p in left:
            try:
                cmds[p] = open(f"/proc/{p}/cmdline", "rb").read().replace(b"\0", b" ").decode()[:300]
            except OSError:
                pass
        harness.kill_pids(left)
        problems.append(f"processes started by this test outlived it: {cmds}")
    after = harness.host_mount_table()
    if before != after:
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        problems.append(f"host mount table changed: added {added}, removed {removed}")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def host_ns():
    return harness.host_namespaces()


@pytest.fixture(scope="session")
def host_caps():
    return harness.host_caps()


@pytest.fixture
def root_tree(ident):
    """A directory holding tmpfs submounts, made by real root:
         TREE/            plain dir with file 'top'
         TREE/inner       tmpfs (0777) with file 'f'
         TREE/inner/deep  tmpfs (0777)
         TREE/stacked     two tmpfs stacked on one point (0777 each)
    All writable by the unprivileged user, so a failed write shows that the
    mount is read-only, not that permissions forbid it."""
    if os.geteuid() != 0:
        pytest.skip("needs real root to mount the tmpfs fixture")
    d = tempfile.mkdtemp(prefix=TMP_PREFIX + "tree-", dir="/tmp")
    os.chmod(d, 0o777)
    try:
        open(os.path.join(d, "top"), "w").close()
        os.chmod(os.path.join(d, "top"), 0o666)
        for sub in ("inner", "stacked"):
            os.mkdir(os.path.join(d, sub))

        def tmpfs(p):
            subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0777,size=1m", "citest", p],
                           check=True, capture_output=True)
        tmpfs(os.path.join(d, "inner"))
        with open(os.path.join(d, "inner", "f"), "w") as f:
            f.write("inner\n")
        os.chmod(os.path.join(d, "inner", "f"), 0o666)
        os.mkdir(os.path.join(d, "inner", "deep"))
        tmpfs(os.path.join(d, "inner", "deep"))
        tmpfs(os.path.join(d, "stacked"))
        tmpfs(os.path.join(d, "stacked"))
        yield d
    finally:
        remove_scratch(d)


# Where a launcher might put a mount point or a scratch file on the host.
LEAK_DIRS = ("/tmp", "/var/tmp", "/run", "/mnt")

# Names that other programs on a shared developer machine create all the time
# (shells, mktemp, gcc's temporaries); this suite's own dirs start TMP_PREFIX.
_OTHERS = re.compile(r"^(bash_tool_|bash_jobs|tmp\.|pytest-of-|hsperfdata|cc[A-Za-z0-9]{6}\.)")


def _listing():
    out = set()
    for d in LEAK_DIRS:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        out |= {os.path.join(d, n) for n in names if not n.startswith(TMP_PREFIX) and not _OTHERS.match(n)}
    return out


@pytest.fixture
def tmp_unchanged(sb):
    """Fails the test when a new entry appears directly under /tmp, /var/tmp,
    /run or /mnt while one of the test's launcher runs was going on. (Entries
    made outside those windows come from other programs on the machine.)"""
    before = _listing()
    yield
    leaked = []
    for path in sorted(_listing() - before):
        try:
            ctime = os.lstat(path).st_ctime
        except OSError:
            continue
        if any(t0 - 0.05 <= ctime <= t1 + 0.05 for t0, t1 in sb.windows):
            st = os.lstat(path)
            leaked.append(f"{path} (uid {st.st_uid}, mode {oct(st.st_mode)})")
    assert not leaked, f"new entries left on the host by a launcher run: {leaked}"
