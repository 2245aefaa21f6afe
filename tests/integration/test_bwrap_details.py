# SPDX-License-Identifier: LGPL-2.1-or-later
"""Details where cocoon once differed from bwrap (issue 13): the modes of the
parents that setup makes, --remount-ro on a --dev-bind, and the identity the
working directory is entered with.

Each line runs under the launcher and is checked against what bwrap does
(measured with Debian's bwrap 0.8.0 and read in bubblewrap's sources). Where
/usr/bin/bwrap is installed, the same line also runs under it and the two
must agree."""

import os

import pytest

from harness import mount_at

BWRAP = "/usr/bin/bwrap"
HAVE_BWRAP = os.access(BWRAP, os.X_OK)


def each_launcher(run):
    """run(exe) under the launcher, and under bwrap where it is installed:
    [(name, result)], the launcher's first."""
    out = [("launcher", run(None))]
    if HAVE_BWRAP:
        out.append(("bwrap", run(BWRAP)))
    return out


def _memfd(data=b"data\n"):
    fd = os.memfd_create("citest", 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


# ---------------------------------------------------------------- --remount-ro

@pytest.mark.parametrize("remount", [True, False], ids=["remounted", "dev-bind-only"])
def test_remount_ro_makes_nodev(sb, remount):
    """A --dev-bind remounted read-only is nodev too, as bwrap's is: the
    device node can no longer be opened. Without the remount it can."""
    args = sb.minimal + ["--tmpfs", "/t", "--dev-bind", "/dev/null", "/t/null"]
    if remount:
        args += ["--remount-ro", "/t/null"]
    for who, d in each_launcher(lambda exe: sb.probe(args, ["--write", "/t/null"], exe=exe)):
        m = mount_at(d["_mounts"], "/t/null")
        assert m is not None, f"under {who}: no mount on /t/null"
        flags = {f for f in ("ro", "nosuid", "nodev") if f in m.opts}
        if remount:
            assert flags == {"ro", "nosuid", "nodev"}, (who, m)
            assert d["write"]["/t/null"] != "ok", (who, d["write"])
        else:
            assert flags == {"nosuid"}, (who, m)
            assert d["write"]["/t/null"] == "ok", (who, d["write"])


def test_remount_ro_is_not_recursive(sb, scratch):
    """Only the mount at DEST changes, as with bwrap: a bind below it keeps
    its flags."""
    args = sb.minimal + ["--tmpfs", "/t", "--dev-bind", "/dev/null", "/t/null", "--remount-ro", "/t"]
    for who, d in each_launcher(lambda exe: sb.probe(args, ["--write", "/t/null", "--write", "/t/x"], exe=exe)):
        assert d["write"]["/t/null"] == "ok", (who, d["write"])
        assert d["write"]["/t/x"] != "ok", (who, d["write"])
        assert "nodev" not in mount_at(d["_mounts"], "/t/null").opts, who
