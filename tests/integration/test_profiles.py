# SPDX-License-Identifier: LGPL-2.1-or-later
"""--profile: the built-in profiles keep what they promise, as root and as
the user; profiles from files, their lookup order and every kind of bad
profile input; --keep-env."""

import json
import os
import re
import socket
import stat
import subprocess
import time

import pytest

import harness
from harness import chown_tree

pytestmark = pytest.mark.cocoon_only("--profile is cocoon's own")

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILTIN = os.path.join(SOURCE, "src", "profiles")
CREDENTIALS = [".ssh/id_ed25519", ".gnupg/private-keys-v1.d/k.key", ".aws/credentials",
               ".config/gcloud/credentials.db", ".azure/accessTokens.json", ".kube/config",
               ".docker/config.json", ".netrc", ".git-credentials", ".config/gh/hosts.yml", ".npmrc",
               ".pypirc", ".mozilla/firefox/p/logins.json", ".local/share/keyrings/login.keyring"]


@pytest.fixture
def world(sb):
    """A home and a project (a git repository with hooks and a config),
    owned by the identity, and the environment a run of it gets."""
    home, proj = os.path.join(sb.scratch, "home"), os.path.join(sb.scratch, "proj")
    os.makedirs(os.path.join(proj, ".git", "hooks"))
    with open(os.path.join(proj, ".git", "config"), "w") as f:
        f.write("[core]\n\tbare = false\n")
    with open(os.path.join(proj, "main.c"), "w") as f:
        f.write("int main(void) { return 0; }\n")
    for c in CREDENTIALS:
        p = os.path.join(home, c)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write("SECRET\n")
    with open(os.path.join(home, ".gitconfig"), "w") as f:
        f.write("[user]\n\tname = Test\n")
    chown_tree(sb.scratch, sb.ident.uid, sb.ident.gid)
    env = dict(harness.BASE_ENV, HOME=home, TERM="xterm-test", LC_TIME="C", GITHUB_TOKEN="ghp_secret",
               SSH_AUTH_SOCK="/tmp/agent.sock")
    return home, proj, env


def shell(sb, profile_args, script, env, cwd):
    return sb.run(list(profile_args) + ["sh", "-c", script], env=env, cwd=cwd)


def kv(out):
    return dict(l.split("=", 1) for l in out.splitlines() if "=" in l)


# ------------------------------------------------------------------ shell

def test_shell_no_capabilities_for_any_caller(sb, world):
    home, proj, env = world
    script = ("grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status | tr -d '\\t' | sed 's/:/=/'; "
              "mount -o remount,rw /usr 2>/dev/null && echo remount=yes || echo remount=no; "
              "touch /usr/cocoon-x 2>/dev/null && echo usr=yes || echo usr=no")
    r = shell(sb, ["--profile", "shell"], script, env, proj)
    assert r.rc == 0, r.describe()
    d = kv(r.out)
    assert d["CapEff"] == d["CapPrm"] == d["CapBnd"] == "0000000000000000", r.describe()
    assert d["remount"] == "no" and d["usr"] == "no", r.describe()
    assert not os.path.exists("/usr/cocoon-x")
    assert r.warnings == [], r.describe()


def test_shell_home_exists_and_env_is_clean(sb, world):
    home, proj, env = world
    script = ('echo pwd=$(pwd); touch "$HOME/x" && echo homew=yes; '
              'for v in TERM LC_TIME LANG HOME PATH GITHUB_TOKEN SSH_AUTH_SOCK CITEST; do '
              'eval "echo $v=\\${$v-unset}"; done; ls -A "$HOME" | wc -l | sed "s/^/entries=/"')
    r = shell(sb, ["--profile", "shell"], script, env, proj)
    assert r.rc == 0, r.describe()
    d = kv(r.out)
    assert d["pwd"] == home and d["homew"] == "yes", r.describe()
    assert d["TERM"] == "xterm-test" and d["LC_TIME"] == "C" and d["LANG"] == "C.UTF-8", d
    assert d["HOME"] == home and d["PATH"].startswith("/usr/local/sbin"), d
    assert d["GITHUB_TOKEN"] == d["SSH_AUTH_SOCK"] == d["CITEST"] == "unset", d
    assert d["entries"] == "1", "the home is a fresh tmpfs, with only what the test made in it"
    assert not os.path.exists(os.path.join(home, "x")), "the home's writes stay in the sandbox"


# ------------------------------------------------------------------ build

def test_build_writes_the_project_and_nothing_else(sb, world):
    home, proj, env = world
    secret = os.path.join(sb.scratch, "outside")
    with open(secret, "w") as f:
        f.write("x")
    script = ('echo pwd=$(pwd); echo built > out.o && echo proj=yes; '
              'touch /etc/cocoon-x 2>/dev/null && echo etc=yes || echo etc=no; '
              f'cat {secret} >/dev/null 2>&1 && echo tmp=seen || echo tmp=hidden; '
              'ls -A "$HOME" | wc -l | sed "s/^/home=/"; ls /run | wc -l | sed "s/^/run=/"; '
              'cat /proc/net/dev | grep -c : | sed "s/^/ifaces=/"; echo token=${GITHUB_TOKEN-unset}; '
              'ulimit -c | sed "s/^/core=/"')
    r = shell(sb, ["--profile", "build"], script, env, proj)
    assert r.rc == 0, r.describe()
    d = kv(r.out)
    assert d["pwd"] == proj and d["proj"] == "yes", r.describe()
    assert open(os.path.join(proj, "out.o")).read() == "built\n"
    assert d["etc"] == "no" and not os.path.exists("/etc/cocoon-x")
    assert d["tmp"] == "hidden", "the host's /tmp is private, the project aside"
    assert d["home"] == "0" and d["run"] == "0", "home and /run are empty: no credentials, no sockets"
    assert d["ifaces"] == "1", "only a loopback"
    assert d["token"] == "unset" and d["core"] == "0", d


def test_build_overlay_leaves_the_project_untouched(sb, world):
    home, proj, env = world
    r = shell(sb, ["--profile", "build-overlay"], "echo new > out.o; rm main.c; ls", env, proj)
    assert r.rc == 0, r.describe()
    assert r.out.split() == ["out.o"], r.describe()
    assert os.path.exists(os.path.join(proj, "main.c")) and not os.path.exists(os.path.join(proj, "out.o"))


@pytest.mark.parametrize("where", ["/", "home", "above-home"])
def test_project_must_be_a_project(sb, world, where):
    home, proj, env = world
    cwd = {"/": "/", "home": home, "above-home": sb.scratch}[where]
    r = sb.expect_error(["--profile", "build", "true"], "${PROJECT}", env=env, cwd=cwd)
    assert "build (built-in):" in r.err and "not a project directory" in r.err, r.describe()


# ------------------------------------------------------------------ agent

def test_agent_protects_git_and_credentials(sb, world):
    home, proj, env = world
    fifo = os.path.join(proj, "go")
    os.mkfifo(fifo)
    chown_tree(fifo, sb.ident.uid, sb.ident.gid)
    reads = " ".join(f'"$HOME/{c}"' for c in CREDENTIALS + [".ssh/id_late"])
    script = ('echo hook > .git/hooks/pre-commit 2>/dev/null && echo hooks=yes || echo hooks=no; '
              'echo "[core] hooksPath=/x" >> .git/config 2>/dev/null && echo config=yes || echo config=no; '
              'echo ok > src.c && echo proj=yes; cat "$HOME/.gitconfig" | head -1 | sed "s/^/gitconfig=/"; '
              f'cat go >/dev/null; n=0; for f in {reads}; do cat "$f" 2>/dev/null && n=$((n+1)); done; '
              'echo read=$n')
    p = sb.popen(["--profile", "agent", "sh", "-c", script], env=env, cwd=proj)
    try:
        time.sleep(0.5)
        late = os.path.join(home, ".ssh", "id_late")
        with open(late, "w") as f:
            f.write("SECRET\n")
        os.chown(late, sb.ident.uid, sb.ident.gid)
        with open(fifo, "w") as f:
            f.write("go\n")
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    d = kv(out.decode())
    assert p.returncode == 0, (out, err)
    assert d["hooks"] == "no" and d["config"] == "no", (out, err)
    assert not os.path.exists(os.path.join(proj, ".git", "hooks", "pre-commit"))
    assert "hooksPath" not in open(os.path.join(proj, ".git", "config")).read()
    assert d["proj"] == "yes" and os.path.exists(os.path.join(proj, "src.c"))
    assert d["gitconfig"] == "[user]", (out, err)
    assert d["read"] == "0", "no credential may be read, the one made after the start included"
    assert "SECRET" not in out.decode()


def test_agent_network_only_when_asked(sb, world):
    home, proj, env = world
    count = "grep -c : /proc/net/dev"
    r = shell(sb, ["--profile", "agent"], count, env, proj)
    assert r.rc == 0 and r.out.strip() == "1", r.describe()
    # The network profile is --net pasta (test_net_pasta.py runs it, in a
    # network namespace of the test's own, not on this machine's network).
    r = sb.run(["--profile", "agent", "--profile", "network", "--explain=json", "true"], env=env, cwd=proj)
    assert r.rc == 0 and json.loads(r.out)["network"] == {"mode": "pasta", "forwards": []}, r.describe()
    assert r.warnings == [], r.describe()


# ------------------------------------------------------------------ desktop

def listening(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(4)
    return s


@pytest.mark.parametrize("blocks", [["wayland"], ["x11"], ["pulseaudio"], ["pipewire"], ["dbus-session"],
                                    ["wayland", "pulseaudio", "dbus-session", "gpu"]])
def test_desktop_blocks_bring_their_sockets(sb, world, blocks):
    home, proj, env = world
    run = os.path.join(sb.scratch, "run")
    os.makedirs(os.path.join(run, "pulse"))
    sockets = {"wayland": os.path.join(run, "wayland-9"), "pulseaudio": os.path.join(run, "pulse", "native"),
               "pipewire": os.path.join(run, "pipewire-0"), "dbus-session": os.path.join(run, "bus")}
    servers = [listening(p) for b, p in sockets.items() if b in blocks]
    chown_tree(sb.scratch, sb.ident.uid, sb.ident.gid)
    env = dict(env, XDG_RUNTIME_DIR=run, WAYLAND_DISPLAY="wayland-9", DISPLAY=":0")
    args = ["--profile", "desktop"]
    for b in blocks:
        args += ["--profile", b]
    want = [p for b, p in sockets.items() if b in blocks]
    if "x11" in blocks:
        want = ["/tmp/.X11-unix"] if os.path.isdir("/tmp/.X11-unix") else []
    script = ("for s in " + " ".join(want) + "; do test -e $s && echo have=$s; done; "
              "stat -c mode=%a $XDG_RUNTIME_DIR; env | grep -E '^(WAYLAND_DISPLAY|PULSE_SERVER|"
              "DBUS_SESSION_BUS_ADDRESS|DISPLAY)=' | sort")
    try:
        if "x11" in blocks and not os.path.isdir("/tmp/.X11-unix"):
            r = sb.run(args + ["true"], env=env, cwd=proj)
            assert r.rc == 1 and "/tmp/.X11-unix" in r.err, r.describe()
            return
        r = shell(sb, args, script, env, proj)
    finally:
        for s in servers:
            s.close()
    assert r.rc == 0, r.describe()
    assert sorted(re.findall(r"have=(\S+)", r.out)) == sorted(want), r.describe()
    assert "mode=700" in r.out, r.describe()
    if "wayland" in blocks:
        assert "WAYLAND_DISPLAY=wayland-9" in r.out
    if "dbus-session" in blocks:
        assert f"DBUS_SESSION_BUS_ADDRESS=unix:path={run}/bus" in r.out


def test_wayland_without_a_display_is_refused(sb, world):
    home, proj, env = world
    env = dict(env, XDG_RUNTIME_DIR=sb.scratch)
    env.pop("WAYLAND_DISPLAY", None)
    r = sb.expect_error(["--profile", "desktop", "--profile", "wayland", "true"], "$WAYLAND_DISPLAY is not set",
                        env=env, cwd=proj)
    assert "wayland (built-in):2:" in r.err, r.describe()


# ------------------------------------------------------------------ files and lookup

def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def test_profile_from_a_file_and_later_options_refine_it(sb, world):
    home, proj, env = world
    p = os.path.join(sb.scratch, "mine")
    write(p, "# a profile\n--profile shell   # built-in\n--setenv GREETING 'hello world'\n"
             "--setenv QUOTED \"$HOME/x\" --setenv LIT '$HOME'\n")
    r = shell(sb, ["--profile", p, "--setenv", "LATER", "1", "--share-net"],
              "echo G=$GREETING; echo Q=$QUOTED; echo L=$LIT; echo LATER=$LATER; readlink /proc/self/ns/net",
              env, proj)
    assert r.rc == 0, r.describe()
    d = kv(r.out)
    assert d["G"] == "hello world" and d["Q"] == home + "/x" and d["L"] == "$HOME" and d["LATER"] == "1", d
    assert os.readlink("/proc/self/ns/net") in r.out, "--share-net after the profile undoes its --unshare-all"


def test_lookup_order_user_then_builtin(sb, world):
    home, proj, env = world
    cfg = os.path.join(sb.scratch, "cfg")
    os.makedirs(os.path.join(cfg, "cocoon", "profiles"))
    write(os.path.join(cfg, "cocoon", "profiles", "shell"), "--profile build\n--setenv WHO user-shell\n")
    chown_tree(cfg, sb.ident.uid, sb.ident.gid)
    r = shell(sb, ["--profile", "shell"], "echo WHO=${WHO-builtin}; pwd", dict(env, XDG_CONFIG_HOME=cfg), proj)
    assert r.rc == 0 and "WHO=user-shell" in r.out and proj in r.out, r.describe()
    r = shell(sb, ["--profile", "shell"], "echo WHO=${WHO-builtin}", env, proj)
    assert r.rc == 0 and "WHO=builtin" in r.out, r.describe()


BAD = [
    ("missing", None, "no-such-profile", ["no such profile"]),
    ("empty-name", None, "", ["must not be empty"]),
    ("bad-name", None, "sh ell", ["a profile name is letters"]),
    ("bad-path", None, "./no-such-file", ["can't open ./no-such-file"]),
    ("unknown-option", "--ro-bind /usr /usr\n--ro-bnd / /\n", "FILE", ["FILE:2:", "unknown option --ro-bnd"]),
    ("command", "--dir /x\ntrue\n", "FILE", ["FILE:2:", "a profile holds options, not a command"]),
    ("split-args", "--bind /usr\n /usr\n", "FILE", ["FILE:1:", "needs 2 arguments"]),
    ("args", "--args 0\n", "FILE", ["FILE:1:", "can't be used in a profile"]),
    ("unset-var", "--setenv A $COCOON_SURELY_UNSET\n", "FILE", ["FILE:1:", "$COCOON_SURELY_UNSET is not set"]),
    ("lone-dollar", "--setenv A $\n", "FILE", ["FILE:1:", "a $ must start a variable"]),
    ("open-quote", "--setenv A 'x\n", "FILE", ["FILE:1:", "not closed"]),
    ("nul", "--dir /x\0\n", "FILE", ["NUL byte"]),
    ("too-large", "# " + "x" * (64 * 1024) + "\n", "FILE", ["larger than 64 KiB"]),
    ("bad-value", "--uid notanumber\n", "FILE", ["FILE:1:", "--uid"]),
    ("self-loop", "--profile FILE\n", "FILE", ["include each other", "FILE -> FILE"]),
]


@pytest.mark.parametrize("name,text,arg,mentions", BAD, ids=[b[0] for b in BAD])
def test_bad_profile_input(sb, world, name, text, arg, mentions):
    home, proj, env = world
    path = os.path.join(sb.scratch, "bad-" + name)
    if text is not None:
        write(path, text.replace("FILE", path))
    arg = arg.replace("FILE", path)
    r = sb.expect_error(["--profile", arg, "true"], [m.replace("FILE", path) for m in mentions][0],
                        env=env, cwd=proj)
    for m in mentions:
        assert m.replace("FILE", path) in r.err, r.describe()


def test_include_loop_through_two_files(sb, world):
    home, proj, env = world
    a, b = os.path.join(sb.scratch, "a"), os.path.join(sb.scratch, "b")
    write(a, f"--dir /a\n--profile {b}\n")
    write(b, f"--dir /b\n--profile {a}\n")
    r = sb.expect_error(["--profile", a, "true"], "include each other", env=env, cwd=proj)
    assert f"{a} -> {b} -> {a}" in r.err, r.describe()


def test_profile_that_is_not_a_regular_file(sb, world):
    home, proj, env = world
    fifo = os.path.join(sb.scratch, "fifo")
    os.mkfifo(fifo)
    sb.expect_error(["--profile", fifo, "true"], "is not a regular file", env=env, cwd=proj)
    sb.expect_error(["--profile", sb.scratch, "true"], "is not a regular file", env=env, cwd=proj)


def test_same_profile_twice_is_not_a_loop(sb, world):
    home, proj, env = world
    r = sb.run(["--profile", "network", "--profile", "shell", "--profile", "network", "--explain", "true"],
               env=env, cwd=proj)
    assert r.rc == 0, r.describe()


# ------------------------------------------------------------------ --keep-env

def test_keep_env(sb, world):
    home, proj, env = world
    env = dict(env, LC_A="a", LC_B="b", KEEPME="k", OTHER="o")
    r = sb.run(["--ro-bind", "/", "/", "--clearenv", "--keep-env", "LC_*", "--keep-env", "KEEPME",
                "--keep-env", "ABSENT", "/usr/bin/env"], env=env, cwd=proj)
    assert r.rc == 0, r.describe()
    got = dict(l.split("=", 1) for l in r.out.splitlines())
    got.pop("PWD", None)
    assert got == {"LC_A": "a", "LC_B": "b", "LC_TIME": "C", "KEEPME": "k"}, got
    for bad in ["", "*", "A=B", "A*B*"]:
        sb.expect_error(["--ro-bind", "/", "/", "--keep-env", bad, "true"], "--keep-env", env=env, cwd=proj)


# ------------------------------------------------------------------ the man page

def test_man_page_holds_every_builtin_profile():
    man = open(os.path.join(SOURCE, "src", "cocoon.1")).read()
    names = [n for n in os.listdir(BUILTIN)]
    meson = open(os.path.join(SOURCE, "src", "meson.build")).read()
    for n in names:
        assert f"'{n}'" in meson, f"src/profiles/{n} is not compiled in"
        opts = [l for l in open(os.path.join(BUILTIN, n)).read().splitlines() if l and not l.startswith("#")]
        section = man.split(f".SS {n}\n", 1)
        assert len(section) == 2, f"the man page has no section for the profile {n}"
        block = section[1].split(".fi", 1)[0].replace("\\-", "-").replace("\\e", "\\")
        assert block.split(".nf\n", 1)[1].splitlines() == opts, f"the man page's {n} is not src/profiles/{n}"


# ------------------------------------------------------------------ --help

def test_help_points_to_profiles_and_groups_options(sb):
    r = sb.ok(["--help"])
    lines = r.out.splitlines()
    assert "cocoon --profile shell bash" in r.out and "--explain" in lines[3], r.out[:400]
    names = re.sub(r"\s+", " ", r.out.split("Built-in profiles (man cocoon, PROFILES):", 1)[1].split(".\n", 1)[0])
    assert sorted(n.strip() for n in names.split(",")) == sorted(os.listdir(BUILTIN)), names
    headings = [l for l in lines if l.endswith(":") and not l.startswith(" ")]
    assert headings[:4] == ["General:", "Namespaces and identity:", "The command's directory and environment:",
                            "File system:"], headings
    assert all(len(l) <= 90 for l in lines[:8]), "the intro is for an 80-column terminal"
    flat = sb.ok(["--help"], exe=sb.bins.bwrap_link).out
    assert "profile shell" not in flat and "General:" not in flat
