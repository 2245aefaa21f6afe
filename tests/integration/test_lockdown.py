# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lockdown (issue 4): seccomp programs and profiles, the terminal injection
guard, and the /proc and /sys masks.

System calls are made by tests/seccomp-probe.c, which reports, for every
call asked of it, the return value or minus the errno. It comes from
COCOON_SECCOMP_PROBE, or next to COCOON_PROBE, or is compiled here with gcc.
Compiled programs (--seccomp-export) are also run through a small classic-BPF
interpreter, so that verdicts the kernel on this machine can't show live
(i386 calls where int 0x80 does not work) are still checked."""

import ctypes
import errno
import fcntl
import glob
import json
import os
import platform
import resource
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import time

import textwrap

import pytest

import harness
from harness import TMP_PREFIX, mount_at

pytestmark = pytest.mark.cocoon_only("seccomp profiles, masks and the terminal guard are cocoon's")

X86_64 = platform.machine() == "x86_64"
needs_x86_64 = pytest.mark.skipif(not X86_64, reason="system call numbers and ABIs here are x86_64's")

SIGSYS_EXIT = 128 + 31

# x86_64 system call numbers.
NR = {
    "read": 0, "write": 1, "ioctl": 16, "getpid": 39, "socket": 41, "clone": 56, "fork": 57, "execve": 59,
    "getuid": 102, "getgid": 104, "getppid": 110, "personality": 135, "exit_group": 231, "kexec_load": 246, "add_key": 248,
    "request_key": 249, "keyctl": 250, "unshare": 272, "perf_event_open": 298, "kexec_file_load": 320,
    "bpf": 321, "userfaultfd": 323, "clone3": 435, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427,
}
I386_GETPID = 20

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003
AUDIT_ARCH_AARCH64 = 0xC00000B7
X32_BIT = 0x40000000

RET_KILL_PROCESS = 0x80000000
RET_KILL_THREAD = 0x00000000
RET_TRAP = 0x00030000
RET_ERRNO = 0x00050000
RET_TRACE = 0x7FF00000
RET_LOG = 0x7FFC0000
RET_ALLOW = 0x7FFF0000

TIOCSTI = 0x5412
TIOCLINUX = 0x541C
GARBAGE_HIGH = 0xDEADBEEF00000000

CLONE_NEWUSER = 0x10000000
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
AF_UNIX, AF_INET, AF_ALG, AF_VSOCK = 1, 2, 38, 40
SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET = 1, 2, 5
READ_IMPLIES_EXEC = 0x0400000

# What the default profile never allows, as the probe names them.
BLOCKED = ["keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "io_uring_setup",
           "userfaultfd", "bpf", "perf_event_open"]
# Calls whose own answer, without any filter, can be EPERM (no CAP_SYS_BOOT):
# for these the live EPERM alone proves little, the filter's verdict is
# checked by the interpreter.
EPERM_BY_THEMSELVES = {"kexec_load", "kexec_file_load"}

PROFILE_OPS = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
               "SCMP_CMP_MASKED_EQ"]


# ---------------------------------------------------------------- the probe

def _find_or_build_probe(tmpdir):
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seccomp-probe.c")
    dest = os.path.join(tmpdir, "seccomp-probe")
    cands = [os.environ.get("COCOON_SECCOMP_PROBE"),
             os.path.join(os.path.dirname(os.environ.get("COCOON_PROBE", harness.DEFAULT_PROBE)), "seccomp-probe")]
    for c in cands:
        if c and os.access(c, os.X_OK):
            shutil.copyfile(c, dest)
            os.chmod(dest, 0o755)
            return dest
    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc:
        pytest.skip("no seccomp-probe built and no C compiler to build it")
    for extra in (["-static"], []):
        r = subprocess.run([cc, "-O2", "-Wall", "-pthread", *extra, "-o", dest, src], capture_output=True)
        if r.returncode == 0:
            os.chmod(dest, 0o755)
            return dest
    pytest.fail(f"can't compile {src}: {r.stderr.decode()}")


@pytest.fixture(scope="session")
def sprobe():
    d = tempfile.mkdtemp(prefix=TMP_PREFIX + "sprobe-", dir="/tmp")
    os.chmod(d, 0o755)
    try:
        yield _find_or_build_probe(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def parse_calls(out):
    """{op: value} from the probe's lines; a caught SIGSYS under "SIGSYS"."""
    res = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[0] == "SIGSYS":
            res["SIGSYS"] = (int(parts[1]), int(parts[2]), int(parts[3], 16))
        elif len(parts) == 2:
            res[parts[0]] = int(parts[1])
    return res


class Lock:
    """Runs the seccomp probe in a minimal sandbox as the test's identity."""

    def __init__(self, sb, probe):
        self.sb = sb
        self.probe = probe
        self.dir = os.path.dirname(probe)

    @property
    def base(self):
        return self.sb.minimal + ["--ro-bind", self.dir, self.dir]

    def run(self, extra, ops, *, catch=False, **kw):
        kw.setdefault("preexec_fn", no_core)
        args = self.base + list(extra) + [self.probe] + (["--catch-sigsys"] if catch else []) + list(ops)
        r = self.sb.run(args, **kw)
        return r, parse_calls(r.out)

    def calls(self, extra, ops, **kw):
        """Like run, but the sandbox must exit 0 with nothing on stderr."""
        r, res = self.run(extra, ops, **kw)
        assert r.rc == 0 and r.err == "", "the probe run failed\n" + r.describe()
        missing = [o for o in ops if o not in res]
        assert not missing, f"no answer for {missing}\n" + r.describe()
        return r, res

    def outside(self, ops, **kw):
        """The probe run directly, as the identity, with no sandbox."""
        argv = self.sb.ident.wrap + [self.probe] + list(ops)
        kw.setdefault("preexec_fn", no_core)
        p = subprocess.run(argv, capture_output=True, env=harness.BASE_ENV, cwd="/", timeout=60, **kw)
        return p.returncode, parse_calls(p.stdout.decode())

    def profile(self, obj, name="profile.json"):
        path = os.path.join(self.sb.scratch, name)
        with open(path, "w") as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj))
        os.chmod(path, 0o644)
        return path

    def export(self, profile, extra=(), name="out.bpf"):
        """--seccomp-export: the compiled program's bytes."""
        out = os.path.join(self.sb.scratch, name)
        r = self.sb.run(list(extra) + ["--seccomp-profile", profile, "--seccomp-export", out])
        assert r.rc == 0 and r.err == "", "--seccomp-export failed\n" + r.describe()
        with open(out, "rb") as f:
            return f.read()


@pytest.fixture
def lk(sb, sprobe):
    return Lock(sb, sprobe)


def getppid_rule(**rule):
    """A profile that allows everything but the given getppid rule."""
    r = {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOMSG}
    r.update(rule)
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [r]}


def getppid_ops(*argsets):
    return ["raw:%d:%s" % (NR["getppid"], ":".join(hex(a) for a in args)) if args else "raw:%d" % NR["getppid"]
            for args in argsets]


def denied(v, e=errno.ENOMSG):
    return v == -e


# ---------------------------------------------------------------- a BPF interpreter

def bpf_run(prog, nr, arch=AUDIT_ARCH_X86_64, args=(), ip=0):
    """Run a classic seccomp BPF program over one seccomp_data
    (nr u32, arch u32, instruction_pointer u64, args[6] u64); return its u32."""
    a6 = [(a & 0xFFFFFFFFFFFFFFFF) for a in args] + [0] * (6 - len(args))
    data = struct.pack("<IIQ6Q", nr & 0xFFFFFFFF, arch, ip, *a6)
    assert len(prog) % 8 == 0 and prog, "not a whole number of instructions"
    insns = [struct.unpack_from("<HBBI", prog, i) for i in range(0, len(prog), 8)]
    A = X = 0
    M = [0] * 16
    pc = 0
    u32 = 0xFFFFFFFF
    for _ in range(len(insns) + 1):
        code, jt, jf, k = insns[pc]
        pc += 1
        cls = code & 0x07
        if cls == 0x00:                                   # LD
            mode = code & 0xE0
            assert code & 0x18 == 0, f"insn {pc - 1}: only word loads in seccomp"
            if mode == 0x20:
                assert k % 4 == 0 and k + 4 <= len(data), f"insn {pc - 1}: load at {k}"
                A = struct.unpack_from("<I", data, k)[0]
            elif mode == 0x00:
                A = k
            elif mode == 0x60:
                A = M[k]
            elif mode == 0x80:
                A = len(data)
            else:
                raise AssertionError(f"insn {pc - 1}: LD mode 0x{mode:x}")
        elif cls == 0x01:                                 # LDX
            mode = code & 0xE0
            X = {0x00: lambda: k, 0x60: lambda: M[k], 0x80: lambda: len(data)}[mode]()
        elif cls == 0x02:                                 # ST
            M[k] = A
        elif cls == 0x03:                                 # STX
            M[k] = X
        elif cls == 0x04:                                 # ALU
            op = code & 0xF0
            src = X if code & 0x08 else k
            if op == 0x00:
                A = (A + src) & u32
            elif op == 0x10:
                A = (A - src) & u32
            elif op == 0x20:
                A = (A * src) & u32
            elif op == 0x30:
                A = A // src
            elif op == 0x40:
                A = A | src
            elif op == 0x50:
                A = A & src
            elif op == 0x60:
                A = (A << src) & u32
            elif op == 0x70:
                A = A >> src
            elif op == 0x80:
                A = (-A) & u32
            elif op == 0xA0:
                A = A ^ src
            else:
                raise AssertionError(f"insn {pc - 1}: ALU op 0x{op:x}")
        elif cls == 0x05:                                 # JMP
            op = code & 0xF0
            src = X if code & 0x08 else k
            if op == 0x00:
                pc += k
                continue
            cond = {0x10: A == src, 0x20: A > src, 0x30: A >= src, 0x40: bool(A & src)}[op]
            pc += jt if cond else jf
        elif cls == 0x06:                                 # RET
            return k if code & 0x18 == 0 else A
        elif cls == 0x07:                                 # MISC
            if code & 0xF8 == 0x00:
                X = A
            else:
                A = X
    raise AssertionError("the program did not return")


def insn(code, k=0, jt=0, jf=0):
    return struct.pack("<HBBI", code, jt, jf, k)


ALLOW_ALL = insn(0x06, RET_ALLOW)   # ret #ALLOW


def test_interpreter_self_check():
    # ld [0]; jeq #39, 0, 1; ret ERRNO|5; ret ALLOW
    prog = insn(0x20, 0) + insn(0x15, 39, 0, 1) + insn(0x06, RET_ERRNO | 5) + ALLOW_ALL
    assert bpf_run(prog, 39) == RET_ERRNO | 5
    assert bpf_run(prog, 40) == RET_ALLOW
    # ld [4] (arch); ret A
    assert bpf_run(insn(0x20, 4) + insn(0x16), 0, arch=AUDIT_ARCH_I386) == AUDIT_ARCH_I386
    # the high word of args[1]
    assert bpf_run(insn(0x20, 28) + insn(0x16), 0, args=(0, 0x1234_0000_0000)) == 0x1234


# ---------------------------------------------------------------- each rule of a profile

@needs_x86_64
def test_errno_rule_denies_and_the_rest_is_allowed(lk):
    p = lk.profile(getppid_rule())
    _, res = lk.calls(["--seccomp-profile", p], getppid_ops(()) + ["raw:%d" % NR["getpid"], "fork", "socket:1:1"])
    assert res[getppid_ops(())[0]] == -errno.ENOMSG, res
    assert res["raw:%d" % NR["getpid"]] > 0 and res["fork"] == 0 and res["socket:1:1"] == AF_UNIX, res


@needs_x86_64
def test_errno_rule_without_errnoret_is_eperm(lk):
    p = lk.profile({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]})
    _, res = lk.calls(["--seccomp-profile", p], getppid_ops(()))
    assert list(res.values()) == [-errno.EPERM], res


# What the probe needs from execve to exit (static, or linked dynamically).
PROBE_NEEDS = ["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
               "readlink", "getrandom", "mprotect", "mmap", "munmap", "uname", "newfstatat", "fstat", "write",
               "exit", "exit_group", "openat", "open", "read", "pread64", "close", "access", "faccessat",
               "faccessat2", "lseek", "futex", "rt_sigaction", "rt_sigprocmask"]


@needs_x86_64
@pytest.mark.parametrize("ret", [None, errno.EOPNOTSUPP])
def test_default_action_errno(lk, ret):
    prof = {"defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [{"names": PROBE_NEEDS + ["getpid"], "action": "SCMP_ACT_ALLOW"}]}
    if ret is not None:
        prof["defaultErrnoRet"] = ret
    ops = getppid_ops(()) + ["raw:%d" % NR["getpid"]]
    _, res = lk.calls(["--seccomp-profile", lk.profile(prof)], ops)
    assert res[ops[0]] == -(ret or errno.EPERM), res
    assert res[ops[1]] > 0, res


@needs_x86_64
def test_allow_rule_repeating_the_default_is_skipped(lk):
    """An ALLOW rule under an ALLOW default is a no-op (libseccomp refuses it;
    cocoon must skip it, not fail)."""
    prof = getppid_rule()
    prof["syscalls"].append({"names": ["getpid"], "action": "SCMP_ACT_ALLOW"})
    _, res = lk.calls(["--seccomp-profile", lk.profile(prof)], getppid_ops(()) + ["raw:%d" % NR["getpid"]])
    assert denied(res[getppid_ops(())[0]]) and res["raw:%d" % NR["getpid"]] > 0, res


# op, value, valueTwo, {argument: denied?}
OP_CASES = {
    "SCMP_CMP_NE": (5, None, {5: False, 4: True, 6: True, 0x500000005: True}),
    "SCMP_CMP_LT": (5, None, {0: True, 4: True, 5: False, 6: False, 0x100000000: False}),
    "SCMP_CMP_LE": (5, None, {4: True, 5: True, 6: False, 0xFFFFFFFF00000000: False}),
    "SCMP_CMP_EQ": (5, None, {5: True, 4: False, 6: False, 0x100000005: False}),
    "SCMP_CMP_GE": (5, None, {4: False, 5: True, 6: True, 0xFFFFFFFFFFFFFFFF: True}),
    "SCMP_CMP_GT": (0x100000000, None, {0xFFFFFFFF: False, 0x100000000: False, 0x100000001: True}),
    "SCMP_CMP_MASKED_EQ": (0xF0, 0x30, {0x30: True, 0x3F: True, 0x130: True, 0x40: False, 0x20: False}),
}


@needs_x86_64
@pytest.mark.parametrize("op", PROFILE_OPS)
def test_arg_operator(lk, op):
    value, two, cases = OP_CASES[op]
    arg = {"index": 0, "value": value, "op": op}
    if two is not None:
        arg["valueTwo"] = two
    p = lk.profile(getppid_rule(args=[arg]))
    ops = getppid_ops(*[(a,) for a in cases])
    _, res = lk.calls(["--seccomp-profile", p], ops)
    got = {a: denied(res[o]) for a, o in zip(cases, ops)}
    assert got == cases, f"{op} value={value:#x} valueTwo={two}: denied? expected {cases}, got {got}"
    assert all(res[o] == -errno.ENOMSG or res[o] > 0 for o in ops), res


@needs_x86_64
def test_arg_on_other_index_and_negative_value(lk):
    # index 2 compared with -1, which is 2^64-1
    p = lk.profile(getppid_rule(args=[{"index": 2, "value": -1, "op": "SCMP_CMP_EQ"}]))
    ops = getppid_ops((0, 0, 0xFFFFFFFFFFFFFFFF), (0xFFFFFFFFFFFFFFFF,), (0, 0, 0xFFFFFFFF))
    _, res = lk.calls(["--seccomp-profile", p], ops)
    assert [denied(res[o]) for o in ops] == [True, False, False], res


@needs_x86_64
def test_args_on_different_indexes_all_must_hold(lk):
    p = lk.profile(getppid_rule(args=[{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                      {"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]))
    ops = getppid_ops((1, 2), (1, 3), (0, 2))
    _, res = lk.calls(["--seccomp-profile", p], ops)
    assert [denied(res[o]) for o in ops] == [True, False, False], res


@needs_x86_64
def test_args_on_the_same_index_are_alternatives(lk):
    p = lk.profile(getppid_rule(args=[{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                      {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]))
    ops = getppid_ops((1,), (2,), (3,))
    _, res = lk.calls(["--seccomp-profile", p], ops)
    assert [denied(res[o]) for o in ops] == [True, True, False], res


@needs_x86_64
def test_arg_rule_on_personality(lk):
    """personality(): the query (0xffffffff) allowed, any other value EACCES."""
    p = lk.profile({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EACCES,
                                  "args": [{"index": 0, "value": 0xFFFFFFFF, "op": "SCMP_CMP_NE"}]}]})
    ops = ["personality:0xffffffff", "personality:0x8", "personality:0"]
    _, res = lk.calls(["--seccomp-profile", p], ops)
    assert res[ops[0]] >= 0 and res[ops[1]] == -errno.EACCES and res[ops[2]] == -errno.EACCES, res


# includes/excludes on caps: the rule (ENOMSG on getppid) applies or not,
# depending on the capabilities the command will hold.
CAP_CASES = [
    # (rule filter, identity, extra flags, rule applies?)
    ({"includes": {"caps": ["CAP_SYS_ADMIN"]}}, "root", [], True),
    ({"includes": {"caps": ["CAP_SYS_ADMIN"]}}, "root", ["--cap-drop", "ALL"], False),
    ({"includes": {"caps": ["CAP_SYS_ADMIN"]}}, "root", ["--cap-drop", "CAP_SYS_ADMIN"], False),
    ({"includes": {"caps": ["CAP_SYS_ADMIN"]}}, "user", [], False),
    ({"includes": {"caps": ["CAP_SYS_ADMIN"]}}, "user", ["--cap-add", "CAP_SYS_ADMIN"], True),
    ({"includes": {"caps": ["CAP_SYS_ADMIN"]}}, "root", ["--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN"], True),
    ({"includes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}}, "user", ["--cap-add", "CAP_SYS_ADMIN"], False),
    ({"includes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}}, "user",
     ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_NET_ADMIN"], True),
    ({"includes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}}, "root", ["--cap-drop", "CAP_NET_ADMIN"], False),
    ({"excludes": {"caps": ["CAP_SYS_ADMIN"]}}, "root", [], False),
    ({"excludes": {"caps": ["CAP_SYS_ADMIN"]}}, "root", ["--cap-drop", "ALL"], True),
    ({"excludes": {"caps": ["CAP_SYS_ADMIN"]}}, "user", [], True),
    ({"excludes": {"caps": ["CAP_SYS_ADMIN"]}}, "user", ["--cap-add", "CAP_SYS_ADMIN"], False),
    ({"excludes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}}, "user", ["--cap-add", "CAP_NET_ADMIN"], False),
    ({"excludes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}}, "user", ["--cap-add", "CAP_CHOWN"], True),
]


@needs_x86_64
def test_caps_includes_excludes(lk):
    """Every case of CAP_CASES for this identity (one launch each)."""
    wrong = []
    for flt, who, extra, applies in CAP_CASES:
        if lk.sb.ident.name != who:
            continue
        p = lk.profile(getppid_rule(**flt))
        _, res = lk.calls(list(extra) + ["--seccomp-profile", p], getppid_ops(()))
        v = list(res.values())[0]
        if denied(v) != applies:
            wrong.append(f"rule {flt} with {extra or 'no cap flags'}: expected applies={applies}, got getppid={v}")
    assert not wrong, "\n".join(wrong)


ARCH_KERNEL_CASES = [
    ({"includes": {"arches": ["amd64"]}}, True),
    ({"includes": {"arches": ["SCMP_ARCH_X86_64"]}}, True),
    ({"includes": {"arches": ["arm64", "s390x"]}}, False),
    ({"includes": {"arches": ["arm64", "amd64"]}}, True),
    ({"excludes": {"arches": ["x86_64"]}}, False),
    ({"excludes": {"arches": ["arm64"]}}, True),
    ({"includes": {"minKernel": "4.8"}}, True),
    ({"includes": {"minKernel": "999.0"}}, False),
    ({"excludes": {"minKernel": "4.8"}}, False),
    ({"excludes": {"minKernel": "999.0"}}, True),
    ({"includes": {"arches": ["amd64"], "minKernel": "999.0"}}, False),
    ({"includes": {"arches": ["amd64"], "minKernel": "3.0"}}, True),
]


@needs_x86_64
@pytest.mark.parametrize("flt,applies", ARCH_KERNEL_CASES, ids=[json.dumps(c[0], separators=(",", ":"))
                                                                  for c in ARCH_KERNEL_CASES])
def test_arches_and_min_kernel(lk, flt, applies):
    p = lk.profile(getppid_rule(**flt))
    _, res = lk.calls(["--seccomp-profile", p], getppid_ops(()))
    v = list(res.values())[0]
    assert denied(v) == applies, f"rule {flt}: expected applies={applies}, got {v}"


# ---------------------------------------------------------------- actions

@needs_x86_64
@pytest.mark.parametrize("action", ["SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
                                    "SCMP_ACT_TRAP"])
def test_killing_actions(lk, action):
    p = lk.profile(getppid_rule(action=action, errnoRet=None))
    ops = ["raw:%d" % NR["getpid"]] + getppid_ops(()) + ["raw:%d:1" % NR["getpid"]]
    r, res = lk.run(["--seccomp-profile", p], ops)
    assert r.rc == SIGSYS_EXIT, f"{action}: expected exit {SIGSYS_EXIT}\n" + r.describe()
    assert list(res) == [ops[0]], f"{action}: the calls before ran, nothing after\n" + r.describe()


@needs_x86_64
def test_kill_process_status_with_pid_namespace(lk):
    p = lk.profile(getppid_rule(action="SCMP_ACT_KILL_PROCESS", errnoRet=None))
    r, _ = lk.run(["--unshare-pid", "--seccomp-profile", p], getppid_ops(()))
    assert r.rc == SIGSYS_EXIT, r.describe()


@needs_x86_64
def test_trap_delivers_sigsys_for_the_call(lk):
    p = lk.profile(getppid_rule(action="SCMP_ACT_TRAP", errnoRet=None))
    r, res = lk.run(["--seccomp-profile", p], getppid_ops(()), catch=True)
    assert r.rc == 0, r.describe()
    assert res.get("SIGSYS") == (NR["getppid"], 0, AUDIT_ARCH_X86_64), r.describe()


@needs_x86_64
def test_log_allows(lk):
    p = lk.profile(getppid_rule(action="SCMP_ACT_LOG", errnoRet=None))
    _, res = lk.calls(["--seccomp-profile", p], getppid_ops(()))
    assert list(res.values())[0] > 0, res


@needs_x86_64
def test_trace_without_tracer_is_enosys(lk):
    p = lk.profile(getppid_rule(action="SCMP_ACT_TRACE", errnoRet=3))
    _, res = lk.calls(["--seccomp-profile", p], getppid_ops(()))
    assert list(res.values())[0] == -errno.ENOSYS, res


@needs_x86_64
def test_allow_rule_under_errno_default(lk):
    prof = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": errno.ENOMSG,
            "syscalls": [{"names": PROBE_NEEDS, "action": "SCMP_ACT_ALLOW"},
                         {"names": ["getppid"], "action": "SCMP_ACT_ALLOW"}]}
    ops = getppid_ops(()) + ["raw:%d" % NR["getpid"]]
    _, res = lk.calls(["--seccomp-profile", lk.profile(prof)], ops)
    assert res[ops[0]] > 0 and res[ops[1]] == -errno.ENOMSG, res


@needs_x86_64
def test_actions_in_the_compiled_program(lk):
    """Each action, decoded from the exported program."""
    want = {"SCMP_ACT_ALLOW": RET_ALLOW, "SCMP_ACT_ERRNO": RET_ERRNO | errno.ENOMSG,
            "SCMP_ACT_KILL": RET_KILL_THREAD, "SCMP_ACT_KILL_THREAD": RET_KILL_THREAD,
            "SCMP_ACT_KILL_PROCESS": RET_KILL_PROCESS, "SCMP_ACT_TRAP": RET_TRAP, "SCMP_ACT_LOG": RET_LOG,
            "SCMP_ACT_TRACE": RET_TRACE | 3}
    for action, ret in want.items():
        rule = {"names": ["getppid"], "action": action}
        if action in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"):
            rule["errnoRet"] = ret & 0xFFFF
        prof = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": errno.EXDEV, "syscalls": [rule]}
        prog = lk.export(lk.profile(prof, f"{action}.json"), name=f"{action}.bpf")
        assert bpf_run(prog, NR["getppid"]) == ret, action
        assert bpf_run(prog, NR["getpid"]) == RET_ERRNO | errno.EXDEV, action


def test_unknown_syscall_name_warns_once(lk):
    prof = {"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["no_such_call_cocoon_a", "getppid", "no_such_call_cocoon_b"],
                          "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOMSG},
                         {"names": ["no_such_call_cocoon_c"], "action": "SCMP_ACT_KILL"}]}
    p = lk.profile(prof)
    r, res = lk.run(["--seccomp-profile", p], getppid_ops(()))
    assert r.rc == 0, r.describe()
    lines = r.err_lines()
    assert len(lines) == 1 and r.err.endswith("\n"), "expected exactly one warning line\n" + r.describe()
    assert lines[0].startswith(lk.sb.bins.msg_prefix) and p in lines[0], r.describe()
    for n in ("no_such_call_cocoon_a", "no_such_call_cocoon_b", "no_such_call_cocoon_c"):
        assert n in lines[0], r.describe()
    if X86_64:
        assert res == {getppid_ops(())[0]: -errno.ENOMSG}, r.describe()


def test_builtin_default_profile_runs_without_warnings(lk):
    r = lk.sb.run(lk.base + ["--seccomp-profile", "default", "true"])
    assert r.rc == 0 and r.err == "", r.describe()


# ---------------------------------------------------------------- the default profile

@pytest.fixture(params=["caps-kept", "cap-drop-all"])
def capmode(request, sb):
    return request.param


def cap_flags(capmode):
    return ["--cap-drop", "ALL"] if capmode == "cap-drop-all" else []


def holds_sys_admin(sb, capmode):
    return sb.ident.is_root and capmode == "caps-kept"


DEFAULT_OPS = BLOCKED + [
    "clone:%#x" % CLONE_NEWUSER, "clone:%#x" % CLONE_NEWNS, "clone:%#x" % CLONE_NEWNET, "fork", "thread",
    "personality:%#x" % READ_IMPLIES_EXEC, "personality:0xffffffff", "personality:0",
    "socket:%d:%d" % (AF_ALG, SOCK_SEQPACKET), "socket:%d:%d" % (AF_VSOCK, SOCK_STREAM),
    "socket:%d:%d" % (AF_UNIX, SOCK_STREAM), "socket:%d:%d" % (AF_INET, SOCK_DGRAM),
    "socket:%d:%d" % (AF_INET, SOCK_STREAM),
]


@needs_x86_64
def test_default_profile_blocks_listed_calls(lk, capmode):
    extra = cap_flags(capmode)
    _, res = lk.calls(extra + ["--seccomp-profile", "default"], DEFAULT_OPS)
    _, ctl = lk.calls(extra, DEFAULT_OPS)
    bad = {c: res[c] for c in BLOCKED if res[c] != -errno.EPERM}
    assert not bad, f"expected EPERM under the default profile, got {bad} (without it: {ctl})"
    # Without the profile these calls give another answer: the EPERM is the profile's.
    same = {c: ctl[c] for c in BLOCKED if c not in EPERM_BY_THEMSELVES and ctl[c] == -errno.EPERM}
    assert not same, f"without the profile these already fail with EPERM, the test proves nothing: {same}"


@needs_x86_64
def test_default_profile_clone_namespaces_fork(lk, capmode):
    extra = cap_flags(capmode)
    _, res = lk.calls(extra + ["--seccomp-profile", "default"], DEFAULT_OPS)
    _, ctl = lk.calls(extra, DEFAULT_OPS)
    assert res["fork"] == 0 and res["thread"] == 0, res
    ns = ["clone:%#x" % f for f in (CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET)]
    assert ctl["clone:%#x" % CLONE_NEWUSER] == 0, f"control: clone(CLONE_NEWUSER) fails without the profile: {ctl}"
    if holds_sys_admin(lk.sb, capmode):
        # CAP_SYS_ADMIN is what namespaces are for: the profile lets it through.
        assert res[ns[0]] == 0, res
    else:
        assert {c: res[c] for c in ns} == {c: -errno.EPERM for c in ns}, res


# Flags that change what the command holds; the cap-gated rules of a profile
# must follow the capabilities the command really has when it runs.
CAP_CHANGING_FLAGS = {
    "root": [[], ["--cap-drop", "ALL"], ["--cap-drop", "CAP_SYS_ADMIN"], ["--unshare-user"],
             ["--unshare-user", "--uid", "1000"], ["--unshare-user", "--uid", "1000", "--gid", "1000"]],
    "user": [[], ["--uid", "0"], ["--cap-add", "CAP_SYS_ADMIN"], ["--uid", "0", "--cap-add", "ALL"]],
}
CAP_SYS_ADMIN_BIT = 1 << 21


@needs_x86_64
def test_default_profile_follows_the_commands_real_caps(lk):
    """clone(CLONE_NEWUSER) under the default profile is allowed exactly when
    the command holds CAP_SYS_ADMIN."""
    wrong = []
    for extra in CAP_CHANGING_FLAGS[lk.sb.ident.name]:
        ops = ["capeff", "clone:%#x" % CLONE_NEWUSER]
        _, res = lk.calls(extra + ["--seccomp-profile", "default"], ops)
        admin = bool(res["capeff"] & CAP_SYS_ADMIN_BIT)
        want = 0 if admin else -errno.EPERM
        if res[ops[1]] != want:
            wrong.append(f"{' '.join(extra) or '(no flags)'}: command CapEff={res['capeff']:#x} "
                         f"(CAP_SYS_ADMIN {'held' if admin else 'not held'}), "
                         f"clone(CLONE_NEWUSER) gave {res[ops[1]]}, expected {want}")
    assert not wrong, "\n".join(wrong)


@needs_x86_64
def test_default_profile_unshare_command(lk, capmode):
    extra = cap_flags(capmode)
    r = lk.sb.run(lk.base + extra + ["--seccomp-profile", "default", "unshare", "-U", "true"])
    ctl = lk.sb.run(lk.base + extra + ["unshare", "-U", "true"])
    assert ctl.rc == 0, "control: unshare -U fails without the profile\n" + ctl.describe()
    if holds_sys_admin(lk.sb, capmode):
        assert r.rc == 0, r.describe()
    else:
        assert r.rc != 0 and "Operation not permitted" in r.err, r.describe()


@needs_x86_64
def test_default_profile_personality(lk, capmode):
    extra = cap_flags(capmode)
    _, res = lk.calls(extra + ["--seccomp-profile", "default"], DEFAULT_OPS)
    _, ctl = lk.calls(extra, DEFAULT_OPS)
    assert ctl["personality:%#x" % READ_IMPLIES_EXEC] >= 0, ctl
    assert res["personality:%#x" % READ_IMPLIES_EXEC] == -errno.EPERM, res
    assert res["personality:0xffffffff"] >= 0 and res["personality:0"] >= 0, res


@needs_x86_64
def test_default_profile_sockets(lk, capmode):
    extra = cap_flags(capmode)
    _, res = lk.calls(extra + ["--seccomp-profile", "default"], DEFAULT_OPS)
    _, ctl = lk.calls(extra, DEFAULT_OPS)
    alg, vsock = "socket:%d:%d" % (AF_ALG, SOCK_SEQPACKET), "socket:%d:%d" % (AF_VSOCK, SOCK_STREAM)
    assert res[alg] == -errno.EPERM and res[vsock] == -errno.EPERM, res
    assert ctl[alg] != -errno.EPERM and ctl[vsock] != -errno.EPERM, ctl
    for ok in ("socket:%d:%d" % (AF_UNIX, SOCK_STREAM), "socket:%d:%d" % (AF_INET, SOCK_DGRAM),
               "socket:%d:%d" % (AF_INET, SOCK_STREAM)):
        assert res[ok] == int(ok.split(":")[1]), (ok, res)


@needs_x86_64
def test_default_profile_sockets_with_garbage_in_upper_bits(lk, capmode):
    """socket()'s family is an int: the kernel reads the low 32 bits of the
    register. The filter must not be fooled by garbage above them (as the
    terminal guard is not): AF_VSOCK | 1<<32 is still AF_VSOCK."""
    ops = ["socket:%#x:%d" % (hi | fam, typ) for hi in (1 << 32, GARBAGE_HIGH)
           for fam, typ in ((AF_ALG, SOCK_SEQPACKET), (AF_VSOCK, SOCK_STREAM))]
    _, res = lk.calls(cap_flags(capmode) + ["--seccomp-profile", "default"], ops)
    prog = lk.export("default", cap_flags(capmode))
    verdict = {f"{hi | fam:#x}": f"{bpf_run(prog, NR['socket'], args=(hi | fam, 1)):#x}"
               for hi in (1 << 32, GARBAGE_HIGH) for fam in (AF_ALG, AF_VSOCK)}
    made = {o: f"a socket of family {v}" for o, v in res.items() if v >= 0}
    assert all(v == -errno.EPERM for v in res.values()) and \
        all(int(v, 16) == RET_ERRNO | errno.EPERM for v in verdict.values()), \
        (f"socket() with AF_ALG/AF_VSOCK plus high bits gets through the default profile: live {made or res}; "
         f"the compiled program answers {verdict}")


def test_default_profile_shell_pipeline(lk, capmode):
    r = lk.sb.run(lk.base + cap_flags(capmode) + ["--seccomp-profile", "default",
                                                  "sh", "-c", "ls / | sort | wc -l"])
    assert r.rc == 0 and r.err == "", r.describe()
    assert int(r.out.strip()) > 3, r.describe()


@needs_x86_64
def test_default_profile_in_the_compiled_program(lk, capmode):
    prog = lk.export("default", cap_flags(capmode))
    admin = holds_sys_admin(lk.sb, capmode)
    eperm = RET_ERRNO | errno.EPERM
    for name in BLOCKED + ["io_uring_enter", "io_uring_register"]:
        assert bpf_run(prog, NR[name]) == eperm, name
    for name in ("read", "write", "getpid", "execve", "exit_group", "ioctl"):
        assert bpf_run(prog, NR[name]) == RET_ALLOW, name
    assert bpf_run(prog, NR["clone"], args=(0x01200011,)) == RET_ALLOW         # what fork() passes
    assert bpf_run(prog, NR["clone"], args=(CLONE_NEWUSER | 17,)) == (RET_ALLOW if admin else eperm)
    assert bpf_run(prog, NR["clone3"]) == (RET_ALLOW if admin else RET_ERRNO | errno.ENOSYS)
    assert bpf_run(prog, NR["unshare"]) == (RET_ALLOW if admin else eperm)
    for fam, verdict in ((AF_UNIX, RET_ALLOW), (AF_INET, RET_ALLOW), (37, RET_ALLOW), (AF_ALG, eperm),
                         (39, RET_ALLOW), (AF_VSOCK, eperm), (41, RET_ALLOW)):
        assert bpf_run(prog, NR["socket"], args=(fam, 1)) == verdict, fam
    for v, verdict in ((0, RET_ALLOW), (8, RET_ALLOW), (0x20000, RET_ALLOW), (0x20008, RET_ALLOW),
                       (0xFFFFFFFF, RET_ALLOW), (READ_IMPLIES_EXEC, eperm), (0x0008_0000_0000, eperm)):
        assert bpf_run(prog, NR["personality"], args=(v,)) == verdict, hex(v)


# ---------------------------------------------------------------- foreign architectures

@needs_x86_64
def test_foreign_arch_in_the_compiled_program(lk, capmode):
    prog = lk.export("default", cap_flags(capmode))
    for nr in (0, 1, 11, I386_GETPID, 26, 120, 0x17A):
        assert bpf_run(prog, nr, arch=AUDIT_ARCH_I386) == RET_KILL_PROCESS, f"i386 call {nr}"
    for nr in (0, 1, NR["getpid"], NR["keyctl"], 512, 545):
        assert bpf_run(prog, X32_BIT | nr, arch=AUDIT_ARCH_X86_64) == RET_KILL_PROCESS, f"x32 call {nr}"
    assert bpf_run(prog, NR["getpid"], arch=AUDIT_ARCH_AARCH64) == RET_KILL_PROCESS
    assert bpf_run(prog, NR["getpid"]) == RET_ALLOW


@needs_x86_64
def test_listed_architectures_in_the_compiled_program(lk):
    """A profile that lists i386 covers i386 calls, with i386's numbers."""
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
            "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOMSG}]}
    prog = lk.export(lk.profile(prof))
    assert bpf_run(prog, I386_GETPID, arch=AUDIT_ARCH_I386) == RET_ERRNO | errno.ENOMSG
    assert bpf_run(prog, NR["getpid"]) == RET_ERRNO | errno.ENOMSG
    assert bpf_run(prog, 1, arch=AUDIT_ARCH_I386) == RET_ALLOW
    assert bpf_run(prog, X32_BIT | NR["getpid"]) == RET_KILL_PROCESS   # x32 is not listed
    archmap = {"defaultAction": "SCMP_ACT_ALLOW",
               "archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
                           {"architecture": "SCMP_ARCH_X86_64",
                            "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
            "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOMSG}]}
    prog = lk.export(lk.profile(archmap, "archmap.json"), name="archmap.bpf")
    assert bpf_run(prog, I386_GETPID, arch=AUDIT_ARCH_I386) == RET_ERRNO | errno.ENOMSG
    assert bpf_run(prog, X32_BIT | NR["getpid"]) == RET_ERRNO | errno.ENOMSG
    assert bpf_run(prog, NR["getpid"], arch=AUDIT_ARCH_AARCH64) == RET_KILL_PROCESS


@pytest.fixture(scope="session")
def int80_works(sprobe):
    p = subprocess.run([sprobe, "int80:%d" % I386_GETPID], capture_output=True, preexec_fn=no_core)
    res = parse_calls(p.stdout.decode())
    return p.returncode == 0 and res.get("int80:%d" % I386_GETPID, -1) > 0


@needs_x86_64
def test_i386_int80_is_killed(lk, capmode, int80_works):
    if not int80_works:
        pytest.skip("this kernel does not run i386 system calls (int $0x80) from 64-bit processes "
                    "outside the sandbox either (no IA32 emulation): live check impossible, "
                    "see test_foreign_arch_in_the_compiled_program")
    op = "int80:%d" % I386_GETPID
    rc, out = lk.outside([op])
    assert rc == 0 and out[op] > 0, out
    r, res = lk.run(cap_flags(capmode) + ["--seccomp-profile", "default"], ["raw:%d" % NR["getpid"], op])
    assert r.rc == SIGSYS_EXIT and op not in res, r.describe()


@needs_x86_64
def test_i386_int80_allowed_when_listed(lk, int80_works):
    if not int80_works:
        pytest.skip("this kernel does not run i386 system calls (int $0x80) from 64-bit processes")
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
            "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOMSG}]}
    op, op2 = "int80:%d" % I386_GETPID, "int80:64"   # i386 getppid is 64
    _, res = lk.calls(["--seccomp-profile", lk.profile(prof)], [op, op2])
    assert res[op] > 0 and res[op2] == -errno.ENOMSG, res


@needs_x86_64
def test_x32_call_is_killed(lk, capmode):
    """An x32 call (the 0x40000000 bit) on the native arch: killed, whether
    or not this kernel has the x32 ABI."""
    op = "x32:%d" % NR["getpid"]
    rc, out = lk.outside([op])
    assert rc == 0 and op in out, out
    r, res = lk.run(cap_flags(capmode) + ["--seccomp-profile", "default"], ["raw:%d" % NR["getpid"], op])
    assert r.rc == SIGSYS_EXIT and op not in res and len(res) == 1, r.describe()


@needs_x86_64
@pytest.mark.parametrize("how", ["architectures", "archMap"])
def test_x32_listed_reaches_the_kernel(lk, how):
    if how == "architectures":
        prof = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]}
    else:
        prof = {"defaultAction": "SCMP_ACT_ALLOW",
                "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X32"]}]}
    op = "x32:%d" % NR["getpid"]
    rc, out = lk.outside([op])
    _, res = lk.calls(["--seccomp-profile", lk.profile(prof)], [op])
    assert res[op] == out[op] or (res[op] > 0 and out[op] > 0), (res, out)


@needs_x86_64
def test_no_architectures_kills_x32_even_with_allow_default(lk):
    p = lk.profile({"defaultAction": "SCMP_ACT_ALLOW"})
    r, res = lk.run(["--seccomp-profile", p], ["x32:%d" % NR["getpid"]])
    assert r.rc == SIGSYS_EXIT, r.describe()


# ---------------------------------------------------------------- several programs

def deny_prog(nr, err):
    """ld [nr]; jeq #nr, 0, 1; ret ERRNO|err; ret ALLOW  (arch not checked: x86_64 only)."""
    return insn(0x20, 0) + insn(0x15, nr, 0, 1) + insn(0x06, RET_ERRNO | err) + ALLOW_ALL


@needs_x86_64
def test_add_seccomp_fd_stacks(lk):
    a = harness.memfd_with(deny_prog(NR["getppid"], errno.ENOMSG), "a")
    b = harness.memfd_with(deny_prog(NR["getpid"], errno.EXDEV), "b")
    ops = getppid_ops(()) + ["raw:%d" % NR["getpid"], "raw:%d" % NR["getuid"]]
    try:
        _, res = lk.calls(["--add-seccomp-fd", str(a), "--add-seccomp-fd", str(b)], ops, pass_fds=(a, b))
    finally:
        os.close(a)
        os.close(b)
    assert [res[o] for o in ops[:2]] == [-errno.ENOMSG, -errno.EXDEV] and res[ops[2]] >= 0, res


@needs_x86_64
def test_seccomp_last_one_given_is_used(lk):
    a = harness.memfd_with(deny_prog(NR["getppid"], errno.ENOMSG), "a")
    b = harness.memfd_with(deny_prog(NR["getpid"], errno.EXDEV), "b")
    ops = getppid_ops(()) + ["raw:%d" % NR["getpid"]]
    try:
        r, res = lk.run(["--seccomp", str(a), "--seccomp", str(b)], ops, pass_fds=(a, b))
    finally:
        os.close(a)
        os.close(b)
    assert r.rc == 0, r.describe()
    assert res[ops[0]] >= 0 and res[ops[1]] == -errno.EXDEV, res
    # As bwrap does (0.6+), the repetition is pointed out, once.
    assert len(r.err_lines()) == 1 and "--seccomp" in r.err and "last" in r.err, r.describe()


@needs_x86_64
def test_profiles_stack_with_each_other_and_with_seccomp_fd(lk):
    p1 = lk.profile(getppid_rule(), "p1.json")
    p2 = lk.profile({"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EXDEV}]},
                    "p2.json")
    fd = harness.memfd_with(deny_prog(NR["getpid"], errno.EACCES), "fd")
    ops = getppid_ops(()) + ["raw:%d" % NR["getuid"], "raw:%d" % NR["getpid"], "raw:%d" % NR["getgid"]]
    try:
        _, res = lk.calls(["--seccomp", str(fd), "--seccomp-profile", p1, "--seccomp-profile", p2], ops,
                          pass_fds=(fd,))
    finally:
        os.close(fd)
    assert [res[o] for o in ops[:3]] == [-errno.ENOMSG, -errno.EXDEV, -errno.EACCES] and res[ops[3]] >= 0, res


@needs_x86_64
def test_default_profile_stacks_with_own_profile(lk):
    p = lk.profile(getppid_rule())
    ops = getppid_ops(()) + ["keyctl", "raw:%d" % NR["getpid"]]
    _, res = lk.calls(["--seccomp-profile", "default", "--seccomp-profile", p], ops)
    assert res[ops[0]] == -errno.ENOMSG and res["keyctl"] == -errno.EPERM and res[ops[2]] > 0, res


# ---------------------------------------------------------------- the terminal injection guard

@pytest.fixture
def pty_run(lk):
    """Run something with a fresh pty as stdin and controlling terminal."""
    opened = []

    def run(kind, extra=(), ops=(), **kw):
        master, slave = os.openpty()
        opened.extend([master, slave])

        def attach():
            no_core()
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        if kind == "outside":
            argv = lk.sb.ident.wrap + [lk.probe] + list(ops)
            p = subprocess.run(argv, stdin=slave, capture_output=True, env=harness.BASE_ENV, cwd="/",
                               timeout=60, preexec_fn=attach, **kw)
            return p.returncode, parse_calls(p.stdout.decode()), p.stderr.decode()
        r, res = lk.run(extra, ops, stdin=slave, preexec_fn=attach, **kw)
        assert r.rc == 0 and r.err == "", r.describe()
        return r.rc, res, r.err

    yield run
    for fd in opened:
        os.close(fd)


GUARD_OPS = ["tty", "ioctl:0:%#x" % TIOCSTI, "ioctl:0:%#x" % (GARBAGE_HIGH | TIOCSTI),
             "pipeioctl:%#x" % TIOCSTI, "pipeioctl:%#x" % (GARBAGE_HIGH | TIOCSTI), "pipeioctl:%#x" % TIOCLINUX]


# The programs a sandboxed process really runs under, read back from the
# kernel with PTRACE_SECCOMP_GET_FILTER (needs real root and
# CONFIG_CHECKPOINT_RESTORE). The kernel's index 0 is the first one loaded
# (get_nth_filter counts back from the newest).
PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_SECCOMP_GET_FILTER = 0x420C
_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.restype = ctypes.c_long
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


def _ptrace(req, pid, addr=None, data=None):
    r = _libc.ptrace(req, pid, addr, data)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, f"ptrace({req:#x}, {pid}): {os.strerror(e)}")
    return r


def _find_by_argv(argv):
    want = b"\0".join(a.encode() for a in argv) + b"\0"
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    if f.read() == want:
                        return int(d)
            except OSError:
                pass
    return None


def loaded_programs(lk, extra, pass_fds=()):
    """Start `sleep` in a sandbox and return its seccomp programs, in load order."""
    if os.geteuid() != 0:
        pytest.skip("reading a process's seccomp programs needs real root")
    if harness.own_seccomp_filters():
        pytest.skip(f"PTRACE_SECCOMP_GET_FILTER is refused to a tracer under seccomp, and this run is under "
                    f"tests/enosys's filter (ENOSYS for {','.join(sorted(harness.ENOSYS_CALLS))})")
    tag = "%d.%06d" % (os.getpid() % 1000, id(extra) % 1000000)
    cmd = ["sleep", tag]
    p = lk.sb.popen(lk.base + list(extra) + cmd, pass_fds=pass_fds)
    pid = None
    try:
        for _ in range(200):
            pid = _find_by_argv(cmd)
            if pid or p.poll() is not None:
                break
            time.sleep(0.025)
        assert pid, "the sandboxed command did not start: " + (p.stderr.read().decode() if p.poll() is not None else "")
        _ptrace(PTRACE_SEIZE, pid)
        _ptrace(PTRACE_INTERRUPT, pid)
        os.waitpid(pid, 0x40000000)   # __WALL
        progs = []
        try:
            for i in range(64):
                try:
                    n = _ptrace(PTRACE_SECCOMP_GET_FILTER, pid, i, None)
                except OSError as e:
                    if e.errno == errno.ENOENT:
                        break
                    if e.errno == errno.EINVAL:
                        pytest.skip("PTRACE_SECCOMP_GET_FILTER is not available on this kernel")
                    raise
                buf = ctypes.create_string_buffer(n * 8)
                _ptrace(PTRACE_SECCOMP_GET_FILTER, pid, i, buf)
                progs.append(buf.raw)
        finally:
            _ptrace(PTRACE_DETACH, pid)
        return progs
    finally:
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            p.wait(timeout=30)
        finally:
            p.stdout.close()
            p.stderr.close()


I386_IOCTL = 54
X32_IOCTL = 514


def check_guard_program(prog):
    eperm = RET_ERRNO | errno.EPERM
    for req in (TIOCSTI, TIOCLINUX, GARBAGE_HIGH | TIOCSTI, GARBAGE_HIGH | TIOCLINUX):
        assert bpf_run(prog, NR["ioctl"], args=(0, req)) == eperm, hex(req)
        assert bpf_run(prog, I386_IOCTL, arch=AUDIT_ARCH_I386, args=(0, req)) == eperm, f"i386 {req:#x}"
        assert bpf_run(prog, X32_BIT | X32_IOCTL, args=(0, req)) == eperm, f"x32 {req:#x}"
    assert bpf_run(prog, NR["ioctl"], args=(0, 0x5401)) == RET_ALLOW          # TCGETS
    assert bpf_run(prog, NR["ioctl"], args=(0, TIOCSTI + 1)) == RET_ALLOW
    assert bpf_run(prog, NR["getpid"]) == RET_ALLOW
    assert bpf_run(prog, I386_GETPID, arch=AUDIT_ARCH_I386) == RET_ALLOW


@needs_x86_64
def test_guard_is_the_only_program_by_default(lk):
    progs = loaded_programs(lk, [])
    assert len(progs) == 1, f"expected the terminal guard alone, got {len(progs)} programs"
    check_guard_program(progs[0])


@needs_x86_64
def test_loaded_programs_with_profile_and_fd(lk, capmode):
    """Load order: guard, then --seccomp, then the profile; the profile in the
    kernel is byte for byte what --seccomp-export writes."""
    extra = cap_flags(capmode)
    exported = lk.export("default", extra)
    fd = harness.memfd_with(ALLOW_ALL, "allow-all")
    try:
        progs = loaded_programs(lk, extra + ["--seccomp", str(fd), "--seccomp-profile", "default"], pass_fds=(fd,))
    finally:
        os.close(fd)
    assert len(progs) == 3, f"expected 3 programs, got {len(progs)}"
    check_guard_program(progs[0])
    assert progs[1] == ALLOW_ALL
    assert progs[2] == exported, "the loaded default profile differs from the exported one"


def test_tiocsti_works_outside(pty_run):
    """Control: on this machine, the caller may push input into its terminal."""
    rc, res, err = pty_run("outside", ops=GUARD_OPS)
    assert rc == 0, err
    assert res["tty"] == 1, res
    assert res[GUARD_OPS[1]] == 0 and res[GUARD_OPS[2]] == 0, res
    # a pipe is no terminal
    assert all(res[o] == -errno.ENOTTY for o in GUARD_OPS[3:]), res


def check_guard(res):
    refused = {o: res[o] for o in GUARD_OPS[1:]}
    assert refused == {o: -errno.EPERM for o in GUARD_OPS[1:]}, \
        f"TIOCSTI/TIOCLINUX must be refused with EPERM: {refused}"


def test_tiocsti_refused_with_terminal_attached(pty_run):
    _, res, _ = pty_run("sandbox", ops=GUARD_OPS)
    assert res["tty"] == 1, f"the pty should be the sandbox's controlling terminal: {res}"
    check_guard(res)


def test_tiocsti_refused_with_new_session(pty_run):
    _, res, _ = pty_run("sandbox", ["--new-session"], GUARD_OPS)
    assert res["tty"] == 0, f"after --new-session the pty is no longer the controlling terminal: {res}"
    check_guard(res)


@pytest.mark.parametrize("flag", ["--seccomp", "--add-seccomp-fd"])
@pytest.mark.parametrize("session", [[], ["--new-session"]], ids=["same-session", "new-session"])
def test_tiocsti_guard_stacks_with_user_program(pty_run, flag, session):
    fd = harness.memfd_with(ALLOW_ALL, "allow-all")
    try:
        _, res, _ = pty_run("sandbox", session + [flag, str(fd)], GUARD_OPS, pass_fds=(fd,))
    finally:
        os.close(fd)
    check_guard(res)


def test_tiocsti_refused_under_profiles(pty_run, lk):
    allow = lk.profile({"defaultAction": "SCMP_ACT_ALLOW"})
    for extra in (["--seccomp-profile", "default"], ["--seccomp-profile", allow]):
        _, res, _ = pty_run("sandbox", extra, GUARD_OPS)
        check_guard(res)


# ---------------------------------------------------------------- --seccomp-export

def export_ops():
    ops = list(DEFAULT_OPS)
    if X86_64:
        ops += ["raw:%d" % NR["getpid"]]
    return ops


def verdicts(res):
    return {k: ("ok" if v >= 0 else -v) for k, v in res.items()}


@needs_x86_64
@pytest.mark.parametrize("flag", ["--seccomp", "--add-seccomp-fd"])
def test_exported_program_behaves_the_same(lk, capmode, flag):
    extra = cap_flags(capmode)
    prog = lk.export("default", extra)
    _, want = lk.calls(extra + ["--seccomp-profile", "default"], export_ops())
    fd = harness.memfd_with(prog, "exported")
    try:
        _, got = lk.calls(extra + [flag, str(fd)], export_ops(), pass_fds=(fd,))
    finally:
        os.close(fd)
    assert verdicts(got) == verdicts(want)
    assert got["keyctl"] == -errno.EPERM


@needs_x86_64
def test_exported_program_kills_x32_when_loaded_back(lk):
    prog = lk.export("default")
    fd = harness.memfd_with(prog, "exported")
    try:
        r, _ = lk.run(["--seccomp", str(fd)], ["x32:%d" % NR["getpid"]], pass_fds=(fd,))
    finally:
        os.close(fd)
    assert r.rc == SIGSYS_EXIT, r.describe()


@needs_x86_64
def test_exported_custom_profile_behaves_the_same(lk):
    p = lk.profile(getppid_rule(args=[{"index": 0, "value": 7, "op": "SCMP_CMP_GE"}]))
    prog = lk.export(p)
    ops = getppid_ops((6,), (7,), (8,))
    _, want = lk.calls(["--seccomp-profile", p], ops)
    fd = harness.memfd_with(prog, "exported")
    try:
        _, got = lk.calls(["--seccomp", str(fd)], ops, pass_fds=(fd,))
    finally:
        os.close(fd)
    assert verdicts(got) == verdicts(want) == {ops[0]: "ok", ops[1]: errno.ENOMSG, ops[2]: errno.ENOMSG}


BWRAP = "/usr/bin/bwrap"


@needs_x86_64
def test_exported_program_under_debian_bwrap(lk, capmode):
    if not os.access(BWRAP, os.X_OK):
        pytest.skip(f"{BWRAP} is not installed")
    extra = cap_flags(capmode)
    prog = lk.export("default", extra)
    _, want = lk.calls(extra + ["--seccomp-profile", "default"], export_ops())
    fd = harness.memfd_with(prog, "exported")
    try:
        argv = lk.sb.ident.wrap + [BWRAP, "--ro-bind", "/", "/", "--proc", "/proc", *extra,
                                   "--seccomp", str(fd), lk.probe] + export_ops()
        p = subprocess.run(argv, capture_output=True, env=harness.BASE_ENV, cwd="/", timeout=60,
                           pass_fds=(fd,), preexec_fn=no_core)
    finally:
        os.close(fd)
    assert p.returncode == 0, f"bwrap failed: {p.stderr.decode()}"
    got = parse_calls(p.stdout.decode())
    assert verdicts(got) == verdicts(want)


# ---------------------------------------------------------------- /proc masks

PROC_MASKED = ["acpi", "interrupts", "kcore", "keys", "latency_stats", "sched_debug", "scsi", "timer_list",
               "timer_stats"]
PROC_READONLY = ["asound", "bus", "fs", "irq", "sys", "sysrq-trigger"]

LIST_SCRIPT = ('for p; do if [ -d "$p" ]; then printf "%s\\t%s\\n" "$p" "$(ls -A "$p" | wc -l)"; '
               'else printf "%s\\t-\\n" "$p"; fi; done; echo ---; cat /proc/self/mountinfo')


def list_and_mounts(sb, args, paths):
    """Entries in each directory (None for a non-directory) and the mountinfo."""
    r = sb.run(args + ["sh", "-c", LIST_SCRIPT, "sh"] + list(paths))
    assert r.rc == 0, r.describe()
    head, _, mi = r.out.partition("---\n")
    counts = {}
    for line in head.splitlines():
        p, _, n = line.rpartition("\t")
        counts[p] = None if n == "-" else int(n)
    return counts, harness.parse_mountinfo(mi.splitlines())


def host_proc(names):
    return [n for n in names if os.path.lexists(f"/proc/{n}")]


@pytest.fixture(params=[[], ["--unshare-pid"]], ids=["host-pidns", "new-pidns"])
def pidns(request):
    return request.param


WRITE_REFUSED = ("Read-only file system", "Permission denied")


def test_proc_masked_paths(sb, pidns):
    present = host_proc(PROC_MASKED)
    if not present:
        pytest.skip("none of the masked /proc paths exists on this kernel")
    files = [n for n in present if not os.path.isdir(f"/proc/{n}")]
    dirs = [n for n in present if os.path.isdir(f"/proc/{n}")]
    args = []
    for n in files:
        args += ["--read", f"/proc/{n}", "--access", f"/proc/{n}", "--write", f"/proc/{n}"]
    for n in dirs:
        args += ["--write", f"/proc/{n}/cocoon-test", "--stat", f"/proc/{n}"]
    d = sb.probe(sb.minimal + pidns, args)
    counts, _ = list_and_mounts(sb, sb.minimal + pidns, [f"/proc/{n}" for n in dirs])
    for n in files:
        p = f"/proc/{n}"
        assert d["read"][p] == {"data": ""}, (p, d["read"][p])
        assert d["access"][p] in WRITE_REFUSED, (p, d["access"][p])
        assert d["write"][p] in WRITE_REFUSED, (p, d["write"][p])
        m = mount_at(d["_mounts"], p)
        assert m is not None and m.ro, (p, m)
    for n in dirs:
        p = f"/proc/{n}"
        assert counts[p] == 0, f"{p} should be empty inside, has {counts[p]} entries"
        assert d["write"][f"{p}/cocoon-test"] == "Read-only file system", (p, d["write"])
        m = mount_at(d["_mounts"], p)
        assert m is not None and m.ro and m.fstype == "tmpfs", (p, m)


def test_proc_readonly_paths(sb, pidns):
    present = host_proc(PROC_READONLY)
    if not present:
        pytest.skip("none of the read-only /proc paths exists on this kernel")
    args = ["--access", "/proc/sys/kernel/hostname"]
    if "sysrq-trigger" in present:
        args += ["--access", "/proc/sysrq-trigger"]
    d = sb.probe(sb.minimal + pidns, args)
    for n in present:
        m = mount_at(d["_mounts"], f"/proc/{n}")
        assert m is not None and m.ro and m.fstype == "proc", (n, m)
    want = ("Read-only file system",) if sb.ident.is_root else WRITE_REFUSED
    if "sys" in present:
        assert d["access"]["/proc/sys/kernel/hostname"] in want, d["access"]
    if "sysrq-trigger" in present:
        assert d["access"]["/proc/sysrq-trigger"] in want, d["access"]


def test_proc_masks_on_another_destination(sb):
    present = host_proc(PROC_MASKED)
    if not present:
        pytest.skip("none of the masked /proc paths exists on this kernel")
    d = sb.probe(sb.minimal + ["--tmpfs", "/mnt", "--proc", "/mnt/proc", "--unmask", "/mnt/proc/keys"])
    for n in present:
        m = mount_at(d["_mounts"], f"/mnt/proc/{n}")
        if n == "keys":
            assert m is None, "--unmask /mnt/proc/keys should lift the mask there"
        else:
            assert m is not None and m.ro, (n, m)
    for n in host_proc(PROC_READONLY):
        m = mount_at(d["_mounts"], f"/mnt/proc/{n}")
        assert m is not None and m.ro, (n, m)


def test_proc_unmask_one(sb, pidns):
    if not os.path.exists("/proc/keys"):
        pytest.skip("/proc/keys does not exist on this kernel")
    d = sb.probe(sb.minimal + pidns + ["--unmask", "/proc/keys"])
    assert mount_at(d["_mounts"], "/proc/keys") is None, "--unmask /proc/keys should lift the mask"
    others = [n for n in host_proc(PROC_MASKED) if n != "keys"]
    for n in others:
        assert mount_at(d["_mounts"], f"/proc/{n}") is not None, f"/proc/{n} should stay masked"
    if "sys" in host_proc(PROC_READONLY):
        assert mount_at(d["_mounts"], "/proc/sys").ro


def test_proc_unmask_all(sb, pidns):
    """--unmask all lifts every mask; the read-only kernel tunables are lifted
    only where the sandbox has a user namespace of its own (a root caller
    without one would otherwise write the host's settings)."""
    d = sb.probe(sb.minimal + pidns + ["--unmask", "all"],
                 ["--read", "/proc/interrupts"] if os.path.exists("/proc/interrupts") else [])
    own_userns = not sb.ident.is_root
    for n in host_proc(PROC_MASKED):
        assert mount_at(d["_mounts"], f"/proc/{n}") is None, f"--unmask all left a mount on /proc/{n}"
    for n in host_proc(PROC_READONLY):
        m = mount_at(d["_mounts"], f"/proc/{n}")
        if own_userns:
            assert m is None, f"--unmask all left a mount on /proc/{n}"
        else:
            assert m is not None and m.ro, f"/proc/{n} must stay read-only without a user namespace: {m}"
    if os.path.exists("/proc/interrupts"):
        assert d["read"]["/proc/interrupts"].get("data"), d["read"]


def test_unmask_tunables_needs_a_user_namespace(sb):
    """A root caller can't make /proc/sys writable: without a user namespace
    its sandbox is the host's root, and with one too (uid 0 maps to the
    host's uid 0, which may write most kernel settings)."""
    if not sb.ident.is_root:
        pytest.skip("about root callers")
    for extra in ([], ["--unshare-user"]):
        sb.expect_error(sb.minimal + extra + ["--unmask", "/proc/sys", "true"], ["--unmask", "/proc/sys"])


def test_unmask_all_keeps_host_settings_read_only_for_root(sb):
    """The replay: root, with its own user namespace, --unmask all and no
    capabilities at all, opened /proc/sys/vm/swappiness for writing (the
    test never writes: it closes what it opened and fails). A user's
    sandbox gets /proc/sys as asked: it is not the host's root."""
    code = textwrap.dedent('''
        import errno, os
        try:
            os.close(os.open("/proc/sys/vm/swappiness", os.O_WRONLY))
            print("opened")
        except OSError as e:
            print(errno.errorcode[e.errno])
    ''')
    r = sb.run(sb.minimal + ["--unshare-user", "--unshare-pid", "--cap-drop", "ALL", "--unmask", "all",
                             "/usr/bin/python3", "-c", code])
    assert r.rc == 0, r.describe()
    if sb.ident.is_root:
        assert r.out.strip() == "EROFS", r.describe()
    else:
        assert r.out.strip() in ("EACCES", "EPERM"), r.describe()   # not root on the host


def test_unmask_of_something_not_masked_is_an_error(sb):
    sb.expect_error(sb.minimal + ["--unmask", "/proc/cpuinfo", "true"], ["--unmask", "/proc/cpuinfo"])


# ---------------------------------------------------------------- /sys

SYS_MASKED = ["firmware", "kernel/security", "kernel/debug", "fs/selinux", "devices/virtual/powercap"]


def sys_masked_present():
    present = [n for n in SYS_MASKED if os.path.isdir(f"/sys/{n}")]
    present += sorted(os.path.relpath(p, "/sys")
                      for p in glob.glob("/sys/devices/system/cpu/cpu[0-9]*/thermal_throttle"))
    return present


@pytest.fixture(params=[[], ["--unshare-net"]], ids=["host-net", "new-net"])
def netns(request):
    return request.param


def test_sys_read_only(sb, netns):
    args = sb.minimal + netns + ["--sys", "/sys"]
    d = sb.probe(args, ["--write", "/sys/cocoon-test", "--write", "/sys/kernel/cocoon-test"])
    m = mount_at(d["_mounts"], "/sys")
    assert m is not None and m.fstype == "sysfs" and m.ro, m
    for p, v in d["write"].items():
        assert v == "Read-only file system", (p, v)
    # submounts of the host's /sys are read-only too
    for sub in harness.visible_mounts(d["_mounts"]):
        if sub.point.startswith("/sys/"):
            assert sub.ro, sub


def test_sys_fresh_with_own_network(sb):
    r = sb.run(sb.minimal + ["--unshare-net", "--sys", "/sys", "sh", "-c",
                             "ls -A /sys/class/net; echo ---; cat /proc/self/mountinfo"])
    assert r.rc == 0, r.describe()
    nets, _, mi = r.out.partition("---\n")
    assert nets.split() == ["lo"], r.describe()
    m = mount_at(harness.parse_mountinfo(mi.splitlines()), "/sys")
    assert m.fstype == "sysfs" and m.root == "/", m


def test_sys_host_without_own_network(sb):
    r = sb.run(sb.minimal + ["--sys", "/sys", "ls", "-A", "/sys/class/net"])
    assert r.rc == 0, r.describe()
    assert sorted(r.out.split()) == sorted(os.listdir("/sys/class/net")), r.describe()


def test_sys_masked_paths(sb, netns):
    present = sys_masked_present()
    if not present:
        pytest.skip("none of the masked /sys paths exists on this machine")
    paths = [f"/sys/{n}" for n in present]
    counts, mounts = list_and_mounts(sb, sb.minimal + netns + ["--sys", "/sys"], paths)
    for p in paths:
        assert counts[p] == 0, f"{p} should be hidden (empty), has {counts[p]} entries"
        m = mount_at(mounts, p)
        assert m is not None and m.fstype == "tmpfs" and m.ro, (p, m)


def test_sys_masks_on_another_destination(sb):
    present = sys_masked_present()
    if not present:
        pytest.skip("none of the masked /sys paths exists on this machine")
    paths = [f"/mnt/sys/{n}" for n in present]
    counts, mounts = list_and_mounts(sb, sb.minimal + ["--unshare-net", "--tmpfs", "/mnt", "--sys", "/mnt/sys"],
                                     paths)
    for p in paths:
        assert counts[p] == 0 and mount_at(mounts, p) is not None, (p, counts[p])


def test_sys_unmask(sb):
    present = sys_masked_present()
    if not present:
        pytest.skip("none of the masked /sys paths exists on this machine")
    one = present[0]
    paths = [f"/sys/{n}" for n in present]
    counts, mounts = list_and_mounts(sb, sb.minimal + ["--sys", "/sys", "--unmask", f"/sys/{one}"], paths)
    assert mount_at(mounts, f"/sys/{one}") is None, f"--unmask /sys/{one} should lift the mask"
    for p in paths[1:]:
        assert mount_at(mounts, p) is not None, f"{p} should stay masked"
    counts, mounts = list_and_mounts(sb, sb.minimal + ["--sys", "/sys", "--unmask", "all"], paths)
    for p in paths:
        assert mount_at(mounts, p) is None, f"--unmask all left {p} masked"


# ---------------------------------------------------------------- --mask

def test_mask_file_and_directory(sb):
    data = os.path.join(sb.scratch, "data")
    os.makedirs(os.path.join(data, "dir", "sub"))
    with open(os.path.join(data, "secret"), "w") as f:
        f.write("top secret\n")
    with open(os.path.join(data, "dir", "inner"), "w") as f:
        f.write("inner\n")
    with open(os.path.join(data, "plain"), "w") as f:
        f.write("plain\n")
    if os.geteuid() == 0:
        harness.chown_tree(data, sb.ident.uid, sb.ident.gid)
    args = sb.minimal + ["--bind", data, "/data", "--mask", "/data/secret", "--mask", "/data/dir"]
    d = sb.probe(args, ["--read", "/data/secret", "--write", "/data/secret", "--access", "/data/secret",
                        "--write", "/data/dir/new", "--read", "/data/plain", "--write", "/data/plain"])
    counts, mounts = list_and_mounts(sb, args, ["/data/dir"])
    assert d["read"]["/data/secret"] == {"data": ""}, d["read"]
    assert d["write"]["/data/secret"] in WRITE_REFUSED, d["write"]
    assert d["access"]["/data/secret"] in WRITE_REFUSED, d["access"]
    assert counts["/data/dir"] == 0
    assert d["write"]["/data/dir/new"] == "Read-only file system", d["write"]
    assert mount_at(mounts, "/data/dir").ro and mount_at(mounts, "/data/secret").ro
    # the rest of the bind is untouched, and so is the host
    # (the probe writes before it reads)
    assert d["write"]["/data/plain"] == "ok" and d["read"]["/data/plain"] == {"data": "plain\nprobe\n"}
    with open(os.path.join(data, "secret")) as f:
        assert f.read() == "top secret\n"
    assert sorted(os.listdir(os.path.join(data, "dir"))) == ["inner", "sub"]


def test_mask_after_sys_and_of_missing_path(sb):
    counts, mounts = list_and_mounts(sb, sb.minimal + ["--sys", "/sys", "--mask", "/sys/kernel"], ["/sys/kernel"])
    assert counts["/sys/kernel"] == 0 and mount_at(mounts, "/sys/kernel").ro
    one_line_error(sb, sb.minimal + ["--mask", "/no/such/path", "true"], "--mask", "/no/such/path")


def test_mask_of_a_symlink_is_not_a_silent_no_op(sb):
    """--mask on a symlink must hide what it names, or be refused: never
    leave the data visible while reporting success."""
    data = os.path.join(sb.scratch, "data")
    os.makedirs(os.path.join(data, "real"))
    with open(os.path.join(data, "real", "secret"), "w") as f:
        f.write("top secret\n")
    if os.geteuid() == 0:
        harness.chown_tree(data, sb.ident.uid, sb.ident.gid)
    r = sb.run(sb.minimal + ["--ro-bind", data, "/data", "--symlink", "/data/real", "/link",
                             "--mask", "/link", "cat", "/link/secret"])
    if r.rc == 1 and len(r.err_lines()) == 1 and "--mask" in r.err:
        return                                          # refused, with one clear line
    assert "top secret" not in r.out, "--mask /link (a symlink) reported success but hid nothing\n" + r.describe()


# ---------------------------------------------------------------- bad input

def one_line_error(sb, args, *names, **kw):
    r = sb.expect_error(args, names[0], **kw)
    for n in names:
        assert n in r.err, f"the error should name {n!r}\n" + r.describe()
    return r


def bpf_bytes(kind):
    if kind == "truncated":
        return ALLOW_ALL + b"\x06\x00\x00\x00"
    if kind == "empty":
        return b""
    if kind == "too-long":
        return ALLOW_ALL * 4097
    if kind == "jump-out":
        return insn(0x20, 0) + insn(0x15, 39, 5, 0) + ALLOW_ALL     # jt lands past the end
    if kind == "ja-out":
        return insn(0x05, 1) + ALLOW_ALL
    if kind == "byte-load":                                          # ld b [0]: not allowed in seccomp
        return insn(0x30, 0) + ALLOW_ALL
    if kind == "load-past-data":                                     # ld [64]: past seccomp_data
        return insn(0x20, 64) + ALLOW_ALL
    if kind == "no-return":
        return ALLOW_ALL + insn(0x20, 0)
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["truncated", "empty", "too-long", "jump-out", "ja-out", "byte-load",
                                  "load-past-data", "no-return"])
@pytest.mark.parametrize("flag", ["--seccomp", "--add-seccomp-fd"])
def test_bad_bpf_program(sb, flag, kind):
    fd = harness.memfd_with(bpf_bytes(kind), kind)
    try:
        one_line_error(sb, sb.minimal + [flag, str(fd), "true"], flag, pass_fds=(fd,))
    finally:
        os.close(fd)


@pytest.mark.parametrize("flag", ["--seccomp", "--add-seccomp-fd"])
def test_bpf_fd_not_readable(sb, flag):
    path = os.path.join(sb.scratch, "prog.bpf")
    with open(path, "wb") as f:
        f.write(ALLOW_ALL)
    os.chmod(path, 0o666)
    fd = os.open(path, os.O_WRONLY)
    os.set_inheritable(fd, True)
    try:
        one_line_error(sb, sb.minimal + [flag, str(fd), "true"], flag, pass_fds=(fd,))
    finally:
        os.close(fd)


@pytest.mark.parametrize("flag", ["--seccomp", "--add-seccomp-fd"])
def test_bpf_fd_not_open(sb, flag):
    one_line_error(sb, sb.minimal + [flag, "987", "true"], flag)


def test_seccomp_with_add_seccomp_fd(sb):
    a = harness.memfd_with(ALLOW_ALL, "a")
    b = harness.memfd_with(ALLOW_ALL, "b")
    try:
        one_line_error(sb, sb.minimal + ["--seccomp", str(a), "--add-seccomp-fd", str(b), "true"],
                       "--seccomp", "--add-seccomp-fd", pass_fds=(a, b))
    finally:
        os.close(a)
        os.close(b)


BAD_PROFILES = {
    "not-json": ('{"defaultAction": "SCMP_ACT_ALLOW",', ["JSON"]),
    "not-an-object": ('["SCMP_ACT_ALLOW"]', ["$"]),
    "default-action-type": ({"defaultAction": 5}, ["$", "defaultAction", "string"]),
    "syscalls-type": ({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {"names": ["getpid"]}},
                      ["$", "syscalls", "array"]),
    "names-type": ({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": "getpid", "action": "SCMP_ACT_ERRNO"}]},
                   ["$.syscalls[0]", "names"]),
    "name-entry-type": ({"defaultAction": "SCMP_ACT_ALLOW",
                         "syscalls": [{"names": ["getpid", 7], "action": "SCMP_ACT_ERRNO"}]},
                        ["$.syscalls[0].names[1]"]),
    "errnoret-type": ({"defaultAction": "SCMP_ACT_ALLOW",
                       "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": "EPERM"}]},
                      ["$.syscalls[0]", "errnoRet"]),
    "arg-value-type": ({"defaultAction": "SCMP_ACT_ALLOW",
                        "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO",
                                      "args": [{"index": 0, "value": "1", "op": "SCMP_CMP_EQ"}]}]},
                       ["$.syscalls[0].args[0]", "value"]),
    "unknown-action": ({"defaultAction": "SCMP_ACT_ALLOW",
                        "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_BOGUS"}]},
                       ["$.syscalls[0]", "SCMP_ACT_BOGUS"]),
    "unknown-default-action": ({"defaultAction": "SCMP_ACT_NOPE"}, ["$", "SCMP_ACT_NOPE"]),
    "unknown-op": ({"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO",
                                  "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]},
                   ["$.syscalls[0].args[0]", "SCMP_CMP_ABOUT"]),
    "unknown-arch": ({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]},
                     ["$.architectures[0]", "SCMP_ARCH_PDP11"]),
    "errnoret-range": ({"defaultAction": "SCMP_ACT_ALLOW",
                        "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}]},
                       ["$.syscalls[0]", "errnoRet"]),
    "arg-index-range": ({"defaultAction": "SCMP_ACT_ALLOW",
                         "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO",
                                       "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]},
                        ["$.syscalls[0].args[0]", "index"]),
    "min-kernel-form": ({"defaultAction": "SCMP_ACT_ALLOW",
                         "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO",
                                       "includes": {"minKernel": "four"}}]},
                        ["$.syscalls[0].includes", "minKernel"]),
    "duplicate-key": ('{"defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_KILL"}', ["JSON"]),
    "deeply-nested": ("[" * 100000 + "]" * 100000, ["JSON"]),
    "includes-caps-type": ({"defaultAction": "SCMP_ACT_ALLOW",
                            "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO",
                                          "includes": {"caps": "CAP_SYS_ADMIN"}}]},
                           ["$.syscalls[0].includes", "caps"]),
}


@pytest.mark.parametrize("case", list(BAD_PROFILES))
def test_bad_profile(sb, case):
    content, names = BAD_PROFILES[case]
    path = os.path.join(sb.scratch, f"{case}.json")
    with open(path, "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))
    os.chmod(path, 0o644)
    one_line_error(sb, sb.minimal + ["--seccomp-profile", path, "true"], "--seccomp-profile", path, *names)
    # --seccomp-export reports it the same way, and writes nothing
    out = os.path.join(sb.scratch, "out.bpf")
    one_line_error(sb, ["--seccomp-profile", path, "--seccomp-export", out], "--seccomp-profile", path, *names)
    assert not os.path.exists(out)


def test_missing_profile(sb):
    path = os.path.join(sb.scratch, "nope.json")
    one_line_error(sb, sb.minimal + ["--seccomp-profile", path, "true"], "--seccomp-profile", path)


def test_export_needs_exactly_one_profile(sb):
    out = os.path.join(sb.scratch, "out.bpf")
    one_line_error(sb, ["--seccomp-export", out], "--seccomp-export")
    one_line_error(sb, ["--seccomp-profile", "default", "--seccomp-profile", "default", "--seccomp-export", out],
                   "--seccomp-export")
    assert not os.path.exists(out)


def test_export_runs_nothing(sb):
    """--seccomp-export writes the program and exits; a command given is not run."""
    out = os.path.join(sb.scratch, "out.bpf")
    marker = os.path.join(sb.scratch, "ran")
    r = sb.run(["--seccomp-profile", "default", "--seccomp-export", out, "touch", marker])
    assert r.rc == 0 and r.err == "", r.describe()
    assert not os.path.exists(marker)
    with open(out, "rb") as f:
        prog = f.read()
    assert prog and len(prog) % 8 == 0 and len(prog) // 8 <= 4096


def test_profile_too_big(sb):
    path = os.path.join(sb.scratch, "big.json")
    with open(path, "w") as f:
        f.write('{"defaultAction": "SCMP_ACT_ALLOW", "comment": "' + "x" * (5 << 20) + '"}')
    os.chmod(path, 0o644)
    one_line_error(sb, sb.minimal + ["--seccomp-profile", path, "true"], "--seccomp-profile", path)


def test_profile_is_a_directory(sb):
    one_line_error(sb, sb.minimal + ["--seccomp-profile", sb.scratch, "true"], "--seccomp-profile", sb.scratch)
