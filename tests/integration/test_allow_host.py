# SPDX-License-Identifier: LGPL-2.1-or-later
"""--allow-host: the sandbox has a network namespace with loopback only, and
the monitor's proxy (HTTP CONNECT, plain HTTP, SOCKS5) at 127.0.0.1:3128 in
it, which reaches the listed host:port pairs and nothing else.

Everything is on loopback: the servers are the test's own, on the host's
127.0.0.1; the sandbox's 127.0.0.1 is its own, so only the proxy reaches
them. The variables cocoon sets keep localhost out of the proxy (no_proxy)
unless a rule lists it, right for the sandbox's own servers; these tests
mostly name the proxy explicitly, or drop no_proxy for a tool that reads
only the variables."""

import http.server
import os
import shutil
import ssl
import subprocess
import threading
import zipfile

import pytest

import harness

pytestmark = pytest.mark.cocoon_only("--allow-host is cocoon's")

PROXY = "127.0.0.1:3128"
CURL = "curl -sS -m 10 --noproxy ''"  # for sh -c


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture
def served(tmp_path):
    """An HTTP server on the host's 127.0.0.1 over a directory (world-readable)."""
    root = tmp_path / "www"
    root.mkdir()
    os.chmod(tmp_path, 0o755)
    (root / "hello.txt").write_text("hello through the proxy\n")
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: Quiet(*a, directory=str(root), **k))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], root, srv
    srv.shutdown()
    srv.server_close()


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(sb, hosts, script, timeout=60, extra=()):
    args = list(sb.rootfs) + ["--dev", "/dev", "--unshare-pid", "--proc", "/proc", "--tmpfs", "/tmp"]
    for h in hosts:
        args += ["--allow-host", h]
    return sb.run(args + list(extra) + ["sh", "-c", script], timeout=timeout)


def need(tool):
    if not shutil.which(tool):
        pytest.skip(f"{tool} is not installed")


def test_http_socks_and_refusal(sb, served):
    need("curl")
    port, _, _ = served
    other = free_port()
    script = f"""
set -e
{CURL} -x http://{PROXY} http://localhost:{port}/hello.txt
{CURL} --socks5-hostname {PROXY} http://LocalHost:{port}/hello.txt
{CURL} --socks5 {PROXY} http://127.0.0.1:{port}/hello.txt
env -u no_proxy -u NO_PROXY curl -sS -m 10 http://localhost:{port}/hello.txt
{CURL} -o /dev/null -w '%{{http_code}}\\n' -x http://{PROXY} http://localhost:{other}/
{CURL} -x http://{PROXY} http://localhost:{other}/ || true
{CURL} --socks5-hostname {PROXY} http://localhost:{other}/ 2>&1 && exit 9 || true
exit 3
"""
    r = run(sb, [f"localhost:{port}", f"127.0.0.1:{port}"], script)
    assert r.rc == 3, r.describe()
    assert r.out.count("hello through the proxy") == 4, r.describe()
    assert "403\n" in r.out, r.describe()
    assert f"--allow-host localhost:{other} would allow it" in r.out, r.describe()
    # Refusals, counted, in one line at the end.
    assert f"cocoon: the proxy refused 3 connections: localhost:{other}" in r.err, r.describe()


def test_no_route_around_the_proxy(sb, served):
    """A raw connect to the host's server fails: the sandbox's loopback is
    its own; nothing else is there. Nor is the proxy's listening socket in
    the command's fds, nor can the command trace the monitor."""
    port, _, _ = served
    script = f"""
import ctypes, errno, os, socket, sys
for fd in os.listdir("/proc/self/fd"):
    try:
        print("fd", fd, os.readlink(f"/proc/self/fd/{{fd}}"))
    except OSError:
        pass
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("127.0.0.1", {port}))
    sys.exit("connected around the proxy")
except OSError as e:
    print("refused", e.errno)
for ip in ("10.0.0.1", "8.8.8.8"):
    try:
        socket.create_connection((ip, 80), timeout=2)
        sys.exit("reached " + ip)
    except OSError as e:
        print("unreachable", ip, e.errno)
"""
    r = run(sb, [f"localhost:{port}"], f"exec python3 -c '{script}'",
            extra=["--cap-drop", "ALL"])
    assert r.rc == 0, r.describe()
    assert "refused" in r.out and r.out.count("unreachable") == 2, r.describe()
    assert "socket:" not in r.out, "a socket reached the command\n" + r.describe()
    # The monitor, from a command without a pid namespace: its parent.
    # (A root caller's sandbox without a user namespace is the host's root,
    # which may trace anything: as everywhere, it takes --unshare-user.)
    trace = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pp = os.getppid()
if libc.ptrace(16, pp, None, None) == 0:
    sys.exit("traced the monitor")
try:
    open(f"/proc/{pp}/mem", "rb")
    sys.exit("opened the monitor's memory")
except OSError:
    pass
"""
    r = sb.run(list(sb.rootfs) + ["--unshare-user", "--dev", "/dev", "--proc", "/proc",
                                  "--allow-host", f"localhost:{port}", "python3", "-c", trace], timeout=20)
    assert r.rc == 0, r.describe()


def test_wildcards_case_and_rebinding(sb, served):
    """*.localhost matches a.localhost (then refused: a listed name that
    resolves to loopback, DNS rebinding) but not localhost itself; names
    match in any case; an IP literal matches only itself."""
    need("curl")
    port, _, _ = served
    script = f"""
c() {{ {CURL} -o /dev/null -w '%{{http_code}} ' -x http://{PROXY} "$1"; {CURL} -x http://{PROXY} "$1" | tr -d '\\n'; echo; }}
c http://a.localhost:{port}/hello.txt
c http://localhost:{port}/hello.txt
c http://LOCALHOST.:{port}/hello.txt
c http://127.0.0.2:{port}/hello.txt
"""
    r = run(sb, [f"*.localhost:{port}", f"LocalHost:{port}"], script)
    lines = r.out.splitlines()
    assert r.rc == 0 and len(lines) == 4, r.describe()
    assert lines[0].startswith("403 ") and "loopback, link-local or private" in lines[0], r.describe()
    assert lines[1].startswith("200 hello"), r.describe()
    assert lines[2].startswith("200 hello"), r.describe()
    assert lines[3].startswith("403 ") and f"--allow-host 127.0.0.2:{port}" in lines[3], r.describe()


def self_signed(d):
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    os.chmod(cert, 0o644)
    return cert, key


def test_https_through_connect(sb, served, tmp_path):
    need("curl")
    need("openssl")
    _, root, _ = served
    cert, key = self_signed(tmp_path)
    shutil.copy(cert, os.path.join(sb.scratch, "cert.pem"))
    os.chmod(os.path.join(sb.scratch, "cert.pem"), 0o644)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: Quiet(*a, directory=str(root), **k))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        port = srv.server_address[1]
        r = run(sb, [f"localhost:{port}"],
                "env -u no_proxy -u NO_PROXY curl -sS -m 10 --cacert /tmp/cert.pem "
                f"https://localhost:{port}/hello.txt", extra=["--ro-bind", os.path.join(sb.scratch, "cert.pem"), "/tmp/cert.pem"])
    finally:
        srv.shutdown()
        srv.server_close()
    assert r.rc == 0 and r.out == "hello through the proxy\n", r.describe()


def test_git_clone_over_http(sb, served, tmp_path):
    need("git")
    port, root, _ = served
    work = tmp_path / "work"
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t", HOME=str(tmp_path))
    subprocess.run(["git", "init", "-q", str(work)], check=True, env=env)
    (work / "README").write_text("cloned through the proxy\n")
    subprocess.run(["git", "-C", str(work), "add", "README"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "commit", "-qm", "one"], check=True, env=env)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / "repo.git")], check=True, env=env)
    subprocess.run(["git", "-C", str(root / "repo.git"), "update-server-info"], check=True, env=env)
    subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
    r = run(sb, [f"localhost:{port}"],
            f"cd /tmp && env -u no_proxy -u NO_PROXY HOME=/tmp git clone -q http://localhost:{port}/repo.git c"
            " && cat c/README")
    assert r.rc == 0 and r.out == "cloned through the proxy\n", r.describe()


def test_pip_download_from_a_local_index(sb, served):
    if subprocess.run(["/usr/bin/python3", "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("pip is not installed for /usr/bin/python3")
    port, root, _ = served
    simple = root / "simple" / "cocoontoy"
    simple.mkdir(parents=True)
    wheel = "cocoontoy-1.0-py3-none-any.whl"
    with zipfile.ZipFile(simple / wheel, "w") as z:
        z.writestr("cocoontoy.py", "X = 1\n")
        z.writestr("cocoontoy-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: cocoontoy\nVersion: 1.0\n")
        z.writestr("cocoontoy-1.0.dist-info/WHEEL",
                   "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr("cocoontoy-1.0.dist-info/RECORD", "")
    (simple / "index.html").write_text(f'<a href="{wheel}">{wheel}</a>\n')
    subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
    r = run(sb, [f"localhost:{port}"],
            "cd /tmp && env -u no_proxy -u NO_PROXY HOME=/tmp /usr/bin/python3 -m pip download -q --no-cache-dir "
            f"--disable-pip-version-check --index-url http://localhost:{port}/simple cocoontoy -d /tmp/d"
            " && ls /tmp/d")
    assert r.rc == 0 and wheel in r.out, r.describe()


ATTACKS = r"""
import os, socket, sys, time

P = ("127.0.0.1", 3128)
def talk(data, read=True):
    s = socket.create_connection(P, timeout=15)
    try:
        s.sendall(data)
    except OSError:
        return b"(reset)"
    out = b""
    while read:
        try:
            b = s.recv(65536)
        except OSError:
            break
        if not b:
            break
        out += b
    s.close()
    return out

GOOD = b"GET http://localhost:PORT/hello.txt HTTP/1.1\r\nHost: localhost:PORT\r\n\r\n"
def good():
    assert b"hello through the proxy" in talk(GOOD), "the proxy stopped serving"

print("malformed", talk(b"NONSENSE\r\n\r\n")[:12])
print("no host", talk(b"GET /x HTTP/1.1\r\n\r\n")[:12])
print("hosts disagree", talk(b"GET http://localhost:PORT/ HTTP/1.1\r\nHost: evil.example:PORT\r\n\r\n")[:12])
print("huge", talk(b"GET http://localhost:PORT/ HTTP/1.1\r\nX: " + b"a" * 40000 + b"\r\n\r\n")[:12])
print("socks bind", talk(b"\x05\x01\x00" + b"\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50")[:12])
print("socks udp", talk(b"\x05\x01\x00" + b"\x05\x03\x00\x01\x7f\x00\x00\x01\x00\x50")[:12])
print("socks garbage", talk(b"\x05\xff" + os.urandom(300))[:4])
print("socks no method", talk(b"\x05\x01\x02")[:4])
good()
# Slow clients, the connection cap and more, all held open at once.
slow = []
for i in range(200):
    s = socket.create_connection(P, timeout=15)
    s.sendall(b"GET http://localhost:PORT/ HTTP/1.1\r\n" if i % 2 else b"\x05")
    slow.append(s)
t = time.time()
good()
print("good under 200 held connections in %.1fs" % (time.time() - t))
for s in slow:
    s.close()
# Floods of bytes, and a client that vanishes mid-request.
for _ in range(3):
    talk(os.urandom(1 << 20), read=False)
    talk(b"\x05" + os.urandom(1 << 16), read=False)
s = socket.create_connection(P)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
s.sendall(b"CONNECT localhost:PORT HTTP/1.1\r\n\r\n")
s.close()
good()
# A tunnel still open when the command ends.
open_tunnel = socket.create_connection(P)
open_tunnel.sendall(b"CONNECT localhost:PORT HTTP/1.1\r\n\r\n")
print("tunnel", open_tunnel.recv(100)[:12])
sys.exit(7)
"""


def test_attacks_leave_the_proxy_serving(sb, served):
    """Malformed requests, a huge head, slow clients, 200 connections held
    at once, garbage SOCKS5, floods: the proxy answers or closes each, and
    still serves a good request; the sandbox ends with the command's status
    while a tunnel is open."""
    port, _, _ = served
    script = ATTACKS.replace("PORT", str(port))
    r = sb.run(list(sb.rootfs) + ["--dev", "/dev", "--unshare-pid", "--proc", "/proc",
                                  "--allow-host", f"localhost:{port}", "python3", "-c", script], timeout=120)
    assert r.rc == 7, r.describe()
    for what, status in (("malformed", "400"), ("no host", "400"), ("hosts disagree", "400"),
                         ("socks bind", r"\x05\x07"), ("socks udp", r"\x05\x07")):
        line = next(l for l in r.out.splitlines() if l.startswith(what + " "))
        assert status in line, r.describe()
    huge = next(l for l in r.out.splitlines() if l.startswith("huge "))
    assert "431" in huge or "(reset)" in huge or "b''" in huge, r.describe()
    assert r"socks no method b'\x05\xff'" in r.out, r.describe()
    assert "good under 200 held connections" in r.out, r.describe()
    assert "tunnel b'HTTP/1.1 200'" in r.out, r.describe()


@pytest.mark.parametrize("arg, says", [
    ("", "the host is empty"),
    (":443", "the host is empty"),
    ("example.com:0", "from 1 to 65535"),
    ("example.com:65536", "from 1 to 65535"),
    ("example.com:http", "from 1 to 65535"),
    ("*", "would allow every host"),
    ("*.", "needs a domain"),
    ("a*.example.com", "whole first label"),
    ("exa mple.com", "not a host name"),
    ("[::1", "in brackets"),
    ("::1:80", "'::1:80': write an IPv6 address in brackets: [ADDRESS] or [ADDRESS]:PORT"),
    ("::1", "write an IPv6 address in brackets"),
])
def test_bad_arguments(sb, arg, says):
    sb.expect_error(["--allow-host", arg, "true"], ["--allow-host", says])
    r = sb.run(["--allow-host", arg, "true"])
    assert says in r.err, r.describe()


def test_share_net_conflicts(sb):
    sb.expect_error(["--share-net", "--allow-host", "example.com", "true"], "--share-net")
    sb.expect_error(["--allow-host", "example.com", "--share-net", "true"], "--allow-host")
    # pasta would be a way around the proxy, in either order
    sb.expect_error(["--net", "pasta", "--allow-host", "example.com", "true"], "--net pasta")
    sb.expect_error(["--allow-host", "example.com", "--net", "pasta", "true"], "--net pasta")
    sb.expect_error(["--allow-host", "example.com", "--net", "host", "true"], "--allow-host")


def test_explain_names_the_hosts(sb):
    r = sb.ok(["--explain", "--allow-host", "*.Example.com", "--allow-host", "[::1]:8080", "true"])
    assert "only through the proxy at 127.0.0.1:3128" in r.out, r.describe()
    assert "*.example.com (ports 443 and 80), [::1]:8080" in r.out, r.describe()
    assert "https_proxy=http://127.0.0.1:3128" in r.out and "all_proxy=socks5h://127.0.0.1:3128" in r.out


def test_bwrap_name_says_nothing_of_refusals(sb, served):
    need("curl")
    port, _, _ = served
    args = list(sb.rootfs) + ["--dev", "/dev", "--allow-host", f"localhost:{port}", "sh", "-c",
                              f"{CURL} -x http://{PROXY} http://localhost:{free_port()}/"]
    r = sb.run(args, exe=sb.bins.bwrap_link)
    assert r.rc == 0 and "is not allowed" in r.out, r.describe()
    assert "refused" not in r.err, r.describe()


def test_the_sandbox_cant_stop_or_kill_its_monitor(sb):
    """The monitor serves the sandbox its proxy, so --allow-host gives the
    sandbox a pid namespace: the host's /proc still shows the monitor, but no
    signal reaches it by that number, and the launch ends with the command's
    own status. (A hostile review stopped it with SIGSTOP.)"""
    import pathlib
    extra = ["--allow-host", "localhost:1"]
    pidfile = pathlib.Path(sb.scratch) / "monitor.pid"
    script = (f"while [ ! -s {pidfile} ]; do sleep 0.05; done; m=$(cat {pidfile}); "
              "kill -STOP $m 2>/dev/null && echo stopped; kill -KILL $m 2>/dev/null && echo killed; "
              "[ -d /proc/$m ] && echo visible; exit 7")
    argv = sb.argv(["--ro-bind", "/", "/", "--dev", "/dev"] + extra + ["sh", "-c", script])
    p = subprocess.Popen(argv, env=harness.tagged_env(None), cwd=sb.scratch, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    tmp = pathlib.Path(sb.scratch) / "monitor.tmp"
    tmp.write_text(str(p.pid))
    os.chmod(tmp, 0o644)
    os.rename(tmp, pidfile)
    try:
        out, err = p.communicate(timeout=20)
    finally:
        p.kill()
        p.wait()
        try:
            os.kill(p.pid, 0)
        except ProcessLookupError:
            pass
    assert p.returncode == 7, (p.returncode, out, err)
    assert b"stopped" not in out and b"killed" not in out, out
    assert b"visible" in out, "the test's premise: the host's /proc shows the monitor's pid"
SMUGGLE = r"""
import socket, time

def talk(*parts):
    s = socket.create_connection(("127.0.0.1", 3128), timeout=15)
    for i, p in enumerate(parts):
        if i:
            time.sleep(0.2)
        s.sendall(p.replace(b"PORT", b"%d" % PORT))
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            return out
        out += b

EVIL = b"GET /evil HTTP/1.1\r\nHost: localhost:9999\r\n\r\n"
print("pipelined", talk(b"GET /one HTTP/1.1\r\nHost: localhost:PORT\r\n\r\n" + EVIL)[:12])
print("body", talk(b"POST /two HTTP/1.1\r\nHost: localhost:PORT\r\nContent-Length: 5\r\n\r\nhello" + EVIL)[:12])
print("slow body", talk(b"POST /three HTTP/1.1\r\nHost: localhost:PORT\r\nContent-Length: 5\r\n\r\n", b"hel",
                        b"lo" + EVIL)[:12])
print("space host", talk(b"GET /four HTTP/1.1\r\nHost: localhost:PORT\r\nHost : localhost:9999\r\n\r\n")[:12])
print("space conn", talk(b"GET /five HTTP/1.1\r\nHost: localhost:PORT\r\nConnection : keep-alive\r\n\r\n")[:12])
print("chunked", talk(b"POST /six HTTP/1.1\r\nHost: localhost:PORT\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"5\r\nhello\r\n0\r\n\r\n" + EVIL))
"""


def test_plain_http_sends_on_one_message(sb):
    """A plain request through the proxy is one message: a pipelined second
    request, bytes after a Content-Length body, a header name with a space
    before its colon ("Host :") and Transfer-Encoding never reach the server."""
    import socketserver
    got = []

    class Record(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.settimeout(5)
            data = b""
            try:
                while True:
                    b = self.request.recv(65536)
                    if not b:
                        break
                    data += b
            except OSError:
                pass
            got.append(data)
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        port = srv.server_address[1]
        r = sb.run(list(sb.rootfs) + ["--dev", "/dev", "--allow-host", f"localhost:{port}",
                                      "python3", "-c", f"PORT = {port}\n" + SMUGGLE], timeout=60)
    finally:
        srv.shutdown()
        srv.server_close()
    assert r.rc == 0, r.describe()
    for what, status in (("pipelined", "200"), ("body", "200"), ("slow body", "200"),
                         ("space host", "400"), ("space conn", "400"), ("chunked", "501")):
        line = next(l for l in r.out.splitlines() if l.startswith(what + " "))
        assert status in line, r.describe()
    assert "use https (CONNECT)" in r.out, r.describe()
    assert len(got) == 3, (got, r.describe())
    for data in got:
        assert data.count(b" HTTP/1.1\r\n") == 1 and b"9999" not in data and b"evil" not in data, got
    assert sorted(d.split(b" ")[1] for d in got) == [b"/one", b"/three", b"/two"], got
    assert all(d.endswith(b"\r\n\r\nhello") for d in got if not d.startswith(b"GET")), got


def test_listed_localhost_goes_through_the_proxy(sb, served):
    """--allow-host localhost:PORT means the host's localhost:PORT, so plain
    curl (no --noproxy) must reach it: no_proxy leaves out the loopback names
    a rule lists and keeps the others (the sandbox's own loopback) direct."""
    need("curl")
    port, _, _ = served
    r = run(sb, [f"localhost:{port}"],
            f'echo "np=$no_proxy NP=$NO_PROXY"; curl -sS -m 10 http://localhost:{port}/hello.txt')
    assert r.rc == 0, r.describe()
    assert "hello through the proxy" in r.out, r.describe()
    assert "np=127.0.0.1,::1 NP=127.0.0.1,::1" in r.out, r.describe()
    r = run(sb, [f"127.0.0.1:{port}", "[::1]:8080", "example.com"], 'echo "np=$no_proxy"')
    assert "np=localhost\n" in r.out, r.describe()
    r = run(sb, ["example.com"], 'echo "np=$no_proxy"')
    assert "np=localhost,127.0.0.1,::1\n" in r.out, r.describe()
