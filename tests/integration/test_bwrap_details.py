# SPDX-License-Identifier: LGPL-2.1-or-later
"""Details where cocoon once differed from bwrap (issue 13): the modes of the
parents that setup makes, --remount-ro on a --dev-bind, the identity the
working directory is entered with, and --unshare-user-try where the kernel
refuses a user namespace.

Each line runs under the launcher and is checked against what bwrap does
(measured with Debian's bwrap 0.8.0 and read in bubblewrap's sources). Where
/usr/bin/bwrap is installed, the same line also runs under it and the two
must agree."""

import errno
import json
import os

import pytest

from harness import mount_at

BWRAP = "/usr/bin/bwrap"
HAVE_BWRAP = os.access(BWRAP, os.X_OK)


def each_launcher(run):
    """run(exe) under the launcher, and under bwrap where it is installed:
    [(name, result)], the launcher's first."""
    out = [("launcher", run(None))]
    if HAVE_BWRAP:
        out.append(("bwrap", run(BWRAP)))
    return out


def _memfd(data=b"data\n"):
    fd = os.memfd_create("citest", 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


# ---------------------------------------------------------------- parents

# (name, option and its arguments before DEST, whether it takes an fd, the
# mode of the parents that bwrap makes). bwrap counts an operation without a
# mode of its own as mode 0; parents are 0755 less the group's bits when that
# mode has none for the group, less the others' when it has none for them.
PARENT_CASES = [
    ("bind", ["--bind", "{src}"], False, 0o700),
    ("ro-bind-file", ["--ro-bind", "{srcfile}"], False, 0o700),
    ("dev-bind", ["--dev-bind", "/dev/null"], False, 0o700),
    ("bind-try", ["--bind-try", "{src}"], False, 0o700),
    ("symlink", ["--symlink", "target"], False, 0o700),
    ("proc", ["--proc"], False, 0o700),
    ("dev", ["--dev"], False, 0o700),
    ("bind-fd", ["--bind-fd", "{fd}"], "dir", 0o700),
    ("ro-bind-data", ["--ro-bind-data", "{fd}"], "data", 0o700),
    ("bind-data", ["--bind-data", "{fd}"], "data", 0o700),
    ("bind-data-0644", ["--perms", "0644", "--bind-data", "{fd}"], "data", 0o755),
    ("file", ["--file", "{fd}"], "data", 0o755),
    ("file-0640", ["--perms", "0640", "--file", "{fd}"], "data", 0o750),
    ("dir", ["--dir"], False, 0o755),
    ("dir-0700", ["--perms", "0700", "--dir"], False, 0o700),
    ("dir-0750", ["--perms", "0750", "--dir"], False, 0o750),
    ("dir-0707", ["--perms", "0707", "--dir"], False, 0o705),
    ("dir-0000", ["--perms", "0000", "--dir"], False, 0o700),
    ("tmpfs", ["--tmpfs"], False, 0o755),
    ("tmpfs-0770", ["--perms", "0770", "--tmpfs"], False, 0o750),
]


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask022", "umask077"])
def test_parent_modes_as_bwrap(sb, scratch, umask):
    src = os.path.join(scratch, "src")
    os.mkdir(src, 0o755)
    srcfile = os.path.join(src, "f")
    with open(srcfile, "w") as f:
        f.write("x\n")
    os.chmod(srcfile, 0o644)
    cases = list(PARENT_CASES)
    if sb.ident.is_root:   # a user may not mount mqueue, under bwrap either
        cases.append(("mqueue", ["--mqueue"], False, 0o700))

    def run(exe):
        fds, args, probe_args = [], sb.minimal + ["--tmpfs", "/t"], []
        for name, opt, takes_fd, _ in cases:
            fd = None
            if takes_fd:
                fd = _memfd() if takes_fd == "data" else os.open(src, os.O_PATH)
                fds.append(fd)
            args += [a.format(src=src, srcfile=srcfile, fd=fd) for a in opt] + [f"/t/{name}/p/q/x"]
            probe_args += ["--stat", f"/t/{name}/p", "--stat", f"/t/{name}/p/q"]
        # what --dir, --file and --tmpfs make themselves: their mode, whatever the umask
        probe_args += ["--stat", "/t/dir/p/q/x", "--stat", "/t/file/p/q/x", "--stat", "/t/dir-0750/p/q/x",
                       "--stat", "/t/tmpfs/p/q/x"]
        try:
            return sb.probe(args, probe_args, exe=exe, pass_fds=fds, preexec_fn=lambda: os.umask(umask))
        finally:
            for fd in fds:
                os.close(fd)

    for who, d in each_launcher(run):
        got = {p: st.get("mode", st.get("error")) for p, st in d["stat"].items()}
        want = {}
        for name, _, _, mode in cases:
            want[f"/t/{name}/p"] = want[f"/t/{name}/p/q"] = mode
        want.update({"/t/dir/p/q/x": 0o755, "/t/file/p/q/x": 0o666, "/t/dir-0750/p/q/x": 0o750,
                     "/t/tmpfs/p/q/x": 0o755})
        wrong = {p: (oct(got[p]) if isinstance(got[p], int) else got[p], oct(m))
                 for p, m in want.items() if got.get(p) != m}
        assert not wrong, f"under {who}, path: (mode, bwrap's mode): {wrong}"


def test_parent_modes_of_cocoons_own_operations(sb, scratch):
    """The overlays (bwrap 0.11 has them; 0.8 does not) and cocoon's --sys
    take no --perms either: their parents are 0700 by the same rule."""
    lower, lower2 = os.path.join(scratch, "lower"), os.path.join(scratch, "lower2")
    os.mkdir(lower, 0o755)
    os.mkdir(lower2, 0o755)
    args = sb.minimal + ["--tmpfs", "/t", "--overlay-src", lower, "--tmp-overlay", "/t/o/p/q/x",
                         "--overlay-src", lower, "--overlay-src", lower2, "--ro-overlay", "/t/r/p/q/x",
                         "--sys", "/t/s/p/q/x"]
    paths = [f"/t/{n}/p{q}" for n in "ors" for q in ("", "/q")]
    d = sb.probe(args, [a for p in paths for a in ("--stat", p)])
    modes = {p: d["stat"][p].get("mode", d["stat"][p].get("error")) for p in paths}
    assert all(m == 0o700 for m in modes.values()), modes


def test_no_parents_for_a_missing_try_source(sb):
    """A -try bind whose source is missing makes nothing, not even parents."""
    for who, d in each_launcher(lambda exe: sb.probe(
            sb.minimal + ["--tmpfs", "/t", "--bind-try", "/nonexistent-citest", "/t/a/b"],
            ["--stat", "/t/a"], exe=exe)):
        assert "error" in d["stat"]["/t/a"], f"under {who}: {d['stat']}"


# ---------------------------------------------------------------- --remount-ro

@pytest.mark.parametrize("remount", [True, False], ids=["remounted", "dev-bind-only"])
def test_remount_ro_makes_nodev(sb, remount):
    """A --dev-bind remounted read-only is nodev too, as bwrap's is: the
    device node can no longer be opened. Without the remount it can."""
    args = sb.minimal + ["--tmpfs", "/t", "--dev-bind", "/dev/null", "/t/null"]
    if remount:
        args += ["--remount-ro", "/t/null"]
    for who, d in each_launcher(lambda exe: sb.probe(args, ["--write", "/t/null"], exe=exe)):
        m = mount_at(d["_mounts"], "/t/null")
        assert m is not None, f"under {who}: no mount on /t/null"
        flags = {f for f in ("ro", "nosuid", "nodev") if f in m.opts}
        if remount:
            assert flags == {"ro", "nosuid", "nodev"}, (who, m)
            assert d["write"]["/t/null"] != "ok", (who, d["write"])
        else:
            assert flags == {"nosuid"}, (who, m)
            assert d["write"]["/t/null"] == "ok", (who, d["write"])


def test_remount_ro_is_not_recursive(sb, scratch):
    """Only the mount at DEST changes, as with bwrap: a bind below it keeps
    its flags."""
    args = sb.minimal + ["--tmpfs", "/t", "--dev-bind", "/dev/null", "/t/null", "--remount-ro", "/t"]
    for who, d in each_launcher(lambda exe: sb.probe(args, ["--write", "/t/null", "--write", "/t/x"], exe=exe)):
        assert d["write"]["/t/null"] == "ok", (who, d["write"])
        assert d["write"]["/t/x"] != "ok", (who, d["write"])
        assert "nodev" not in mount_at(d["_mounts"], "/t/null").opts, who


# ---------------------------------------------------------------- the working directory

LOCKED = ["--tmpfs", "/t", "--perms", "0000", "--dir", "/t/locked", "--chdir", "/t/locked"]


@pytest.mark.parametrize("caps", [[], ["--cap-drop", "ALL"], ["--cap-add", "CAP_DAC_OVERRIDE"]],
                         ids=["default", "cap-drop-all", "cap-add-dac-override"])
def test_chdir_with_the_commands_capabilities(sb, caps):
    """--chdir is entered with the capabilities the command gets: a root
    caller keeps CAP_DAC_OVERRIDE (and enters a 0000 directory) unless it
    drops it; a user has none unless it adds it."""
    can_enter = (sb.ident.is_root and not caps) or "CAP_DAC_OVERRIDE" in caps
    args = sb.minimal + caps + LOCKED
    for who, r in each_launcher(lambda exe: sb.run(args + ["/bin/sh", "-c", "pwd"], exe=exe)):
        if can_enter:
            assert r.rc == 0 and r.out == "/t/locked\n", f"under {who}\n" + r.describe()
        else:
            assert r.rc == 1 and len(r.err_lines()) == 1 and "Permission denied" in r.err, \
                f"under {who}\n" + r.describe()
    if not can_enter:
        sb.expect_error(args + ["true"], "--chdir")


def test_chdir_refused_message_under_bwrap_name(sb):
    args = sb.minimal + ["--cap-drop", "ALL"] + LOCKED + ["true"]
    want = "bwrap: Can't chdir to /t/locked: Permission denied\n"
    got = sb.run(args, exe=sb.bins.bwrap_link)
    assert (got.rc, got.err) == (1, want), got.describe()
    if HAVE_BWRAP:
        ref = sb.run(args, exe=BWRAP)
        assert (ref.rc, ref.err) == (1, want), ref.describe()


def test_default_cwd_passes_over_a_directory_the_command_may_not_enter(sb):
    """Without --chdir, the caller's directory is used only if the command
    may enter it; else $HOME is tried, as bwrap does."""
    args = sb.minimal + ["--perms", "0000", "--dir", sb.scratch, "--setenv", "HOME", "/usr"]
    want = sb.scratch if sb.ident.is_root else "/usr"
    for who, d in each_launcher(lambda exe: sb.probe(args, exe=exe, cwd=sb.scratch)):
        assert d["cwd"] == want, (who, d["cwd"])
        assert f"PWD={want}" in d["env"], (who, d["env"])


# ---------------------------------------------------------------- --unshare-user-try refused

CLONE_NEWUSER = 0x10000000


def _no_userns_profile(directory):
    """A seccomp profile for an outer sandbox that refuses user namespaces
    with EPERM, as Docker's default profile does (clone3 gets ENOSYS, so
    that callers fall back to clone, whose flags a filter can see)."""
    path = os.path.join(directory, "no-userns.json")
    masked = {"index": 0, "value": CLONE_NEWUSER, "valueTwo": CLONE_NEWUSER, "op": "SCMP_CMP_MASKED_EQ"}
    with open(path, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["clone", "unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EPERM, "args": [masked]},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS}]}, f)
    os.chmod(path, 0o644)
    return path


@pytest.fixture
def refused(sb, scratch):
    """An argv prefix: the launcher inside an outer one whose seccomp
    filter refuses user namespaces. Checked to refuse them."""
    outer = ["--dev-bind", "/", "/", "--seccomp-profile", _no_userns_profile(scratch), "--"]
    r = sb.run(outer + ["/usr/bin/unshare", "--user", "true"])
    assert r.rc != 0 and "Operation not permitted" in r.err, r.describe()
    return outer + [sb.cocoon]


@pytest.mark.parametrize("flags", [["--unshare-user-try"], ["--unshare-all", "--proc", "/proc"]],
                         ids=["unshare-user-try", "unshare-all"])
def test_unshare_user_try_goes_on_when_refused(sb, refused, host_ns, flags):
    """As --help promises, a root caller goes on without the user namespace
    the kernel refused, and says so in one line; the other namespaces are
    still made. (bwrap 0.8 gives up instead.) A caller that is not root has
    nothing to go on with: one clear line, status 1."""
    r = sb.run(refused + flags + ["--ro-bind", "/", "/", sb.probe_path])
    if not sb.ident.is_root:
        assert r.rc == 1 and len(r.err_lines()) == 1, r.describe()
        assert "Operation not permitted" in r.err, r.describe()
        return
    assert r.rc == 0, r.describe()
    assert len(r.err_lines()) == 1 and "--unshare-user-try" in r.err and "without" in r.err, r.describe()
    d = json.loads(r.out)
    assert d["ns"]["user"] == host_ns["user"] and d["uid"][0] == 0, (d["ns"], d["uid"])
    if "--unshare-all" in flags:
        assert d["ns"]["pid"] != host_ns["pid"] and d["ns"]["net"] != host_ns["net"], d["ns"]


@pytest.mark.parametrize("flags,names", [
    (["--unshare-user"], "namespaces"),
    (["--unshare-user-try", "--uid", "1234"], "--uid"),
    (["--unshare-user-try", "--disable-userns"], "--disable-userns"),
], ids=["explicit", "uid", "disable-userns"])
def test_no_silent_downgrade_when_refused(sb, refused, flags, names):
    """What needs a user namespace fails when the kernel refuses one."""
    r = sb.run(refused + flags + ["--ro-bind", "/", "/", "true"])
    assert r.rc == 1 and len(r.err_lines()) == 1, r.describe()
    if sb.ident.is_root:
        assert names in r.err, r.describe()
