# SPDX-License-Identifier: LGPL-2.1-or-later
"""--report, --report-fd and --learn (issue 16): what the sandbox refused, and
the option that would allow it. Each kind of event is caused for real, as
root and as the test user; the summary must name the cause and the fix, and
every --report-fd line must validate against src/report.schema.json. Then
--learn, and a hostile command that turns on the listener: garbage and
endless paths, a path that changes under the monitor, a flood of calls, and
a look for the listener's fd from inside."""

import json
import os
import shutil
import time

import pytest

pytestmark = [pytest.mark.usefixtures("tmp_unchanged"),
              pytest.mark.cocoon_only("--report is cocoon's own")]

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "src", "report.schema.json")
PY = "/usr/bin/python3"
needs_python = pytest.mark.skipif(not os.path.exists(PY), reason="needs /usr/bin/python3 for the test programs")


# ---------------------------------------------------------------- a JSON Schema validator for the subset we use

def _type_ok(value, t):
    kinds = {"object": dict, "string": str, "null": type(None), "array": list}
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kinds[t])


def schema_errors(value, schema):
    """Why value does not match schema (type, enum, const, required,
    properties, additionalProperties, minimum, oneOf): a list, empty if it does."""
    errs = []
    if "oneOf" in schema:
        matches = [s for s in schema["oneOf"] if not schema_errors(value, s)]
        if len(matches) != 1:
            errs.append(f"matches {len(matches)} of oneOf, not 1: {value!r}")
        return errs
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, t) for t in types):
            return [f"{value!r} is not of type {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errs.append(f"{value!r} is not {schema['const']!r}")
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        errs.append(f"{value} < {schema['minimum']}")
    if isinstance(value, dict):
        for k in schema.get("required", []):
            if k not in value:
                errs.append(f"missing {k}")
        props = schema.get("properties", {})
        for k, v in value.items():
            if k in props:
                errs += [f"{k}: {e}" for e in schema_errors(v, props[k])]
            elif schema.get("additionalProperties") is False:
                errs.append(f"unexpected {k}")
    return errs


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA_PATH) as f:
        return json.load(f)


def test_validator_refuses_what_the_schema_refuses(schema):
    """The validator itself: a good event passes, broken ones don't."""
    good = {"kind": "missing", "pid": 3, "exe": None, "syscall": "openat", "path": "/x", "address": None,
            "verdict": "fails", "errno": 2, "cause": "c", "suggest": None}
    assert schema_errors(good, schema) == []
    for bad in ({**good, "kind": "nope"}, {**good, "pid": "3"}, {**good, "extra": 1},
                {k: v for k, v in good.items() if k != "cause"}, {**good, "errno": -1}):
        assert schema_errors(bad, schema), bad
    assert schema_errors({"kind": "dropped", "count": 4, "cause": "x"}, schema) == []


# ---------------------------------------------------------------- running with a report

def reported(sb, args, command, schema, *, rc=None, timeout=60):
    """Run command under args with --report and --report-fd: the result, the
    summary lines and the JSON events (each checked against the schema)."""
    path = os.path.join(sb.scratch, "events.jsonl")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        r = sb.run(list(args) + ["--report", "--report-fd", str(fd), "--"] + command,
                   pass_fds=(fd,), timeout=timeout)
    finally:
        os.close(fd)
    with open(path) as f:
        events = [json.loads(line) for line in f if line.strip()]
    for e in events:
        assert schema_errors(e, schema) == [], f"{e} does not match the schema\n" + r.describe()
    if rc is not None:
        assert r.rc == rc, r.describe()
    summary = [l for l in r.err_lines() if l.startswith(sb.bins.msg_prefix + "report: ")]
    assert summary, "no summary\n" + r.describe()
    return r, summary, events


def event_of(events, kind, r, **fields):
    for e in events:
        if e["kind"] == kind and all(e.get(k) == v for k, v in fields.items()):
            return e
    raise AssertionError(f"no {kind} event with {fields} in {events}\n" + r.describe())


def summary_line(summary, *words):
    for l in summary:
        if all(w in l for w in words):
            return l
    raise AssertionError(f"no summary line with {words}:\n" + "\n".join(summary))


def test_reads_a_host_file_that_is_not_bound(sb, schema):
    secret = os.path.join(sb.scratch, "data.txt")
    with open(secret, "w") as f:
        f.write("x\n")
    os.chmod(secret, 0o644)
    r, summary, events = reported(sb, sb.minimal, ["cat", secret], schema)
    assert r.rc != 0
    e = event_of(events, "missing", r, path=secret)
    assert e["verdict"] == "fails" and e["errno"] == 2 and e["syscall"] in ("openat", "open")
    assert e["suggest"] == f"--ro-bind {secret} {secret}"
    summary_line(summary, secret, "not in the sandbox", f"--ro-bind {secret} {secret}")


def test_writes_under_a_ro_bind(sb, schema):
    d = os.path.join(sb.scratch, "ro")
    os.mkdir(d)
    os.chmod(d, 0o777)
    r, summary, events = reported(sb, sb.minimal + ["--ro-bind", d, d], ["touch", d + "/new"], schema)
    assert r.rc != 0
    e = event_of(events, "read-only", r, path=d + "/new")
    assert e["suggest"] == f"--bind {d} {d}"
    summary_line(summary, d + "/new", "read-only", f"--ro-bind {d} {d}", f"add --bind {d} {d}")


def test_reads_outside_the_landlock_rules(sb, schema):
    """Landlock tells an unprivileged process nothing: the report predicts the
    refusal from the rules, through the sandbox's symlinks (/lib leads into
    /usr, which the rules cover), and --learn's line lets the second run read."""
    d = os.path.join(sb.scratch, "ll")
    os.mkdir(d)
    os.chmod(d, 0o755)
    f = os.path.join(d, "f.txt")
    with open(f, "w") as fh:
        fh.write("landlocked\n")
    os.chmod(f, 0o644)
    rules = sb.minimal + ["--ro-bind", d, d, "--landlock-exec", "/usr", "--cap-drop", "ALL"]
    r, summary, events = reported(sb, rules, ["cat", f], schema)
    assert r.rc != 0 and "Permission denied" in r.err, r.describe()
    e = event_of(events, "landlock", r, path=f)
    assert e["verdict"] == "fails" and e["errno"] == 13 and e["suggest"] == f"--landlock-read {f}"
    summary_line(summary, f, "outside the Landlock rules", f"--landlock-read {f}")
    # the libraries, read through /lib or /lib64 links into /usr, are not taken for refusals
    assert not [x for x in events if x["kind"] == "landlock" and x["path"] != f], events

    learned = os.path.join(sb.scratch, "ll.profile")
    r = sb.run(rules + ["--learn", learned, "--", "cat", f])
    assert r.rc != 0, r.describe()
    r = sb.run(rules + ["--profile", learned, "--", "cat", f])
    assert r.rc == 0 and r.out == "landlocked\n", r.describe()


def test_reads_a_masked_proc_file(sb, schema):
    r, summary, events = reported(sb, sb.minimal, ["cat", "/proc/timer_list"], schema)
    e = event_of(events, "masked", r, path="/proc/timer_list")
    assert e["verdict"] in ("hidden", "fails")
    summary_line(summary, "/proc/timer_list", "hidden", "--unmask /proc/timer_list")


@needs_python
def test_keyctl_under_the_default_profile(sb, schema):
    prog = "import ctypes,errno; r=ctypes.CDLL(None,use_errno=True).syscall(250,0,0,0,0); " \
           "print(r, errno.errorcode.get(ctypes.get_errno()))"
    r, summary, events = reported(sb, sb.minimal + ["--seccomp-profile", "default"], [PY, "-c", prog], schema,
                                  rc=0)
    # The command sees what the profile says, exactly as without --report.
    assert r.out.split() == ["-1", "EPERM"], r.describe()
    e = event_of(events, "seccomp", r, syscall="keyctl")
    assert e["verdict"] == "refused" and e["errno"] == 1
    summary_line(summary, "default seccomp profile", "keyctl", "EPERM", "--seccomp-profile")


@needs_python
def test_same_errno_without_report(sb):
    """Without --report, keyctl gets the same answer: the listener changes nothing."""
    prog = "import ctypes,errno; r=ctypes.CDLL(None,use_errno=True).syscall(250,0,0,0,0); " \
           "print(r, errno.errorcode.get(ctypes.get_errno()))"
    r = sb.ok(sb.minimal + ["--seccomp-profile", "default", "--", PY, "-c", prog])
    assert r.out.split() == ["-1", "EPERM"]


@needs_python
def test_connect_with_no_network(sb, schema):
    prog = "import socket\ntry:\n socket.create_connection(('192.0.2.1', 9), timeout=2)\nexcept OSError as e:\n print(e.errno)"
    r, summary, events = reported(sb, sb.minimal + ["--unshare-net"], [PY, "-c", prog], schema, rc=0)
    e = event_of(events, "network", r, address="192.0.2.1:9")
    assert e["syscall"] == "connect" and e["suggest"] == "--share-net"
    summary_line(summary, "192.0.2.1:9", "no network", "--share-net")


def test_script_whose_interpreter_is_missing(sb, schema):
    script = os.path.join(sb.scratch, "run.sh")
    interp = os.path.join(sb.scratch, "interp")
    shutil.copy("/usr/bin/true", interp)
    os.chmod(interp, 0o755)
    with open(script, "w") as f:
        f.write(f"#!{interp}\n")
    os.chmod(script, 0o755)
    args = sb.minimal + ["--ro-bind", script, script]
    r, summary, events = reported(sb, args, [script], schema)
    assert r.rc != 0
    e = event_of(events, "interpreter", r, path=script)
    assert e["suggest"] == f"--ro-bind {interp} {interp}"
    summary_line(summary, script, interp, f"--ro-bind {interp} {interp}")


def test_report_under_the_bwrap_name(sb, schema):
    """The options work under the bwrap name too, with bwrap's prefix."""
    secret = os.path.join(sb.scratch, "data.txt")
    with open(secret, "w") as f:
        f.write("x\n")
    os.chmod(secret, 0o644)
    r = sb.run(sb.minimal + ["--report", "cat", secret], exe=sb.bins.bwrap_link)
    assert any(l.startswith("bwrap: report: ") and secret in l for l in r.err_lines()), r.describe()


def test_nothing_refused_says_so(sb, schema):
    r, summary, events = reported(sb, sb.minimal, ["true"], schema, rc=0)
    assert events == [] or all(e["kind"] != "seccomp" for e in events)


# ---------------------------------------------------------------- --learn

def test_learn_writes_a_profile_that_works(sb):
    a, b = os.path.join(sb.scratch, "a"), os.path.join(sb.scratch, "b")
    for d in (a, b):
        os.mkdir(d)
        with open(os.path.join(d, "f"), "w") as f:
            f.write(os.path.basename(d) + "\n")
        os.chmod(d, 0o755)
        os.chmod(os.path.join(d, "f"), 0o644)
    profile = os.path.join(sb.scratch, "learned.profile")
    cmd = ["cat", a + "/f", b + "/f"]
    first = sb.run(sb.minimal + ["--learn", profile, "--"] + cmd)
    assert first.rc != 0, first.describe()
    with open(profile) as f:
        text = f.read()
    assert f"--ro-bind {a}/f {a}/f" in text and f"--ro-bind {b}/f {b}/f" in text, text
    assert "\n--bind " not in text, text   # nothing was written: nothing writable
    second = sb.run(sb.minimal + ["--profile", profile, "--"] + cmd)
    assert second.rc == 0 and second.out == "a\nb\n", second.describe() + "\n" + text


def test_learn_to_a_bad_path_is_one_line(sb):
    sb.expect_error(sb.minimal + ["--learn", "/nonexistent/dir/p", "true"], "--learn")


# ---------------------------------------------------------------- a hostile command

HOSTILE = r"""
import ctypes, os, sys, threading, time
libc = ctypes.CDLL(None, use_errno=True)
SYS_openat = 257
AT_FDCWD = -100
what = sys.argv[1]
if what == "garbage":
    for addr in (0, 1, 0xdeadbeef, 0xffffffffffff0000, 0x7ffffffff000):
        libc.syscall(SYS_openat, AT_FDCWD, ctypes.c_void_p(addr), 0)
elif what == "long":
    # 20000 bytes of 'a' with no NUL inside a mapping, then an unmapped page
    import mmap
    m = mmap.mmap(-1, 8 * 4096)
    buf = (ctypes.c_char * (8 * 4096)).from_buffer(m)
    ctypes.memset(buf, ord('a'), 8 * 4096)
    libc.syscall(SYS_openat, AT_FDCWD, buf, 0)
    ctypes.memset(buf, ord('/'), 5000)
    libc.syscall(SYS_openat, AT_FDCWD, buf, 0)
elif what == "flip":
    buf = ctypes.create_string_buffer(b"/nonexistent/aaaa" + b"\0" * 64)
    stop = False
    def flipper():
        i = 0
        while not stop:
            ctypes.memmove(buf, b"/usr/../" * (i % 9) + b"zz\0", 8 * (i % 9) + 3)
            ctypes.memmove(buf, b"\xff" * 70, 70)
            i += 1
    t = threading.Thread(target=flipper)
    t.start()
    for _ in range(3000):
        libc.syscall(SYS_openat, AT_FDCWD, buf, 0)
    stop = True
    t.join()
elif what == "flood":
    t0 = time.time()
    n = 0
    while time.time() - t0 < 3:
        for _ in range(200):
            try:
                os.stat("/nonexistent-flood-%d" % (n % 50))
            except OSError:
                pass
            n += 1
    print(n)
elif what == "fds":
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if "seccomp" in os.readlink(f"/proc/{pid}/fd/{fd}"):
                    found.append((pid, fd))
            except OSError:
                pass
    # and any fd of ours that answers the listener's ioctl
    import fcntl, struct
    RECV = 0xc0502100
    for fd in range(0, 1024):
        try:
            fcntl.ioctl(fd, RECV, bytearray(80))
            found.append(("self", fd))
        except OSError:
            pass
    print("found", found)
print("done")
"""


@needs_python
@pytest.mark.parametrize("what", ["garbage", "long", "flip"])
def test_hostile_paths_cant_hurt_the_monitor(sb, schema, what):
    t0 = time.time()
    r, summary, events = reported(sb, sb.minimal + ["--unshare-pid"], [PY, "-c", HOSTILE, what], schema, rc=0,
                                  timeout=60)
    assert r.out.strip().endswith("done"), r.describe()
    assert time.time() - t0 < 30
    for e in events:
        assert all(32 <= ord(c) < 127 for c in json.dumps(e)), e


@needs_python
def test_a_flood_ends_in_bounded_time(sb, schema):
    t0 = time.time()
    r, summary, events = reported(sb, sb.minimal + ["--unshare-pid"], [PY, "-c", HOSTILE, "flood"], schema,
                                  rc=0, timeout=60)
    took = time.time() - t0
    assert r.out.split()[-1] == "done" and int(r.out.split()[0]) > 1000, r.describe()
    assert took < 30, f"took {took:.1f}s\n" + r.describe()
    # the same few paths: de-duplicated, not one line per call
    assert len(events) < 100, len(events)


@needs_python
@pytest.mark.parametrize("pidns", [True, False])
def test_listener_fd_is_not_in_the_sandbox(sb, schema, pidns):
    # Without a pid namespace, a root command that keeps CAP_SYS_PTRACE in
    # the host's user namespace reaches every host process, the monitor
    # too: that is no sandbox to begin with, so the capabilities go.
    args = sb.minimal + (["--unshare-pid"] if pidns else ["--cap-drop", "ALL"]) + ["--seccomp-profile", "default"]
    r, summary, events = reported(sb, args, [PY, "-c", HOSTILE, "fds"], schema, rc=0)
    assert "found []" in r.out, r.describe()


def test_report_fd_must_be_writable(sb):
    fd = os.open("/dev/null", os.O_RDONLY)
    try:
        sb.expect_error(sb.minimal + ["--report-fd", str(fd), "true"], "--report-fd", pass_fds=(fd,))
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the proxy's refusals

PROXY_GET = """import socket, sys
s = socket.create_connection(("127.0.0.1", 3128), timeout=10)
s.sendall(("GET http://localhost:%s/ HTTP/1.1\\r\\nHost: localhost:%s\\r\\n\\r\\n" % (sys.argv[1], sys.argv[1])).encode())
print(s.recv(100).split(b"\\r\\n")[0].decode())
"""


@pytest.fixture
def http_port():
    import http.server
    import threading

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


@pytest.mark.cocoon_only("--allow-host is cocoon's")
def test_a_host_the_proxy_refuses_is_reported_and_learned(sb, schema, http_port):
    """--allow-host's refusals are report events naming the option; --learn
    writes it, and the second run with the learned profile gets through."""
    allowed = ["--allow-host", "localhost:1"]  # any other port: the one the test serves is not listed
    r, summary, events = reported(sb, sb.minimal + allowed, [PY, "-c", PROXY_GET, str(http_port)], schema, rc=0)
    assert "HTTP/1.1 403" in r.out, r.describe()
    target = f"localhost:{http_port}"
    e = event_of(events, "network", r, address=target)
    assert e["verdict"] == "refused" and e["suggest"] == f"--allow-host {target}"
    summary_line(summary, "--allow-host " + target)

    learned = os.path.join(sb.scratch, "learned")
    r = sb.run(sb.minimal + allowed + ["--learn", learned, "--", PY, "-c", PROXY_GET, str(http_port)])
    assert r.rc == 0 and "HTTP/1.1 403" in r.out, r.describe()
    with open(learned) as f:
        assert f"\n--allow-host {target}\n" in f.read()
    r = sb.run(sb.minimal + allowed + ["--profile", learned, "--", PY, "-c", PROXY_GET, str(http_port)])
    assert r.rc == 0 and " 200 " in r.out, r.describe()
