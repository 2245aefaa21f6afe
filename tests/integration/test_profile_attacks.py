# SPDX-License-Identifier: LGPL-2.1-or-later
"""Attacks on the built-in profiles' promises and on profile input: each
test passes only if the attack fails, as root and as the user."""

import os
import subprocess

import pytest

import harness
from harness import chown_tree

pytestmark = pytest.mark.cocoon_only("--profile is cocoon's own")

GIT_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"


def make_tree(sb, files, dirs=()):
    for d in dirs:
        os.makedirs(os.path.join(sb.scratch, d), exist_ok=True)
    for name, text in files.items():
        p = os.path.join(sb.scratch, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    chown_tree(sb.scratch, sb.ident.uid, sb.ident.gid)


def env_for(home):
    return dict(harness.BASE_ENV, HOME=home)


# ------------------------------------------------------------------ agent and .git

def test_agent_git_cannot_be_replaced(sb):
    """The agent must not make the next git command on the host run its
    code: not by renaming .git away and putting its own in place, not by a
    commondir pointing to a config of its own, not by making the hooks
    directory a repository lacks, not by renaming a file over the config."""
    make_tree(sb, {"proj/.git/config": GIT_CONFIG, "proj/.git/HEAD": "ref: refs/heads/main\n",
                   "home/.keep": ""}, dirs=["proj/.git/objects", "proj/.git/refs"])
    proj, home = os.path.join(sb.scratch, "proj"), os.path.join(sb.scratch, "home")
    evil = '[core]\n\tfsmonitor = "touch pwned"\n'
    script = (f"printf '{evil}' > evil.cfg; "
              "mkdir .git/hooks 2>/dev/null && echo hooks-made; "
              "mv evil.cfg .git/config 2>/dev/null && echo config-renamed; "
              "echo ../evil > .git/commondir 2>/dev/null && echo commondir-made; "
              "mv .git .git-old 2>/dev/null && echo git-renamed; "
              "rm -rf .git 2>/dev/null; [ -d .git ] || echo git-removed; "
              "echo ok > src.c && echo proj-writable")
    r = sb.run(["--profile", "agent", "sh", "-c", script], env=env_for(home), cwd=proj)
    assert r.rc == 0, r.describe()
    assert r.out.split() == ["proj-writable"], r.describe()
    assert sorted(os.listdir(proj)) == [".git", "evil.cfg", "src.c"]
    assert sorted(os.listdir(os.path.join(proj, ".git"))) == ["HEAD", "config", "objects", "refs"]
    assert open(os.path.join(proj, ".git", "config")).read() == GIT_CONFIG


def test_agent_git_file_is_pinned(sb):
    """A .git that is a file (a worktree or a submodule) names the git
    directory: the agent must not rewrite or replace it."""
    gitfile = "gitdir: /nonexistent/repo.git\n"
    make_tree(sb, {"proj/.git": gitfile, "home/.keep": ""})
    proj, home = os.path.join(sb.scratch, "proj"), os.path.join(sb.scratch, "home")
    script = ("echo 'gitdir: evil' > .git 2>/dev/null && echo rewritten; "
              "rm -f .git 2>/dev/null; mv .git x 2>/dev/null; [ -f .git ] || echo removed; echo done")
    r = sb.run(["--profile", "agent", "sh", "-c", script], env=env_for(home), cwd=proj)
    assert r.rc == 0 and r.out.split() == ["done"], r.describe()
    assert open(os.path.join(proj, ".git")).read() == gitfile


# ------------------------------------------------------------------ ${PROJECT}

def test_project_refuses_the_home_through_a_symlink(sb):
    """With HOME a symlink to the real home directory, running from the
    real home must not bind the whole home writable."""
    make_tree(sb, {"real/.ssh/id_ed25519": "SECRET\n"})
    real, link = os.path.join(sb.scratch, "real"), os.path.join(sb.scratch, "link")
    os.symlink("real", link)
    for home in [link, link + "/", real + "//", os.path.join(sb.scratch, ".", "link")]:
        for profile in ["agent", "build"]:
            r = sb.run(["--profile", profile, "cat", ".ssh/id_ed25519"], env=env_for(home), cwd=real)
            assert r.rc == 1 and "SECRET" not in r.out, r.describe()
            assert "${PROJECT}" in r.err and "not a project directory" in r.err, r.describe()


def test_project_needs_an_absolute_home(sb):
    """Without an absolute HOME, nothing tells the project from the home."""
    make_tree(sb, {"proj/a": ""})
    proj = os.path.join(sb.scratch, "proj")
    env = dict(harness.BASE_ENV)
    env.pop("HOME", None)
    r = sb.run(["--profile", "build", "true"], env=env, cwd=proj)
    assert r.rc == 1 and "HOME is not set" in r.err, r.describe()
    r = sb.run(["--profile", "build", "true"], env=dict(env, HOME="proj"), cwd=sb.scratch)
    assert r.rc == 1 and "HOME is 'proj'" in r.err, r.describe()


# ------------------------------------------------------------------ profile input

def test_empty_profile_adds_nothing(sb):
    """A profile of comments only, or of nothing, is no words: the run goes
    on as without it (the splice once copied from a NULL array)."""
    make_tree(sb, {"empty": "", "comments": "# nothing\n\n   # here\n"})
    for name in ["empty", "comments"]:
        r = sb.run(["--profile", os.path.join(sb.scratch, name), "--ro-bind", "/", "/", "echo", "ran"])
        assert r.rc == 0 and r.out == "ran\n", r.describe()


# ------------------------------------------------------------------ forged lines

FORGED = "cocoon: warning: forged"


def test_messages_stay_one_line(sb):
    """A newline or an escape in a profile word, a variable or a path must
    not print a line of its own in an error or a warning."""
    make_tree(sb, {"p": "--bogus${V}\n"})
    env = dict(harness.BASE_ENV, V="\n" + FORGED + "\x1b[2J")
    r = sb.run(["--profile", os.path.join(sb.scratch, "p"), "true"], env=env)
    assert r.rc == 1 and len(r.raw_err.splitlines()) == 1, r.describe()
    assert "\\x0a" + FORGED + "\\x1b[2J" in r.err and "\x1b" not in r.raw_err, r.describe()
    odd = "/tmp/a\n" + FORGED
    r = sb.run(["--ro-bind", "/", "/", "--cap-drop", "ALL", "--tmpfs", "/tmp", "--tmpfs", odd, "--tmpfs", "/tmp", "true"])
    assert r.rc == 0, r.describe()
    assert len(r.warnings) == 2 and "/tmp/a\\x0a" + FORGED + " is hidden" in r.warnings[1], r.describe()
    assert not any(l.startswith(FORGED) for l in r.raw_err.splitlines()), r.describe()


def test_explain_text_stays_in_its_lines(sb):
    """--explain's lines are its layout: a path or a variable must not add
    one (a forged 'warnings none', say)."""
    odd = "/tmp/x\nwarnings     none"
    r = sb.run(["--explain", "--ro-bind", "/", "/", "--setenv", "E\x1b", "v\nmounts, in order: none",
                "--tmpfs", "/tmp", "--tmpfs", odd, "--tmpfs", "/tmp", "--chdir", odd, "true"])
    assert r.rc == 0, r.describe()
    lines = r.out.splitlines()
    assert sum(l.startswith("warnings") for l in lines) == 1, r.out
    assert sum(l.startswith("mounts, in order") for l in lines) == 1, r.out
    assert "directory    /tmp/x\\x0awarnings     none" in lines, r.out
    assert "\x1b" not in r.out and "E\\x1b=v\\x0amounts" in r.out, r.out
