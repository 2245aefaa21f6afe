# SPDX-License-Identifier: LGPL-2.1-or-later
"""User namespace, ids, id maps, capabilities and NoNewPrivs."""

import pytest

from harness import ALL_CAPS, CAP

ROOT = ["--ro-bind", "/", "/"]


def one_line_map(text):
    lines = [ln.split() for ln in (text or "").splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected exactly one mapped range, got {text!r}"
    inside, outside, count = (int(x) for x in lines[0])
    assert count == 1, f"expected a single id mapped, got {text!r}"
    return inside, outside


def assert_no_new_privs(d):
    assert d["no_new_privs"] == 1
    assert d["status"]["NoNewPrivs"] == "1"


# ---------------------------------------------------------------- user namespace

def test_default_ids_and_userns(sb, host_ns):
    d = sb.probe(ROOT)
    u, g = sb.ident.uid, sb.ident.gid
    assert d["uid"] == [u, u, u]
    assert d["gid"] == [g, g, g]
    assert_no_new_privs(d)
    if sb.ident.is_root:
        assert d["ns"]["user"] == host_ns["user"], "root without --unshare-user must get no user namespace"
    else:
        assert d["ns"]["user"] != host_ns["user"], "a non-root caller always gets a user namespace"
        assert one_line_map(d["uid_map"]) == (u, u)
        assert one_line_map(d["gid_map"]) == (g, g)
        assert d["setgroups"].strip() == "deny"


@pytest.mark.parametrize("flag", ["--unshare-user", "--unshare-user-try"])
def test_unshare_user(sb, host_ns, flag):
    d = sb.probe(ROOT + [flag])
    u, g = sb.ident.uid, sb.ident.gid
    assert d["ns"]["user"] != host_ns["user"]
    assert d["uid"] == [u, u, u] and d["gid"] == [g, g, g]
    assert one_line_map(d["uid_map"]) == (u, u)
    assert one_line_map(d["gid_map"]) == (g, g)
    assert d["setgroups"].strip() == "deny"
    assert_no_new_privs(d)


def test_uid_gid_zero_buildstream_style(sb, host_ns, host_caps):
    d = sb.probe(ROOT + ["--unshare-user", "--uid", "0", "--gid", "0"])
    assert d["uid"] == [0, 0, 0] and d["gid"] == [0, 0, 0]
    assert d["ns"]["user"] != host_ns["user"]
    assert one_line_map(d["uid_map"])[0] == 0
    assert one_line_map(d["gid_map"])[0] == 0
    assert d["setgroups"].strip() == "deny"
    if sb.ident.is_root:
        assert d["caps"]["eff"] == host_caps["eff"], "root keeps its capabilities"
    else:
        assert d["caps"]["eff"] == 0 and d["caps"]["prm"] == 0, "uid 0 inside gives no capabilities"


@pytest.mark.parametrize("uid,gid", [(1234, 5678), (65534, 65534), (0, 4321)])
def test_custom_uid_gid(sb, uid, gid):
    d = sb.probe(ROOT + ["--unshare-user", "--uid", str(uid), "--gid", str(gid)])
    assert d["uid"] == [uid, uid, uid]
    assert d["gid"] == [gid, gid, gid]
    assert one_line_map(d["uid_map"])[0] == uid
    assert one_line_map(d["gid_map"])[0] == gid
    assert d["setgroups"].strip() == "deny"
    assert_no_new_privs(d)


@pytest.mark.parametrize("flag", ["--uid", "--gid"])
def test_uid_gid_without_unshare_user(sb, host_ns, flag):
    """A non-root caller always gets a user namespace, so --uid/--gid work
    alone; root must ask for one."""
    args = ROOT + [flag, "4242"]
    if sb.ident.is_root:
        sb.expect_error(args + ["true"], flag)
        return
    d = sb.probe(args)
    assert d["uid" if flag == "--uid" else "gid"] == [4242] * 3
    assert d["ns"]["user"] != host_ns["user"]


def test_files_owned_by_caller_show_as_mapped_uid(sb, scratch):
    d = sb.probe(ROOT + ["--unshare-user", "--uid", "777", "--gid", "888"], ["--stat", scratch])
    st = d["stat"][scratch]
    assert (st["uid"], st["gid"]) == (777, 888), "the caller's ids are the ones mapped inside"


# ---------------------------------------------------------------- capabilities

def test_default_caps(sb, host_caps):
    d = sb.probe(ROOT)
    c = d["caps"]
    if sb.ident.is_root:
        assert c["eff"] == host_caps["eff"] and c["prm"] == host_caps["prm"], \
            f"root keeps its capabilities: {c} vs host {host_caps}"
        assert c["bnd"] == host_caps["bnd"]
    else:
        assert c == {"inh": 0, "prm": 0, "eff": 0, "bnd": 0, "amb": 0}, c
    assert_no_new_privs(d)


def test_caps_with_unshare_user(sb, host_caps):
    c = sb.probe(ROOT + ["--unshare-user"])["caps"]
    if sb.ident.is_root:
        assert c["eff"] == host_caps["eff"] and c["prm"] == host_caps["prm"], "root keeps its capabilities"
    else:
        assert c["eff"] == 0 and c["prm"] == 0 and c["bnd"] == 0, c


@pytest.mark.parametrize("name", ["CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_CHOWN"])
def test_cap_add_one(sb, host_caps, name):
    bit = 1 << CAP[name]
    d = sb.probe(ROOT + ["--cap-add", name])
    c = d["caps"]
    if sb.ident.is_root:
        assert c["eff"] == host_caps["eff"] | (bit & host_caps["bnd"])
    else:
        # an added cap is permitted, effective, inheritable and ambient, and the
        # bounding set holds nothing else
        for k in ("eff", "prm", "inh", "amb", "bnd"):
            assert c[k] == bit, f"{k}: {c}"
    assert_no_new_privs(d)


def test_cap_add_lowercase_and_no_prefix(sb):
    c = sb.probe(ROOT + ["--cap-drop", "ALL", "--cap-add", "cap_net_raw"])["caps"]
    assert c["eff"] == 1 << CAP["CAP_NET_RAW"], c


def test_cap_add_all(sb):
    c = sb.probe(ROOT + ["--unshare-user", "--cap-add", "ALL"])["caps"]
    assert c["eff"] == ALL_CAPS and c["prm"] == ALL_CAPS, c
    assert c["amb"] == ALL_CAPS, "added capabilities are ambient"


def test_cap_drop_all(sb):
    d = sb.probe(ROOT + ["--cap-drop", "ALL"])
    c = d["caps"]
    assert c["eff"] == 0 and c["prm"] == 0 and c["amb"] == 0 and c["inh"] == 0, c
    assert_no_new_privs(d)


def test_cap_drop_all_with_unshare_user(sb):
    c = sb.probe(ROOT + ["--unshare-user", "--cap-drop", "ALL"])["caps"]
    assert c["eff"] == 0 and c["prm"] == 0 and c["amb"] == 0, c


def test_cap_drop_one(sb, host_caps):
    bit = 1 << CAP["CAP_SYS_ADMIN"]
    c = sb.probe(ROOT + ["--cap-drop", "CAP_SYS_ADMIN"])["caps"]
    if sb.ident.is_root:
        assert c["eff"] == host_caps["eff"] & ~bit, c
        assert c["prm"] == host_caps["prm"] & ~bit, c
    else:
        assert c["eff"] == 0, c


def test_cap_drop_all_then_add_one(sb):
    bit = 1 << CAP["CAP_KILL"]
    c = sb.probe(ROOT + ["--unshare-user", "--cap-drop", "ALL", "--cap-add", "CAP_KILL"])["caps"]
    assert c["eff"] == bit and c["prm"] == bit and c["amb"] == bit, c


def test_cap_add_then_drop_same(sb, host_caps):
    bit = 1 << CAP["CAP_NET_ADMIN"]
    c = sb.probe(ROOT + ["--unshare-user", "--cap-add", "CAP_NET_ADMIN", "--cap-drop", "CAP_NET_ADMIN"])["caps"]
    assert c["eff"] & bit == 0, c
    assert c["amb"] & bit == 0, c


def test_cap_add_user_with_uid_nonzero(sb):
    """Added caps stay ambient even when the uid inside is not 0."""
    bit = 1 << CAP["CAP_NET_BIND_SERVICE"]
    c = sb.probe(ROOT + ["--unshare-user", "--uid", "1000", "--cap-drop", "ALL",
                         "--cap-add", "CAP_NET_BIND_SERVICE"])["caps"]
    assert c["eff"] == bit and c["amb"] == bit, c


def test_caps_survive_exec_of_a_child(sb):
    """Ambient caps are inherited across a further exec inside the sandbox."""
    bit = 1 << CAP["CAP_NET_ADMIN"]
    r = sb.ok(ROOT + ["--unshare-user", "--cap-drop", "ALL", "--cap-add", "CAP_NET_ADMIN",
                      "sh", "-c", "grep ^CapEff /proc/self/status"])
    assert int(r.out.split()[1], 16) == bit, r.describe()
