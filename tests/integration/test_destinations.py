# SPDX-License-Identifier: LGPL-2.1-or-later
"""Destinations and the symlinks on their way.

A symlink planted in a writable bind must not turn a destination operation
onto another bind: "proj" below is such a bind, which an untrusted build step
could write, and "cfg" is another one holding a secret. Every attack test
passes only if the attack fails; controls show that the same checks see a
success. Links made by setup, and links that stay inside their own bind, are
still followed. Also: destinations that climb above the root, and --args
data that holds --args."""

import ctypes
import os
import stat
import threading

import pytest

from harness import chown_tree, memfd_with, nul_args

REFUSED = "refusing to follow it"
ATTACK = pytest.mark.cocoon_only("bwrap follows a symlink planted in one bind onto another")


class Binds:
    """Two writable host directories bound at /proj and /cfg."""

    def __init__(self, sb, scratch):
        self.sb = sb
        self.proj = os.path.join(scratch, "proj")
        self.cfg = os.path.join(scratch, "cfg")
        self.src = os.path.join(scratch, "src")
        for d in (self.proj, self.cfg, self.src):
            os.mkdir(d)
        self.secret = os.path.join(self.cfg, "secret.json")
        with open(self.secret, "w") as f:
            f.write("{\"token\": \"hunter2\"}\n")
        with open(os.path.join(self.src, "f"), "w") as f:
            f.write("payload\n")
        os.makedirs(os.path.join(self.proj, "sub"))

    def own(self):
        """Give everything to the identity under test; the secret stays 0600."""
        if os.geteuid() == 0:
            for d in (self.proj, self.cfg, self.src):
                chown_tree(d, self.sb.ident.uid, self.sb.ident.gid)
        os.chmod(self.secret, 0o600)

    def link(self, name, target):
        path = os.path.join(self.proj, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)

    @property
    def args(self):
        return self.sb.minimal + ["--bind", self.proj, "/proj", "--bind", self.cfg, "/cfg"]

    def cfg_listing(self):
        out = []
        for base, dirs, files in os.walk(self.cfg):
            for n in dirs + files:
                out.append(os.path.relpath(os.path.join(base, n), self.cfg))
        return sorted(out)

    def secret_mode(self):
        return stat.S_IMODE(os.stat(self.secret).st_mode)


@pytest.fixture
def binds(sb, scratch):
    return Binds(sb, scratch)


# ---------------------------------------------------------------- --chmod

@ATTACK
def test_chmod_of_a_planted_link_is_refused(sb, binds):
    binds.link("build.sh", "/cfg/secret.json")
    binds.own()
    sb.expect_error(binds.args + ["--chmod", "0644", "/proj/build.sh", "true"],
                    "/proj/build.sh is a symlink to /cfg/secret.json")
    assert binds.secret_mode() == 0o600


@ATTACK
@pytest.mark.parametrize("target", ["/cfg", "../cfg", "sub/../../cfg", "/proj/../cfg"])
def test_chmod_through_a_planted_directory_link_is_refused(sb, binds, target):
    binds.link("out", target)
    binds.own()
    r = sb.expect_error(binds.args + ["--chmod", "0644", "/proj/out/secret.json", "true"],
                        "/proj/out is a symlink to /cfg, outside --bind /proj")
    assert REFUSED in r.err
    assert binds.secret_mode() == 0o600


def test_chmod_control_changes_the_mode(sb, binds):
    """The same check sees a mode change when one is asked for directly."""
    binds.own()
    sb.ok(binds.args + ["--chmod", "0644", "/cfg/secret.json", "true"])
    assert binds.secret_mode() == 0o644


@ATTACK
def test_chmod_never_follows_a_link_even_one_setup_made(sb):
    r = sb.expect_error(sb.minimal + ["--tmpfs", "/t", "--file", "0", "/t/f", "--symlink", "f", "/t/l",
                                      "--chmod", "0700", "/t/l", "true"],
                        "/t/l is a symlink to f", input=b"")
    assert "never follows" in r.err


def test_chmod_of_a_file_still_works(sb):
    r = sb.ok(sb.minimal + ["--tmpfs", "/t", "--file", "0", "/t/f", "--chmod", "0640", "/t/f",
                            "stat", "-c", "%a", "/t/f"], input=b"x")
    assert r.out.strip() == "640"


# ---------------------------------------------------------------- other operations

# Each operation aimed at or below `at` (a path through the planted link);
# src is a host directory holding a file f, fds the data fds.
OPS = {
    "dir": lambda at, src, fds: ["--dir", f"{at}/made"],
    "dir-nested": lambda at, src, fds: ["--dir", f"{at}/a/b/c"],
    "file": lambda at, src, fds: ["--file", str(fds["file"]), f"{at}/f"],
    "symlink": lambda at, src, fds: ["--symlink", "anything", f"{at}/s"],
    "tmpfs": lambda at, src, fds: ["--tmpfs", f"{at}/t"],
    "tmpfs-onto-link": lambda at, src, fds: ["--tmpfs", at],
    "bind-dir": lambda at, src, fds: ["--bind", src, f"{at}/b"],
    "ro-bind-file": lambda at, src, fds: ["--ro-bind", os.path.join(src, "f"), f"{at}/g"],
    "bind-onto-link": lambda at, src, fds: ["--bind", src, at],
    "bind-data": lambda at, src, fds: ["--bind-data", str(fds["data"]), f"{at}/d"],
    "dev": lambda at, src, fds: ["--dev", f"{at}/dev"],
    "mqueue": lambda at, src, fds: ["--mqueue", f"{at}/mq"],
    "remount-ro": lambda at, src, fds: ["--remount-ro", at],
    "perms-dir": lambda at, src, fds: ["--perms", "0700", "--dir", f"{at}/pd"],
}

PLANTS = {
    "absolute": ("out", "/cfg"),
    "relative": ("out", "../cfg"),
    "deep": ("a/b/out", "../../../cfg"),
    "chain": ("out", "hop"),          # hop -> /cfg, planted too
    "via-root": ("out", "/proj/../cfg"),
}


def _memfds():
    return {"file": memfd_with(b"file data\n", "file"), "data": memfd_with(b"data\n", "data")}


@ATTACK
@pytest.mark.parametrize("plant", list(PLANTS))
@pytest.mark.parametrize("op", list(OPS))
def test_planted_link_cannot_redirect_onto_another_bind(sb, binds, plant, op):
    name, target = PLANTS[plant]
    binds.link(name, target)
    if plant == "chain":
        binds.link("hop", "/cfg")
    binds.own()
    at = "/proj/" + name
    fds = _memfds()
    try:
        r = sb.run(binds.args + OPS[op](at, binds.src, fds) + ["true"], pass_fds=list(fds.values()))
    finally:
        for fd in fds.values():
            os.close(fd)
    assert binds.cfg_listing() == ["secret.json"], \
        f"an operation through a planted link reached the other bind: {binds.cfg_listing()}\n" + r.describe()
    assert r.rc == 1 and len(r.err_lines()) == 1, r.describe()
    assert r.err.startswith(sb.bins.msg_prefix) and REFUSED in r.err, r.describe()
    assert "outside --bind /proj" in r.err, r.describe()


@pytest.mark.parametrize("op", ["dir", "file", "symlink", "bind-dir"])
def test_control_the_same_operations_on_cfg_do_land_there(sb, binds, op):
    """Aimed at /cfg directly, the same operations do create something in
    the host's cfg directory: the attack tests would see a success."""
    binds.own()
    fds = _memfds()
    try:
        sb.ok(binds.args + OPS[op]("/cfg", binds.src, fds) + ["true"], pass_fds=list(fds.values()))
    finally:
        for fd in fds.values():
            os.close(fd)
    assert binds.cfg_listing() != ["secret.json"]


@ATTACK
def test_refusal_names_option_destination_link_and_target(sb, binds):
    binds.link("out", "../cfg")
    binds.own()
    r = sb.expect_error(binds.args + ["--dir", "/proj/out/x", "true"], "--dir")
    line = r.err_lines()[0]
    assert line == (f"{sb.bins.msg_prefix}--dir: /proj/out/x: /proj/out is a symlink to /cfg, "
                    "outside --bind /proj; refusing to follow it"), line


@ATTACK
def test_refusal_under_the_bwrap_name(sb, binds):
    binds.link("out", "/cfg")
    binds.own()
    r = sb.expect_error(binds.args + ["--tmpfs", "/proj/out", "true"], "/proj/out is a symlink to /cfg",
                        exe=sb.bins.bwrap_link, prefix="bwrap: ")
    assert binds.cfg_listing() == ["secret.json"], r.describe()


@ATTACK
@pytest.mark.parametrize("op", ["chmod", "dir", "file", "tmpfs"])
def test_link_cannot_lead_into_a_bind_nested_in_its_own(sb, binds, op):
    """cfg is bound inside proj: a link in proj that leads into it stays
    inside proj's destination, yet it leads onto another bind."""
    binds.link("x", ".config")
    binds.own()
    fds = _memfds()
    args = {"chmod": ["--chmod", "0644", "/proj/x/secret.json"], "dir": ["--dir", "/proj/x/made"],
            "file": ["--file", str(fds["file"]), "/proj/x/f"], "tmpfs": ["--tmpfs", "/proj/x"]}[op]
    try:
        r = sb.expect_error(sb.minimal + ["--bind", binds.proj, "/proj", "--bind", binds.cfg, "/proj/.config"]
                            + args + ["true"], "from --bind /proj into --bind /proj/.config",
                            pass_fds=list(fds.values()))
    finally:
        for fd in fds.values():
            os.close(fd)
    assert binds.cfg_listing() == ["secret.json"], r.describe()
    assert binds.secret_mode() == 0o600


@ATTACK
def test_link_in_the_root_bind_cannot_lead_into_a_later_bind(sb, binds):
    """Under --ro-bind / /, a link that someone planted in a host directory
    does not lead onto a directory bound later."""
    binds.link("out", binds.cfg)
    binds.own()
    sb.expect_error(["--ro-bind", "/", "/", "--bind", binds.cfg, binds.cfg,
                     "--dir", binds.proj + "/out/made", "true"],
                    f"from --ro-bind / into --bind {binds.cfg}")
    assert binds.cfg_listing() == ["secret.json"]


def test_control_nested_bind_is_writable_directly(sb, binds):
    binds.own()
    sb.ok(sb.minimal + ["--bind", binds.proj, "/proj", "--bind", binds.cfg, "/proj/.config",
                        "--dir", "/proj/.config/made", "--chmod", "0644", "/proj/.config/secret.json", "true"])
    assert binds.cfg_listing() == ["made", "secret.json"]
    assert binds.secret_mode() == 0o644


@ATTACK
def test_links_in_procfs_are_not_followed(sb):
    sb.expect_error(sb.minimal + ["--tmpfs", "/proc/self/cocoon-x", "true"], "/proc/self is a symlink")


# ---------------------------------------------------------------- a race

_libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(a, b):
    if _libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), RENAME_EXCHANGE) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


@ATTACK
@pytest.mark.parametrize("target", ["/cfg", "../cfg"])
def test_race_flipping_a_directory_and_a_link(sb, binds, target):
    """A host thread swaps proj/x between a directory and a link to /cfg as
    fast as it can while the launcher sets up operations below /proj/x, 200
    times: whatever it meets, nothing lands in cfg."""
    x, y = os.path.join(binds.proj, "x"), os.path.join(binds.proj, "y")
    os.mkdir(x)
    with open(os.path.join(x, "secret.json"), "w") as f:
        f.write("not a secret\n")
    os.symlink(target, y)
    binds.own()
    stop = threading.Event()
    flips = [0]

    def flipper():
        while not stop.is_set():
            _exchange(x, y)
            flips[0] += 1

    fd = memfd_with(b"data\n", "file")
    ops = ["--dir", "/proj/x/made", "--file", str(fd), "/proj/x/f", "--symlink", "s", "/proj/x/s",
           "--tmpfs", "/proj/x/t", "--bind", binds.src, "/proj/x/b", "--chmod", "0666", "/proj/x/secret.json"]
    refused = ok = 0
    t = threading.Thread(target=flipper, daemon=True)
    t.start()
    try:
        for _ in range(200):
            r = sb.run(binds.args + ops + ["true"], pass_fds=[fd], timeout=30)
            assert r.rc in (0, 1), r.describe()
            refused += REFUSED in r.err
            ok += r.rc == 0
            assert binds.cfg_listing() == ["secret.json"], \
                f"the race landed something in the other bind: {binds.cfg_listing()}\n" + r.describe()
            assert binds.secret_mode() == 0o600, r.describe()
    finally:
        stop.set()
        t.join()
        os.close(fd)
    print(f"{refused} runs refused, {ok} succeeded, {flips[0]} flips")
    assert flips[0] > 200, flips
    assert refused > 0, f"the link was never met ({ok} runs succeeded, {flips[0]} flips)"


# ---------------------------------------------------------------- what still works

def test_link_made_by_setup_then_a_bind_below_it(sb, binds):
    binds.own()
    r = sb.ok(sb.minimal + ["--tmpfs", "/t", "--dir", "/t/lib", "--symlink", "t/lib", "/mylib", "--dir", "/mylib/x",
                            "--ro-bind", binds.src, "/mylib/x/b", "cat", "/t/lib/x/b/f"])
    assert r.out == "payload\n"


def test_symlink_usr_lib_then_bind_under_lib(sb, binds):
    """The way Flatpak builds a runtime: /usr from one place, --symlink
    usr/lib /lib, then binds under /lib."""
    os.mkdir(os.path.join(binds.proj, "lib"))
    binds.own()
    r = sb.ok(sb.minimal + ["--bind", binds.proj, "/rt", "--symlink", "rt/lib", "/rtlib",
                            "--ro-bind", binds.src, "/rtlib/data", "cat", "/rt/lib/data/f"])
    assert r.out == "payload\n"
    assert os.path.isdir(os.path.join(binds.proj, "lib", "data"))


def test_ro_bind_root_then_bind_through_merged_lib(sb, scratch):
    """--ro-bind / / keeps merged /usr working: /lib -> usr/lib is in the
    same bind as where it leads."""
    if not (os.path.islink("/lib") and os.path.isfile("/usr/lib/os-release")):
        pytest.skip("needs a merged /usr with /usr/lib/os-release")
    data = memfd_with(b"ID=cocoon-test\n", "osr")
    try:
        r = sb.ok(["--ro-bind", "/", "/", "--ro-bind-data", str(data), "/lib/os-release",
                   "--tmpfs", "/lib/modprobe.d", "sh", "-c", "cat /usr/lib/os-release; ls -A /usr/lib/modprobe.d"],
                  pass_fds=[data])
    finally:
        os.close(data)
    assert r.out == "ID=cocoon-test\n", r.describe()


def test_ro_bind_root_then_tmpfs_through_var_run(sb):
    if os.path.realpath("/var/run") != "/run":
        pytest.skip("needs /var/run -> /run")
    r = sb.ok(["--ro-bind", "/", "/", "--tmpfs", "/var/run", "--dir", "/var/run/made",
               "sh", "-c", "ls -A /run"])
    assert r.out.split() == ["made"], r.describe()


def test_link_inside_one_bind_is_followed(sb, binds):
    binds.link("rel", "sub")
    binds.link("abs", "/proj/sub")
    binds.link("sub/up", "../sub")
    binds.own()
    sb.ok(binds.args + ["--dir", "/proj/rel/a", "--dir", "/proj/abs/b", "--dir", "/proj/sub/up/c",
                        "--tmpfs", "/proj/rel/a", "true"])
    assert sorted(os.listdir(os.path.join(binds.proj, "sub"))) == ["a", "b", "c", "up"]


def test_link_in_a_tmpfs_may_lead_anywhere(sb, binds):
    """A link that setup made in its own tmpfs leads into a bind."""
    binds.own()
    sb.ok(binds.args + ["--symlink", "/cfg", "/to-cfg", "--dir", "/to-cfg/made", "true"])
    assert binds.cfg_listing() == ["made", "secret.json"]


def test_mount_on_the_root_through_a_link(sb):
    """A tmpfs that lands on / through a link covers the whole new root, and
    later operations see it."""
    r = sb.ok(sb.minimal + ["--symlink", "/", "/top", "--tmpfs", "/top", "--ro-bind", "/usr", "/usr",
                            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                            "--symlink", "usr/lib64", "/lib64", "sh", "-c", "ls -A /"])
    assert sorted(r.out.split()) == ["bin", "lib", "lib64", "usr"], r.describe()


# ---------------------------------------------------------------- parser checks

@pytest.mark.cocoon_only("bwrap accepts a destination above the root and clamps it")
@pytest.mark.parametrize("args", [["--dir", "../../../x"], ["--bind", "/usr", "/../../y"],
                                  ["--tmpfs", "/a/../../b"], ["--symlink", "x", "../l"],
                                  ["--chmod", "0755", ".."]])
def test_destination_above_the_root_is_refused(sb, args):
    r = sb.expect_error(["--ro-bind", "/", "/"] + args + ["true"], args[-1])
    assert args[0] in r.err and "above the root" in r.err


def test_destinations_that_stay_inside_are_accepted(sb):
    r = sb.ok(sb.minimal + ["--tmpfs", "/usr/../t", "--dir", "t/rel", "--symlink", "../../../../anything",
                            "/t/l", "sh", "-c", "ls -A /t; readlink /t/l"])
    assert r.out.split() == ["l", "rel", "../../../../anything"], r.describe()


def test_args_inside_args_is_refused(sb):
    inner = memfd_with(nul_args(["--setenv", "X", "1"]), "inner")
    outer = memfd_with(nul_args(["--args", str(inner)]), "outer")
    try:
        sb.expect_error(sb.rootfs + ["--args", str(outer), "true"], "--args", pass_fds=[inner, outer])
    finally:
        os.close(inner)
        os.close(outer)


def test_args_twice_on_the_command_line_still_works(sb):
    one = memfd_with(nul_args(["--setenv", "A", "1"]), "one")
    two = memfd_with(nul_args(["--setenv", "B", "2"]), "two")
    try:
        r = sb.ok(sb.rootfs + ["--args", str(one), "--args", str(two), "sh", "-c", "echo $A$B"],
                  pass_fds=[one, two])
    finally:
        os.close(one)
        os.close(two)
    assert r.out == "12\n"
