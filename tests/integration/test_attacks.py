# SPDX-License-Identifier: LGPL-2.1-or-later
"""Attack replays: each test makes a real attempt from inside a sandbox and
passes only when the attempt fails. (Planted symlinks are replayed in
test_security, terminal injection in test_lockdown, the masked paths in
test_lockdown, nested user namespaces after --disable-userns in test_rest.)

The attempts run as a small Python program inside the sandbox (with /usr
bound), which prints one JSON object of outcomes: "ok" or an errno name."""
import json
import os
import shutil
import socket
import stat
import subprocess
import textwrap

import pytest

import harness

PY = "/usr/bin/python3"

PRELUDE = textwrap.dedent('''
    import ctypes, errno, json, os, socket, sys
    libc = ctypes.CDLL(None, use_errno=True)
    res = {}
    def t(name, f, *a):
        try:
            f(*a)
            res[name] = "ok"
        except OSError as e:
            res[name] = errno.errorcode.get(e.errno, str(e.errno))
    def call(name, fn, *args):
        r = fn(*args)
        res[name] = "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
''')


def no_caps(sb):
    """A root caller keeps its capabilities unless it drops them (bwrap's
    rule), and with them may do anything: the replays that are about a
    sandbox without privilege drop them for root."""
    return ["--cap-drop", "ALL"] if sb.ident.is_root else []


def run_py(sb, args, code, *argv):
    r = sb.run(args + [PY, "-c", PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(res))"] + list(argv))
    assert r.rc == 0, "the attempt script failed\n" + r.describe()
    return json.loads(r.out.strip().splitlines()[-1])


# ---------------------------------------------------------------- the launcher's own binary (runc's CVE-2019-5736 class)

def test_cannot_overwrite_the_launcher_through_proc_exe(sb):
    """Without a pid namespace the command's parent is the monitor, running
    the launcher's binary; with one, pid 1 is the reaper, the same binary.
    Opening either /proc/PID/exe for writing must fail."""
    code = '''
        ppid = os.getppid()
        t("parent_exe_write", os.open, f"/proc/{ppid}/exe", os.O_WRONLY)
        t("parent_exe_rdwr", os.open, f"/proc/{ppid}/exe", os.O_RDWR)
        t("pid1_exe_write", os.open, "/proc/1/exe", os.O_WRONLY)
    '''
    for extra in ([], ["--unshare-pid"]):
        res = run_py(sb, sb.minimal + no_caps(sb) + extra, code)
        assert all(v != "ok" for v in res.values()), (extra, res)


def test_cannot_write_the_launcher_binary_through_its_path(sb):
    """The launcher's own file, bound in read-only, can't be changed."""
    res = run_py(sb, sb.minimal + no_caps(sb), '''
        t("write", os.open, sys.argv[1], os.O_WRONLY)
        t("truncate", os.truncate, sys.argv[1], 0)
    ''', sb.cocoon)
    # EROFS (read-only bind), ETXTBSY (it is running) or EACCES (not ours)
    assert res["write"] != "ok" and res["truncate"] != "ok", res


# ---------------------------------------------------------------- other processes

def test_cannot_ptrace_or_read_the_monitor(sb):
    """Without a pid namespace the monitor (outside, in the host's mount
    namespace) has a visible pid. It is non-dumpable: no ptrace, no mem, no
    environ, no root link."""
    res = run_py(sb, sb.minimal + no_caps(sb), '''
        ppid = os.getppid()
        call("ptrace_attach", libc.ptrace, 16, ppid, None, None)   # PTRACE_ATTACH
        if res["ptrace_attach"] == "ok":
            libc.ptrace(17, ppid, None, None)  # PTRACE_DETACH, or the monitor stays stopped
        call("ptrace_seize", libc.ptrace, 0x4206, ppid, None, None)  # PTRACE_SEIZE
        if res["ptrace_seize"] == "ok":
            libc.ptrace(17, ppid, None, None)
        t("mem", os.open, f"/proc/{ppid}/mem", os.O_RDWR)
        t("environ", lambda: open(f"/proc/{ppid}/environ", "rb").read())
        t("root", os.listdir, f"/proc/{ppid}/root/")
        t("cwd", os.listdir, f"/proc/{ppid}/cwd/")
    ''')
    assert all(v != "ok" for v in res.values()), res


def test_monitor_non_dumpable_while_the_command_runs(sb):
    """Without a reaper the sandbox's first process runs in the monitor's
    memory until it execs the command, and makes that memory dumpable to
    write its id maps. Once the command runs, the monitor must be
    non-dumpable again. The kernel gives a non-dumpable process's /proc
    files to root, which is what the host sees. (From inside, the kernel's
    user-namespace rules refuse ptrace of the monitor whatever its flag.)"""
    if sb.ident.is_root:
        pytest.skip("a root caller's /proc files belong to root whatever the flag")
    p = sb.popen(sb.minimal + ["/bin/sh", "-c", "echo ready; exec sleep 30"])
    try:
        assert harness.readline(p.stdout).strip() == b"ready"
        owner = os.stat(f"/proc/{p.pid}/environ").st_uid
    finally:
        p.kill()
        p.wait()
    assert owner == 0, f"the monitor's /proc files belong to uid {owner}: it is dumpable"


def test_host_process_out_of_reach_with_unshare_pid(sb):
    """With --unshare-pid a host process of the same user can't be seen,
    signalled, ptraced or read, by its host pid."""
    victim = subprocess.Popen(sb.ident.wrap + ["sleep", "60"], env=harness.tagged_env(None))
    try:
        res = run_py(sb, sb.minimal + no_caps(sb) + ["--unshare-pid"], '''
            pid = int(sys.argv[1])
            call("kill", libc.kill, pid, 0)
            call("ptrace", libc.ptrace, 16, pid, None, None)
            t("environ", lambda: open(f"/proc/{pid}/environ", "rb").read())
            t("visible", os.stat, f"/proc/{pid}")
        ''', str(victim.pid))
        assert res["kill"] == "ESRCH" and res["ptrace"] == "ESRCH", res
        assert res["environ"] == "ENOENT" and res["visible"] == "ENOENT", res
        assert victim.poll() is None, "the host process was hurt"
    finally:
        victim.kill()
        victim.wait()


# ---------------------------------------------------------------- climbing out of the root

def test_cannot_climb_out_of_the_root(sb, scratch):
    """/proc/1/root, /proc/self/root, /proc/self/cwd and '..' all stop at the
    sandbox's root: what they show is the sandbox's /, never the host's."""
    marker = os.path.join(scratch, "only-on-the-host")
    open(marker, "w").close()
    res = run_py(sb, sb.minimal + ["--unshare-pid", "--tmpfs", "/tmp"], '''
        want = sorted(os.listdir("/"))
        res["slash"] = want
        os.chdir("/")
        for _ in range(20):
            os.chdir("..")
        res["dotdot"] = sorted(os.listdir("."))
        try:
            res["pid1_root"] = sorted(os.listdir("/proc/1/root/"))
        except PermissionError:
            res["pid1_root"] = "EACCES"   # pid 1 is out of the command's reach
        res["self_root_up"] = sorted(os.listdir("/proc/self/root/../../.."))
        res["cwd_up"] = sorted(os.listdir("/proc/self/cwd/../../../.."))
        t("marker", os.stat, sys.argv[1])
    ''', marker)
    for k in ("dotdot", "self_root_up", "cwd_up"):
        assert res[k] == res["slash"], (k, res)
    # a root caller keeps CAP_SYS_PTRACE, and sees the sandbox's root there
    assert res["pid1_root"] == (res["slash"] if sb.ident.is_root else "EACCES"), res
    assert res["marker"] == "ENOENT", res
    assert "oldroot" not in res["slash"] and "newroot" not in res["slash"], res


# ---------------------------------------------------------------- read-only binds

def test_cannot_remount_read_write_without_capabilities(sb, scratch):
    res = run_py(sb, sb.minimal + no_caps(sb) + ["--ro-bind", scratch, "/data"], '''
        MS_REMOUNT, MS_BIND = 32, 4096
        call("remount_rw", libc.mount, None, b"/data", None, MS_REMOUNT | MS_BIND, None)
        call("umount", libc.umount2, b"/data", 2)
        t("write", os.open, "/data/x", os.O_WRONLY | os.O_CREAT, 0o644)
    ''')
    assert res["remount_rw"] in ("EPERM", "EACCES"), res
    assert res["umount"] in ("EPERM", "EACCES"), res
    assert res["write"] == "EROFS", res
    assert not os.path.exists(os.path.join(scratch, "x"))


# ---------------------------------------------------------------- privilege inside

def test_setuid_binary_gains_nothing(sb, scratch, bins):
    """A setuid-root program made by the test and bound into the sandbox
    (with --dev-bind, so not even nosuid stands in the way) still runs with
    the caller's ids: no_new_privs holds."""
    if not sb.ident.is_root and os.geteuid() != 0:
        pytest.skip("making a setuid-root file needs root")
    if sb.ident.is_root:
        pytest.skip("a root caller is uid 0 already; this is about the unprivileged identity")
    suid = os.path.join(scratch, "suid-probe")
    shutil.copy(bins.probe, suid)
    os.chown(suid, 0, 0)
    os.chmod(suid, 0o4755)
    d = sb.probe(sb.minimal + ["--dev-bind", suid, "/suid-probe"], command="/suid-probe")
    ruid, euid, saved_uid = d["uid"]
    assert ruid == euid == saved_uid == sb.ident.uid, d["uid"]
    assert os.stat(suid).st_mode & stat.S_ISUID, "the test's setuid file lost its bit"


# ---------------------------------------------------------------- network

def test_unshare_net_cannot_reach_host_loopback_or_abstract_sockets(sb):
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(1)
    port = tcp.getsockname()[1]
    name = f"cocoon-citest-{os.getpid()}-{port}"
    ab = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ab.bind("\0" + name)
    ab.listen(1)
    try:
        code = '''
            def tcp(port):
                s = socket.socket(); s.settimeout(2); s.connect(("127.0.0.1", port))
            def abstract(n):
                s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect("\\0" + n)
            t("tcp", tcp, int(sys.argv[1]))
            t("abstract", abstract, sys.argv[2])
        '''
        shared = run_py(sb, sb.minimal, code, str(port), name)
        assert shared == {"tcp": "ok", "abstract": "ok"}, f"the control (shared network) failed: {shared}"
        res = run_py(sb, sb.minimal + ["--unshare-net"], code, str(port), name)
        assert res["tcp"] == "ECONNREFUSED" and res["abstract"] == "ECONNREFUSED", res
    finally:
        tcp.close()
        ab.close()
