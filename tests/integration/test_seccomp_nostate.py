# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compiled seccomp programs are never kept on disk: anywhere the caller can
write, a sandbox of the caller's with the home bound can write too, and a
program planted there would be loaded by every later sandbox (a hostile
review did it to an earlier on-disk cache). Each launch compiles its
profile, and leaves nothing in the cache directories or the home."""

import json
import os

import pytest

import harness

pytestmark = pytest.mark.cocoon_only("--seccomp-profile FILE is cocoon's")

SCRIPT = "mkdir /tmp/d && echo made || echo refused"


def listing(top):
    out = []
    for d, dirs, files in os.walk(top):
        out += [os.path.relpath(os.path.join(d, n), top) for n in dirs + files]
    return sorted(out)


@pytest.mark.parametrize("which", ["file", "default-variant"])
def test_a_profile_leaves_nothing_a_sandbox_could_replace(sb, which):
    home = os.path.join(sb.scratch, "home")
    xdg = os.path.join(home, ".cache")
    os.makedirs(xdg, 0o700)
    for d in (home, xdg):
        os.chown(d, sb.ident.uid, sb.ident.gid)
    if which == "file":
        prof = os.path.join(sb.scratch, "p.json")
        with open(prof, "w") as f:
            json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                       "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}, f)
        os.chmod(prof, 0o644)
        args, want = ["--seccomp-profile", prof], "refused"
    else:
        # a set of capabilities the build did not compile for (root keeps all but one)
        args, want = ["--seccomp-profile", "default", "--cap-drop", "CAP_SYS_TIME"], "made"
    env = dict(harness.BASE_ENV, HOME=home, XDG_CACHE_HOME=xdg)
    for _ in range(2):
        r = sb.run(sb.minimal + ["--tmpfs", "/tmp"] + args + ["sh", "-c", SCRIPT], env=env)
        assert r.rc == 0 and r.out.strip() == want, r.describe()
    assert listing(home) == [".cache"], listing(home)
