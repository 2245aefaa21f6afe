# SPDX-License-Identifier: LGPL-2.1-or-later
"""Filesystem operations: binds (and -try forms), --remount-ro, --tmpfs,
--dir, --symlink, --perms, --size, ordering and stacking, and read-only
submounts."""

import os
import socket
import stat

import pytest

import harness
from harness import chown_tree, mount_at, visible_mounts

ROOT = ["--ro-bind", "/", "/"]
EROFS = "Read-only file system"


def flags(m):
    return {f for f in ("ro", "rw", "nosuid", "nodev", "noexec") if f in m.opts}


def make_tree(sb, base, files=("marker",)):
    os.makedirs(base, exist_ok=True)
    for f in files:
        with open(os.path.join(base, f), "w") as fh:
            fh.write(f + "\n")
    if os.geteuid() == 0:
        chown_tree(base, sb.ident.uid, sb.ident.gid)
    return base


# ---------------------------------------------------------------- ro-bind /

def test_ro_bind_root_every_visible_mount_ro(sb):
    d = sb.probe(ROOT)
    vis = visible_mounts(d["_mounts"])
    assert vis, "no mounts seen"
    bad = [m for m in vis if not {"ro", "nosuid", "nodev"} <= m.opts]
    assert not bad, f"mounts under --ro-bind / / that are not ro,nosuid,nodev: {bad}"


def test_ro_bind_root_write_fails(sb, scratch):
    target = os.path.join(scratch, "new")
    d = sb.probe(ROOT, ["--write", target, "--access", "/tmp"])
    assert d["write"][target] == EROFS
    assert d["access"]["/tmp"] == EROFS
    assert not os.path.exists(target)


@pytest.mark.cocoon_only("bwrap leaves covered (over-mounted) submounts writable")
def test_ro_bind_root_every_mount_ro_including_covered(sb):
    d = sb.probe(ROOT)
    bad = [m for m in d["_mounts"] if m.point != "/" and "ro" not in m.opts
           and not m.point.startswith(("/proc", "/dev"))]
    # /proc and /dev are untouched here (no --proc/--dev), so every mount
    # inside comes from the read-only bind of /
    assert not bad, f"mounts under --ro-bind / / left writable: {bad}"


# ---------------------------------------------------------------- bind, ro-bind, dev-bind

def test_bind_rw_writes_reach_host(sb, scratch):
    d = sb.probe(ROOT + ["--bind", scratch, "/mnt"], ["--write", "/mnt/hello"])
    assert d["write"]["/mnt/hello"] == "ok"
    m = mount_at(d["_mounts"], "/mnt")
    assert flags(m) >= {"rw", "nosuid", "nodev"}, m
    path = os.path.join(scratch, "hello")
    assert open(path).read() == "probe\n"
    st = os.stat(path)
    assert (st.st_uid, st.st_gid) == (sb.ident.uid, sb.ident.gid), "file owned by the caller on the host"


def test_ro_bind_dir(sb, scratch):
    make_tree(sb, os.path.join(scratch, "src"))
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--ro-bind", os.path.join(scratch, "src"), "/mnt/ro"],
                 ["--read", "/mnt/ro/marker", "--write", "/mnt/ro/new"])
    assert d["read"]["/mnt/ro/marker"]["data"] == "marker\n"
    assert d["write"]["/mnt/ro/new"] == EROFS
    assert flags(mount_at(d["_mounts"], "/mnt/ro")) >= {"ro", "nosuid", "nodev"}


def test_dev_bind_allows_devices(sb):
    d = sb.probe(ROOT + ["--dev-bind", "/dev", "/dev"], ["--read", "/dev/null", "--write", "/dev/null"])
    m = mount_at(d["_mounts"], "/dev")
    assert "nodev" not in m.opts, m
    assert d["read"]["/dev/null"] == {"data": ""}
    assert d["write"]["/dev/null"] == "ok"


def test_dev_bind_is_still_nosuid(sb, scratch):
    d = sb.probe(ROOT + ["--dev-bind", "/dev", "/dev", "--dev-bind", scratch, "/mnt"])
    for p in ("/dev", "/mnt"):
        m = mount_at(d["_mounts"], p)
        assert "nosuid" in m.opts and "nodev" not in m.opts, m


def test_bind_forbids_devices(sb):
    d = sb.probe(ROOT + ["--bind", "/dev", "/dev"], ["--read", "/dev/null"])
    assert "nodev" in mount_at(d["_mounts"], "/dev").opts
    assert "error" in d["read"]["/dev/null"], "device nodes must not open under --bind"


def test_bind_is_nosuid(sb, scratch):
    d = sb.probe(ROOT + ["--bind", scratch, scratch])
    assert {"nosuid", "nodev"} <= mount_at(d["_mounts"], scratch).opts


@pytest.mark.parametrize("flag", ["--bind-try", "--ro-bind-try", "--dev-bind-try"])
def test_try_missing_source_is_skipped(sb, scratch, flag):
    missing = os.path.join(scratch, "missing")
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", flag, missing, "/mnt/x"], ["--stat", "/mnt/x"])
    assert "error" in d["stat"]["/mnt/x"], "no destination is made for a skipped -try bind"
    assert mount_at(d["_mounts"], "/mnt/x") is None


@pytest.mark.parametrize("flag,ro", [("--bind-try", False), ("--ro-bind-try", True), ("--dev-bind-try", False)])
def test_try_existing_source_binds(sb, scratch, flag, ro):
    src = make_tree(sb, os.path.join(scratch, "src"))
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", flag, src, "/mnt/x"], ["--read", "/mnt/x/marker"])
    assert d["read"]["/mnt/x/marker"]["data"] == "marker\n"
    assert mount_at(d["_mounts"], "/mnt/x").ro == ro


def test_relative_source_resolves_against_callers_cwd(sb, scratch):
    make_tree(sb, os.path.join(scratch, "rel", "usr"))
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--ro-bind", "usr", "/mnt/u"], ["--read", "/mnt/u/marker"],
                 cwd=os.path.join(scratch, "rel"))
    assert d["read"]["/mnt/u/marker"]["data"] == "marker\n"


def test_relative_destination_is_from_root(sb):
    """ansible-runner passes a relative destination such as `dev`."""
    d = sb.probe(sb.minimal + ["--tmpfs", "mnt", "--dir", "mnt/rel"], ["--stat", "/mnt/rel"], cwd="/usr")
    assert d["stat"]["/mnt/rel"]["type"] == "dir"
    assert mount_at(d["_mounts"], "/mnt").fstype == "tmpfs"


def test_bind_file_onto_missing_destination(sb, scratch):
    src = os.path.join(make_tree(sb, os.path.join(scratch, "src"), ["file.txt"]), "file.txt")
    d = sb.probe(sb.minimal + ["--ro-bind", src, "/a/b/file"],
                 ["--read", "/a/b/file", "--stat", "/a", "--stat", "/a/b", "--stat", "/a/b/file"])
    assert d["read"]["/a/b/file"]["data"] == "file.txt\n"
    assert d["stat"]["/a/b/file"]["type"] == "reg"
    for p in ("/a", "/a/b"):
        assert d["stat"][p]["type"] == "dir", (p, d["stat"][p])
    assert mount_at(d["_mounts"], "/a/b/file").ro


def test_bind_dir_onto_missing_destination(sb, scratch):
    src = make_tree(sb, os.path.join(scratch, "src"))
    d = sb.probe(sb.minimal + ["--bind", src, "/x/y/z"], ["--stat", "/x", "--stat", "/x/y", "--read", "/x/y/z/marker"])
    assert d["read"]["/x/y/z/marker"]["data"] == "marker\n"
    assert d["stat"]["/x"]["type"] == "dir" and d["stat"]["/x/y"]["type"] == "dir"


def test_bind_destination_parents_0700(sb, scratch):
    """Missing parents of a bind or a --symlink are 0700, as bwrap makes
    them (its operations without a mode count as mode 0)."""
    src = make_tree(sb, os.path.join(scratch, "src"), ["file.txt"])
    d = sb.probe(sb.minimal + ["--bind", src, "/x/y/z", "--ro-bind", os.path.join(src, "file.txt"), "/f/g/h",
                               "--symlink", "t", "/s/u/l"],
                 ["--stat", "/x", "--stat", "/x/y", "--stat", "/f", "--stat", "/f/g", "--stat", "/s",
                  "--stat", "/s/u"])
    modes = {p: oct(st["mode"]) for p, st in d["stat"].items()}
    assert set(modes.values()) == {"0o700"}, modes


def test_bind_socket(sb, scratch):
    path = os.path.join(scratch, "s.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    try:
        if os.geteuid() == 0:
            os.chown(path, sb.ident.uid, sb.ident.gid)
        d = sb.probe(sb.minimal + ["--bind", path, "/run/app/bus"], ["--stat", "/run/app/bus"])
    finally:
        srv.close()
    assert d["stat"]["/run/app/bus"]["type"] == "sock"


def test_bind_socket_is_connectable(sb, scratch):
    path = os.path.join(scratch, "s.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    os.chmod(path, 0o777)
    srv.listen(1)
    try:
        r = sb.ok(ROOT + ["--tmpfs", "/run", "--bind", path, "/run/bus",
                          "/usr/bin/python3", "-c",
                          "import socket; s = socket.socket(socket.AF_UNIX); s.connect('/run/bus'); print('ok')"])
    finally:
        srv.close()
    assert r.out == "ok\n", r.describe()


def test_dev_bind_single_device_node(sb):
    d = sb.probe(sb.minimal + ["--dev-bind", "/dev/null", "/dev/null", "--dev-bind", "/dev/zero", "/z"],
                 ["--stat", "/dev/null", "--stat", "/z", "--write", "/dev/null"])
    assert d["stat"]["/dev/null"]["type"] == "chr" and d["stat"]["/dev/null"]["rdev"] == [1, 3]
    assert d["stat"]["/z"]["type"] == "chr" and d["stat"]["/z"]["rdev"] == [1, 5]
    assert d["write"]["/dev/null"] == "ok"


def test_ro_bind_device_node_unusable(sb):
    d = sb.probe(sb.minimal + ["--ro-bind", "/dev/null", "/null"], ["--stat", "/null", "--read", "/null"])
    assert d["stat"]["/null"]["type"] == "chr"
    assert "error" in d["read"]["/null"]


# ---------------------------------------------------------------- bind onto /

def test_bind_dir_onto_root_then_remount_ro(sb, scratch):
    root = make_tree(sb, os.path.join(scratch, "newroot"), ["marker"])
    args = ["--bind", root, "/"] + sb.minimal + ["--remount-ro", "/"]
    d = sb.probe(args, ["--read", "/marker", "--write", "/newfile"])
    assert d["read"]["/marker"]["data"] == "marker\n"
    assert d["write"]["/newfile"] == EROFS
    m = mount_at(d["_mounts"], "/")
    assert m.ro and "nosuid" in m.opts, m
    assert not os.path.exists(os.path.join(root, "newfile"))


def test_bind_root_onto_root_then_remount_ro(sb, scratch):
    """--remount-ro is not recursive: a rw submount stays writable."""
    inner = os.path.join(scratch, "inner")
    os.mkdir(inner)
    if os.geteuid() == 0:
        os.chown(inner, sb.ident.uid, sb.ident.gid)
    d = sb.probe(["--bind", "/", "/", "--bind", inner, inner, "--remount-ro", "/"],
                 ["--write", "/citest-new", "--write", os.path.join(inner, "f")])
    assert mount_at(d["_mounts"], "/").ro
    assert d["write"]["/citest-new"] == EROFS
    assert d["write"][os.path.join(inner, "f")] == "ok"
    assert not os.path.exists("/citest-new")


# ---------------------------------------------------------------- remount-ro

def test_remount_ro(sb, scratch):
    d = sb.probe(ROOT + ["--bind", scratch, "/mnt", "--remount-ro", "/mnt"], ["--write", "/mnt/x"])
    assert d["write"]["/mnt/x"] == EROFS
    assert flags(mount_at(d["_mounts"], "/mnt")) >= {"ro", "nosuid", "nodev"}


def test_remount_ro_tmpfs(sb):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--dir", "/mnt/d", "--remount-ro", "/mnt"],
                 ["--stat", "/mnt/d", "--write", "/mnt/f"])
    assert d["stat"]["/mnt/d"]["type"] == "dir"
    assert d["write"]["/mnt/f"] == EROFS


def test_ops_after_remount_ro_fail(sb):
    """Operations apply in order: a --dir after --remount-ro cannot create."""
    r = sb.run(ROOT + ["--tmpfs", "/mnt", "--remount-ro", "/mnt", "--dir", "/mnt/late", "true"])
    assert r.rc == 1, r.describe()
    assert "/mnt/late" in r.err, r.describe()


# ---------------------------------------------------------------- tmpfs, dir, perms, size

def test_tmpfs_defaults(sb):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt"], ["--stat", "/mnt", "--write", "/mnt/f"])
    m = mount_at(d["_mounts"], "/mnt")
    assert m.fstype == "tmpfs" and flags(m) >= {"rw", "nosuid", "nodev"}, m
    assert d["stat"]["/mnt"]["mode"] == 0o755
    assert d["stat"]["/mnt"]["uid"] == sb.ident.uid
    assert d["write"]["/mnt/f"] == "ok"


def test_tmpfs_missing_parents(sb):
    d = sb.probe(sb.minimal + ["--tmpfs", "/p/q/t"], ["--stat", "/p", "--stat", "/p/q", "--stat", "/p/q/t"])
    for p in ("/p", "/p/q", "/p/q/t"):
        assert d["stat"][p]["type"] == "dir" and d["stat"][p]["mode"] == 0o755, (p, d["stat"][p])
    assert mount_at(d["_mounts"], "/p/q/t").fstype == "tmpfs"


def test_perms_apply_to_next_op_only(sb):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt",
                         "--perms", "0700", "--tmpfs", "/mnt/t1", "--tmpfs", "/mnt/t2",
                         "--perms", "01777", "--dir", "/mnt/d1", "--dir", "/mnt/d2",
                         "--perms", "0750", "--dir", "/mnt/d3"],
                 ["--stat", "/mnt/t1", "--stat", "/mnt/t2", "--stat", "/mnt/d1", "--stat", "/mnt/d2",
                  "--stat", "/mnt/d3"])
    modes = {p: st["mode"] for p, st in d["stat"].items()}
    assert modes == {"/mnt/t1": 0o700, "/mnt/t2": 0o755, "/mnt/d1": 0o1777, "/mnt/d2": 0o755,
                     "/mnt/d3": 0o750}, {k: oct(v) for k, v in modes.items()}


def test_dir_existing_is_fine(sb, scratch):
    d = sb.probe(ROOT + ["--bind", scratch, "/mnt", "--dir", "/mnt", "--dir", "/mnt/new"],
                 ["--stat", "/mnt/new"])
    assert d["stat"]["/mnt/new"]["type"] == "dir"
    assert os.path.isdir(os.path.join(scratch, "new")), "--dir in a rw bind shows on the host"


def test_size(sb):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--size", "1048576", "--tmpfs", "/mnt/s", "--tmpfs", "/mnt/u"])
    s = mount_at(d["_mounts"], "/mnt/s")
    u = mount_at(d["_mounts"], "/mnt/u")
    assert s.super.get("size") == "1024k", s.super
    assert u.super.get("size") != "1024k", u.super


def test_size_limits_writes(sb):
    script = "head -c 200000 /dev/zero > /mnt/s/f 2>/dev/null; echo $?"
    r = sb.ok(ROOT + ["--dev", "/dev", "--tmpfs", "/mnt", "--size", "65536", "--tmpfs", "/mnt/s",
                      "sh", "-c", script])
    assert r.out.strip() != "0", "writing past --size must fail\n" + r.describe()


def test_perms_and_size_together(sb):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--perms", "0711", "--size", "2097152", "--tmpfs", "/mnt/x"],
                 ["--stat", "/mnt/x"])
    assert d["stat"]["/mnt/x"]["mode"] == 0o711
    assert mount_at(d["_mounts"], "/mnt/x").super.get("size") == "2048k"


# ---------------------------------------------------------------- symlink

def test_symlink(sb):
    d = sb.probe(sb.minimal + ["--symlink", "/some/where", "/l1", "--symlink", "usr//lib", "/l2",
                               "--symlink", "../rel", "/deep/er/l3"],
                 ["--stat", "/l1", "--stat", "/l2", "--stat", "/deep/er/l3", "--stat", "/deep"])
    st = d["stat"]
    assert st["/l1"]["type"] == "lnk" and st["/l1"]["target"] == "/some/where"
    assert st["/l2"]["target"] == "usr//lib", "targets are kept verbatim, // included"
    assert st["/deep/er/l3"]["target"] == "../rel"
    assert st["/deep"]["type"] == "dir"


@pytest.mark.cocoon_only("an identical existing --symlink succeeds from bwrap 0.9; Debian's 0.8 fails")
def test_symlink_identical_existing_succeeds(sb):
    d = sb.probe(sb.minimal + ["--symlink", "a//b", "/l", "--symlink", "a//b", "/l"], ["--stat", "/l"])
    assert d["stat"]["/l"]["target"] == "a//b"


@pytest.mark.cocoon_only("an identical existing --symlink succeeds from bwrap 0.9; Debian's 0.8 fails")
def test_symlink_identical_to_existing_host_link(sb):
    """The usual merged-/usr lines: --ro-bind / / then --symlink usr/lib /lib."""
    if not os.path.islink("/lib"):
        pytest.skip("host /lib is not a symlink")
    target = os.readlink("/lib")
    d = sb.probe(ROOT + ["--symlink", target, "/lib"], ["--stat", "/lib"])
    assert d["stat"]["/lib"]["target"] == target


def test_symlink_conflicting_fails(sb):
    r = sb.run(sb.minimal + ["--symlink", "a", "/l", "--symlink", "b", "/l", "true"])
    assert r.rc == 1, r.describe()
    assert len(r.err_lines()) == 1 and "/l" in r.err, r.describe()


# ---------------------------------------------------------------- ordering and stacking

def test_later_tmpfs_covers_earlier_content(sb):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--dir", "/mnt/a", "--tmpfs", "/mnt"],
                 ["--stat", "/mnt/a", "--write", "/mnt/b"])
    assert "error" in d["stat"]["/mnt/a"], "the second tmpfs must hide the first one's content"
    assert d["write"]["/mnt/b"] == "ok"


def test_later_bind_stacks_on_earlier(sb, scratch):
    a = make_tree(sb, os.path.join(scratch, "a"), ["only-a"])
    b = make_tree(sb, os.path.join(scratch, "b"), ["only-b"])
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--bind", a, "/mnt/x", "--ro-bind", b, "/mnt/x"],
                 ["--stat", "/mnt/x/only-a", "--stat", "/mnt/x/only-b", "--write", "/mnt/x/w"])
    assert "error" in d["stat"]["/mnt/x/only-a"]
    assert d["stat"]["/mnt/x/only-b"]["type"] == "reg"
    assert d["write"]["/mnt/x/w"] == EROFS, "the top (ro) bind decides"


def test_bind_inside_earlier_bind(sb, scratch):
    outer = make_tree(sb, os.path.join(scratch, "outer"), ["o"])
    os.mkdir(os.path.join(outer, "sub"))
    inner = make_tree(sb, os.path.join(scratch, "inner"), ["i"])
    if os.geteuid() == 0:
        os.chown(os.path.join(outer, "sub"), sb.ident.uid, sb.ident.gid)
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--ro-bind", outer, "/mnt/o", "--bind", inner, "/mnt/o/sub"],
                 ["--write", "/mnt/o/sub/new", "--write", "/mnt/o/new"])
    assert d["write"]["/mnt/o/sub/new"] == "ok"
    assert d["write"]["/mnt/o/new"] == EROFS


def test_bind_on_parent_hides_earlier_child_mount(sb, scratch):
    src = make_tree(sb, os.path.join(scratch, "src"), ["s"])
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--tmpfs", "/mnt/a/b", "--ro-bind", src, "/mnt/a"],
                 ["--stat", "/mnt/a/s", "--stat", "/mnt/a/b"])
    assert d["stat"]["/mnt/a/s"]["type"] == "reg"
    assert "error" in d["stat"]["/mnt/a/b"]


def test_ops_in_command_line_order(sb):
    d = sb.probe(sb.minimal + ["--tmpfs", "/t", "--symlink", "/t/target", "/t/link", "--dir", "/t/target",
                               "--tmpfs", "/t/target"],
                 ["--stat", "/t/link", "--stat", "/t/target"])
    assert d["stat"]["/t/link"]["target"] == "/t/target"
    assert mount_at(d["_mounts"], "/t/target").fstype == "tmpfs"


# ---------------------------------------------------------------- submounts of binds

def test_ro_bind_submounts_ro(sb, root_tree):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--ro-bind", root_tree, "/mnt/tree"],
                 ["--write", "/mnt/tree/inner/f", "--write", "/mnt/tree/inner/deep/g",
                  "--write", "/mnt/tree/stacked/h"])
    for sub in ("/mnt/tree", "/mnt/tree/inner", "/mnt/tree/inner/deep", "/mnt/tree/stacked"):
        m = mount_at(d["_mounts"], sub)
        assert m is not None, f"no mount at {sub}: {d['mountinfo']}"
        assert flags(m) >= {"ro", "nosuid", "nodev"}, m
    for p, res in d["write"].items():
        assert res == EROFS, (p, res)


@pytest.mark.cocoon_only("bwrap leaves covered (over-mounted) submounts writable")
def test_ro_bind_submounts_ro_all_the_way_down(sb, root_tree):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--ro-bind", root_tree, "/mnt/tree"])
    under = [m for m in d["_mounts"] if m.point.startswith("/mnt/tree")]
    assert len(under) == 5, under  # tree, inner, deep, and two stacked
    bad = [m for m in under if not {"ro", "nosuid", "nodev"} <= m.opts]
    if harness.lacks("mount_setattr"):
        # Remounts reach what a path reaches (src/mountattr.h): the lower of
        # the two stacked tmpfs may keep its flags, out of reach, as
        # test_enosys.py's attack on it shows.
        reach = {m.id for m in visible_mounts(d["_mounts"])}
        assert [m.point for m in bad if m.id not in reach] in ([], ["/mnt/tree/stacked"]), bad
        bad = [m for m in bad if m.id in reach]
    assert not bad, f"submounts of a read-only bind left writable: {bad}"


def test_bind_submounts_nosuid_nodev_but_rw(sb, root_tree):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--bind", root_tree, "/mnt/tree"],
                 ["--write", "/mnt/tree/inner/deep/g"])
    for sub in ("/mnt/tree/inner", "/mnt/tree/inner/deep"):
        m = mount_at(d["_mounts"], sub)
        assert flags(m) >= {"rw", "nosuid", "nodev"}, m
    assert d["write"]["/mnt/tree/inner/deep/g"] == "ok"


def test_ro_bind_root_covers_host_submounts(sb, root_tree):
    d = sb.probe(ROOT, ["--write", os.path.join(root_tree, "inner", "f")])
    assert d["write"][os.path.join(root_tree, "inner", "f")] == EROFS
    assert mount_at(d["_mounts"], os.path.join(root_tree, "inner", "deep")).ro


def test_remount_ro_is_not_recursive(sb, root_tree):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--bind", root_tree, "/mnt/tree", "--remount-ro", "/mnt/tree"],
                 ["--write", "/mnt/tree/top", "--write", "/mnt/tree/inner/f"])
    assert d["write"]["/mnt/tree/top"] == EROFS
    assert d["write"]["/mnt/tree/inner/f"] == "ok"


def test_host_tree_untouched_by_writes_elsewhere(sb, root_tree):
    before = sorted(os.listdir(os.path.join(root_tree, "inner")))
    sb.probe(ROOT + ["--tmpfs", "/mnt", "--ro-bind", root_tree, "/mnt/tree"],
             ["--write", "/mnt/tree/inner/new"])
    assert sorted(os.listdir(os.path.join(root_tree, "inner"))) == before
    assert stat.S_IMODE(os.stat(os.path.join(root_tree, "inner")).st_mode) == 0o777


# ---------------------------------------------------------------- magic-link sources

def test_bind_source_through_a_magic_link(sb):
    """Flatpak binds /proc/self/ns/user: a source reached through a /proc
    magic link. The bound file must be the launcher's own user namespace
    as seen from the sandbox's first process (inode of an nsfs file)."""
    d = sb.probe(ROOT + ["--tmpfs", "/run", "--ro-bind-try", "/proc/self/ns/user", "/run/.userns"],
                 ["--stat", "/run/.userns"])
    st = d["stat"]["/run/.userns"]
    assert "error" not in st, st
    # the bound object is the nsfs inode of the sandbox's user namespace
    assert st["ino"] == d["ns"]["user"], (st, d["ns"])
