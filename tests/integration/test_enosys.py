# SPDX-License-Identifier: LGPL-2.1-or-later
"""Kernels without the newer system calls (see src/syscalls.h).

Each test runs the launcher under tests/enosys, whose seccomp filter makes
the named calls answer ENOSYS, as gVisor and systemd's RestrictSUIDSGID= do
for openat2. Without openat2 cocoon walks paths itself: the symlink attacks on
sources and destinations are replayed here against that walk, and each passes
only if the attack fails, with the same outcome as the lookup with openat2.
Calls without a fallback must fail with one line naming the call and the
Linux release that brought it."""

import ctypes
import json
import os
import shutil
import subprocess
import threading

import pytest

from harness import chown_tree, parse_mountinfo, visible_mounts

pytestmark = pytest.mark.cocoon_only("cocoon's answers to a kernel without newer system calls")


@pytest.fixture(scope="module")
def enosys_bin(bins):
    """tests/enosys, copied next to the launcher for both identities."""
    src = os.environ.get("COCOON_ENOSYS_HELPER") or os.path.join(
        os.path.dirname(os.environ.get("COCOON_PROBE", "/work/main/build/tests/probe")), "enosys")
    if not os.access(src, os.X_OK):
        pytest.fail(f"COCOON_ENOSYS_HELPER={src} is not an executable file (build first)")
    dst = os.path.join(bins.dir, "enosys")
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o755)
    return dst


class Without:
    """Runs the launcher with some system calls answering ENOSYS."""

    def __init__(self, sb, enosys_bin, calls):
        self.sb, self.bin, self.calls = sb, enosys_bin, calls

    def run(self, args, **kw):
        return self.sb.run([self.calls, self.sb.cocoon] + list(args), exe=self.bin, **kw)

    def expect_error(self, args, mentions, **kw):
        return self.sb.expect_error([self.calls, self.sb.cocoon] + list(args), mentions, exe=self.bin, **kw)


@pytest.fixture
def no_openat2(sb, enosys_bin):
    return Without(sb, enosys_bin, "openat2")


def same_outcome(sb, without, args):
    """Run args with openat2 and without: the exit status, the output and
    the error line must be the same. Returns the run without."""
    plain, walked = sb.run(args), without.run(args)
    assert (plain.rc, plain.out, plain.err) == (walked.rc, walked.out, walked.err), \
        "with openat2:\n" + plain.describe() + "\nwithout:\n" + walked.describe()
    return walked


def own(sb, *paths):
    if os.geteuid() == 0:
        for p in paths:
            chown_tree(p, sb.ident.uid, sb.ident.gid)


# ---------------------------------------------------------------- sources

def listing(sb, without, source):
    r = without.run(sb.minimal + ["--ro-bind", source, "/mnt", "ls", "-a", "/mnt"])
    assert r.rc == 0, r.describe()
    return set(r.out.split())


@pytest.mark.parametrize("text", ["/", "/..", "../../../../../../../../../../..", "/../../usr/.."])
def test_source_link_cannot_climb_out_of_the_host_root(sb, no_openat2, scratch, text):
    """Sources resolve in the host's root, which cocoon has moved to
    /oldroot under its own base tmpfs: a link to "/" or ".." above the root
    must stop at the host's root, never reach the base (newroot, oldroot)."""
    link = os.path.join(scratch, "up")
    os.symlink(text, link)
    seen = listing(sb, no_openat2, link + "/")
    assert {"usr", "proc"} <= seen and "oldroot" not in seen and "newroot" not in seen, seen


def test_source_dotdot_above_the_root_stops_there(sb, no_openat2, scratch):
    seen = listing(sb, no_openat2, "/../../../../" + scratch.lstrip("/") + "/../../../..")
    assert "usr" in seen and "oldroot" not in seen, seen


def test_source_link_loop_fails(sb, no_openat2, scratch):
    os.symlink("b", os.path.join(scratch, "a"))
    os.symlink("a", os.path.join(scratch, "b"))
    no_openat2.expect_error(sb.minimal + ["--ro-bind", os.path.join(scratch, "a"), "/mnt", "true"],
                            "Too many levels of symbolic links")


def test_source_link_chain_is_bounded_like_the_kernel(sb, no_openat2, scratch):
    """40 links are followed, as openat2 and the kernel's own lookups do; the
    41st fails with ELOOP. Both sides of the limit match the run with openat2."""
    target = os.path.join(scratch, "target")
    os.mkdir(target)
    for i in range(41):
        os.symlink(f"l{i + 1}" if i < 40 else "target", os.path.join(scratch, f"l{i}"))
    ok = same_outcome(sb, no_openat2, sb.minimal + ["--ro-bind", os.path.join(scratch, "l1"), "/mnt", "true"])
    assert ok.rc == 0, ok.describe()
    bad = same_outcome(sb, no_openat2, sb.minimal + ["--ro-bind", os.path.join(scratch, "l0"), "/mnt", "true"])
    assert bad.rc == 1 and "Too many levels of symbolic links" in bad.err, bad.describe()


def test_source_trailing_slash_on_a_file_fails(sb, no_openat2, scratch):
    f = os.path.join(scratch, "f")
    open(f, "w").close()
    r = same_outcome(sb, no_openat2, sb.minimal + ["--ro-bind", f + "/", "/mnt", "true"])
    assert r.rc == 1 and "Not a directory" in r.err, r.describe()


def test_source_magic_link_still_binds(sb, no_openat2):
    """Flatpak binds /proc/self/ns/user: a magic link, which the walk lets
    the kernel follow, as the lookup with openat2 does."""
    r = no_openat2.run(sb.minimal + ["--tmpfs", "/run", "--ro-bind", "/proc/self/ns/user", "/run/userns",
                                     "stat", "-c", "%F", "/run/userns"])
    assert r.rc == 0 and r.out.strip() == "regular empty file", r.describe()


# ---------------------------------------------------------------- destinations

@pytest.fixture
def proj(sb, scratch):
    """A writable bind (/proj) that the sandbox's user could have filled with
    links, and a host directory that nothing binds."""
    p, host = os.path.join(scratch, "proj"), os.path.join(scratch, "host")
    os.mkdir(p)
    os.mkdir(host)
    return p, host


def test_absolute_link_in_a_bind_cannot_reach_the_host(sb, no_openat2, proj):
    p, host = proj
    os.symlink(host, os.path.join(p, "out"))
    own(sb, p)
    same_outcome(sb, no_openat2, sb.minimal + ["--bind", p, "/proj", "--dir", "/proj/out/made", "true"])
    assert os.listdir(host) == []


def test_dotdot_link_cannot_climb_above_the_new_root(sb, no_openat2, proj):
    p, host = proj
    name = f"citest-escape-{os.getpid()}"
    os.symlink("../../../../../../../../../../..", os.path.join(p, "up"))
    own(sb, p)
    same_outcome(sb, no_openat2, sb.minimal + ["--bind", p, "/proj", "--dir", f"/proj/up/{name}", "true"])
    assert not os.path.exists("/" + name) and not os.path.exists(os.path.join(p, name))


def test_destination_link_loop_fails(sb, no_openat2, proj):
    p, _ = proj
    os.symlink("loop", os.path.join(p, "loop"))
    own(sb, p)
    r = same_outcome(sb, no_openat2, sb.minimal + ["--bind", p, "/proj", "--dir", "/proj/loop/x", "true"])
    assert r.rc == 1, r.describe()
    assert sorted(os.listdir(p)) == ["loop"]


def test_destination_link_into_another_bind_is_refused(sb, no_openat2, proj, scratch):
    p, _ = proj
    cfg = os.path.join(scratch, "cfg")
    os.mkdir(cfg)
    os.symlink("/cfg", os.path.join(p, "cfg"))
    own(sb, p, cfg)
    r = same_outcome(sb, no_openat2, sb.minimal + ["--bind", p, "/proj", "--bind", cfg, "/cfg",
                                                   "--dir", "/proj/cfg/planted", "true"])
    assert r.rc == 1 and "refusing to follow it" in r.err, r.describe()
    assert os.listdir(cfg) == []


_libc = ctypes.CDLL(None, use_errno=True)
RENAME_EXCHANGE = 2


def _exchange(a, b):
    if _libc.renameat2(-100, a.encode(), -100, b.encode(), RENAME_EXCHANGE) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def test_link_swapped_in_during_setup_never_leads_out(sb, no_openat2, proj, scratch):
    """A host thread swaps /proj/x between a directory and a link to another
    bind as fast as it can while launches make things below /proj/x: the
    walk holds an fd of each directory it checked, so whatever it meets,
    nothing lands in the other bind."""
    p, _ = proj
    cfg = os.path.join(scratch, "cfg")
    os.mkdir(cfg)
    x, y = os.path.join(p, "x"), os.path.join(p, "y")
    os.mkdir(x)
    os.symlink("/cfg", y)
    own(sb, p, cfg)
    stop = threading.Event()
    flips = [0]

    def flipper():
        while not stop.is_set():
            _exchange(x, y)
            flips[0] += 1

    ops = ["--dir", "/proj/x/made", "--symlink", "s", "/proj/x/s", "--tmpfs", "/proj/x/t"]
    refused = 0
    t = threading.Thread(target=flipper, daemon=True)
    t.start()
    try:
        for _ in range(60):
            r = no_openat2.run(sb.minimal + ["--bind", p, "/proj", "--bind", cfg, "/cfg"] + ops + ["true"],
                               timeout=30)
            assert r.rc in (0, 1), r.describe()
            refused += "refusing to follow it" in r.err
            assert os.listdir(cfg) == [], r.describe()
    finally:
        stop.set()
        t.join()
    assert flips[0] > 60 and refused > 0, (flips, refused)


# ---------------------------------------------------------------- mounts without mount_setattr

def test_read_only_all_the_way_down_without_mount_setattr(sb, enosys_bin, root_tree):
    """Every submount a path reaches is read-only, nosuid and nodev; the
    lower of two tmpfs stacked on one point, which no path reaches, may keep
    its flags (src/mountattr.h)."""
    w = Without(sb, enosys_bin, "mount_setattr")
    r = w.run(["--ro-bind", "/", "/", "--tmpfs", "/mnt", "--ro-bind", root_tree, "/mnt/tree",
               sb.probe_path])
    assert r.rc == 0, r.describe()
    mounts = parse_mountinfo(json.loads(r.out)["mountinfo"])
    under = [m for m in mounts if m.point.startswith("/mnt/tree")]
    reach = {m.id for m in visible_mounts(mounts)}
    assert len(under) == 5, under
    assert all({"ro", "nosuid", "nodev"} <= m.opts for m in under if m.id in reach), under
    assert len([m for m in under if m.id not in reach]) == 1, under


def test_covered_submount_cannot_be_uncovered_without_mount_setattr(sb, enosys_bin, root_tree):
    """The attack on what the remounts leave: with CAP_SYS_ADMIN in the
    sandbox, take the upper tmpfs off the stacked point and write to what
    was under it. The lock on the sandbox's mounts must refuse the unmount,
    and the write must fail."""
    w = Without(sb, enosys_bin, "mount_setattr")
    script = ("umount -l /mnt/tree/stacked 2>/dev/null && echo unmounted; "
              "echo x > /mnt/tree/stacked/w 2>/dev/null && echo wrote; echo done")
    r = w.run(sb.minimal + ["--unshare-user", "--cap-add", "CAP_SYS_ADMIN", "--tmpfs", "/mnt",
                            "--ro-bind", root_tree, "/mnt/tree", "sh", "-c", script])
    assert r.rc == 0 and r.out.split() == ["done"], r.describe()


def test_remount_ro_without_mount_setattr(sb, enosys_bin, scratch):
    w = Without(sb, enosys_bin, "mount_setattr")
    d = os.path.join(scratch, "d")
    os.mkdir(d)
    own(sb, d)
    r = w.run(sb.minimal + ["--bind", d, "/d", "--remount-ro", "/d", "sh", "-c",
                            "touch /d/x 2>/dev/null && echo wrote; echo done"])
    assert r.rc == 0 and r.out.split() == ["done"], r.describe()
    w.expect_error(sb.minimal + ["--dir", "/notmount", "--remount-ro", "/notmount", "true"],
                   "not a mount point")


@pytest.fixture
def nosymfollow_tree(scratch):
    """A tmpfs mounted nosymfollow (by real root) with a link in it."""
    if os.geteuid() != 0:
        pytest.skip("needs real root to mount the tmpfs fixture")
    top = os.path.join(scratch, "nsf")
    sub = os.path.join(top, "sub")
    os.makedirs(sub)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "nosymfollow,size=1m", "citest", sub], check=True)
    try:
        os.symlink("/usr", os.path.join(sub, "l"))
        os.chmod(top, 0o755)
        yield top
    finally:
        subprocess.run(["umount", sub], check=False)


def test_remounts_keep_nosymfollow(sb, enosys_bin, nosymfollow_tree):
    """A remount sets every flag at once: one that dropped nosymfollow from
    a submount would let the sandbox follow links the host refused."""
    w = Without(sb, enosys_bin, "mount_setattr")
    r = w.run(sb.minimal + ["--ro-bind", nosymfollow_tree, "/n", "sh", "-c",
                            "grep ' /n/sub ' /proc/self/mountinfo; ls /n/sub/l/ && echo followed; true"])
    assert r.rc == 0, r.describe()
    assert "nosymfollow" in r.out.split()[5].split(",") and "followed" not in r.out, r.describe()


# ---------------------------------------------------------------- one clear error, or a fallback

@pytest.mark.parametrize("call,args,names", [
    ("open_tree", ["--ro-bind", "/etc", "/etc"], "this kernel lacks open_tree (Linux 5.2)"),
    ("move_mount", ["--tmpfs", "/tmp"], "this kernel lacks move_mount (Linux 5.2)"),
    ("fsopen", ["--tmpfs", "/tmp"], "this kernel lacks fsopen (Linux 5.2)"),
    ("fsmount", ["--tmpfs", "/tmp"], "this kernel lacks fsmount (Linux 5.2)"),
    ("pidfd_open", ["--die-with-parent"], "pidfd_open (Linux 5.3)"),
    ("pidfd_open", ["--unshare-all", "--cap-add", "CAP_SYS_ADMIN"], "this kernel lacks pidfd_open (Linux 5.3)"),
    ("landlock_create_ruleset", ["--landlock"], "this kernel lacks Landlock"),
])
def test_missing_call_without_fallback_is_one_clear_error(sb, enosys_bin, call, args, names):
    Without(sb, enosys_bin, call).expect_error(sb.minimal + args + ["true"], names)


@pytest.mark.parametrize("call", ["pidfd_open", "memfd_create", "execveat"])
def test_missing_call_with_fallback_still_runs(sb, enosys_bin, call):
    """Without pidfd_open, the sandbox's first process asks /proc whether the
    monitor lives; without memfd_create or execveat, pid 1 runs the reaper's
    loop itself."""
    r = Without(sb, enosys_bin, call).run(sb.minimal + ["--unshare-pid", "--die-with-parent", "sh", "-c",
                                                        "echo $$"])
    assert r.rc == 0 and r.out.split() == ["2"], r.describe()
