# SPDX-License-Identifier: LGPL-2.1-or-later
"""Namespaces as seen from inside, compared with the host's, plus hostname
and loopback."""

import socket

import pytest

ROOT = ["--ro-bind", "/", "/"]
KINDS = ("ipc", "pid", "net", "uts", "cgroup")


def check_ns(sb, d, host_ns, new, user_new=None):
    """new: the namespace kinds (besides mnt and user) that must differ."""
    got = d["ns"]
    assert got["mnt"] != host_ns["mnt"], "there is always a new mount namespace"
    for k in KINDS:
        if k in new:
            assert got[k] != host_ns[k], f"{k} namespace should be new"
        else:
            assert got[k] == host_ns[k], f"{k} namespace should be the host's"
    if user_new is None:
        user_new = not sb.ident.is_root
    assert (got["user"] != host_ns["user"]) == user_new, \
        f"user namespace new={got['user'] != host_ns['user']}, expected {user_new}"


def test_no_unshare(sb, host_ns):
    check_ns(sb, sb.probe(ROOT), host_ns, set())


@pytest.mark.parametrize("flag,kind", [
    ("--unshare-ipc", "ipc"),
    ("--unshare-pid", "pid"),
    ("--unshare-net", "net"),
    ("--unshare-uts", "uts"),
    ("--unshare-cgroup", "cgroup"),
    ("--unshare-cgroup-try", "cgroup"),
])
def test_unshare_one(sb, host_ns, flag, kind):
    extra = ["--proc", "/proc"] if kind == "pid" else []
    check_ns(sb, sb.probe(ROOT + [flag] + extra), host_ns, {kind})


def test_unshare_all(sb, host_ns):
    d = sb.probe(ROOT + ["--unshare-all", "--proc", "/proc"])
    # --unshare-all includes --unshare-user-try, so even root gets one
    check_ns(sb, d, host_ns, set(KINDS), user_new=True)


def test_unshare_all_share_net(sb, host_ns):
    d = sb.probe(ROOT + ["--unshare-all", "--share-net", "--proc", "/proc"])
    check_ns(sb, d, host_ns, set(KINDS) - {"net"}, user_new=True)


def test_share_net_before_unshare_all(sb, host_ns):
    """--share-net only undoes a net unsharing that comes before it."""
    d = sb.probe(ROOT + ["--share-net", "--unshare-all", "--proc", "/proc"])
    check_ns(sb, d, host_ns, set(KINDS), user_new=True)


def test_several_flags(sb, host_ns):
    d = sb.probe(ROOT + ["--unshare-ipc", "--unshare-uts", "--unshare-net"])
    check_ns(sb, d, host_ns, {"ipc", "uts", "net"})


def test_unshare_repeated_is_harmless(sb, host_ns):
    d = sb.probe(ROOT + ["--unshare-ipc", "--unshare-ipc", "--unshare-user", "--unshare-user"])
    check_ns(sb, d, host_ns, {"ipc"}, user_new=True)


# ---------------------------------------------------------------- net

def test_unshare_net_loopback_up(sb):
    d = sb.probe(ROOT + ["--unshare-net"])
    names = {i["name"] for i in d["ifaces"]}
    assert names == {"lo"}, f"only loopback expected, got {d['ifaces']}"
    v4 = [i for i in d["ifaces"] if i["family"] == "inet"]
    assert v4 and v4[0]["addr"] == "127.0.0.1" and v4[0]["up"], d["ifaces"]
    assert d["loopback_tcp"] is True


def test_unshare_net_cannot_reach_host_listener(sb):
    """A TCP listener on the host's loopback is not reachable inside."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    try:
        script = f"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected || echo refused"
        # bash's /dev/tcp needs no device node
        inside = sb.ok(ROOT + ["--unshare-net", "bash", "-c", script])
        outside = sb.ok(ROOT + ["bash", "-c", script])
    finally:
        srv.close()
    assert "refused" in inside.out, inside.describe()
    assert "connected" in outside.out, outside.describe()


def test_share_net_keeps_host_interfaces(sb):
    host = {i for i in socket.if_nameindex()}
    d = sb.probe(ROOT + ["--unshare-all", "--share-net"])
    assert {i["name"] for i in d["ifaces"]} == {name for _, name in host}


# ---------------------------------------------------------------- uts

def test_hostname(sb):
    d = sb.probe(ROOT + ["--unshare-uts", "--hostname", "citest-box"])
    assert d["hostname"] == "citest-box"
    assert socket.gethostname() != "citest-box"


def test_unshare_uts_keeps_hostname(sb):
    d = sb.probe(ROOT + ["--unshare-uts"])
    assert d["hostname"] == socket.gethostname()


def test_hostname_with_unshare_all(sb):
    d = sb.probe(ROOT + ["--unshare-all", "--hostname", "h"])
    assert d["hostname"] == "h"


# ---------------------------------------------------------------- pid

def test_pid_namespace_command_is_pid_2(sb):
    d = sb.probe(ROOT + ["--unshare-pid", "--proc", "/proc"])
    assert d["pid"] == 2 and d["ppid"] == 1, (d["pid"], d["ppid"])


def test_as_pid_1(sb):
    d = sb.probe(ROOT + ["--unshare-pid", "--as-pid-1", "--proc", "/proc"])
    assert d["pid"] == 1 and d["ppid"] == 0
    assert d["pid1_comm"].strip() == "probe"


def test_no_pid_namespace_pid_is_host_pid(sb, host_ns):
    d = sb.probe(ROOT)
    assert d["ns"]["pid"] == host_ns["pid"]
    assert d["pid"] > 2
