# SPDX-License-Identifier: LGPL-2.1-or-later
"""Setup must never write on the host through a symlink planted in the new
root, the old root must be gone, and no run leaves anything behind."""

import errno
import json
import os
import shutil
import tempfile

import pytest

import harness
from harness import TMP_PREFIX, chown_tree, host_mount_table

# Links planted in a writable dir that is bound into the sandbox. The launcher
# (like bwrap) keeps the host reachable under /oldroot while it builds the
# new root, so links aimed there are the dangerous ones.
LINKS = {
    "absolute": "{victim}",
    "oldroot": "/oldroot{victim}",
    "newroot-dotdot": "/newroot/../oldroot{victim}",
    "relative": "../../../../../../../../..{victim}",
    "relative-oldroot": "../../../../../../../../../oldroot{victim}",
}

OPS = {
    "dir": lambda p, src: ["--dir", f"{p}/made"],
    "dir-nested": lambda p, src: ["--dir", f"{p}/a/b/c"],
    "tmpfs": lambda p, src: ["--tmpfs", f"{p}/t"],
    "bind-dir": lambda p, src: ["--bind", src, f"{p}/b"],
    "ro-bind-file": lambda p, src: ["--ro-bind", os.path.join(src, "f"), f"{p}/f"],
    "symlink": lambda p, src: ["--symlink", "anything", f"{p}/s"],
    "dev": lambda p, src: ["--dev", f"{p}/dev"],
    "perms-dir": lambda p, src: ["--perms", "0700", "--dir", f"{p}/pd"],
    "bind-onto-link": lambda p, src: ["--bind", src, p],
    "tmpfs-onto-link": lambda p, src: ["--tmpfs", p],
}


@pytest.fixture
def victim():
    """A host directory that any escape would write into: empty and
    world-writable, so that only the launcher's care keeps it empty."""
    d = tempfile.mkdtemp(prefix=TMP_PREFIX + "victim-", dir="/tmp")
    os.chmod(d, 0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def snapshot(path):
    out = []
    for base, dirs, files in os.walk(path):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(base, n), path))
    return sorted(out)


# bwrap 0.8 follows links into /oldroot while it builds the new root.
_BWRAP_ESCAPES = pytest.mark.cocoon_only("bwrap follows a planted symlink into /oldroot during setup")
LINK_PARAMS = [pytest.param(k, id=k, marks=[_BWRAP_ESCAPES] if "oldroot" in v else [])
               for k, v in LINKS.items()]


@pytest.mark.parametrize("link", LINK_PARAMS)
@pytest.mark.parametrize("op", list(OPS))
def test_planted_symlink_cannot_reach_host(sb, scratch, victim, link, op):
    w = os.path.join(scratch, "w")
    src = os.path.join(scratch, "src")
    os.mkdir(w)
    os.mkdir(src)
    with open(os.path.join(src, "f"), "w") as f:
        f.write("payload\n")
    os.symlink(LINKS[link].format(victim=victim), os.path.join(w, "esc"))
    if os.geteuid() == 0:
        for p in (w, src, os.path.join(src, "f"), os.path.join(w, "esc")):
            os.lchown(p, sb.ident.uid, sb.ident.gid)
    mounts_before = host_mount_table()

    r = sb.run(sb.minimal + ["--bind", w, "/w"] + OPS[op]("/w/esc", src) + ["true"])

    assert snapshot(victim) == [], \
        f"setup wrote on the host through a planted symlink: {snapshot(victim)}\n" + r.describe()
    assert host_mount_table() == mounts_before, "host mount table changed\n" + r.describe()
    assert r.rc in (0, 1), r.describe()
    if r.rc == 1:
        assert len(r.err_lines()) == 1, r.describe()


@_BWRAP_ESCAPES
def test_planted_symlink_in_parent_chain(sb, scratch, victim):
    """The link sits in the middle of the destination path."""
    w = os.path.join(scratch, "w")
    os.makedirs(os.path.join(w, "sub"))
    os.symlink(f"/oldroot{victim}", os.path.join(w, "sub", "mid"))
    if os.geteuid() == 0:
        chown_tree(w, sb.ident.uid, sb.ident.gid)
    sb.run(sb.minimal + ["--bind", w, "/w", "--dir", "/w/sub/mid/x/y", "--tmpfs", "/w/sub/mid/x/t", "true"])
    assert snapshot(victim) == []


def test_symlink_source_resolved_as_caller(sb, scratch):
    """A symlinked bind *source* is resolved on the host, as the caller: a
    link to a file the caller cannot read gives an error, not its content."""
    if sb.ident.is_root:
        pytest.skip("root can read everything")
    if os.geteuid() != 0:
        pytest.skip("needs root to make a file the test user cannot read")
    secret_dir = tempfile.mkdtemp(prefix=TMP_PREFIX + "secret-", dir="/tmp")
    try:
        os.chmod(secret_dir, 0o700)
        with open(os.path.join(secret_dir, "s"), "w") as f:
            f.write("secret\n")
        os.symlink(os.path.join(secret_dir, "s"), os.path.join(scratch, "link"))
        r = sb.run(["--ro-bind", "/", "/", "--tmpfs", "/mnt", "--ro-bind", os.path.join(scratch, "link"),
                    "/mnt/s", "cat", "/mnt/s"])
        assert "secret" not in r.out, r.describe()
        assert r.rc == 1, r.describe()
    finally:
        shutil.rmtree(secret_dir)


# ---------------------------------------------------------------- the old root

def test_old_root_gone(sb):
    d = sb.probe(sb.minimal, ["--stat", "/oldroot", "--stat", "/newroot"])
    points = {m.point for m in d["_mounts"]}
    allowed = {"/", "/usr", sb.bindir}
    extra = sorted(p for p in points if p not in allowed and not p.startswith("/proc"))
    assert not extra, f"mounts beyond the requested ones are visible: {extra}"
    for p in ("/oldroot", "/newroot"):
        assert "error" in d["stat"][p], f"{p} is visible inside"


def test_root_is_a_private_tmpfs(sb):
    d = sb.probe(sb.minimal, ["--write", "/x"])
    root = [m for m in d["_mounts"] if m.point == "/"]
    assert root and root[-1].fstype == "tmpfs", root


def test_root_propagation_not_shared(sb):
    """No mount inside is shared with the host (root propagation is slave)."""
    d = sb.probe(sb.rootfs)
    for line in d["mountinfo"]:
        optional = line.split(" - ")[0].split()[6:]
        assert not any(o.startswith("shared:") for o in optional), line


# ---------------------------------------------------------------- nothing left behind

@pytest.mark.usefixtures("tmp_unchanged")
def test_runs_leave_nothing_behind(sb, scratch):
    with open("/proc/self/mountinfo") as f:
        before = [ln.split(" ", 4)[4] for ln in f.read().splitlines()]
    src = os.path.join(scratch, "src")
    os.mkdir(src)
    runs = [
        sb.rootfs + ["true"],
        sb.rootfs + ["--unshare-all", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "true"],
        sb.minimal + ["--bind", src, "/a/b", "--dir", "/c", "--symlink", "x", "/d", "--tmpfs", "/e", "true"],
        sb.rootfs + ["--frobnicate"],                                   # parse error
        sb.rootfs + ["--bind", "/nonexistent-citest", "/x", "true"],    # setup error
        sb.rootfs + ["--tmpfs", "/mnt", "--remount-ro", "/mnt", "--dir", "/mnt/x", "true"],  # late error
        sb.rootfs + ["/nonexistent-citest-cmd"],                        # exec error
        sb.rootfs + ["sh", "-c", "kill -9 $$"],                         # killed
    ]
    for args in runs:
        sb.run(args)
    with open("/proc/self/mountinfo") as f:
        after = [ln.split(" ", 4)[4] for ln in f.read().splitlines()]
    assert after == before
    assert os.listdir(src) == []


# ---------------------------------------------------------------- what the sandbox can reach through pid 1

def _pid1_of(launcher):
    """The sandbox's first process: the launcher's child."""
    kids = [p for p in harness.descendants(launcher) if p != launcher and harness.ppid_of(p) == launcher]
    assert len(kids) == 1, f"the launcher should have one child, not {kids}"
    return kids[0]


@pytest.mark.parametrize("status", [True, False], ids=["forked-reaper", "execd-reaper"])
def test_reaper_holds_nothing_from_the_host(sb, scratch, status):
    """pid 1 (the reaper) must hold only what it was handed (the standard
    fds) and its lock files: never the host's /proc (used for --unshare-time
    and --disable-userns), the monitor's pidfd or any fd of the launcher's
    own, and nothing of the caller's environment. With status fds (and a
    time namespace) pid 1 starts as a fork of the launcher; without, it sets
    up in the launcher's memory; either way it then execs the freestanding
    reaper, and must still hold the lock. Looked at from outside: from
    inside, pid 1 is out of reach (test_pid1)."""
    lock = os.path.join(scratch, "lock")
    open(lock, "w").close()
    if os.geteuid() == 0:
        os.chown(lock, sb.ident.uid, sb.ident.gid)
    info = os.path.join(scratch, "info.json")
    status = os.path.join(scratch, "status.json")
    ifd = os.open(info, os.O_WRONLY | os.O_CREAT, 0o644)
    sfd = os.open(status, os.O_WRONLY | os.O_CREAT, 0o644)
    bfd = os.open("/dev/zero", os.O_RDONLY)
    extra = ["--unshare-time", "--info-fd", str(ifd), "--json-status-fd", str(sfd), "--block-fd", str(bfd)]
    env = dict(harness.BASE_ENV, CITEST_SECRET="citest-secret-value")
    p = sb.popen(sb.minimal + ["--bind", scratch, scratch, "--unshare-user", "--unshare-pid", "--disable-userns",
                               "--unsetenv", "CITEST_SECRET", "--lock-file", lock, *(extra if status else []),
                               "sh", "-c", "echo ready; exec sleep 30"], pass_fds=(ifd, sfd, bfd), env=env)
    for fd in (ifd, sfd, bfd):
        os.close(fd)
    try:
        assert harness.readline(p.stdout) == b"ready\n", "the sandbox did not start"
        pid1 = _pid1_of(p.pid)
        targets = []
        for fd in os.listdir(f"/proc/{pid1}/fd"):
            try:
                targets.append(os.readlink(f"/proc/{pid1}/fd/{fd}"))
            except FileNotFoundError:
                pass
        with open(f"/proc/{pid1}/environ", "rb") as f:
            environ = f.read()
    finally:
        p.kill()
        p.communicate()
    # /dev/null and pipes: the fds the test handed in as stdin/stdout/stderr
    allowed = {"/dev/null", lock}
    odd = [t for t in targets if t not in allowed and not t.startswith(("pipe:", "socket:"))]
    assert not odd, f"pid 1 holds fds it should not: {odd}"
    assert lock in targets, f"pid 1 let go of its lock: {targets}"
    assert b"citest-secret-value" not in environ and b"CITEST" not in environ, environ


# ---------------------------------------------------------------- the session keyring

# Run as the identity under test. "outside LAUNCHER...": give this process a
# session keyring of its own holding one key, run "LAUNCHER... python3 THIS
# inside", then look for the key made inside. "inside": look for the caller's
# key and make one. Prints one JSON object; errors are negative errnos.
KEYRING_DRIVER = r"""
import ctypes, json, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_add_key, SYS_request_key, SYS_keyctl = 248, 249, 250
KEYCTL_GET_KEYRING_ID, KEYCTL_JOIN_SESSION_KEYRING = 0, 1
SESSION = -3

def call(nr, *args):
    conv = [a if isinstance(a, bytes) or a is None else ctypes.c_long(a) for a in args]
    r = libc.syscall(ctypes.c_long(nr), *conv)
    return r if r >= 0 else -ctypes.get_errno()

def session_id():
    return call(SYS_keyctl, KEYCTL_GET_KEYRING_ID, SESSION, 0)

def find(name):
    return call(SYS_request_key, b"user", name, None, 0)

if sys.argv[1] == "inside":
    found = find(b"cocoon-caller-secret")
    made = call(SYS_add_key, b"user", b"cocoon-made-inside", b"x", 1, SESSION)
    print(json.dumps({"session": session_id(), "found": found, "made": made}))
    sys.exit(0)

call(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, None)
secret = call(SYS_add_key, b"user", b"cocoon-caller-secret", b"s3cret", 6, SESSION)
outside = {"session": session_id(), "secret": secret, "found": find(b"cocoon-caller-secret")}
r = subprocess.run(sys.argv[2:] + [sys.executable, sys.argv[0], "inside"], capture_output=True, text=True)
if r.returncode != 0:
    sys.exit("sandbox failed (%d): %s" % (r.returncode, r.stderr))
print(json.dumps({"outside": outside, "inside": json.loads(r.stdout),
                  "after": find(b"cocoon-made-inside")}))
"""


@pytest.mark.cocoon_only("bwrap leaves the caller's session keyring in place")
def test_sandbox_gets_its_own_session_keyring(sb, scratch):
    """The caller's session keys are out of reach inside, and a key made
    inside does not land in the caller's session keyring."""
    driver = os.path.join(scratch, "keyring.py")
    with open(driver, "w") as f:
        f.write(KEYRING_DRIVER)
    os.chmod(driver, 0o644)
    r = sb.run([driver, "outside", sb.cocoon, *sb.rootfs], exe="/usr/bin/python3")
    assert r.rc == 0, r.describe()
    report = json.loads(r.out)
    out, inside = report["outside"], report["inside"]
    # The control: the key exists, and the caller's own session finds it.
    assert out["secret"] > 0 and out["found"] == out["secret"], report
    assert inside["session"] > 0 and inside["session"] != out["session"], report
    assert inside["found"] == -errno.ENOKEY, report
    # Keys can be made inside; they stay inside.
    assert inside["made"] > 0, report
    assert report["after"] == -errno.ENOKEY, report


NESTING = harness.NESTING


@pytest.mark.cocoon_only("bwrap leaves the caller's session keyring in place")
def test_keyring_calls_filtered_away_are_no_obstacle(sb, scratch):
    """Where a filter already refuses every key call, as Flatpak's does, the
    inner launch goes on: the command inherits the refusal."""
    profile = harness.refusing_profile(scratch, ["keyctl", "add_key", "request_key"])
    r = sb.run([*NESTING, "--seccomp-profile", profile, sb.cocoon, *sb.rootfs, "true"])
    assert r.rc == 0, r.describe()


@pytest.mark.cocoon_only("bwrap leaves the caller's session keyring in place")
@pytest.mark.parametrize("err,text", [(errno.EPERM, "Operation not permitted"),
                                      (errno.ENOSYS, "Function not implemented")])
def test_keyring_refused_while_keys_reachable_fails_closed(sb, scratch, err, text):
    """keyctl refused (or made to look missing) but add_key and request_key
    allowed: the caller's session would stay reachable, so the inner launch
    refuses to go on."""
    profile = harness.refusing_profile(scratch, ["keyctl"], err)
    r = sb.run([*NESTING, "--seccomp-profile", profile, sb.cocoon, *sb.rootfs, "true"])
    assert r.rc == 1, r.describe()
    assert r.err_lines() == [f"{sb.bins.msg_prefix}can't give the sandbox its own session keyring: {text}"], r.describe()
