# SPDX-License-Identifier: LGPL-2.1-or-later
"""--net pasta and --forward, as root and as the user.

Each test makes a network namespace of its own (as root: `unshare --net`)
and runs cocoon in it, so that pasta's "host" is that namespace and never
the machine's interfaces: a veth pair, d0 with 10.77.0.2/24 and the default
route (pasta copies its address and route into the sandbox), d1 with
10.77.0.3, where the test's servers listen. The test's DNS responder listens
on the address of the machine's first nameserver, which the sandbox reads in
the host's /etc/resolv.conf. A loopback server (127.0.0.1) stands for the
host's loopback services, which the sandbox must not reach.
"""

import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import textwrap
import time

import pytest

import harness

PY = "/usr/bin/python3"
PASTA = shutil.which("pasta") or ("/usr/bin/pasta" if os.access("/usr/bin/pasta", os.X_OK) else None)
SERVER_IP = "10.77.0.3"
TCP_PORT, UDP_PORT, LOOPBACK_PORT = 7001, 7002, 7003
DNS_NAME, DNS_ANSWER = "cocoon-pasta-test.example", "10.77.0.9"

pytestmark = [pytest.mark.cocoon_only("--net pasta is cocoon's"),
              pytest.mark.skipif(PASTA is None, reason="pasta is not installed (package passt)")]


def first_nameserver():
    try:
        for line in open("/etc/resolv.conf"):
            w = line.split()
            if len(w) >= 2 and w[0] == "nameserver":
                return w[1]
    except OSError:
        pass
    return None


# The test network: set up, then serve until stdin closes. Runs as root in
# a network namespace that `unshare --net` made for it alone.
NETWORK = r'''
import socket, struct, subprocess, sys, threading
dns = sys.argv[1]
def ip(*a):
    subprocess.run(["ip", *a], check=True)
ip("link", "add", "d0", "type", "veth", "peer", "name", "d1")
ip("link", "set", "lo", "up"); ip("link", "set", "d1", "up"); ip("link", "set", "d0", "up")
ip("addr", "add", "10.77.0.2/24", "dev", "d0")
ip("addr", "add", "10.77.0.3/24", "dev", "d1")
ip("route", "add", "default", "via", "10.77.0.1")
if dns != "-":
    ip("addr", "add", dns + "/32", "dev", "d1")

def tcp(addr, port, word):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(16)
    def loop():
        while True:
            c, _ = s.accept(); c.sendall(word); c.close()
    threading.Thread(target=loop, daemon=True).start()

def udp_echo(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((addr, port))
    def loop():
        while True:
            d, peer = s.recvfrom(512); s.sendto(b"echo:" + d, peer)
    threading.Thread(target=loop, daemon=True).start()

def dns_server(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((addr, 53))
    def loop():
        while True:
            q, peer = s.recvfrom(512)
            try:
                i, labels = 12, []
                while q[i]:
                    labels.append(q[i + 1:i + 1 + q[i]].decode()); i += 1 + q[i]
                qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
                question = q[12:i + 5]
            except Exception:
                continue
            hit = ".".join(labels).lower() == "%s" and qtype == 1
            head = q[:2] + struct.pack("!HHHHH", 0x8180 if hit or ".".join(labels).lower() == "%s" else 0x8183,
                                       1, 1 if hit else 0, 0, 0)
            ans = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("%s")) if hit else b""
            s.sendto(head + question + ans, peer)
    threading.Thread(target=loop, daemon=True).start()

tcp("10.77.0.3", %d, b"tcp-ok\n")
tcp("127.0.0.1", %d, b"host-loopback\n")
udp_echo("10.77.0.3", %d)
if dns != "-":
    dns_server(dns)
print("ready", flush=True)
sys.stdin.read()
''' % (DNS_NAME, DNS_NAME, DNS_ANSWER, TCP_PORT, LOOPBACK_PORT, UDP_PORT)


class Network:
    def __init__(self, dns):
        self.dns = dns
        self.p = subprocess.Popen(["unshare", "--net", "--", PY, "-c", NETWORK, dns or "-"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = harness.readline(self.p.stdout, timeout=20)
        if line.strip() != b"ready":
            self.close()
            raise AssertionError(f"the test network did not come up: {line!r} {self.p.stderr.read()!r}")

    @property
    def enter(self):
        return ["nsenter", f"--net=/proc/{self.p.pid}/ns/net", "--"]

    def run_here(self, code, timeout=20):
        """Python code run in the test network, outside any sandbox."""
        return subprocess.run(self.enter + [PY, "-c", textwrap.dedent(code)], capture_output=True,
                              timeout=timeout, text=True)

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.kill()
        self.p.wait()


@pytest.fixture
def net():
    if os.geteuid() != 0:
        pytest.skip("making the test's own network namespace takes root (the suite runs as the user)")
    if not shutil.which("ip") or not shutil.which("nsenter"):
        pytest.skip("needs ip (iproute2) and nsenter (util-linux)")
    dns = first_nameserver()
    try:
        dns_ok = dns and ipaddress.ip_address(dns).version == 4 and not ipaddress.ip_address(dns).is_loopback
    except ValueError:
        dns_ok = False
    n = Network(dns if dns_ok else None)
    yield n
    n.close()


def cocoon_argv(sb, net, args):
    return net.enter + sb.argv(args)


def run(sb, net, args, timeout=30, **kw):
    t0 = time.time()
    p = subprocess.run(cocoon_argv(sb, net, args), env=harness.tagged_env(None), cwd=sb.scratch,
                       capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, **kw)
    sb.windows.append((t0, time.time()))
    return harness.Result(cocoon_argv(sb, net, args), p.returncode, harness._decode(p.stdout),
                          harness._decode(p.stderr))


def base(sb):
    return ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--cap-drop", "ALL", "--net", "pasta"]


def py(code):
    return [PY, "-c", textwrap.dedent(code)]


# ---------------------------------------------------------------- outbound

@pytest.mark.parametrize("userns", [[], ["--unshare-user"], ["--unshare-all"]], ids=["as-is", "userns", "all"])
def test_reaches_a_server_by_tcp_and_udp(sb, net, userns):
    """Also with a user namespace of root's own: pasta, started by root, must
    stay root to join it (as nobody it may not)."""
    r = run(sb, net, base(sb) + userns + py(f'''
        import socket
        s = socket.create_connection(("{SERVER_IP}", {TCP_PORT}), timeout=5)
        print(s.recv(100).decode().strip())
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
        u.sendto(b"ping", ("{SERVER_IP}", {UDP_PORT}))
        print(u.recvfrom(100)[0].decode())
    '''))
    assert r.rc == 0, r.describe()
    assert r.out.split() == ["tcp-ok", "echo:ping"], r.describe()


def test_without_net_pasta_no_route(sb, net):
    """The control: --unshare-net alone has no way out."""
    r = run(sb, net, ["--ro-bind", "/", "/", "--unshare-net"] + py(f'''
        import socket
        try:
            socket.create_connection(("{SERVER_IP}", {TCP_PORT}), timeout=2); print("reached")
        except OSError as e:
            print("refused", e.errno)
    '''))
    assert r.rc == 0 and r.out.startswith("refused"), r.describe()


def test_a_name_resolves(sb, net):
    if net.dns is None:
        pytest.skip(f"the machine's first nameserver ({first_nameserver()}) is not an IPv4 address off "
                    "loopback that the test network can stand in for")
    r = run(sb, net, base(sb) + py(f'''
        import socket
        print(socket.gethostbyname("{DNS_NAME}"))
    '''))
    assert r.rc == 0, r.describe()
    assert r.out.strip() == DNS_ANSWER, r.describe()


# ---------------------------------------------------------------- inbound

SERVE = '''
    import socket, sys
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 8000)); s.listen(4)
    print("listening", flush=True)
    s.settimeout(%s)
    try:
        c, _ = s.accept(); c.sendall(b"from-sandbox\\n"); c.close(); print("served")
    except socket.timeout:
        print("nobody came")
'''


def connect_from_host(net, port):
    r = net.run_here(f'''
        import socket
        for addr in ("127.0.0.1", "10.77.0.2", "{SERVER_IP}"):
            try:
                s = socket.create_connection((addr, {port}), timeout=2)
                print(addr, s.recv(100).decode().strip() or "empty")
            except OSError as e:
                print(addr, "refused", e.errno)
    ''')
    assert r.returncode == 0, r.stderr
    return dict(l.split(" ", 1) for l in r.stdout.splitlines())


def serve_in_sandbox(sb, net, extra, wait):
    p = subprocess.Popen(cocoon_argv(sb, net, base(sb) + extra + py(SERVE % wait)), env=harness.tagged_env(None),
                         cwd=sb.scratch, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert harness.readline(p.stdout, timeout=20).strip() == b"listening", p.stderr.read()
    return p


def test_forward_reaches_a_server_in_the_sandbox(sb, net):
    p = serve_in_sandbox(sb, net, ["--forward", "tcp:7100:8000"], 10)
    try:
        got = connect_from_host(net, 7100)
        out, err = p.communicate(timeout=20)
    finally:
        p.kill()
        p.wait()
    assert got["127.0.0.1"] == "from-sandbox", (got, err)
    assert p.returncode == 0 and b"served" in out, (out, err)


def test_nothing_reaches_in_without_forward(sb, net):
    p = serve_in_sandbox(sb, net, [], 3)
    try:
        got = [connect_from_host(net, 8000), connect_from_host(net, 7100)]
        out, err = p.communicate(timeout=20)
    finally:
        p.kill()
        p.wait()
    assert all(v.startswith("refused") for g in got for v in g.values()), got
    assert b"nobody came" in out, (out, err)


# ---------------------------------------------------------------- what stays out of reach

def test_host_loopback_out_of_reach(sb, net):
    """The test network's 127.0.0.1 stands for the host's loopback: neither
    the sandbox's own 127.0.0.1 nor the gateway's address leads there."""
    r = run(sb, net, base(sb) + py(f'''
        import socket
        for addr in ("127.0.0.1", "10.77.0.1", "10.77.0.2"):
            try:
                s = socket.create_connection((addr, {LOOPBACK_PORT}), timeout=2)
                print(addr, "reached", s.recv(100).decode().strip())
            except OSError as e:
                print(addr, "refused", e.errno)
    '''))
    assert r.rc == 0, r.describe()
    assert "reached" not in r.out and len(r.out.splitlines()) == 3, r.describe()


def pasta_of(monitor):
    """pasta, found among the monitor's children by pid (not by name across
    the machine)."""
    for pid in harness.descendants(monitor):
        try:
            # pasta may exec its own pasta.avx2
            if open(f"/proc/{pid}/comm").read().startswith(("pasta", "passt")) and harness.ppid_of(pid) == monitor:
                return pid
        except OSError:
            pass
    return None


def start(sb, net, args, command, stdin=subprocess.DEVNULL, root=None):
    p = subprocess.Popen(cocoon_argv(sb, net, (root or base(sb)) + args + command), env=harness.tagged_env(None),
                         cwd=sb.scratch, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = harness.readline(p.stdout, timeout=20)
    assert line.startswith(b"ready"), (line, p.stderr.read() if p.poll() is not None else "")
    pasta = pasta_of(p.pid)
    assert pasta, f"no pasta among the children of the monitor {p.pid}"
    return p, pasta, line


def tell_pid(p, pid):
    """Give the probe in the sandbox pasta's pid; what it printed, once it ended."""
    try:
        return p.communicate(f"{pid}\n".encode(), timeout=20)
    finally:
        p.kill()
        p.wait()


def test_the_sandbox_cannot_reach_pasta(sb, net):
    """pasta's pid is outside the sandbox's pid namespace: not visible, not
    signalled, not ptraced; the command holds no fd of it."""
    p, pasta, _ = start(sb, net, [], py('''
        import ctypes, json, os, sys
        print("ready", flush=True)
        pid = int(sys.stdin.readline())
        libc = ctypes.CDLL(None, use_errno=True)
        res = {}
        res["kill"] = libc.kill(pid, 0) == 0 or ctypes.get_errno()
        res["ptrace"] = libc.ptrace(16, pid, None, None) == 0 or ctypes.get_errno()
        res["pasta_in_proc"] = [d for d in os.listdir("/proc") if d.isdigit() and
                                open(f"/proc/{d}/comm").read().startswith(("pasta", "passt"))]
        fds = {}
        for fd in os.listdir("/proc/self/fd"):
            try:
                fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                pass
        res["fds"] = fds
        print(json.dumps(res), flush=True)
    '''), stdin=subprocess.PIPE)
    out, err = tell_pid(p, pasta)
    res = json.loads(out.decode().splitlines()[-1])
    assert res["kill"] is not True and res["ptrace"] is not True, res
    assert res["pasta_in_proc"] == [], res
    # stdin, stdout and stderr are the test's pipes; one more is the listing's own
    extra = {fd: t for fd, t in res["fds"].items() if fd not in ("0", "1", "2")}
    assert len(extra) <= 1 and all(t.startswith("/proc/") for t in extra.values()), res["fds"]


def test_pasta_out_of_reach_through_the_hosts_proc(sb, net):
    """With the host's /proc bound in (no --proc), pasta's pid shows. The
    sandbox still can't read its memory or environment, nor signal it
    through a /proc directory fd (pidfd_send_signal), with every capability
    it may have in its own user namespace (a root caller: none)."""
    caps = ["--cap-drop", "ALL"] if sb.ident.is_root else ["--cap-add", "ALL"]
    p, pasta, _ = start(sb, net, [], py('''
        import ctypes, json, os, sys
        print("ready", flush=True)
        p = sys.stdin.readline().strip()
        libc = ctypes.CDLL(None, use_errno=True)
        res = {"comm": open(f"/proc/{p}/comm").read().strip()}
        for what in ("mem", "environ"):
            try:
                os.close(os.open(f"/proc/{p}/{what}", os.O_RDONLY)); res[what] = "ok"
            except OSError as e:
                res[what] = e.errno
        fd = os.open(f"/proc/{p}", os.O_RDONLY | os.O_DIRECTORY)
        res["signal"] = libc.syscall(424, fd, 0, None, 0) == 0 or ctypes.get_errno()
        print(json.dumps(res), flush=True)
    '''), stdin=subprocess.PIPE, root=["--ro-bind", "/", "/", "--dev", "/dev"] + caps + ["--net", "pasta"])
    out, err = tell_pid(p, pasta)
    assert p.returncode == 0, (out, err)
    res = json.loads(out.decode().splitlines()[-1])
    assert res["comm"].startswith(("pasta", "passt")), res   # the attack had its target
    assert res["mem"] != "ok" and res["environ"] != "ok" and res["signal"] is not True, res


# ---------------------------------------------------------------- nothing left behind

def gone(pid, timeout=10):
    return not harness.wait_gone(lambda: [pid] if harness.alive(pid) else [], timeout=timeout)


def test_no_pasta_after_a_normal_exit(sb, net):
    p, pasta, _ = start(sb, net, [], ["/bin/sh", "-c", "echo ready; read x"], stdin=subprocess.PIPE)
    p.communicate(b"go\n", timeout=20)
    assert p.returncode == 0
    assert gone(pasta), f"pasta {pasta} outlived the sandbox"


def test_no_pasta_after_the_command_is_killed(sb, net):
    p, pasta, _ = start(sb, net, [], ["/bin/sh", "-c", "echo ready; exec sleep 30"])
    try:
        sleepers = [q for q in harness.descendants(p.pid)
                    if q != pasta and open(f"/proc/{q}/comm").read().strip() == "sleep"]
        assert len(sleepers) == 1, sleepers
        os.kill(sleepers[0], signal.SIGKILL)
        p.wait(timeout=20)
    finally:
        p.kill()
        p.wait()
    assert p.returncode == 128 + signal.SIGKILL, p.returncode
    assert gone(pasta), f"pasta {pasta} outlived the sandbox"


def test_no_pasta_after_the_monitor_is_killed(sb, net):
    p, pasta, _ = start(sb, net, ["--die-with-parent"], ["/bin/sh", "-c", "echo ready; exec sleep 30"])
    inside = [q for q in harness.descendants(p.pid) if q not in (p.pid, pasta)]
    try:
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=20)
        assert gone(pasta), f"pasta {pasta} outlived its monitor"
        assert all(gone(q) for q in inside), "the sandbox outlived its monitor"
    finally:
        harness.kill_pids(inside + [pasta])


def test_no_pasta_after_a_timeout(sb, net):
    p, pasta, _ = start(sb, net, ["--timeout", "1"], ["/bin/sh", "-c", "echo ready; exec sleep 30"])
    try:
        p.wait(timeout=20)
    finally:
        p.kill()
        p.wait()
    assert p.returncode == 124, p.returncode
    assert gone(pasta), f"pasta {pasta} outlived the timeout"


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("args,mentions", [
    (["--net", "slirp"], "--net: unknown mode 'slirp'"),
    (["--net", "pasta", "--forward", "tcp:0"], "--forward: '0' is not a port"),
    (["--net", "pasta", "--forward", "tcp:65536:80"], "--forward: '65536' is not a port"),
    (["--net", "pasta", "--forward", "tcp:80:99999999999999999999"], "is not a port"),
    (["--net", "pasta", "--forward", "sctp:80"], "--forward: 'sctp:80' is not tcp:"),
    (["--net", "pasta", "--forward", "tcp:80:"], "--forward: '' is not a port"),
    (["--net", "pasta", "--forward", "tcp:8080", "--forward", "tcp:8080:81"], "forwarded twice"),
    (["--forward", "tcp:8080"], "--forward: needs --net pasta"),
    (["--net", "pasta", "--forward", "udp:53", "--net", "host"], "--forward: needs --net pasta"),
])
def test_bad_input(sb, args, mentions):
    sb.expect_error(["--ro-bind", "/", "/"] + args + ["true"], mentions)


def test_pasta_that_fails_is_one_line_and_nothing_runs(sb, tmp_path):
    """In a network namespace with no route out, pasta has no interface to
    copy and gives up: cocoon says so in one line, with pasta's reason, and
    the command never runs."""
    if os.geteuid() != 0:
        pytest.skip("making the test's own network namespace takes root")
    marker = os.path.join(sb.scratch, "ran")
    r = subprocess.run(["unshare", "--net", "--"] + sb.argv(["--ro-bind", "/", "/", "--bind", sb.scratch, sb.scratch,
                                                              "--net", "pasta", "touch", marker]),
                       capture_output=True, text=True, env=harness.tagged_env(None), timeout=30)
    lines = [l for l in r.stderr.splitlines() if ": warning: " not in l]
    assert r.returncode == 1 and len(lines) == 1, (r.returncode, r.stderr)
    assert lines[0].startswith("cocoon: --net pasta: pasta could not set up the sandbox's network"), r.stderr
    assert not os.path.exists(marker)


def test_missing_pasta_is_one_clear_error(sb):
    empty = os.path.join(sb.scratch, "nopath")
    os.makedirs(empty, exist_ok=True)
    if os.access("/usr/bin/pasta", os.X_OK) or os.access("/usr/sbin/pasta", os.X_OK):
        # cocoon looks in /usr/bin and /usr/sbin whatever PATH says: hide
        # them in a mount namespace of the test's own (root only).
        if not sb.ident.is_root:
            pytest.skip("pasta is in /usr/bin: hiding it takes a mount namespace of root's")
        r = subprocess.run([shutil.which("unshare"), "--mount", "--", "/bin/sh", "-c",
                            "/usr/bin/mount -t tmpfs none /usr/sbin && /usr/bin/mount -t tmpfs none /usr/bin && "
                            f'exec "$0" "$@"', sb.cocoon, "--ro-bind", "/", "/", "--net", "pasta", "true"],
                           capture_output=True, text=True, env=dict(harness.BASE_ENV, PATH=empty), timeout=30)
    else:
        r = subprocess.run(sb.argv(["--ro-bind", "/", "/", "--net", "pasta", "true"]), capture_output=True,
                           text=True, env=dict(harness.BASE_ENV, PATH=empty), timeout=30)
    lines = [l for l in r.stderr.splitlines() if ": warning: " not in l]
    assert r.returncode == 1 and lines == [
        "cocoon: --net pasta: pasta is not installed (Debian/Ubuntu package passt)"], (r.returncode, r.stderr)


def test_the_network_profile_is_net_pasta(sb, net):
    r = run(sb, net, ["--ro-bind", "/", "/", "--profile", "network"] + py(f'''
        import socket
        print(socket.create_connection(("{SERVER_IP}", {TCP_PORT}), timeout=5).recv(100).decode().strip())
        print(open("/proc/self/net/dev").read().count(":"))
    '''))
    assert r.rc == 0, r.describe()
    # reached the server; lo and pasta's interface, not the test network's three
    assert r.out.split() == ["tcp-ok", "2"], r.describe()
