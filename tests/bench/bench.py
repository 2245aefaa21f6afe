#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Launch benchmarks: cocoon against Debian's bwrap, crun and firejail, and the
physical floor.

For every case the same command line goes to cocoon and (when installed) to
/usr/bin/bwrap, alternately (A B F A B F ...), together with `floor`, a
minimal C program that creates the same namespaces, writes the id maps and
execs the command with no mounts.  Every run goes through `measure`, a small
C helper that forks, drops to the benchmark identity (like `setpriv --reuid
--regid --clear-groups`, without a second exec inside the timed window),
execs the launcher and reports wall time and wait4()'s rusage.

crun (a rootless OCI bundle shaped like case 2) and firejail (--noprofile,
its nearest options) run on case 2 only, where installed (--no-peers skips
them); one that can't run on the machine is reported with the reason, and
does not make the benchmark fail.  Options only cocoon has are measured as
what they add to case 2: one line each in FEATURE_CASES.

Identities: run as root, it benchmarks root and an unprivileged user
(cocoon-bench, created if missing; --as-user/COCOON_BENCH_USER picks
another).  Run as anyone else, it benchmarks that caller.

Timing is reported, never asserted: the exit status is 0 unless a launcher
fails to run a command (its stderr is then printed) or the harness cannot be
set up.  Failures under valgrind are reported but do not change the status.

Paths come from the command line or the environment:
  --cocoon  / COCOON          default /work/main/build/src/cocoon
  --floor   / COCOON_FLOOR    default /work/main/build/tests/bench/floor
  --measure / COCOON_MEASURE  default: `measure` next to the floor binary
  --bwrap   / COCOON_BWRAP    default /usr/bin/bwrap (skipped when missing)
  --valgrind / COCOON_VALGRIND  default: valgrind on PATH.  cocoon's launch
                              path uses open_tree, move_mount, fsopen and
                              mount_setattr, which valgrind wraps from 3.26 on
                              (Debian 12 ships 3.19: build a newer one, or
                              cocoon's column reads "needs valgrind >= 3.26").
"""

import argparse
import datetime
import glob
import json
import math
import os
import platform
import pwd
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile

DEFAULT_COCOON = "/work/main/build/src/cocoon"
DEFAULT_FLOOR = "/work/main/build/tests/bench/floor"
DEFAULT_BWRAP = "/usr/bin/bwrap"
DEFAULT_USER = os.environ.get("COCOON_BENCH_USER", "cocoon-bench")

# The environment every launcher gets (case 6 starts with an empty one).
RUN_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}

COMMAND = ["true"]

# The root that cases 2 to 5 build: /usr plus the usual links.
USR_ROOT = [
    "--ro-bind", "/usr", "/usr",
    "--symlink", "usr/bin", "/bin",
    "--symlink", "usr/lib", "/lib",
    "--symlink", "usr/lib64", "/lib64",
]
TYPICAL = USR_ROOT + [
    "--proc", "/proc",
    "--dev", "/dev",
    "--tmpfs", "/tmp",
    "--unshare-all",
    "--die-with-parent",
]
ALL_NS = ("user", "mount", "pid", "net", "ipc", "uts", "cgroup")
BIND_COUNTS = (50, 200, 1000)

# Options only cocoon has, each measured on top of case 2's line and reported
# as what it adds to cocoon's own case 2.  Adding one is one line here:
#   (key, title, extra options after case 2's line).
FEATURE_CASES = [
    ("profile", "case 2 + default profile", ["--seccomp-profile", "default"]),
    ("landlock", "case 2 + --landlock", ["--landlock"]),
    ("report", "case 2 + --report (seccomp listener in the monitor)", ["--report"]),
    ("allow-host", "case 2 + --allow-host (the monitor's proxy)", ["--allow-host", "localhost:1"]),
    ("pasta", "case 2 + --net pasta (pasta started and stopped)", ["--net", "pasta"]),
]

# The other launchers that Debian ships, run on case 2 (PEER_CASE) where
# installed: each builds the same sandbox as its options allow.
PEER_CASE = "2"

# issue 2's cases, 4 (seccomp) and 6 (--args) from issue 7, the features and
# the peers
DEFAULT_CASES = "1,2,3,4,5,6,preset," + ",".join(k for k, _, _ in FEATURE_CASES)


# ---------------------------------------------------------------- cases

class Case:
    """One command line.

    `namespaces` are those a launcher makes for it as root; an unprivileged
    caller always gets a user namespace on top (the floor does the same).
    `scale` divides the iteration count (for the slow many-bind cases).
    `files` maps a name to a file whose contents reach the launcher through
    a fresh fd on every run; the token FD_TOKEN + name in `args` becomes
    that fd's number."""

    def __init__(self, key, title, args, namespaces, scale=1, binds=None,
                 files=None, env=None, relative_to=None):
        """relative_to: a case key. Such a case uses options only cocoon has:
        bwrap doesn't run it, and its cost is reported as a ratio to
        cocoon's own median on that case."""
        self.key = key
        self.relative_to = relative_to
        self.title = title
        self.args = args
        self.namespaces = tuple(namespaces)
        self.scale = scale
        self.binds = binds
        self.files = files or {}
        self.env = RUN_ENV if env is None else env

    def floor_flags(self, unprivileged):
        ns = set(self.namespaces)
        if unprivileged:
            ns.add("user")
        return ["--" + n for n in ALL_NS if n in ns]


FD_TOKEN = "@fd:"


def bind_args(srcdir, count):
    args = []
    for i in range(count):
        name = "d%04d" % i
        args += ["--ro-bind", os.path.join(srcdir, name), "/mnt/" + name]
    return args


# Syscalls that `true` never makes, for the 40-rule seccomp program (x86_64).
SECCOMP_DENY_X86_64 = (
    163, 248, 159, 321, 305, 174, 176, 300, 313, 177,   # acct .. get_kernel_syms
    239, 175, 173, 172, 312, 320, 246, 250, 212, 237,   # get_mempolicy .. mbind
    256, 279, 303, 180, 304, 298, 155, 310, 311, 101,   # migrate_pages .. ptrace
    178, 179, 169, 249, 238, 308, 164, 168, 167, 139,   # query_module .. sysfs
)


def seccomp_program():
    """A classic-BPF seccomp filter with 40 rules: each listed syscall gets
    EPERM, anything else is allowed; a foreign architecture is killed.
    Returns the raw sock_filter array, or None off x86_64."""
    if platform.machine() != "x86_64":
        return None
    ld_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    audit_arch_x86_64 = 0xC000003E
    ret_kill, ret_allow, ret_eperm = 0x80000000, 0x7FFF0000, 0x00050000 | 1
    insns = [(ld_abs, 0, 0, 4),                       # A = seccomp_data.arch
             (jeq_k, 1, 0, audit_arch_x86_64),
             (ret_k, 0, 0, ret_kill),
             (ld_abs, 0, 0, 0)]                       # A = seccomp_data.nr
    for nr in SECCOMP_DENY_X86_64:
        insns += [(jeq_k, 0, 1, nr), (ret_k, 0, 0, ret_eperm)]
    insns.append((ret_k, 0, 0, ret_allow))
    return b"".join(struct.pack("=HBBI", *i) for i in insns)


def flatpak_args():
    """About 240 arguments shaped like a Flatpak app launch."""
    args = ["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
            "--dev", "/dev", "--proc", "/proc",
            "--ro-bind", "/usr", "/usr"]
    for d in ("bin", "lib", "lib64", "sbin"):
        args += ["--symlink", "usr/" + d, "/" + d]
    for d in ("/tmp", "/var/tmp", "/run/host", "/run/user/1000", "/app", "/var/cache"):
        args += ["--dir", d]
    args += ["--symlink", "../run", "/var/run", "--tmpfs", "/run/host/fonts"]
    for f in ("passwd", "group", "hosts", "resolv.conf", "localtime", "machine-id",
              "nsswitch.conf", "host.conf", "gai.conf", "ld.so.cache", "timezone",
              "os-release", "mime.types", "fonts", "ssl", "ca-certificates", "pki",
              "xdg", "alternatives", "services"):
        args += ["--ro-bind-try", "/etc/" + f, "/etc/" + f]
    i = 0
    while len(args) + 3 + 2 <= 240:
        args += ["--setenv", "FLATPAK_BENCH_VAR_%02d" % i, "value-%02d" % i]
        i += 1
    return args + ["--chdir", "/"]


def make_cases(workdir):
    srcdir = os.path.join(workdir, "src")
    cases = [
        Case("1", "--ro-bind / / true", ["--ro-bind", "/", "/"], ["mount"]),
        Case("2", "typical --unshare-all line", TYPICAL, ALL_NS),
        Case("3a", "case 2 + --unshare-net", TYPICAL + ["--unshare-net"], ALL_NS),
        Case("3b", "case 2 + --share-net", TYPICAL + ["--share-net"],
             [n for n in ALL_NS if n != "net"]),
    ]
    prog = seccomp_program()
    if prog:
        path = os.path.join(workdir, "seccomp-40.bpf")
        with open(path, "wb") as f:
            f.write(prog)
        cases.append(Case("4", "case 2 + 40-rule --seccomp", TYPICAL + [
            "--seccomp", FD_TOKEN + "seccomp"], ALL_NS, files={"seccomp": path}))
    cases.append(Case("5/0", "/usr root, 0 extra binds", USR_ROOT, ["mount"], binds=0))
    for n in BIND_COUNTS:
        cases.append(Case("5/%d" % n, "/usr root + %d --ro-bind" % n,
                          USR_ROOT + bind_args(srcdir, n), ["mount"],
                          scale={50: 2, 200: 4, 1000: 10}[n], binds=n))
    for key, title, extra in FEATURE_CASES:
        cases.append(Case(key, title, TYPICAL + extra, ALL_NS, relative_to="2"))
    # --profile's own cost: a file that repeats what case 2 already says
    path = os.path.join(workdir, "bench.profile")
    with open(path, "w") as f:
        f.write("# the benchmark's profile: nothing case 2 does not do already\n--die-with-parent\n--tmpfs /tmp\n")
    os.chmod(path, 0o644)
    cases.append(Case("preset", "case 2 + --profile FILE (parsed, spliced)", TYPICAL + ["--profile", path],
                      ALL_NS, relative_to="2"))
    fl = flatpak_args()
    path = os.path.join(workdir, "flatpak.args")
    with open(path, "wb") as f:
        f.write(b"".join(a.encode() + b"\0" for a in fl))
    cases.append(Case("6", "Flatpak-like, %d args" % len(fl),
                      ["--args", FD_TOKEN + "args"], ["mount", "pid", "ipc"],
                      files={"args": path}, env={}))
    return cases


def select_cases(cases, spec):
    if spec == "all":
        return cases
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    out = []
    for c in cases:
        for w in wanted:
            if c.key == w or c.key.split("/")[0] == w or c.key.rstrip("ab") == w:
                out.append(c)
                break
    if not out:
        sys.exit("bench: no case matches --cases %r (have: %s)"
                 % (spec, ", ".join(c.key for c in cases)))
    return out


# ---------------------------------------------------------------- identities

class Identity:
    def __init__(self, label, uid, gid, drop):
        self.label = label
        self.uid = uid
        self.gid = gid
        self.drop = drop  # measure must switch to uid/gid before exec

    @property
    def unprivileged(self):
        return self.uid != 0

    def measure_prefix(self, measure):
        if self.drop:
            return [measure, "--uid", str(self.uid), "--gid", str(self.gid), "--"]
        return [measure, "--"]


def ensure_user(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    if os.geteuid() != 0:
        sys.exit("bench: user %r does not exist and only root can create it" % name)
    print("bench: creating system user %r" % name)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    r = subprocess.run([useradd, "--system", "--user-group", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                        name], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench: useradd %s failed: %s" % (name, r.stderr.strip()))
    return pwd.getpwnam(name)


def make_identities(opts):
    euid = os.geteuid()
    which = opts.identity
    if which is None and opts.as_user:
        which = "user"
    if which is None:
        which = "both" if euid == 0 else "self"
    if euid != 0 and which != "self":
        sys.exit("bench: --identity %s needs root (run as root, or use --identity self)"
                 % which)
    ids = []
    if which == "self":
        pw = pwd.getpwuid(euid)
        ids.append(Identity("%s (uid %d, the caller)" % (pw.pw_name, euid),
                            euid, os.getegid(), False))
        return ids
    if which in ("root", "both"):
        ids.append(Identity("root (uid 0)", 0, 0, False))
    if which in ("user", "both"):
        pw = ensure_user(opts.as_user or DEFAULT_USER)
        if pw.pw_uid == 0:
            sys.exit("bench: --as-user must name an unprivileged user")
        ids.append(Identity("unprivileged %s (uid %d)" % (pw.pw_name, pw.pw_uid),
                            pw.pw_uid, pw.pw_gid, True))
    return ids


# ---------------------------------------------------------------- running

class RunError(Exception):
    pass


def run_measured(prefix, argv, timeout, env=RUN_ENV, pass_fds=()):
    """Run argv under `measure`; return a dict, or raise RunError."""
    try:
        p = subprocess.run(prefix + argv, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout,
                           pass_fds=pass_fds)
    except subprocess.TimeoutExpired as e:
        raise RunError("timed out after %ss" % timeout, e.stderr or "")
    if p.returncode != 0:
        raise RunError("measure failed (status %d)" % p.returncode, p.stderr)
    try:
        wall, status, maxrss, utime, stime = (int(x) for x in p.stdout.split())
    except ValueError:
        raise RunError("cannot parse measure output %r" % p.stdout, p.stderr)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return {"wall_ns": wall, "maxrss_kb": maxrss, "utime_us": utime,
                "stime_us": stime, "stderr": p.stderr}
    if os.WIFSIGNALED(status):
        what = "killed by signal %d" % os.WTERMSIG(status)
    else:
        what = "exit status %d" % os.WEXITSTATUS(status)
    raise RunError(what, p.stderr)


class Launcher:
    def __init__(self, name, path):
        self.name = name
        self.path = path

    def why_not(self, ident):
        """Why this launcher can't run for ident, known in advance, or None."""
        return None

    def argv(self, case, ident, fds, extra=()):
        """The command line for one run; `fds` maps the case's file names to
        the fds opened for this run; `extra` goes before the command."""
        if self.name == "floor":
            return [self.path] + case.floor_flags(ident.unprivileged) + ["--"] + COMMAND
        args = [str(fds[a[len(FD_TOKEN):]]) if a.startswith(FD_TOKEN) else a
                for a in case.args]
        return [self.path] + args + list(extra) + COMMAND


class Crun(Launcher):
    """crun in rootless mode on an OCI bundle shaped like case 2: the root is
    an empty read-only directory with the host's /usr bound read-only and
    the usual links, /proc, a /dev tmpfs (with pts, shm, mqueue), a /tmp
    tmpfs and every namespace of case 2.  Made from `crun spec --rootless`;
    one bundle and state directory per identity; no cgroup manager (cocoon
    makes no cgroup either)."""

    def __init__(self, path, workdir):
        super().__init__("crun", path)
        self.workdir = workdir
        self.bundles = {}

    def bundle(self, ident):
        if ident.uid in self.bundles:
            return self.bundles[ident.uid]
        base = os.path.join(self.workdir, "crun-%d" % ident.uid)
        rootfs = os.path.join(base, "rootfs")
        for d in ("usr", "proc", "dev", "tmp"):
            os.makedirs(os.path.join(rootfs, d), 0o755)
        for l in ("bin", "lib", "lib64"):
            os.symlink("usr/" + l, os.path.join(rootfs, l))
        subprocess.run([self.path, "spec", "--rootless"], cwd=base, check=True,
                       capture_output=True)
        with open(os.path.join(base, "config.json")) as f:
            spec = json.load(f)
        spec["process"].update(terminal=False, args=["/usr/bin/" + COMMAND[0]],
                               env=["%s=%s" % kv for kv in RUN_ENV.items()])
        spec["root"] = {"path": "rootfs", "readonly": True}
        spec["mounts"] = [m for m in spec["mounts"] if not m["destination"].startswith("/sys")] + [
            {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]
        linux = spec["linux"]
        linux.pop("resources", None)
        have = {n["type"] for n in linux["namespaces"]}
        linux["namespaces"] += [{"type": t} for t in ("user", "cgroup") if t not in have]
        linux["uidMappings"] = [{"containerID": 0, "hostID": ident.uid, "size": 1}]
        linux["gidMappings"] = [{"containerID": 0, "hostID": ident.gid, "size": 1}]
        with open(os.path.join(base, "config.json"), "w") as f:
            json.dump(spec, f, indent=1)
        state = os.path.join(base, "state")
        os.mkdir(state, 0o700)
        for d in (base, state):
            os.chown(d, ident.uid, ident.gid)
        os.chmod(base, 0o755)
        self.bundles[ident.uid] = (base, state)
        return base, state

    def argv(self, case, ident, fds, extra=()):
        base, state = self.bundle(ident)
        return [self.path, "--root", state, "--cgroup-manager=disabled", "run", "--bundle", base,
                "cocoon-bench-%d" % ident.uid]


class Firejail(Launcher):
    """firejail without a profile, as close to case 2 as its options go: no
    network, its own IPC namespace, a private /dev and /tmp (it always makes
    a mount and a pid namespace and mounts a fresh /proc; it has no option
    for a root made of /usr alone).  It runs the command through the
    user's login shell, so an account whose shell is nologin can't use it."""

    def __init__(self, path):
        super().__init__("firejail", path)

    def why_not(self, ident):
        shell = pwd.getpwuid(ident.uid).pw_shell
        if os.path.basename(shell) in ("nologin", "false"):
            return "the login shell of uid %d is %s, and firejail runs the command through it" % (
                ident.uid, shell)
        return None

    def argv(self, case, ident, fds, extra=()):
        return [self.path, "--noprofile", "--quiet", "--net=none", "--ipc-namespace",
                "--private-dev", "--private-tmp", "--"] + ["/usr/bin/" + COMMAND[0]]


PEERS = [("crun", "/usr/bin/crun", Crun), ("firejail", "/usr/bin/firejail", Firejail)]


def run_launcher(launcher, case, ident, measure, timeout, extra=(), wrap=()):
    """One measured run of a launcher on a case, with fresh fds for the
    case's files (a launcher reads --args and --seccomp fds to the end)."""
    fds = {}
    try:
        for name, path in case.files.items():
            fds[name] = os.open(path, os.O_RDONLY)
        argv = list(wrap) + launcher.argv(case, ident, fds, extra)
        return run_measured(ident.measure_prefix(measure), argv, timeout,
                            env=case.env, pass_fds=tuple(fds.values()))
    finally:
        for fd in fds.values():
            os.close(fd)


def summarize(samples):
    walls = sorted(s["wall_ns"] / 1e6 for s in samples)
    return {
        "runs": len(samples),
        "median_ms": statistics.median(walls),
        "min_ms": walls[0],
        "max_ms": walls[-1],
        "maxrss_kb": max(s["maxrss_kb"] for s in samples),
        "cpu_ms_median": statistics.median(
            (s["utime_us"] + s["stime_us"]) / 1000 for s in samples),
    }


def bench_case(case, launchers, ident, measure, iterations, warmup, timeout):
    """Alternate the launchers run by run.  Returns {name: summary or error}."""
    samples = {l.name: [] for l in launchers}
    errors = {}
    active = list(launchers)
    for i in range(warmup + iterations):
        for l in list(active):
            try:
                s = run_launcher(l, case, ident, measure, timeout)
            except RunError as e:
                errors[l.name] = {"error": e.args[0], "stderr": e.args[1]}
                active.remove(l)
                continue
            if i >= warmup:
                samples[l.name].append(s)
        if not active:
            break
    out = {}
    for l in launchers:
        out[l.name] = errors.get(l.name) or summarize(samples[l.name])
    return out


# ---------------------------------------------------------------- callgrind

def valgrind_version(valgrind):
    """(major, minor) of a valgrind binary, or None."""
    m = re.search(r"(\d+)\.(\d+)", version_of(valgrind))
    return (int(m.group(1)), int(m.group(2))) if m else None


# The first valgrind that wraps every system call cocoon's launch makes
# (mount_setattr came last, in 3.26).
VALGRIND_FOR_COCOON = (3, 26)


def callgrind_case(case, launcher, ident, measure, workdir, timeout, valgrind_bin):
    """Count user-space instructions with callgrind.

    Counters are per process and a forked child inherits its parent's, and
    an exec'd image starts again from zero (untraced here).  So every process
    dumps its counts right before it execs (--dump-before='*exec*'), and two
    figures are reported:
      to_exec: the cumulative count of the process that execs the command,
               i.e. all user-space work on the path from the launcher's start
               to the exec of the command (its ancestors' work before each
               fork included);
      monitor: the whole life of the launcher's first process.
    The dump inside the sandbox needs the output directory, so cocoon and
    bwrap get one extra `--bind DIR DIR` for this measurement."""
    outdir = tempfile.mkdtemp(prefix="cg-", dir=workdir)
    os.chmod(outdir, 0o777)
    valgrind = [valgrind_bin, "--tool=callgrind", "--trace-children=no",
                "--dump-before=*exec*",
                "--callgrind-out-file=" + os.path.join(outdir, "cg.%p")]
    extra = ["--bind", outdir, outdir] if launcher.name != "floor" else []
    try:
        stderr = run_launcher(launcher, case, ident, measure, timeout * 20,
                              extra=extra, wrap=valgrind)["stderr"]
        ok = True
    except RunError as e:
        ok, stderr = False, e.args[1]
    procs = {}  # pid -> {"total": n, "exec": bool}
    for f in glob.glob(os.path.join(outdir, "cg.*")):
        pid = os.path.basename(f).split(".")[1]
        entry = procs.setdefault(pid, {"total": 0, "exec": False})
        with open(f, errors="replace") as fh:
            for line in fh:
                if line.startswith("desc: Trigger:") and "exec" in line:
                    entry["exec"] = True
                m = re.match(r"summary:\s+(\d+)", line)
                if m:
                    entry["total"] += int(m.group(1))
                    break
    shutil.rmtree(outdir, ignore_errors=True)
    execs = [e["total"] for e in procs.values() if e["exec"]]
    m = re.search(r"^==(\d+)==", stderr, re.M)
    monitor = procs.get(m.group(1), {}).get("total") if m else None
    res = {"command_ok": ok, "processes": len(procs), "to_exec": max(execs) if execs else None,
           "monitor": monitor}
    # valgrind's own warnings and errors, and anything the launcher said
    errs = [l for l in stderr.splitlines()
            if not l.startswith(("==", "--")) or "rror" in l or "unhandled" in l
            or "nsupported" in l]
    if not ok or errs:
        res["stderr"] = "\n".join((errs or stderr.splitlines())[-6:])
    return res


# ---------------------------------------------------------------- profile

PERF_EVENTS = ("task-clock", "page-faults", "context-switches", "cpu-migrations")


def profile_case(case, launcher, ident, measure, workdir, runs, timeout):
    """Where the time goes: perf stat software events (median over `runs`
    runs of the launcher and everything it starts, the command included)
    and strace -f -c syscall counts (one run)."""
    res = {}
    perf = shutil.which("perf")
    if perf:
        vals = {e: [] for e in PERF_EVENTS}
        for _ in range(runs):
            try:
                err = run_launcher(launcher, case, ident, measure, timeout,
                                   wrap=[perf, "stat", "-x,", "-e", ",".join(PERF_EVENTS),
                                         "--"])["stderr"]
            except RunError as e:
                res["perf_error"] = e.args[0]
                break
            for line in err.splitlines():
                f = line.split(",")
                if len(f) >= 3 and f[2].split(":")[0] in vals:
                    try:
                        vals[f[2].split(":")[0]].append(float(f[0]))
                    except ValueError:
                        pass
        for e, v in vals.items():
            if v:
                res[e] = statistics.median(v)
    strace = shutil.which("strace")
    if strace:
        outdir = tempfile.mkdtemp(prefix="st-", dir=workdir)
        os.chmod(outdir, 0o777)
        out = os.path.join(outdir, "strace.txt")
        try:
            run_launcher(launcher, case, ident, measure, timeout,
                         wrap=[strace, "-f", "-c", "-o", out, "--"])
            calls = []
            with open(out) as f:
                for line in f:
                    m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d*)\s*(\S+)\s*$",
                                 line)
                    if m:
                        calls.append((m.group(3), int(m.group(1)), int(m.group(2) or 0)))
            total = [c for c in calls if c[0] == "total"]
            calls = sorted((c for c in calls if c[0] != "total"), key=lambda c: -c[1])
            if total:
                res["syscalls"], res["syscall_errors"] = total[0][1], total[0][2]
            res["top_syscalls"] = calls[:6]
        except (RunError, OSError) as e:
            res["strace_error"] = str(e.args[0])
        shutil.rmtree(outdir, ignore_errors=True)
    return res


def print_profile(rows, runs):
    if not rows:
        return
    print()
    print("where the time goes: perf stat software events (median of %d runs; the launcher "
          "and all it starts, `true` included) and strace -f -c (one run)" % runs)
    row = "  %-38s %-6s %-8s %9s %7s %6s %6s %9s  %s"
    print(row % ("identity", "case", "launcher", "task-clk", "faults", "csw", "migr",
                 "syscalls", "most frequent syscalls"))
    for r in rows:
        p = r["result"]
        num = lambda k, f="%d": (f % p[k]) if k in p else "-"
        top = ", ".join("%s %d" % (n, c) for n, c, _ in p.get("top_syscalls", []))
        err = p.get("perf_error") or p.get("strace_error")
        print(row % (r["identity"][:38], r["case"], r["launcher"],
                     num("task-clock", "%.2fms"), num("page-faults"),
                     num("context-switches"), num("cpu-migrations"),
                     ("%d/%d" % (p["syscalls"], p["syscall_errors"])) if "syscalls" in p else "-",
                     err or top))
    print("  (syscalls: calls/failed calls)")


# ---------------------------------------------------------------- report

def fmt_ms(v):
    return "%.3f" % v if v < 10 else "%.2f" % v if v < 100 else "%.1f" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2fx" % (a / b)


def med(res, name):
    r = res.get(name)
    if not r or "error" in r:
        return None
    return r["median_ms"]


def print_case_table(ident, baseline, results, cases, names):
    print()
    print("== %s ==" % ident.label)
    if baseline:
        print("spawn baseline (measure forks and execs `true`, no launcher): "
              "median %s ms, min %s ms, maxrss %d KiB"
              % (fmt_ms(baseline["median_ms"]), fmt_ms(baseline["min_ms"]),
                 baseline["maxrss_kb"]))
    row = "%-6s %-28s %-8s %5s %9s %9s %9s %8s %8s %8s"
    hdr = row % ("case", "command line", "launcher", "runs", "median", "min", "max",
                 "maxrss", "/bwrap", "/floor")
    print(hdr)
    print((row % ("", "", "", "", "ms", "ms", "ms", "KiB", "", "")).rstrip())
    print("-" * len(hdr))
    for case in cases:
        res = results[case.key]
        bm, fm = med(res, "bwrap"), med(res, "floor")
        first = True
        for name in names:
            r = res.get(name)
            if r is None:
                continue
            key = case.key if first else ""
            title = case.title[:28] if first else ""
            first = False
            if "error" in r:
                print("%-6s %-28s %-8s FAILED: %s" % (key, title, name, r["error"]))
                continue
            m = r["median_ms"]
            vs_b = ratio(m, bm) if name == "cocoon" else ""
            if case.relative_to and name == "cocoon" and case.relative_to in results:
                # what the option adds, as cocoon's own ratio to the base case
                vs_b = "%s/%s" % (ratio(m, med(results[case.relative_to], "cocoon")), case.relative_to)
            vs_f = ratio(m, fm) if name != "floor" else ""
            print("%-6s %-28s %-8s %5d %9s %9s %9s %8d %8s %8s" % (
                key, title, name, r["runs"], fmt_ms(m), fmt_ms(r["min_ms"]),
                fmt_ms(r["max_ms"]), r["maxrss_kb"], vs_b, vs_f))
    growth = [c for c in cases if c.binds is not None]
    if len(growth) >= 2:
        print_growth(results, growth, names)


def stat_of(res, name, stat):
    r = res.get(name)
    if not r or "error" in r:
        return None
    return r[stat]


def growth_exponent(points):
    """k in extra(N) ~ N^k from the last two points (N, extra ms)."""
    (n1, e1), (n2, e2) = points[-2], points[-1]
    if e1 <= 0 or e2 <= 0:
        return None
    return math.log(e2 / e1) / math.log(n2 / n1)


def print_growth(results, cases, names):
    """Time per bind = (T(N) - T(0 binds)) / N, from the medians and from the
    minimums (which a busy machine disturbs less).  Constant per-bind time
    means linear growth; per-bind time growing with N means quadratic."""
    base = next((c for c in cases if c.binds == 0), None)
    if base is None:
        return
    print()
    print("case 5 growth: us per bind = (T(N) - T(0 binds)) / N")
    row = "%-8s %6s %10s %10s %12s %12s"
    print(row % ("launcher", "binds", "median ms", "min ms", "us/bind med", "us/bind min"))
    for name in names:
        if name == "floor":
            continue
        b_med = stat_of(results[base.key], name, "median_ms")
        b_min = stat_of(results[base.key], name, "min_ms")
        if b_med is None:
            continue
        pts = {"median_ms": [], "min_ms": []}
        for c in cases:
            m, lo = (stat_of(results[c.key], name, st) for st in ("median_ms", "min_ms"))
            if m is None:
                continue
            per = ["-", "-"]
            if c.binds:
                pts["median_ms"].append((c.binds, m - b_med))
                pts["min_ms"].append((c.binds, lo - b_min))
                per = ["%.1f" % ((m - b_med) * 1000 / c.binds),
                       "%.1f" % ((lo - b_min) * 1000 / c.binds)]
            print(row % (name, c.binds, fmt_ms(m), fmt_ms(lo), per[0], per[1]))
        if len(pts["median_ms"]) >= 2:
            ks = [growth_exponent(pts[st]) for st in ("median_ms", "min_ms")]
            k = ks[1] if ks[1] is not None else ks[0]
            kind = ("?" if k is None else "~linear" if k < 1.3
                    else "~quadratic" if k > 1.7 else "superlinear")
            print("%-8s growth exponent %d->%d binds: %s from medians, %s from minimums (%s)" % (
                name, pts["median_ms"][-2][0], pts["median_ms"][-1][0],
                "-" if ks[0] is None else "%.2f" % ks[0],
                "-" if ks[1] is None else "%.2f" % ks[1], kind))
    last = cases[-1]
    c, b = (stat_of(results[last.key], n, "median_ms") for n in ("cocoon", "bwrap"))
    if c and b:
        print("cocoon/bwrap at %d binds (medians): %s" % (last.binds, ratio(c, b)))


def print_summary(report, cases):
    """One line per case, every identity side by side: the table for README.
    Printed twice: from the medians, then from the minimums, which a busy
    machine disturbs less."""
    idents = report["identities"]
    if not idents:
        return
    cell = "%8s %8s %7s %7s %7s"
    line = "%-7s" + " | ".join([cell] * len(idents))
    for stat in ("median_ms", "min_ms"):
        print()
        print("summary: %s ms, and cocoon's ratio to bwrap and to the floor"
              % stat.split("_")[0])
        print(("%-7s" % "") + " | ".join("%-41s" % i["identity"][:41] for i in idents))
        print(line % (("case",) + ("cocoon", "bwrap", "floor", "/bwrap", "/floor")
                      * len(idents)))
        for c in cases:
            vals = [c.key]
            for i in idents:
                res = i["results"].get(c.key, {})
                cm, bm, fm = (None if not res.get(n) or "error" in res[n] else res[n][stat]
                              for n in ("cocoon", "bwrap", "floor"))
                vals += ["FAILED" if cm is None else fmt_ms(cm),
                         "-" if bm is None else fmt_ms(bm),
                         "-" if fm is None else fmt_ms(fm), ratio(cm, bm), ratio(cm, fm)]
            print(line % tuple(vals))


def print_peers(report, peer_names):
    """Case 2 against every launcher that ran it: the table for a user
    choosing a launcher."""
    if not report["identities"]:
        return
    print()
    print("launchers on case %s (median ms; cocoon's time over each; each over the floor)"
          % PEER_CASE)
    row = "  %-38s %-9s %9s %9s %8s  %s"
    print(row % ("identity", "launcher", "median", "cocoon/it", "/floor", ""))
    for i in report["identities"]:
        res = i["results"].get(PEER_CASE, {})
        cm, fm = med(res, "cocoon"), med(res, "floor")
        for name in ["cocoon", "bwrap"] + peer_names:
            r = res.get(name)
            if r is None:
                continue
            if "error" in r:
                print(row % (i["identity"][:38], name, "-", "-", "-", r["error"]))
                continue
            m = r["median_ms"]
            print(row % (i["identity"][:38], name, fmt_ms(m),
                         "" if name == "cocoon" else ratio(cm, m), ratio(m, fm), ""))


def binary_info(path, workdir):
    info = {"path": path, "bytes": os.path.getsize(path)}
    strip = shutil.which("strip")
    if strip:
        out = os.path.join(workdir, "stripped")
        if subprocess.run([strip, "-o", out, path], capture_output=True).returncode == 0:
            info["stripped_bytes"] = os.path.getsize(out)
            os.unlink(out)
    size = shutil.which("size")
    if size:
        r = subprocess.run([size, "-B", path], capture_output=True, text=True)
        lines = r.stdout.splitlines()
        if r.returncode == 0 and len(lines) >= 2:
            text, data, bss = lines[1].split()[:3]
            info.update(text=int(text), data=int(data), bss=int(bss))
    r = subprocess.run(["ldd", path], capture_output=True, text=True)
    if r.returncode == 0:
        info["shared_libs"] = [l.split()[0] for l in r.stdout.splitlines()
                               if "=>" in l or l.strip().startswith("/")]
    return info


def print_binaries(bins):
    print()
    print("binaries:")
    for name, info in bins.items():
        libs = info.get("shared_libs")
        print("  %-7s %7d bytes (stripped %s)  text %s  data %s  bss %s  libs: %s" % (
            name, info["bytes"], info.get("stripped_bytes", "?"), info.get("text", "?"),
            info.get("data", "?"),
            info.get("bss", "?"),
            "static" if libs == [] else ", ".join(
                os.path.basename(l) for l in libs if "vdso" not in l) if libs else "?"))


def print_callgrind(cg):
    if not cg:
        return
    print()
    print("user-space instructions under valgrind --tool=callgrind (Ir):")
    print("  to exec = cumulative count of the process that execs the command (the launch path);")
    print("  monitor = the launcher's first process over its whole life; the command itself is")
    print("  not traced.  cocoon and bwrap get one extra --bind for the output directory.")
    row = "  %-38s %-6s %-8s %12s %12s %6s  %s"
    print(row % ("identity", "case", "launcher", "to exec", "monitor", "procs", "note"))
    for r in cg:
        res = r["result"]
        fmt = lambda v: "-" if v is None else "{:,}".format(v)
        note = res.get("error") or ("" if res.get("command_ok") else "command failed")
        print(row % (r["identity"][:38], r["case"], r["launcher"], fmt(res.get("to_exec")),
                     fmt(res.get("monitor")), res.get("processes", "-"), note))
        for line in (res.get("stderr") or "").splitlines():
            print("  %48s| %s" % ("", line))


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %s, %d CPUs, kernel %s" % (datetime.date.today().isoformat(), cpu,
                                          os.cpu_count() or 0, platform.release())


def host_tasks():
    """How many tasks (threads) the machine runs now."""
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                n += len(os.listdir("/proc/%s/task" % pid))
            except OSError:
                pass
    return n


class IdleProcesses:
    """N processes that wait until closed. Processes, not threads of one:
    each has its own task and fs_struct for pivot_root's walk to visit,
    as the processes of a desktop session do."""

    def __init__(self, n):
        self.proc = None
        if n <= 0:
            return
        code = ("import os, sys\n"
                "for _ in range(%d):\n"
                "    if os.fork() == 0:\n"
                "        os.read(0, 1)\n"
                "        os._exit(0)\n"
                "print('ready', flush=True)\n"
                "os.read(0, 1)\n"
                "while True:\n"
                "    try:\n"
                "        os.wait()\n"
                "    except ChildProcessError:\n"
                "        break\n" % (n - 1))
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.close()
            sys.exit("bench: --host-processes: could not start %d processes" % n)

    def close(self):
        if self.proc:
            self.proc.stdin.close()  # each reads end-of-file and exits
            self.proc.wait()
            self.proc = None


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def describe(case):
    """The case's command line, with long runs of binds shortened."""
    args = case.args
    if case.binds:
        head = USR_ROOT
        args = head + ["--ro-bind", "SRC/d0000", "/mnt/d0000", "...",
                       "(%d binds)" % case.binds]
    if case.files:
        args = [a.replace(FD_TOKEN, "FD:") for a in args]
    env = "" if case.env is RUN_ENV else " (empty environment)"
    return " ".join(args + COMMAND) + env


def version_of(path):
    try:
        r = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


# ---------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(
        description="Benchmark cocoon's launch cost against bwrap and the floor.")
    ap.add_argument("--cocoon", default=os.environ.get("COCOON", DEFAULT_COCOON))
    ap.add_argument("--floor", default=os.environ.get("COCOON_FLOOR", DEFAULT_FLOOR))
    ap.add_argument("--measure", default=os.environ.get("COCOON_MEASURE"),
                    help="the measure helper (default: next to the floor binary)")
    ap.add_argument("--bwrap", default=os.environ.get("COCOON_BWRAP", DEFAULT_BWRAP),
                    help="bwrap to compare with (default /usr/bin/bwrap)")
    ap.add_argument("--no-bwrap", action="store_true", help="skip bwrap")
    ap.add_argument("--no-peers", action="store_true",
                    help="skip the other launchers (crun, firejail)")
    ap.add_argument("--valgrind", default=os.environ.get("COCOON_VALGRIND"),
                    help="valgrind for --callgrind (default: the one on PATH; cocoon needs "
                    ">= 3.26)")
    ap.add_argument("--iterations", type=int,
                    help="runs per launcher for the small cases (default 200, "
                    "--quick 20); the many-bind cases run fewer")
    ap.add_argument("--quick", action="store_true", help="few iterations, for a smoke run")
    ap.add_argument("--warmup", type=int, default=3, help="unmeasured runs per launcher")
    ap.add_argument("--cases", default=DEFAULT_CASES,
                    help="comma-separated case keys, e.g. 1,2,5 or 5/1000, or all "
                    "(default %s; 4 is a 40-rule --seccomp, 6 a Flatpak-style "
                    "--args launch)" % DEFAULT_CASES)
    ap.add_argument("--identity", choices=("root", "user", "both", "self"),
                    help="who runs the launchers (default: both when run as root, "
                    "else self)")
    ap.add_argument("--as-user", metavar="NAME",
                    help="the unprivileged user (default cocoon-bench, or COCOON_BENCH_USER; "
                    "created if missing); "
                    "alone, it means --identity user")
    ap.add_argument("--callgrind", action="store_true",
                    help="also count instructions with valgrind --tool=callgrind")
    ap.add_argument("--callgrind-only", action="store_true",
                    help="only count instructions; no timing")
    ap.add_argument("--callgrind-cases", default="1,2",
                    help="cases for callgrind (default 1,2)")
    ap.add_argument("--profile", action="store_true",
                    help="also show where the time goes: perf stat software events and "
                    "strace -f -c syscall counts")
    ap.add_argument("--profile-cases", default="1,2,5/1000",
                    help="cases for --profile (default 1,2,5/1000)")
    ap.add_argument("--profile-runs", type=int, default=20,
                    help="runs per launcher for perf stat (default 20)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per run")
    ap.add_argument("--host-processes", type=int, default=0, metavar="N",
                    help="keep N more idle processes on the host while measuring: pivot_root "
                    "walks every task on the machine, so a busy desktop's launches cost more")
    ap.add_argument("--json", metavar="FILE", help="also write all results as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return ap.parse_args()


def check_file(path, what):
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        sys.exit("bench: %s not found or not executable: %s" % (what, path))


def install_copy(src, bindir, name):
    dst = os.path.join(bindir, name)
    shutil.copy2(src, dst)
    os.chmod(dst, 0o755)
    return dst


def main():
    opts = parse_args()
    if opts.measure is None:
        opts.measure = os.path.join(os.path.dirname(os.path.abspath(opts.floor)), "measure")
    check_file(opts.cocoon, "cocoon (set COCOON or --cocoon)")
    check_file(opts.floor, "floor (set COCOON_FLOOR or --floor)")
    check_file(opts.measure, "measure (set COCOON_MEASURE or --measure)")
    have_bwrap = not opts.no_bwrap and os.path.isfile(opts.bwrap) and os.access(opts.bwrap, os.X_OK)
    want_cg = opts.callgrind or opts.callgrind_only
    valgrind = opts.valgrind or shutil.which("valgrind")
    if valgrind and not os.access(valgrind, os.X_OK):
        sys.exit("bench: valgrind not found or not executable: %s" % valgrind)

    base_n = opts.iterations or (20 if opts.quick else 200)
    identities = make_identities(opts)

    # A world-readable scratch directory: copies of the binaries (so that an
    # unprivileged user can exec them whatever the build dir's permissions)
    # and the directories that case 5 binds.
    sys.stdout.reconfigure(line_buffering=True)
    workdir = tempfile.mkdtemp(prefix="cocoon-bench-")
    os.chmod(workdir, 0o755)
    status = 0
    idle = IdleProcesses(opts.host_processes)
    try:
        bindir = os.path.join(workdir, "bin")
        srcdir = os.path.join(workdir, "src")
        os.mkdir(bindir, 0o755)
        os.mkdir(srcdir, 0o755)
        for i in range(max(BIND_COUNTS)):
            os.mkdir(os.path.join(srcdir, "d%04d" % i), 0o755)
        os.chmod(bindir, 0o755)
        os.chmod(srcdir, 0o755)

        cocoon = Launcher("cocoon", install_copy(opts.cocoon, bindir, "cocoon"))
        floor = Launcher("floor", install_copy(opts.floor, bindir, "floor"))
        measure = install_copy(opts.measure, bindir, "measure")
        launchers = [cocoon]
        if have_bwrap:
            launchers.append(Launcher("bwrap", opts.bwrap))
        peers = []
        peer_notes = []
        for pname, ppath, cls in PEERS:
            if opts.no_peers:
                peer_notes.append("%s: skipped (--no-peers)" % pname)
            elif os.path.isfile(ppath) and os.access(ppath, os.X_OK):
                peers.append(cls(ppath, workdir) if cls is Crun else cls(ppath))
                peer_notes.append("%s: %s (%s), on case %s" % (pname, ppath, version_of(ppath),
                                                              PEER_CASE))
            else:
                peer_notes.append("%s: not installed (%s), skipped" % (pname, ppath))
        launchers += peers
        launchers.append(floor)
        names = [l.name for l in launchers]
        peer_names = [l.name for l in peers]

        all_cases = make_cases(workdir)
        cases = select_cases(all_cases, opts.cases)

        print("cocoon launch benchmark — %s" % machine_info())
        print("cocoon: %s (%s)" % (opts.cocoon, version_of(opts.cocoon)))
        print("bwrap:  %s" % ("%s (%s)" % (opts.bwrap, version_of(opts.bwrap))
                              if have_bwrap else "not installed, skipped"))
        for note in peer_notes:
            print(note)
        print("floor:  %s" % opts.floor)
        print("command: `true`; environment %s; launchers run alternately, %d warm-up runs"
              % (" ".join("%s=%s" % kv for kv in RUN_ENV.items()), opts.warmup))
        print("maxrss: wait4() ru_maxrss of the launcher = the largest peak RSS among it "
              "and the descendants it reaped (not a sum)")
        print("load average at start: %s" % loadavg())
        print("tasks on the host: %d%s" % (host_tasks(), " (%d idle processes added by --host-processes)"
                                            % opts.host_processes if opts.host_processes > 0 else ""))
        print("cases:")
        shown = cases
        if opts.callgrind_only:
            shown = select_cases(all_cases, opts.callgrind_cases)
        for c in shown:
            print("  %-6s %s" % (c.key, describe(c)))

        report = {"machine": machine_info(), "identities": [], "callgrind": [], "profile": []}
        failures = []

        if not opts.callgrind_only:
            for ident in identities:
                baseline = None
                try:
                    samples = [run_measured(ident.measure_prefix(measure),
                                            ["/usr/bin/true"], opts.timeout)
                               for _ in range(max(10, base_n // 2))]
                    baseline = summarize(samples)
                except RunError as e:
                    failures.append((ident.label, "baseline", "true", e.args[0], e.args[1]))
                results = {}
                for case in cases:
                    n = max(3, base_n // case.scale)
                    runners = [l for l in launchers if not (case.relative_to and l.name == "bwrap")
                               and (l.name not in peer_names or case.key == PEER_CASE)]
                    results[case.key] = bench_case(case, runners, ident, measure, n,
                                                   opts.warmup, opts.timeout)
                    for name, r in results[case.key].items():
                        if "error" in r and name in peer_names:
                            # a peer that can't run here is reported, not a failure
                            peer = next(l for l in peers if l.name == name)
                            r["error"] = "can't run here: %s (%s)" % (
                                r["error"], peer.why_not(ident) or " ".join(r["stderr"].split())[-160:])
                        elif "error" in r:
                            failures.append((ident.label, case.key, name, r["error"],
                                             r["stderr"]))
                print_case_table(ident, baseline, results, cases, names)
                report["identities"].append({"identity": ident.label, "baseline": baseline,
                                             "results": results})

        print_summary(report, cases)
        print_peers(report, peer_names)

        bins = {"cocoon": binary_info(opts.cocoon, workdir)}
        if have_bwrap:
            bins["bwrap"] = binary_info(opts.bwrap, workdir)
        bins["floor"] = binary_info(opts.floor, workdir)
        report["binaries"] = bins
        print_binaries(bins)

        if want_cg:
            if not valgrind:
                print("\ncallgrind: valgrind is not installed, skipped")
            else:
                cg_cases = select_cases(all_cases, opts.callgrind_cases)
                vg_version = valgrind_version(valgrind)
                print("\ncallgrind: %s (%s)" % (valgrind, "%d.%d" % vg_version if vg_version else "?"))
                report["valgrind"] = {"path": valgrind, "version": vg_version}
                for ident in identities:
                    for case in cg_cases:
                        for l in launchers:
                            if l is cocoon and (not vg_version or vg_version < VALGRIND_FOR_COCOON):
                                r = {"error": "needs valgrind >= %d.%d" % VALGRIND_FOR_COCOON}
                            else:
                                r = callgrind_case(case, l, ident, measure, workdir, opts.timeout,
                                                   valgrind)
                            report["callgrind"].append({"identity": ident.label,
                                                        "case": case.key,
                                                        "launcher": l.name, "result": r})
                print_callgrind(report["callgrind"])

        print("\nload average at end: %s" % loadavg())
        if opts.profile:
            pcases = select_cases(all_cases, opts.profile_cases)
            for ident in identities:
                for case in pcases:
                    for l in launchers:
                        r = profile_case(case, l, ident, measure, workdir, opts.profile_runs,
                                         opts.timeout)
                        report["profile"].append({"identity": ident.label, "case": case.key,
                                                  "launcher": l.name, "result": r})
            print_profile(report["profile"], opts.profile_runs)

        if failures:
            status = 1
            print()
            print("FAILURES (a launcher did not run the command):")
            for who, key, name, err, stderr in failures:
                print("--- %s, case %s, %s: %s" % (who, key, name, err))
                for line in (stderr or "").rstrip().splitlines()[-20:]:
                    print("    " + line)
        report["failures"] = [dict(zip(("identity", "case", "launcher", "error", "stderr"), f))
                              for f in failures]
        if opts.json:
            with open(opts.json, "w") as f:
                json.dump(report, f, indent=1)
    finally:
        idle.close()
        if opts.keep:
            print("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
