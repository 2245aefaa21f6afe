# SPDX-License-Identifier: LGPL-2.1-or-later
"""The cache of compiled seccomp profiles ($XDG_CACHE_HOME/cocoon): an entry
is used only when the caller owns it and everything in it checks out.

Every attack plants, where profile A's entry belongs, a program that lets
mkdir through (profile B's, which refuses rmdir instead), and passes only if
the launch still enforces A: mkdir refused. A first test shows that such a
forged entry, were it trusted, would let mkdir through, so that the others
can fail."""

import hashlib
import json
import os
import struct

import pytest

import harness

pytestmark = pytest.mark.cocoon_only("the seccomp profile cache is cocoon's own")

MAGIC = b"cocoon-bpf-cache-1\n\0"
SCRIPT = "mkdir /tmp/d && echo made || echo refused"


def profile(path, names):
    with open(path, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": names, "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}, f)
    os.chmod(path, 0o644)
    return path


class Cache:
    def __init__(self, sb):
        self.sb = sb
        self.home = os.path.join(sb.scratch, "xdg")
        self.dir = os.path.join(self.home, "cocoon")
        os.mkdir(self.home, 0o700)
        os.chown(self.home, sb.ident.uid, sb.ident.gid)
        self.env = dict(harness.BASE_ENV, XDG_CACHE_HOME=self.home)
        self.a = profile(os.path.join(sb.scratch, "a.json"), ["mkdir", "mkdirat"])
        self.b = profile(os.path.join(sb.scratch, "b.json"), ["rmdir"])

    def entries(self):
        return set(n for n in os.listdir(self.dir) if not n.startswith("."))

    def run(self, prof):
        r = self.sb.run(self.sb.minimal + ["--tmpfs", "/tmp", "--seccomp-profile", prof,
                                           "sh", "-c", SCRIPT], env=self.env)
        assert r.rc == 0, r.describe()
        return r.out.strip()

    def prime(self):
        """Run A, then B; return the names of their entries and B's program."""
        assert self.run(self.a) == "refused"
        a = self.entries()
        assert len(a) == 1, a
        assert self.run(self.b) == "made"
        b = self.entries() - a
        assert len(b) == 1, b
        a, b = a.pop(), b.pop()
        with open(os.path.join(self.dir, b), "rb") as f:
            data = f.read()
        n = struct.unpack_from("=I", data, len(MAGIC) + 32)[0]
        start = len(MAGIC) + 32 + 4
        return a, b, data[start:start + 8 * n]

    def forge(self, name, insns):
        """A well-formed entry under name, whose program is insns."""
        body = MAGIC + bytes.fromhex(name) + struct.pack("=I", len(insns) // 8) + insns
        return body + hashlib.sha256(body).digest()

    def plant(self, path, data, mode=0o600, uid=None):
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        os.chown(path, self.sb.ident.uid if uid is None else uid, self.sb.ident.gid)


def other_uid(sb):
    return 65534 if sb.ident.is_root else 0


def test_cache_is_used(sb):
    """A program compiled once is found again; and a forged entry that
    passes every check is used, which shows the forgeries below are
    well-formed, so that each fails only for the reason it tests."""
    c = Cache(sb)
    a, b, permissive = c.prime()
    st = os.stat(c.dir)
    assert (st.st_uid, st.st_mode & 0o777) == (sb.ident.uid, 0o700)
    st = os.stat(os.path.join(c.dir, a))
    assert (st.st_uid, st.st_mode & 0o777) == (sb.ident.uid, 0o600)
    assert c.run(c.a) == "refused"
    assert c.entries() == {a, b}
    c.plant(os.path.join(c.dir, a), c.forge(a, permissive))
    assert c.run(c.a) == "made"


@pytest.mark.parametrize("attack", ["foreign-owner", "group-writable", "symlinked-entry", "corrupt",
                                    "truncated", "bad-program", "other-profile"])
def test_untrusted_entry_ignored(sb, attack):
    c = Cache(sb)
    a, b, permissive = c.prime()
    path = os.path.join(c.dir, a)
    forged = c.forge(a, permissive)
    os.unlink(path)
    if attack == "foreign-owner":
        c.plant(path, forged, uid=other_uid(sb))
    elif attack == "group-writable":
        c.plant(path, forged, mode=0o620)
    elif attack == "symlinked-entry":
        elsewhere = os.path.join(c.home, "forged")
        c.plant(elsewhere, forged)
        os.symlink(elsewhere, path)
    elif attack == "corrupt":
        bad = bytearray(forged)
        bad[len(MAGIC) + 40] ^= 0x01  # the first instruction: the checksum no longer matches
        c.plant(path, bytes(bad))
    elif attack == "truncated":
        c.plant(path, forged[:len(forged) - 40])
    elif attack == "bad-program":
        # checksum right, but a jump out of the program
        jump = struct.pack("=HBBI", 0x15, 200, 0, 0)
        c.plant(path, c.forge(a, jump + permissive[8:]))
    elif attack == "other-profile":
        os.link(os.path.join(c.dir, b), path)
    assert c.run(c.a) == "refused"


@pytest.mark.parametrize("attack", ["symlinked-dir", "foreign-dir", "open-dir"])
def test_untrusted_dir_ignored(sb, attack):
    c = Cache(sb)
    a, _, permissive = c.prime()
    if attack == "symlinked-dir":
        real = os.path.join(c.home, "real")
        os.rename(c.dir, real)
        os.symlink("real", c.dir)
        c.plant(os.path.join(real, a), c.forge(a, permissive))
    else:
        c.plant(os.path.join(c.dir, a), c.forge(a, permissive))
        if attack == "foreign-dir":
            os.chown(c.dir, other_uid(sb), sb.ident.gid)
            os.chmod(c.dir, 0o777)  # so that the user could still read it
        else:
            os.chmod(c.dir, 0o755)
    assert c.run(c.a) == "refused"


def test_launch_never_fails_for_the_cache(sb):
    """A cache that can't be made or written costs the compile, nothing else."""
    c = Cache(sb)
    blocker = os.path.join(c.home, "cocoon")
    c.plant(blocker, b"not a directory")
    assert c.run(c.a) == "refused"
    c.env["XDG_CACHE_HOME"] = os.path.join(sb.scratch, "missing", "deeper")
    assert c.run(c.a) == "refused"
    assert not os.path.exists(os.path.join(sb.scratch, "missing"))
