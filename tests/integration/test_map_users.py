# SPDX-License-Identifier: LGPL-2.1-or-later
"""Many ids for build steps: --map-users auto, --uid-map, --gid-map.

The identity under test gets a subordinate range in /etc/subuid and
/etc/subgid for the test's duration (usermod --add-subuids), which is taken
away again; the fixture checks that both files are as they were."""

import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest

import conftest

pytestmark = pytest.mark.cocoon_only("--map-users, --uid-map and --gid-map are cocoon's")

USERMOD = shutil.which("usermod") or "/usr/sbin/usermod"
COUNT = 65536
FILES = ("/etc/subuid", "/etc/subgid")


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def _free_start():
    end = 100000
    for path in FILES:
        for line in (_read(path) or "").splitlines():
            parts = line.split(":")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                end = max(end, int(parts[1]) + int(parts[2]))
    return (end + 65535) // 65536 * 65536


def _account(ident):
    return "root" if ident.is_root else conftest.TEST_USER


def _needs_tools():
    if os.geteuid() != 0:
        pytest.skip("needs root to grant subordinate ids for the test")
    for tool in (USERMOD, "/usr/bin/newuidmap", "/usr/bin/newgidmap"):
        if not os.access(tool, os.X_OK):
            pytest.skip(f"{tool} is missing (packages passwd, uidmap)")


@pytest.fixture
def subids(sb):
    """A range of COUNT ids granted to the identity; the files restored after."""
    _needs_tools()
    name = _account(sb.ident)
    saved = {p: _read(p) for p in FILES}
    start = _free_start()
    rng = f"{start}-{start + COUNT - 1}"
    # usermod refuses to change an account that runs processes, as root
    # always does: root's line is added by hand, and taken away the same way.
    by_hand = sb.ident.is_root
    if by_hand:
        for p in FILES:
            with open(p, "a") as f:
                f.write(f"{name}:{start}:{COUNT}\n")
    else:
        subprocess.run([USERMOD, "--add-subuids", rng, "--add-subgids", rng, name], check=True,
                       capture_output=True)
    try:
        yield start
    finally:
        r = None
        if not by_hand:
            r = subprocess.run([USERMOD, "--del-subuids", rng, "--del-subgids", rng, name], capture_output=True,
                               text=True)
        now = {p: _read(p) for p in FILES}
        for p, text in saved.items():
            if now[p] == text:
                continue
            if text is None:
                os.unlink(p)
            else:
                with open(p, "w") as f:
                    f.write(text)
        assert {p: _read(p) for p in FILES} == saved, "the subordinate id files could not be restored"
        assert r is None or r.returncode == 0, f"usermod --del-subuids failed: {r.stderr}"
        assert by_hand or now == saved, "usermod --del-subuids left the files changed"


@pytest.fixture
def no_subids(sb):
    _needs_tools()
    name = _account(sb.ident)
    uid = str(sb.ident.uid)
    for p in FILES:
        for line in (_read(p) or "").splitlines():
            if line.split(":")[0] in (name, uid):
                pytest.skip(f"{name} has subordinate ids in {p} on this host")


def base(sb):
    return sb.rootfs + ["--proc", "/proc", "--tmpfs", "/tmp", "--bind", sb.scratch, "/mnt"]


def sh(sb, args, script, **kw):
    return sb.ok(args + ["sh", "-c", script], **kw).out


def map_lines(text):
    return [tuple(int(x) for x in ln.split()) for ln in text.splitlines() if ln.strip()]


# ---------------------------------------------------------------- the maps

def test_auto_maps_caller_to_root_and_range_above(sb, subids):
    out = sh(sb, ["--map-users", "auto"] + base(sb),
             "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; cat /proc/self/setgroups; id -u")
    uids, gids, rest = out.split("--\n")
    assert map_lines(uids) == [(0, sb.ident.uid, 1), (1, subids, COUNT)]
    assert map_lines(gids) == [(0, sb.ident.gid, 1), (1, subids, COUNT)]
    setgroups, uid = rest.split()
    assert setgroups == "allow", "a map of subordinate gids lets setgroups work (apt drops to _apt with it)"
    assert uid == "0"


def test_chown_inside_and_what_the_host_sees(sb, subids):
    out = sh(sb, ["--map-users", "auto"] + base(sb),
             "touch /tmp/f /mnt/f && chown 1000:1000 /tmp/f /mnt/f && stat -c '%u:%g' /tmp/f /mnt/f && ls -n /mnt/f")
    assert out.split()[:2] == ["1000:1000", "1000:1000"]
    # On the bind, the file lands on the host owned by the subordinate ids.
    st = os.stat(os.path.join(sb.scratch, "f"))
    assert (st.st_uid, st.st_gid) == (subids + 999, subids + 999)


def test_capabilities_follow_the_command_line_order(sb, subids):
    script = "touch /tmp/f && chown 1000:1000 /tmp/f && echo CHOWNED; grep CapEff /proc/self/status"
    # A profile's --cap-drop ALL before is undone; one after is obeyed.
    out = sh(sb, ["--cap-drop", "ALL", "--map-users", "auto"] + base(sb), script)
    assert "CHOWNED" in out
    out = sh(sb, ["--map-users", "auto", "--cap-drop", "ALL"] + base(sb), script)
    assert "CHOWNED" not in out and out.split()[-1] == "0000000000000000"
    out = sh(sb, ["--map-users", "auto", "--cap-drop", "CAP_CHOWN"] + base(sb), script)
    assert "CHOWNED" not in out and out.split()[-1] != "0000000000000000"


def test_caller_files_are_root_inside(sb, subids):
    path = os.path.join(sb.scratch, "mine")
    open(path, "w").close()
    os.chown(path, sb.ident.uid, sb.ident.gid)
    out = sh(sb, ["--map-users", "auto"] + base(sb), "stat -c '%u:%g' /mnt/mine")
    assert out.strip() == "0:0"


def _tar_with_owners(path):
    with tarfile.open(path, "w") as t:
        for name, uid, gid in (("etc", 0, 0), ("etc/root-file", 0, 0), ("etc/www", 33, 33),
                               ("etc/user", 1000, 1000), ("etc/mixed", 1000, 100), ("etc/nobody-ish", 65534, 65534)):
            info = tarfile.TarInfo(name)
            info.uid, info.gid, info.mtime = uid, gid, 0
            if name == "etc":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            else:
                info.mode, info.size = 0o644, 3
                t.addfile(info, io.BytesIO(b"hi\n"))


def test_tar_keeps_ownership_of_many_ids(sb, subids):
    _tar_with_owners(os.path.join(sb.scratch, "t.tar"))
    out = sh(sb, ["--map-users", "auto"] + base(sb),
             "cd /tmp && tar --same-owner -xpf /mnt/t.tar && stat -c '%n %u %g' etc etc/*")
    got = {ln.split()[0]: tuple(int(x) for x in ln.split()[1:]) for ln in out.splitlines()}
    assert got == {"etc": (0, 0), "etc/root-file": (0, 0), "etc/www": (33, 33), "etc/user": (1000, 1000),
                   "etc/mixed": (1000, 100), "etc/nobody-ish": (65534, 65534)}


def test_dpkg_style_unpack(sb, subids):
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is missing")
    # A package whose files belong to several ids, built by real root (no
    # fakeroot), then unpacked inside as dpkg would.
    pkg = os.path.join(sb.scratch, "pkg")
    os.makedirs(os.path.join(pkg, "DEBIAN"))
    os.makedirs(os.path.join(pkg, "srv", "www"))
    with open(os.path.join(pkg, "DEBIAN", "control"), "w") as f:
        f.write("Package: citest-owners\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n")
    for name, ids in (("srv/www/index", (33, 33)), ("srv/www/app", (1000, 1000)), ("srv/root", (0, 0))):
        with open(os.path.join(pkg, name), "w") as f:
            f.write("x\n")
        os.chown(os.path.join(pkg, name), *ids)
    os.chown(os.path.join(pkg, "srv", "www"), 33, 33)
    subprocess.run(["dpkg-deb", "--build", pkg, os.path.join(sb.scratch, "p.deb")], check=True,
                   capture_output=True)
    shutil.rmtree(pkg)
    out = sh(sb, ["--map-users", "auto"] + base(sb),
             "dpkg-deb -x /mnt/p.deb /tmp/root && cd /tmp/root && stat -c '%n %u %g' srv/www srv/www/* srv/root")
    got = {ln.split()[0]: tuple(int(x) for x in ln.split()[1:]) for ln in out.splitlines()}
    assert got == {"srv/www": (33, 33), "srv/www/index": (33, 33), "srv/www/app": (1000, 1000),
                   "srv/root": (0, 0)}


def test_exact_maps_and_uid(sb, subids):
    u, g = sb.ident.uid, sb.ident.gid
    args = ["--uid-map", f"0:{u}:1", "--uid-map", f"1000:{subids + 10}:20",
            "--gid-map", f"0:{g}:1", "--gid-map", f"1000:{subids + 10}:20"]
    out = sh(sb, args + base(sb), "cat /proc/self/uid_map /proc/self/gid_map")
    assert map_lines(out) == [(0, u, 1), (1000, subids + 10, 20), (0, g, 1), (1000, subids + 10, 20)]
    out = sh(sb, args + ["--uid", "1005", "--gid", "1007"] + base(sb), "id -u; id -g; touch /tmp/x; stat -c %u:%g /tmp/x")
    assert out.split() == ["1005", "1007", "1005:1007"]


def test_explain_shows_the_maps(sb, subids):
    r = sb.ok(["--map-users", "auto", "--explain"] + base(sb) + ["true"])
    assert f"uid 0:{sb.ident.uid}:1 1:{subids}:{COUNT}" in r.out
    j = json.loads(sb.ok(["--map-users", "auto", "--explain=json"] + base(sb) + ["true"]).out)
    assert j["identity"]["uid_map"] == [f"0:{sb.ident.uid}:1", f"1:{subids}:{COUNT}"]
    assert j["identity"]["gid_map"] == [f"0:{sb.ident.gid}:1", f"1:{subids}:{COUNT}"]
    j = json.loads(sb.ok(["--explain=json"] + base(sb) + ["true"]).out)
    assert j["identity"]["uid_map"] is None


# ---------------------------------------------------------------- refusals

def test_refused_without_subordinate_ids(sb, no_subids):
    r = sb.expect_error(["--map-users", "auto"] + base(sb) + ["touch", "/mnt/ran"],
                        "no subordinate user ids for")
    assert "usermod --add-subuids" in r.err
    assert not os.path.exists(os.path.join(sb.scratch, "ran"))


@pytest.mark.parametrize("args, mentions", [
    (["--uid-map", "0:0:0"], "COUNT must be at least 1"),
    (["--uid-map", "0:0"], "is not IN:OUT:COUNT"),
    (["--gid-map", "a:b:c"], "is not IN:OUT:COUNT"),
    (["--uid-map", "0:1:2:"], "is not IN:OUT:COUNT"),
    (["--uid-map", "0::1:2"], "is not IN:OUT:COUNT"),
    (["--uid-map", ":0:1:2"], "is not IN:OUT:COUNT"),
    (["--uid-map", ""], "is not IN:OUT:COUNT"),
    (["--uid-map", "-1:0:1"], "is not IN:OUT:COUNT"),
    (["--uid-map", "4294967290:0:10"], "runs past the last id"),
    (["--uid-map", "0:0:1", "--uid-map", "0:7:2"], "overlap inside"),
    (["--uid-map", "0:0:1", "--uid-map", "5:0:2"], "overlap outside"),
    (["--map-users", "everything"], "the only one is 'auto'"),
    (["--map-users", "auto", "--uid-map", "0:0:1"], "can't be combined with --uid-map"),
    (["--map-users", "auto", "--userns-block-fd", "0"], "--userns-block-fd"),
])
def test_bad_input(sb, args, mentions):
    sb.expect_error(args + base(sb) + ["true"], mentions)


def test_uid_must_be_mapped(sb):
    sb.expect_error(["--uid-map", f"0:{sb.ident.uid}:1", "--uid", "5"] + base(sb) + ["true"],
                    "--uid: 5 is not mapped inside")


def test_too_many_lines(sb):
    args = []
    for i in range(341):
        args += ["--uid-map", f"{i}:{i}:1"]
    sb.expect_error(args + base(sb) + ["true"], "at most 340 lines")


def test_unprivileged_caller_cannot_map_what_it_was_not_granted(sb, subids):
    if sb.ident.is_root:
        pytest.skip("root maps any id")
    u = sb.ident.uid
    sb.expect_error(["--uid-map", f"0:{u}:1", "--uid-map", "1:1:10"] + base(sb) + ["true"],
                    "grants cocoon-test no range" if conftest.TEST_USER == "cocoon-test" else "grants")


@pytest.mark.parametrize("pidns", [[], ["--unshare-pid"]])
def test_cap_sys_admin_keeps_the_maps_and_locks_the_mounts(sb, subids, pidns):
    # With CAP_SYS_ADMIN the command runs in a nested user namespace whose
    # mounts are locked; it maps every id of the sandbox to itself.
    script = ("cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f && chown 1000:1000 /tmp/f && "
              "stat -c %u:%g /tmp/f; mount -o remount,rw / 2>/dev/null && echo REMOUNTED; "
              "touch /usr/x 2>/dev/null && echo WROTE; echo end")
    out = sh(sb, ["--map-users", "auto", "--cap-add", "CAP_SYS_ADMIN"] + pidns + base(sb), script)
    lines = out.splitlines()
    assert map_lines("\n".join(lines[:4])) == [(0, 0, 1), (1, 1, COUNT)] * 2
    assert lines[4:] == ["1000:1000", "end"]


def test_disable_userns(sb, subids):
    out = sh(sb, ["--map-users", "auto", "--disable-userns"] + base(sb),
             "unshare -U true 2>/dev/null && echo NESTED; touch /tmp/f && chown 1000 /tmp/f && stat -c %u /tmp/f")
    assert out.split() == ["1000"]


# ---------------------------------------------------------------- attacks

def test_sandbox_cannot_rewrite_its_maps(sb, subids):
    script = ("for f in uid_map gid_map; do echo '0 0 4294967295' > /proc/self/$f 2>/dev/null && echo WROTE $f; done; "
              "echo deny > /proc/self/setgroups 2>/dev/null && echo WROTE setgroups; "
              "echo '0 0 1' > /proc/1/uid_map 2>/dev/null && echo WROTE pid1; "
              "cat /proc/self/uid_map")
    out = sh(sb, ["--map-users", "auto", "--unshare-pid"] + base(sb), script)
    assert "WROTE" not in out
    assert map_lines(out) == [(0, sb.ident.uid, 1), (1, subids, COUNT)]


def test_no_id_outside_the_maps(sb, subids):
    # An id inside the range works; one past it, or the host's own ids
    # beyond, don't.
    script = ("setpriv --reuid=1000 --regid=1000 --clear-groups id -u; "
              f"setpriv --reuid={COUNT + 1} --regid=0 --clear-groups true 2>/dev/null && echo GAINED; "
              f"setpriv --reuid=0 --regid={COUNT + 1} --clear-groups true 2>/dev/null && echo GAINED; "
              "echo done")
    out = sh(sb, ["--map-users", "auto"] + base(sb), script)
    assert out.split() == ["1000", "done"]


def test_no_fd_of_the_map_handshake_reaches_the_command(sb, subids):
    # The pipe the sandbox waited on, and the writer's, are closed before
    # the command runs: it holds only what it was given.
    for extra in ([], ["--unshare-pid"], ["--cap-add", "CAP_SYS_ADMIN"]):
        out = sh(sb, ["--map-users", "auto"] + extra + base(sb), "ls /proc/$$/fd")
        assert out.split() == ["0", "1", "2"], extra
