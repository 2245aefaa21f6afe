# SPDX-License-Identifier: LGPL-2.1-or-later
"""Environment and working directory: --setenv, --unsetenv, --clearenv,
--chdir, the default cwd, and PATH lookup with an empty environment."""

import os

ROOT = ["--ro-bind", "/", "/"]


def env_of(d, drop_pwd=True):
    out = {}
    for kv in d["env"]:
        k, _, v = kv.partition("=")
        out[k] = v
    if drop_pwd:
        out.pop("PWD", None)
    out.pop("CITEST", None)  # the suite's own marker, see harness.tagged_env
    return out


def test_environment_passes_through(sb):
    env = {"PATH": "/usr/bin:/bin", "A": "1", "B": "two words", "EMPTY": ""}
    d = sb.probe(ROOT, env=env)
    assert env_of(d) == env


def test_setenv_unsetenv(sb):
    env = {"PATH": "/usr/bin:/bin", "KEEP": "k", "DROP": "d", "OVER": "old"}
    d = sb.probe(ROOT + ["--setenv", "NEW", "a=b c", "--unsetenv", "DROP", "--setenv", "OVER", "new",
                         "--unsetenv", "NOT_SET_ANYWHERE"], env=env)
    assert env_of(d) == {"PATH": "/usr/bin:/bin", "KEEP": "k", "OVER": "new", "NEW": "a=b c"}


def test_setenv_then_unsetenv_same(sb):
    d = sb.probe(ROOT + ["--setenv", "X", "1", "--unsetenv", "X"], env={"PATH": "/usr/bin"})
    assert "X" not in env_of(d)


def test_clearenv(sb):
    d = sb.probe(ROOT + ["--clearenv"], env={"PATH": "/usr/bin", "A": "1"})
    assert env_of(d) == {}


def test_clearenv_is_ordered(sb):
    """--setenv before --clearenv is cleared, after it survives."""
    d = sb.probe(ROOT + ["--setenv", "BEFORE", "1", "--clearenv", "--setenv", "AFTER", "2"],
                 env={"PATH": "/usr/bin", "A": "1"})
    assert env_of(d) == {"AFTER": "2"}


def test_pwd_matches_cwd(sb):
    d = sb.probe(ROOT + ["--chdir", "/usr/share"])
    assert d["cwd"] == "/usr/share"
    assert env_of(d, drop_pwd=False).get("PWD") == "/usr/share"


def test_chdir(sb, scratch):
    os.mkdir(os.path.join(scratch, "sub"))
    d = sb.probe(ROOT + ["--chdir", os.path.join(scratch, "sub")])
    assert d["cwd"] == os.path.join(scratch, "sub")


def test_chdir_into_created_dir(sb):
    d = sb.probe(ROOT + ["--tmpfs", "/mnt", "--dir", "/mnt/work", "--chdir", "/mnt/work"])
    assert d["cwd"] == "/mnt/work"


def test_default_cwd_is_callers(sb, scratch):
    d = sb.probe(ROOT, cwd=scratch)
    assert d["cwd"] == scratch


def test_default_cwd_falls_back_to_home(sb, scratch):
    """When the caller's cwd is not in the sandbox, $HOME is used if present."""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/usr"}
    d = sb.probe(sb.minimal, cwd=scratch, env=env)
    assert d["cwd"] == "/usr"


def test_default_cwd_falls_back_to_root(sb, scratch):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent-citest"}
    d = sb.probe(sb.minimal, cwd=scratch, env=env)
    assert d["cwd"] == "/"


def test_path_lookup_with_empty_environment(sb):
    """Flatpak starts the launcher with no environment at all."""
    r = sb.ok(ROOT + ["sh", "-c", "echo found-by-path"], env={})
    assert r.out == "found-by-path\n", r.describe()


def test_path_lookup_uses_setenv_path(sb, scratch):
    os.symlink(sb.probe_path, os.path.join(scratch, "citest-probe"))
    d = sb.probe(ROOT + ["--setenv", "PATH", "/nonexistent:" + scratch], command="citest-probe", env={})
    assert d["argv"][0] == "citest-probe"
    assert env_of(d) == {"PATH": "/nonexistent:" + scratch}


def test_path_lookup_not_from_callers_path(sb, scratch):
    """The command is looked up with the sandbox's PATH, not the caller's."""
    os.symlink(sb.probe_path, os.path.join(scratch, "citest-probe"))
    r = sb.run(ROOT + ["--setenv", "PATH", "/usr/bin", "citest-probe"], env={"PATH": scratch})
    assert r.rc != 0, r.describe()
    assert "citest-probe" in r.err, r.describe()


def test_empty_environment_gives_empty_environment(sb):
    d = sb.probe(ROOT, env={})
    assert env_of(d) == {}
