# SPDX-License-Identifier: LGPL-2.1-or-later
"""--explain and --explain=json: the resolved plan, nothing created; and the
warnings, which --explain lists and a real run prints (never as bwrap)."""

import contextlib
import json
import os
import shutil

import pytest

import harness
from harness import chown_tree

pytestmark = pytest.mark.cocoon_only("--explain and the warnings are cocoon's own")


def explain_json(sb, args, cmd=("true",), **kw):
    r = sb.run(list(args) + ["--explain=json"] + list(cmd), **kw)
    assert r.rc == 0 and r.err == "", r.describe()
    return json.loads(r.out), r


def test_explain_text_shows_every_part(sb):
    link = os.path.join(sb.scratch, "usr-link")
    os.symlink("/usr", link)
    args = ["--ro-bind", link, "/usr", "--proc", "/proc", "--tmpfs", "/tmp", "--size", "1M", "--perms", "0700",
            "--tmpfs", "/run", "--symlink", "usr/bin", "/bin", "--unshare-all", "--seccomp-profile", "default",
            "--rlimit", "nofile=64", "--setenv", "FOO", "bar", "--chdir", "/tmp", "--explain", "sh", "-c", "x"]
    r = sb.run(args)
    assert r.rc == 0 and r.err == "", r.describe()
    out = r.out
    for part in ["namespaces", "identity", "capabilities", "mounts, in order:", "masks", "seccomp", "landlock",
                 "limits", "environment", "directory", "command", "warnings"]:
        assert f"\n{part}" in out, (part, out)
    lines = out.splitlines()
    mounts = [l for l in lines if l.strip()[:2].rstrip().isdigit()]
    assert [l.split()[1] for l in mounts] == ["--ro-bind", "--proc", "--tmpfs", "--tmpfs", "--symlink"], out
    assert f"{link} on /usr" in out and "host path: /usr" in out, out
    assert "mode 0700" in out and "size 1048576" in out, out
    assert "nofile=64:64" in out and "FOO=bar" in out and "sh -c x" in out, out
    assert "--seccomp-profile default" in out and "terminal guard" in out, out
    assert "new: user mount pid net ipc uts" in out


def test_explain_json_and_nothing_is_made(sb):
    gone = os.path.join(sb.scratch, "not-made")
    d, _ = explain_json(sb, ["--bind", gone, "/x", "--dir", gone + "/sub", "--unshare-pid", "--cap-drop", "ALL",
                             "--landlock-read", "/usr", "--timeout", "5"])
    assert set(d) == {"namespaces", "network", "identity", "mounts", "masks", "seccomp", "landlock", "limits",
                      "environment", "directory", "command", "warnings"}, d.keys()
    assert [m["option"] for m in d["mounts"]] == ["--bind", "--dir"]
    assert d["mounts"][0]["host_source"] is None, "a missing source is reported as missing"
    assert d["identity"]["capabilities"] == [] and d["limits"]["timeout"] == 5
    assert d["landlock"]["paths"] == [{"path": "/usr", "rights": "read"}]
    assert d["command"] == ["true"] and "pid" in d["namespaces"]["new"]
    assert not os.path.exists(gone), "--explain must create nothing"


def test_explain_needs_no_command_and_expands_profiles(sb):
    d, _ = explain_json(sb, ["--profile", "shell"], cmd=(), env=dict(harness.BASE_ENV, HOME="/tmp"))
    assert d["command"] == []
    assert [m["dest"] for m in d["mounts"]][:2] == ["/usr", "/etc"]
    assert d["identity"]["capabilities"] == [] and d["environment"]["HOME"] == "/tmp"


def test_root_keeping_capabilities(sb):
    d, _ = explain_json(sb, ["--ro-bind", "/", "/"])
    if sb.ident.is_root:
        assert "CAP_SYS_ADMIN" in d["identity"]["capabilities"]
        assert any("runs as root with" in w and "--cap-drop ALL" in w for w in d["warnings"]), d["warnings"]
    else:
        assert d["identity"]["capabilities"] == [] and d["warnings"] == []


WARNINGS = [
    ("hidden", ["--bind", "/etc", "/etc", "--tmpfs", "/etc"], "--bind /etc is hidden by the --tmpfs /etc"),
    ("hidden-by-parent", ["--tmpfs", "/mnt", "--tmpfs", "/mnt/a/b", "--tmpfs", "/mnt/a"],
     "--tmpfs /mnt/a/b is hidden by the --tmpfs /mnt/a"),
    ("share-net-order", ["--share-net", "--unshare-all"], "--unshare-all undoes the --share-net before it"),
    ("clearenv-order", ["--setenv", "A", "1", "--clearenv"], "--clearenv undoes the --setenv"),
    ("cap-order", ["--cap-add", "CAP_CHOWN", "--cap-drop", "CAP_CHOWN"], "--cap-drop CAP_CHOWN takes back"),
    ("net-rules", ["--unshare-net", "--connect-tcp", "443"], "--connect-tcp: the sandbox has a network namespace"),
    ("home", ["--bind", "HOME", "HOME"], "the home directory HOME is writable"),
]


@pytest.mark.parametrize("name,args,text", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_each_warning(sb, name, args, text):
    home = os.path.join(sb.scratch, "home")
    os.mkdir(home)
    chown_tree(home, sb.ident.uid, sb.ident.gid)
    env = dict(harness.BASE_ENV, HOME=home)
    args = [a.replace("HOME", home) for a in args]
    text = text.replace("HOME", home)
    base = ["--ro-bind", "/", "/", "--cap-drop", "ALL"] if name != "cap-order" else ["--ro-bind", "/", "/"]
    d, _ = explain_json(sb, base + args, env=env)
    assert any(text in w for w in d["warnings"]), d["warnings"]
    # The same line when it really runs, and none under the bwrap name.
    r = sb.run(base + args + ["true"], env=env)
    assert r.rc == 0 and any(text in w for w in r.warnings), r.describe()
    assert all(w.startswith("cocoon: warning: ") for w in r.warnings), r.describe()
    r = sb.run(base + args + ["true"], env=env, exe=sb.bins.bwrap_link)
    if r.rc == 0:
        assert r.raw_err == "", r.describe()
    else:  # an option bwrap doesn't have
        assert "warning" not in r.raw_err, r.describe()


@contextlib.contextmanager
def x11_sockets():
    """/tmp/.X11-unix as an X server makes it, when the machine has none
    (and removed again)."""
    path = "/tmp/.X11-unix"
    made = not os.path.exists(path)
    if made:
        os.mkdir(path, 0o1777)
        os.chmod(path, 0o1777)
    try:
        yield path
    finally:
        if made:
            shutil.rmtree(path, ignore_errors=True)


def test_x11_warning(sb):
    if os.geteuid() != 0 and not os.path.exists("/tmp/.X11-unix"):
        pytest.skip("needs /tmp/.X11-unix, which only root may make here")
    with x11_sockets():
        d, _ = explain_json(sb, ["--ro-bind", "/", "/", "--cap-drop", "ALL"])
        assert any("X11 sockets" in w for w in d["warnings"]), d["warnings"]
        d, _ = explain_json(sb, ["--ro-bind", "/", "/", "--tmpfs", "/tmp", "--cap-drop", "ALL"])
        assert not any("X11" in w for w in d["warnings"]), "a later --tmpfs /tmp hides them"
        d, _ = explain_json(sb, ["--ro-bind", "/", "/", "--tmpfs", "/tmp", "--ro-bind", "/tmp/.X11-unix",
                                 "/tmp/.X11-unix", "--cap-drop", "ALL"])
        assert any("X11 sockets" in w for w in d["warnings"]), d["warnings"]


def test_no_warning_for_a_clean_run(sb):
    r = sb.run(["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                "--symlink", "usr/lib64", "/lib64", "--unshare-all", "--cap-drop", "ALL", "true"])
    assert r.rc == 0 and r.raw_err == "", r.describe()
