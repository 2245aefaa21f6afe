# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential test: representative command lines run through Debian's bwrap
and through the launcher under test, and what the probe observes must agree.

Only behaviour both should share is compared. Known differences of bwrap 0.8
(an identical --symlink fails, no --argv0/--level-prefix) are kept out of
these lines. Values that
differ by nature are normalised: namespace inodes become host/new, host pids
become "host", pipe inodes are dropped. Not compared: the reaper's name
(pid 1), mounts strictly below /proc, the masks on a bound /sys and the
seccomp mode, since cocoon's lockdown may mask more of /proc and /sys and add
a default filter; nor whether the device nodes of --dev are bound read-only,
as cocoon binds them."""

import json
import os
import shutil
import tempfile

import pytest

from harness import TMP_PREFIX, memfd_with, nul_args, visible_mounts

BWRAP = "/usr/bin/bwrap"

pytestmark = pytest.mark.skipif(not os.access(BWRAP, os.X_OK), reason=f"{BWRAP} is not installed")


# ---------------------------------------------------------------- normalising

def _fd_target(t):
    if t is None:
        return None
    if t.startswith("pipe:"):
        return "pipe"
    if t.startswith("socket:"):
        return "socket"
    return t.replace(" (deleted)", "")


def _map(text):
    return [(ln.split()[0], ln.split()[2]) for ln in (text or "").splitlines() if ln.strip()]


# Where cocoon hides parts of the host's /sys, also when a bind brings it in.
SYS_MASKS = ("/sys/firmware", "/sys/kernel/security", "/sys/kernel/debug", "/sys/fs/selinux",
             "/sys/devices/virtual/powercap")
DEV_NODES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/console")


def _sys_mask(m):
    return m.fstype == "tmpfs" and (m.point in SYS_MASKS or
                                    (m.point.startswith("/sys/devices/system/cpu/") and
                                     m.point.endswith("/thermal_throttle")))


def normalize(d, host_ns, caller_sid):
    ns = {k: ("host" if v == host_ns.get(k) else "new") for k, v in d["ns"].items()}
    newpid = ns.get("pid") == "new"
    if newpid:
        # 0: the session leader is outside; otherwise a new session was made
        # inside (bwrap makes it in pid 1, a launcher may make it in pid 2)
        sid = "outside" if d["sid"] == 0 else "inside"
    elif d["sid"] == caller_sid:
        sid = "caller"
    elif d["sid"] == d["pid"]:
        sid = "self"
    else:
        sid = "other"
    mounts = None
    if d["_mounts"] is not None:
        mounts = []
        for m in visible_mounts(d["_mounts"]):
            if m.point.startswith("/proc/") or _sys_mask(m):
                continue
            # tmpfs mode/size options count, except on the root: how the base
            # tmpfs is made is the launcher's business (stat of / is compared)
            sup = {k: m.super[k] for k in ("mode", "size")
                   if m.fstype == "tmpfs" and k in m.super and m.point != "/"}
            fl = [f for f in ("ro", "nosuid", "nodev", "noexec") if f in m.opts]
            if m.point == "/proc" and "noexec" in fl:
                fl.remove("noexec")   # a noexec /proc is allowed hardening
            if m.point in DEV_NODES and "ro" in fl:
                fl.remove("ro")       # so are read-only device nodes
            mounts.append((m.point, m.fstype, tuple(fl), tuple(sorted(sup.items()))))
    stats = {}
    for p, st in d["stat"].items():
        if "error" in st:
            stats[p] = "missing"
        else:
            stats[p] = {k: st[k] for k in ("type", "mode", "uid", "gid", "target")}
            if st["type"] in ("chr", "blk"):
                stats[p]["rdev"] = st["rdev"]
            if st["type"] == "reg":
                stats[p]["size"] = st["size"]
    return {
        "uid": d["uid"], "gid": d["gid"], "groups": sorted(d["groups"]),
        "caps": d["caps"], "no_new_privs": d["no_new_privs"],
        "ns": ns,
        "hostname": d["hostname"], "cwd": d["cwd"], "argv": d["argv"],
        "env": sorted(e for e in d["env"] if not e.startswith("CITEST=")),
        "pid": d["pid"] if newpid else "host",
        "ppid": d["ppid"] if newpid else "host",
        "sid": sid, "pgid_is_sid": d["pgid"] == d["sid"],
        "umask": d["umask"],
        # inside id and count only: the outside id depends on whether a nested
        # user namespace was used, which is an implementation detail
        "uid_map": _map(d["uid_map"]), "gid_map": _map(d["gid_map"]),
        "setgroups": d["setgroups"],
        "fds": {k: _fd_target(v) for k, v in d["fds"].items()},
        "mounts": mounts,
        "ifaces": sorted((i["name"], i["family"], i["up"], i["addr"] or "") for i in d["ifaces"] or []),
        "loopback_tcp": d["loopback_tcp"],
        "stat": stats, "write": d["write"], "read": d["read"], "access": d["access"],
    }


def compare(sb, host_ns, args, probe_args=(), *, env=None, pass_fds=(), cwd=None, command=None):
    kw = dict(env=env, pass_fds=pass_fds, cwd=cwd, command=command)
    probe_args = ["--stat", "/"] + list(probe_args)
    ref = sb.probe(args, probe_args, exe=BWRAP, **kw)
    got = sb.probe(args, probe_args, **kw)
    sid = os.getsid(0)
    a, b = normalize(ref, host_ns, sid), normalize(got, host_ns, sid)
    diffs = []
    for k in a:
        if a[k] != b[k]:
            if k == "mounts" and a[k] and b[k]:
                only_ref = [m for m in a[k] if m not in b[k]]
                only_got = [m for m in b[k] if m not in a[k]]
                diffs.append(f"mounts: only under bwrap {only_ref}; only under the launcher {only_got}")
            else:
                diffs.append(f"{k}: bwrap {a[k]!r}\n      launcher {b[k]!r}")
    assert not diffs, ("observations differ\n  " + "\n  ".join(diffs) + "\n" +
                       got["_result"].describe()[:3000])
    return a


# ---------------------------------------------------------------- lines

ROOT = ["--ro-bind", "/", "/"]


def test_ro_root(sb, host_ns):
    compare(sb, host_ns, ROOT, ["--write", "/x", "--stat", "/usr"])


def test_unshare_all_typical(sb, host_ns):
    compare(sb, host_ns,
            ROOT + ["--unshare-all", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--hostname", "box",
                    "--chdir", "/", "--setenv", "A", "B", "--unsetenv", "HOME", "--die-with-parent",
                    "--ro-bind", sb.bindir, sb.bindir],
            ["--stat", "/dev/null", "--stat", "/dev/ptmx", "--stat", "/dev/shm", "--stat", "/tmp",
             "--write", "/tmp/x", "--write", "/dev/null"])


def test_ad_hoc_shell(sb, host_ns, scratch):
    compare(sb, host_ns,
            ROOT + ["--dev", "/dev", "--proc", "/proc", "--unshare-all", "--share-net", "--die-with-parent",
                    "--tmpfs", "/home", "--tmpfs", "/tmp", "--bind", scratch, scratch, "--new-session",
                    "--setenv", "PS1", "sandbox$ ", "--ro-bind", sb.bindir, sb.bindir],
            ["--write", os.path.join(scratch, "w"), "--write", "/home/w", "--stat", "/home"])


@pytest.fixture
def build_dir(ident):
    """A build directory outside /tmp (the line mounts a tmpfs on /tmp)."""
    d = tempfile.mkdtemp(prefix=TMP_PREFIX + "build-", dir="/var/tmp")
    os.chmod(d, 0o755)
    if os.geteuid() == 0:
        os.chown(d, ident.uid, ident.gid)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_opam_like_build_step(sb, host_ns, build_dir):
    build = build_dir
    compare(sb, host_ns,
            ["--ro-bind", "/", "/", "--bind", build, build, "--tmpfs", "/tmp", "--unshare-net",
             "--chdir", build, "--die-with-parent", "--new-session", "--ro-bind", sb.bindir, sb.bindir],
            ["--write", os.path.join(build, "out.o"), "--write", "/etc/citest", "--write", "/tmp/t",
             "--stat", "/tmp"])
    # the build step's output reached the host build directory (twice: both runs)
    with open(os.path.join(build, "out.o")) as f:
        assert f.read() == "probe\n" * 2


def test_opam_like_with_dev_proc(sb, host_ns, build_dir):
    compare(sb, host_ns,
            ["--unshare-net", "--new-session", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev",
             "--proc", "/proc", "--tmpfs", "/tmp", "--bind", build_dir, build_dir, "--chdir", build_dir,
             "--ro-bind", sb.bindir, sb.bindir],
            ["--stat", "/dev/null", "--write", "/dev/null"])


def test_buildstream_like(sb, host_ns, build_dir):
    compare(sb, host_ns,
            ["--unshare-user", "--uid", "0", "--gid", "0", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
             "--bind", build_dir, build_dir, "--ro-bind", sb.bindir, sb.bindir, "--remount-ro", "/",
             "--die-with-parent", "--new-session", "--chdir", build_dir, "--setenv", "HOME", "/tmp"],
            ["--stat", build_dir, "--write", os.path.join(build_dir, "artifact"), "--write", "/tmp/x"])


def test_ostree_like_relative_sources(sb, host_ns):
    compare(sb, host_ns,
            ["--ro-bind", "usr", "/usr", "--ro-bind", "etc", "/etc", "--symlink", "usr/lib", "/lib",
             "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
             "--proc", "/proc", "--dev", "/dev", "--ro-bind", sb.bindir, sb.bindir, "--chdir", "/"],
            ["--stat", "/lib", "--stat", "/etc/hostname"], cwd="/")


def test_thumbnailer_like(sb, host_ns, scratch):
    out = os.path.join(scratch, "out")
    os.mkdir(out)
    src = os.path.join(scratch, "in.png")
    with open(src, "wb") as f:
        f.write(b"\x89PNG fake")
    if os.geteuid() == 0:
        for p in (out, src):
            os.chown(p, sb.ident.uid, sb.ident.gid)
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/etc/fonts", "/etc/fonts", "--ro-bind-try", "/nonexistent-citest", "/etc/none",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
            "--proc", "/proc", "--dev", "/dev", "--chdir", "/", "--setenv", "GIO_USE_VFS", "local",
            "--unsetenv", "DISPLAY", "--unshare-all", "--die-with-parent", "--new-session",
            "--bind", out, "/tmp/out", "--ro-bind", src, "/tmp/in.png", "--ro-bind", sb.bindir, sb.bindir]
    compare(sb, host_ns, args,
            ["--read", "/tmp/in.png", "--write", "/tmp/out/thumb.png", "--stat", "/etc/none",
             "--stat", "/tmp/in.png"],
            env={"PATH": "/usr/bin:/bin", "DISPLAY": ":0", "HOME": "/home/x"})


def test_filesystem_ops(sb, host_ns, scratch):
    src = os.path.join(scratch, "src")
    os.mkdir(src)
    with open(os.path.join(src, "f"), "w") as f:
        f.write("data\n")
    if os.geteuid() == 0:
        for p in (src, os.path.join(src, "f")):
            os.chown(p, sb.ident.uid, sb.ident.gid)
    args = sb.minimal + [
        "--tmpfs", "/t", "--perms", "0700", "--tmpfs", "/t/p", "--size", "65536", "--tmpfs", "/t/s",
        "--dir", "/t/d", "--perms", "0751", "--dir", "/t/d2", "--symlink", "usr//lib", "/t/l",
        "--bind-try", "/nonexistent-citest", "/t/none", "--ro-bind-try", src, "/t/ro",
        "--bind", src, "/t/rw", "--remount-ro", "/t/rw", "--dev-bind", "/dev/null", "/t/null",
        "--tmpfs", "/stack", "--dir", "/stack/hidden", "--tmpfs", "/stack",
        "--ro-bind", os.path.join(src, "f"), "/t/file",
    ]
    probe_args = []
    for p in ("/t", "/t/p", "/t/s", "/t/d", "/t/d2", "/t/l", "/t/none", "/t/ro/f", "/t/null", "/stack/hidden",
              "/t/file"):
        probe_args += ["--stat", p]
    probe_args += ["--write", "/t/rw/x", "--write", "/t/ro/x", "--write", "/t/null", "--read", "/t/file"]
    compare(sb, host_ns, args, probe_args)


def test_ids_and_caps(sb, host_ns):
    compare(sb, host_ns, ROOT + ["--unshare-user", "--uid", "1234", "--gid", "5678", "--cap-drop", "ALL",
                                 "--cap-add", "CAP_NET_RAW", "--cap-add", "CAP_CHOWN"])


def test_caps_default(sb, host_ns):
    compare(sb, host_ns, ROOT + ["--unshare-ipc"])


def test_caps_drop_with_userns(sb, host_ns):
    compare(sb, host_ns, ROOT + ["--unshare-user", "--cap-drop", "CAP_SYS_ADMIN", "--cap-drop", "CAP_NET_ADMIN"])


def test_pid_namespace_and_as_pid_1(sb, host_ns):
    compare(sb, host_ns, ROOT + ["--unshare-pid", "--proc", "/proc"])
    compare(sb, host_ns, ROOT + ["--unshare-pid", "--as-pid-1", "--proc", "/proc"])


def test_net_namespace(sb, host_ns):
    compare(sb, host_ns, ROOT + ["--unshare-net"])


def test_environment_ops(sb, host_ns):
    compare(sb, host_ns, ROOT + ["--setenv", "A", "1", "--clearenv", "--setenv", "B", "2 3", "--unsetenv", "B",
                                 "--setenv", "C", ""], env={"PATH": "/usr/bin", "X": "y"})


# ---------------------------------------------------------------- Flatpak-like

FLATPAK_ENV = [
    ("PATH", "/app/bin:/usr/bin"), ("XDG_CONFIG_DIRS", "/app/etc/xdg:/etc/xdg"),
    ("XDG_DATA_DIRS", "/app/share:/usr/share"), ("SHELL", "/bin/sh"), ("TMPDIR", "/tmp"),
    ("GI_TYPELIB_PATH", "/app/lib/girepository-1.0"), ("GST_PLUGIN_SYSTEM_PATH", "/app/lib/gstreamer-1.0"),
    ("FLATPAK_ID", "org.example.App"), ("FLATPAK_ARCH", "x86_64"), ("FLATPAK_SANDBOX_DIR", "/run/flatpak"),
    ("container", "flatpak"), ("LANG", "C.UTF-8"), ("XDG_RUNTIME_DIR", "/run/user/1000"),
    ("DISPLAY", ":99"), ("WAYLAND_DISPLAY", "wayland-0"), ("XDG_SESSION_TYPE", "wayland"),
    ("PULSE_SERVER", "unix:/run/flatpak/pulse/native"), ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/flatpak/bus"),
    ("GTK_USE_PORTAL", "1"), ("XDG_CACHE_HOME", "/var/cache"), ("XDG_DATA_HOME", "/var/data"),
    ("XDG_CONFIG_HOME", "/var/config"), ("XDG_STATE_HOME", "/var/state"), ("LD_LIBRARY_PATH", "/app/lib"),
    ("PKG_CONFIG_PATH", "/app/lib/pkgconfig:/app/share/pkgconfig"), ("ACLOCAL_PATH", "/app/share/aclocal"),
    ("C_INCLUDE_PATH", "/app/include"), ("CPLUS_INCLUDE_PATH", "/app/include"),
    ("PYTHONUSERBASE", "/var/data/python"), ("GSETTINGS_BACKEND", "keyfile"),
    ("HOME", "/home/user"), ("USER", "user"), ("LOGNAME", "user"), ("TERM", "xterm-256color"),
    ("EMPTY_VALUE", ""), ("WITH SPACE", "value with spaces"), ("WITH_EQ", "a=b=c"),
]
FLATPAK_ETC = ["passwd", "group", "hosts", "resolv.conf", "localtime", "machine-id", "host.conf",
               "gai.conf", "nsswitch.conf", "ld.so.cache", "fonts", "ssl", "pki", "no-such-file-1",
               "no-such-file-2", "timezone", "debian_version", "os-release", "issue", "profile"]


def flatpak_args(bindir):
    a = ["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--dev", "/dev", "--proc", "/proc",
         "--ro-bind", "/sys/block", "/sys/block", "--ro-bind", "/sys/bus", "/sys/bus",
         "--ro-bind", "/sys/class", "/sys/class", "--ro-bind", "/sys/dev", "/sys/dev",
         "--ro-bind", "/sys/devices", "/sys/devices",
         "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
         "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
         "--ro-bind", bindir, "/app/bin", "--dir", "/tmp", "--dir", "/var/tmp", "--dir", "/run/host",
         "--dir", "/run/user/1000", "--dir", "/var/cache", "--dir", "/var/data", "--dir", "/var/config",
         "--tmpfs", "/run/flatpak", "--perms", "0700", "--dir", "/run/flatpak/doc"]
    for name in FLATPAK_ETC:
        a += ["--ro-bind-try", f"/etc/{name}", f"/run/host/etc/{name}"]
    a += ["--symlink", "../run/host/etc/passwd", "/etc/passwd", "--symlink", "../run/host/etc/resolv.conf",
          "/etc/resolv.conf", "--symlink", "/run/host//etc/hosts", "/etc/hosts"]
    for i in range(6):
        a += ["--bind-try", f"/nonexistent-citest/{i}", f"/run/host/missing{i}"]
    for k, v in FLATPAK_ENV:
        a += ["--setenv", k, v]
    a += ["--unsetenv", "TMPDIR", "--chdir", "/var/data"]
    return a


def test_flatpak_like_args_fd_empty_env(sb, host_ns):
    args = flatpak_args(sb.bindir)
    assert len(args) >= 200, len(args)
    r, w = os.pipe()
    os.set_inheritable(w, True)
    sync = os.dup2(w, 20)   # an inherited fd the app must receive, like Flatpak's sync fds

    def run_one(exe):
        fd = memfd_with(nul_args(args), "flatpak-args")
        try:
            return sb.probe(["--args", str(fd), "--"],
                            ["--stat", "/etc/passwd", "--stat", "/run/host/etc/passwd", "--stat",
                             "/run/host/etc/no-such-file-1", "--stat", "/run/flatpak/doc", "--stat", "/app/bin/probe",
                             "--stat", "/run/host/missing0", "--read", "/etc/hosts", "--write", "/var/data/x"],
                            command="probe", env={}, pass_fds=[fd, sync], exe=exe)
        finally:
            os.close(fd)

    try:
        ref, got = run_one(BWRAP), run_one(None)
    finally:
        for fd in (r, w, sync):
            os.close(fd)
    sid = os.getsid(0)
    a, b = normalize(ref, host_ns, sid), normalize(got, host_ns, sid)
    diffs = [f"{k}: bwrap {a[k]!r}\n      launcher {b[k]!r}" for k in a if a[k] != b[k]]
    assert not diffs, "observations differ\n  " + "\n  ".join(diffs)
    # and the essentials hold, not merely agree
    assert set(b["fds"]) == {"0", "1", "2", "20"}, b["fds"]
    assert "PATH=/app/bin:/usr/bin" in b["env"] and not any(e.startswith("TMPDIR=") for e in b["env"])
    assert b["cwd"] == "/var/data" and b["pid"] == 2
    assert b["stat"]["/run/flatpak/doc"]["mode"] == 0o700
    assert b["write"]["/var/data/x"] == "ok"


# ---------------------------------------------------------------- exit status and errors

@pytest.mark.parametrize("script", ["exit 0", "exit 3", "exit 255", "kill -9 $$", "kill -TERM $$",
                                    "kill -SEGV $$"])
@pytest.mark.parametrize("pidns", [[], ["--unshare-pid"]], ids=["host-pidns", "new-pidns"])
def test_exit_status_agrees(sb, script, pidns):
    args = ROOT + ["--dev", "/dev"] + pidns + ["sh", "-c", script]
    ref = sb.run(args, exe=BWRAP)
    got = sb.run(args)
    assert got.rc == ref.rc, f"bwrap exited {ref.rc}, the launcher {got.rc}\n" + got.describe()


@pytest.mark.parametrize("args", [
    ["--frobnicate", "true"],
    ["--bind", "/usr"],
    ["--unshare-user", "--uid", "abc", "true"],
    ["--args", "77", "true"],
    ROOT + ["--bind", "/nonexistent-citest", "/x", "true"],
    ROOT + ["--perms", "999", "--dir", "/x", "true"],
    ROOT + ["--size", "0", "--tmpfs", "/x", "true"],
    ROOT + ["--cap-add", "CAP_FOO", "true"],
    ROOT + ["--hostname", "x", "true"],
    ROOT + ["--chdir", "/nonexistent-citest", "true"],
    ROOT + ["/nonexistent-citest-cmd"],
    ROOT + ["--tmpfs", "/mnt", "--symlink", "a", "/mnt/l", "--symlink", "b", "/mnt/l", "true"],
], ids=["unknown", "missing-arg", "bad-uid", "closed-fd", "missing-src", "perms", "size", "cap", "hostname",
        "chdir", "no-command", "symlink-conflict"])
def test_errors_agree_under_bwrap_name(sb, args):
    """Through a link named bwrap, errors look like bwrap's: status 1 and
    one line starting with `bwrap: `."""
    ref = sb.run(args, exe=BWRAP)
    got = sb.run(args, exe=sb.bins.bwrap_link)
    assert (ref.rc, len(ref.err_lines())) == (1, 1), ref.describe()
    assert got.rc == 1 and len(got.err_lines()) == 1, got.describe()
    assert got.err.startswith("bwrap: "), got.describe()


def test_version_and_help_shape(sb):
    ref = sb.run(["--version"], exe=BWRAP)
    got = sb.run(["--version"], exe=sb.bins.bwrap_link)
    assert ref.out.split()[0] == got.out.split()[0] == "bubblewrap"
    env = {"PATH": sb.bins.link_dir + ":/usr/bin:/bin"}
    got_help = sb.run(["--help"], exe="bwrap", env=env)
    ref_help = sb.run(["--help"], exe="bwrap", env={"PATH": "/usr/bin:/bin"})
    assert ref_help.rc == got_help.rc == 0
    assert ref_help.out.split()[:2] == got_help.out.split()[:2] == ["usage:", "bwrap"]


# ---------------------------------------------------------------- issue 3: data files, fd binds, status fds

def _memfd(data):
    fd = os.memfd_create("citest", 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def test_data_files_and_fd_binds(sb, host_ns, scratch):
    """--file, --ro-bind-data, --bind-data (with --perms), --bind-fd,
    --ro-bind-fd, --chmod and --mqueue give the same view under both. Each
    launcher gets its own data fds (bwrap reads them from their offset)."""
    src = os.path.join(scratch, "src")
    os.mkdir(src)
    with open(os.path.join(src, "f"), "w") as f:
        f.write("through an fd\n")
    if os.geteuid() == 0:
        for p in (src, os.path.join(src, "f")):
            os.chown(p, sb.ident.uid, sb.ident.gid)
    probe_args = []
    for p in ("/t/file", "/t/perm", "/etc/data", "/t/rwdata", "/fd/dir/f", "/fdro/f", "/t"):
        probe_args += ["--stat", p]
    probe_args += ["--read", "/t/file", "--read", "/etc/data", "--read", "/fd/dir/f", "--write", "/fdro/x",
                   "--write", "/t/rwdata"]
    results = []
    for exe in (BWRAP, None):
        fds = [_memfd(b"file data\n"), _memfd(b"perm data\n"), _memfd(b"ro data\n"), _memfd(b"rw data\n"),
               os.open(scratch, os.O_PATH), os.open(src, os.O_PATH)]
        try:
            args = sb.minimal + [
                "--unshare-ipc", "--tmpfs", "/t",
                "--file", str(fds[0]), "/t/file",
                "--perms", "0640", "--file", str(fds[1]), "/t/perm",
                "--ro-bind-data", str(fds[2]), "/etc/data",
                "--bind-data", str(fds[3]), "/t/rwdata",
                "--bind-fd", str(fds[4]), "/fd",
                "--ro-bind-fd", str(fds[5]), "/fdro",
                "--chmod", "0750", "/t",
                "--mqueue", "/dev/mqueue",
            ]
            results.append(sb.probe(args, ["--stat", "/"] + probe_args, exe=exe, pass_fds=fds))
        finally:
            for fd in fds:
                os.close(fd)
    sid = os.getsid(0)
    ref, got = (normalize(d, host_ns, sid) for d in results)
    for key in ("stat", "read", "write", "fds", "uid", "gid", "caps"):
        assert ref[key] == got[key], f"{key}: bwrap {ref[key]!r}\n  launcher {got[key]!r}"
    mq = [m for m in results[1]["_mounts"] if m.fstype == "mqueue"]
    assert mq and mq[0].point == "/dev/mqueue", results[1]["_mounts"]


def _status_keys(sb, exe):
    info_r, info_w = os.pipe()
    st_r, st_w = os.pipe()
    try:
        r = sb.run(ROOT + ["--unshare-all", "--info-fd", str(info_w), "--json-status-fd", str(st_w),
                           "sh", "-c", "exit 5"], exe=exe, pass_fds=(info_w, st_w))
        os.close(info_w)
        os.close(st_w)
        info = os.read(info_r, 65536).decode()
        status = os.read(st_r, 65536).decode()
    finally:
        os.close(info_r)
        os.close(st_r)
    assert r.rc == 5, r.describe()
    lines = [json.loads(l) for l in status.splitlines() if l.strip()]
    return sorted(json.loads(info)), [sorted(o) for o in lines], lines[-1]


def test_info_and_json_status_agree(sb):
    """The same JSON members, and the same exit-code line, under both; the
    launcher adds command-pid (see test_lifecycle)."""
    ref = _status_keys(sb, BWRAP)
    got = _status_keys(sb, None)
    assert "command-pid" in got[0] and all("command-pid" in o for o in got[1][:1]), got
    got = ([k for k in got[0] if k != "command-pid"], [[k for k in o if k != "command-pid"] for o in got[1]], got[2])
    assert ref == got, f"bwrap {ref}\nlauncher {got}"
    assert got[2] == {"exit-code": 5}
