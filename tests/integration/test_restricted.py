# SPDX-License-Identifier: LGPL-2.1-or-later
"""Restricted hosts: --check, refusals that name their cause, --fallback
landlock, --require, and cocoon inside a cocoon sandbox.

Each restricted host is simulated around the launcher alone, never made on
the real one: tests/refuse installs a seccomp filter that answers what such a
host answers (user namespaces refused with EPERM, ENOSPC or EACCES; mounts
refused after the user namespace is made, AppArmor's pattern; clone and
unshare with any namespace flag refused, Docker's profile)."""

import json
import os
import shutil
import time

import pytest

import harness

pytestmark = pytest.mark.cocoon_only("cocoon's answers to a restricted host")


@pytest.fixture(scope="module")
def refuse_bin(bins):
    """tests/refuse, copied next to the launcher for both identities."""
    src = os.environ.get("COCOON_REFUSE_HELPER") or os.path.join(
        os.path.dirname(os.environ.get("COCOON_PROBE", "/work/main/build/tests/probe")), "refuse")
    if not os.access(src, os.X_OK):
        pytest.fail(f"COCOON_REFUSE_HELPER={src} is not an executable file (build first)")
    dst = os.path.join(bins.dir, "refuse")
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o755)
    return dst


class Host:
    """Runs the launcher on a host that refuses what `rule` names."""

    def __init__(self, sb, refuse_bin, rule):
        self.sb, self.bin, self.rule = sb, refuse_bin, rule

    def run(self, args, exe=None, **kw):
        return self.sb.run([self.rule, exe or self.sb.cocoon] + list(args), exe=self.bin, **kw)

    def expect_error(self, args, mentions, exe=None, **kw):
        return self.sb.expect_error([self.rule, exe or self.sb.cocoon] + list(args), mentions, exe=self.bin, **kw)


# rule -> (words of the one-line cause, the --check item that is missing)
HOSTS = {
    "userns:EPERM": ("a seccomp filter on this process refuses it", "user namespaces"),
    "userns:ENOSPC": ("the limit of user namespaces is reached", "user namespaces"),
    "userns:EACCES": ("a security module or this process's seccomp filter refuses it", "user namespaces"),
    "mounts:EPERM": ("a mount in the user namespace was refused", "mount in a user namespace"),
    "namespaces:EPERM": ("a seccomp filter on this process refuses it", "user namespaces"),
}


@pytest.fixture(params=sorted(HOSTS))
def host(request, sb, refuse_bin):
    return Host(sb, refuse_bin, request.param)


def dirs(sb):
    """SCRATCH/ro and SCRATCH/rw, writable by the identity: a write that
    fails there fails because of the sandbox."""
    ro, rw = os.path.join(sb.scratch, "ro"), os.path.join(sb.scratch, "rw")
    for d in (ro, rw):
        os.mkdir(d)
        os.chmod(d, 0o777)
    return ro, rw


# ---------------------------------------------------------------- refusals

def test_refusal_names_the_cause(host):
    cause, _ = HOSTS[host.rule]
    r = host.expect_error(["--unshare-user", "--ro-bind", "/", "/", "true"], cause)
    line = r.err_lines()[0]
    assert "; fix: " in line and "cocoon --check" in line, r.describe()
    for vague in ("No space left on device\n", "Operation not permitted\n"):
        assert not r.err.endswith(": " + vague), r.describe()


def test_check_names_what_is_missing(host):
    _, item = HOSTS[host.rule]
    r = host.run(["--check"])
    assert r.rc == 1, r.describe()
    lines = {l.split(":", 1)[0].split(None, 1)[1]: l.split()[0] for l in r.out.splitlines() if ":" in l}
    assert lines.get(item) == "missing", r.describe()
    assert r.out.splitlines()[-1].startswith("the sandbox can't run here"), r.describe()
    j = host.run(["--check=json"])
    assert j.rc == 1, j.describe()
    data = json.loads(j.out)
    assert data["sandbox_works"] is False
    by_title = {i["title"]: i for i in data["items"]}
    assert by_title[item]["status"] == "missing" and by_title[item]["fix"], j.describe()


def test_fallback_enforces_a_read_only_bind(host):
    sb = host.sb
    ro, rw = dirs(sb)
    r = host.run(["--fallback", "landlock", "--unshare-user", "--unshare-pid", "--ro-bind", "/", "/",
                  "--tmpfs", "/var/tmp", "--bind", rw, rw,
                  "sh", "-c", f"echo yes > {rw}/f; echo no > {ro}/f && echo WROTE; exit 0"])
    assert r.rc == 0, r.describe()
    assert open(os.path.join(rw, "f")).read() == "yes\n"
    assert not os.path.exists(os.path.join(ro, "f")) and "WROTE" not in r.out, r.describe()
    text = "\n".join(r.warnings)
    assert "the host refuses the namespaces" in text, r.describe()
    for part in ("root", "tmpfs", "pid"):
        assert f"not enforced ({part}): " in text, r.describe()


def test_fallback_reaches_nothing_else(sb, refuse_bin):
    """Under the fallback, what no bind grants can't be read or written, not
    even through /proc/self/root or a symlink made inside a writable bind."""
    host = Host(sb, refuse_bin, "userns:EPERM")
    ro, rw = dirs(sb)
    secret = os.path.join(ro, "secret")
    with open(secret, "w") as f:
        f.write("secret\n")
    os.chmod(secret, 0o666)
    script = (f"cat {secret}; cat /proc/self/root{secret}; ln -s {secret} {rw}/l && cat {rw}/l; "
              f"echo x >> /proc/self/root{secret}; echo x >> {rw}/l; exit 0")
    r = host.run(["--fallback", "landlock", "--unshare-user"] + sb.minimal + ["--bind", rw, rw, "sh", "-c", script])
    assert r.rc == 0, r.describe()
    assert "secret" not in r.out, r.describe()
    assert open(secret).read() == "secret\n"
    assert r.err.count("Permission denied") >= 4, r.describe()


def test_fallback_gives_no_host_capabilities(sb, refuse_bin):
    """Capabilities meant for the sandbox's user namespace would be the host's
    without one: the command gets none, bounding set included for root."""
    host = Host(sb, refuse_bin, "userns:EPERM")
    r = host.run(["--fallback", "landlock", "--unshare-user", "--ro-bind", "/", "/", "cat", "/proc/self/status"])
    assert r.rc == 0, r.describe()
    caps = {l.split(":")[0]: int(l.split()[1], 16) for l in r.out.splitlines() if l.startswith("Cap")}
    assert caps["CapPrm"] == caps["CapEff"] == caps["CapAmb"] == 0, r.describe()
    if sb.ident.is_root:
        assert caps["CapBnd"] == 0, r.describe()
        assert any("not enforced (ids): the capabilities" in w for w in r.warnings), r.describe()


def _caps(r):
    return {ln.split(":")[0]: int(ln.split()[1], 16) for ln in r.out.splitlines() if ln.startswith("Cap")}


def test_fallback_fails_when_the_callers_capabilities_stay(sb, refuse_bin):
    """A caller that is not root but holds ambient capabilities (a service
    with AmbientCapabilities=), on a host whose filter refuses capset: under
    --fallback landlock they would survive the exec into the command, so
    cocoon fails rather than run it. A caller with none has nothing to lose
    and runs."""
    strace = shutil.which("strace")
    if not strace:
        pytest.skip("strace is not installed")
    cmd = [strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=capset", "-e", "inject=capset:error=EPERM",
           refuse_bin, "userns:EPERM", sb.cocoon, "--fallback", "landlock", "--unshare-user",
           "--ro-bind", "/", "/", "cat", "/proc/self/status"]
    if sb.ident.is_root:  # only root can start such a caller
        r = sb.run(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=+net_raw",
                    "--ambient-caps=+net_raw", "--"] + cmd, exe=harness.SETPRIV)
        assert r.rc == 1 and "can't drop the caller's capabilities" in r.err, r.describe()
        assert "CapAmb" not in r.out, r.describe()
    else:
        r = sb.run(cmd[1:], exe=cmd[0])
        assert r.rc == 0, r.describe()
        caps = _caps(r)
        assert caps["CapPrm"] == caps["CapEff"] == caps["CapAmb"] == 0, r.describe()


def test_bounding_set_is_cut_when_reads_of_it_lie(sb, refuse_bin):
    """A filter above cocoon answers PR_CAPBSET_READ with 0 ("not in the
    set") without asking the kernel. The drops must not trust that answer,
    or the command keeps the whole bounding set while its check, which asks
    the same question, passes."""
    host = Host(sb, refuse_bin, "capbset_read:0")
    ids = ["--cap-drop", "ALL"] if sb.ident.is_root else ["--unshare-user", "--uid", "0"]
    r = host.run(ids + ["--ro-bind", "/", "/", "--proc", "/proc", "cat", "/proc/self/status"])
    assert r.rc == 0, r.describe()
    caps = _caps(r)
    assert caps["CapBnd"] == caps["CapPrm"] == caps["CapAmb"] == 0, r.describe()


def test_fallback_refuses_what_is_required(host):
    sb = host.sb
    _, rw = dirs(sb)
    host.expect_error(["--fallback", "landlock", "--require", "tmpfs", "--unshare-user", "--ro-bind", "/", "/",
                       "--tmpfs", "/var/tmp", "--bind", rw, rw, "touch", f"{rw}/ran"], "--require tmpfs")
    assert not os.path.exists(os.path.join(rw, "ran"))


def test_fallback_says_a_moved_bind_is_not_enforced(sb, refuse_bin):
    host = Host(sb, refuse_bin, "userns:EPERM")
    ro, rw = dirs(sb)
    r = host.run(["--fallback", "landlock", "--unshare-user", "--ro-bind", "/", "/", "--bind", rw, "/mnt",
                  "sh", "-c", f"echo no > {rw}/f"])
    assert r.rc != 0 and not os.path.exists(os.path.join(rw, "f")), r.describe()
    assert any(f"not enforced (dest): --bind {rw} /mnt" in w for w in r.warnings), r.describe()


def test_fallback_grants_nothing_the_plan_hides(sb, refuse_bin):
    """A writable bind that a later mount covers is hidden in the sandbox;
    a read-only bind inside a writable one is named as not enforced."""
    host = Host(sb, refuse_bin, "userns:EPERM")
    ro, rw = dirs(sb)
    r = host.run(["--fallback", "landlock", "--unshare-user", "--ro-bind", "/", "/", "--bind", rw, rw,
                  "--ro-bind", sb.scratch, sb.scratch, "sh", "-c", f"echo no > {rw}/f"])
    assert r.rc != 0 and not os.path.exists(os.path.join(rw, "f")), r.describe()
    r = host.run(["--fallback", "landlock", "--unshare-user", "--ro-bind", "/", "/", "--bind", sb.scratch, sb.scratch,
                  "--ro-bind", ro, ro, "true"])
    assert r.rc == 0, r.describe()
    assert any(f"not enforced (read-only): --ro-bind {ro}: it lies inside {sb.scratch}" in w for w in r.warnings), \
        r.describe()


def test_fallback_runs_what_it_can_enforce(sb, refuse_bin):
    """--require names a part the plan doesn't ask for: it runs."""
    host = Host(sb, refuse_bin, "userns:EPERM")
    r = host.run(["--fallback", "landlock", "--require", "net", "--unshare-user", "--ro-bind", "/", "/",
                  "echo", "ran"])
    assert r.rc == 0 and r.out == "ran\n", r.describe()


def test_without_fallback_nothing_runs(sb, refuse_bin):
    host = Host(sb, refuse_bin, "userns:EPERM")
    _, rw = dirs(sb)
    host.expect_error(["--unshare-user", "--ro-bind", "/", "/", "--bind", rw, rw, "touch", f"{rw}/ran"],
                      "can't create the namespaces")
    assert not os.path.exists(os.path.join(rw, "ran"))


def test_fallback_unused_where_namespaces_work(sb):
    """Asked for, but not needed: the full sandbox, and no word of the fallback."""
    r = sb.run(["--fallback", "landlock", "--unshare-user", "--ro-bind", "/", "/", "--tmpfs", "/tmp",
                "sh", "-c", "touch /tmp/private && ls /tmp"])
    assert r.rc == 0 and r.out == "private\n", r.describe()
    assert not any("fallback" in w for w in r.warnings), r.describe()


# ---------------------------------------------------------------- the bwrap name

@pytest.mark.parametrize("rule,text", [
    ("userns:ENOSPC", "bwrap: Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces "
                      "exceeded (ENOSPC)\n"),
    ("mounts:EPERM", "bwrap: Failed to make / slave: Operation not permitted\n"),
])
def test_bwrap_name_keeps_bwraps_words(sb, refuse_bin, rule, text):
    host = Host(sb, refuse_bin, rule)
    r = host.run(["--unshare-user", "--ro-bind", "/", "/", "true"], exe=sb.bins.bwrap_link)
    assert r.rc == 1 and r.err == text, r.describe()


def test_bwrap_name_eperm(sb, refuse_bin):
    host = Host(sb, refuse_bin, "userns:EPERM")
    r = host.run(["--unshare-user", "--ro-bind", "/", "/", "true"], exe=sb.bins.bwrap_link)
    if sb.ident.is_root:  # bwrap words this one for unprivileged callers only
        assert r.err == "bwrap: Creating new namespace failed: Operation not permitted\n", r.describe()
    else:
        assert r.err.startswith("bwrap: No permissions to creating new namespace, likely because the kernel does "
                                "not allow non-privileged user namespaces."), r.describe()
    assert r.rc == 1


# ---------------------------------------------------------------- --check on this host

def test_check_on_this_host(sb):
    t0 = time.monotonic()
    r = sb.run(["--check"])
    took = time.monotonic() - t0
    assert took < 3, f"--check took {took:.2f} s"
    lines = r.out.splitlines()
    items = lines[:-1]
    assert len(items) >= 12, r.describe()
    for l in items:
        assert l.split()[0] in ("ok", "limited", "missing"), r.describe()
    j = json.loads(sb.run(["--check=json"]).out)
    required_ok = all(i["status"] == "ok" for i in j["items"] if i["required"])
    assert j["sandbox_works"] == required_ok and (r.rc == 0) == required_ok, r.describe()
    # this suite runs where sandboxes work
    assert r.rc == 0 and lines[-1] == "the full sandbox works here", r.describe()
    titles = {i["title"] for i in j["items"]}
    for t in ("user namespaces", "mount in a user namespace", "overlayfs in a user namespace", "openat2",
              "mount_setattr", "new mount API", "Landlock", "seccomp user notification", "cgroup v2 delegation",
              "pasta", "newuidmap and subordinate ids", "time namespace", "container"):
        assert t in titles, j


def _cgroup2_controllers():
    mount = None
    for line in open("/proc/self/mountinfo"):
        if " - cgroup2 " in line:
            mount = line.split()[4]
            break
    rel = [l[3:].strip() for l in open("/proc/self/cgroup") if l.startswith("0::")]
    if not mount or not rel:
        return None
    path = mount + (os.path.dirname(rel[0]) if rel[0] != "/" else "")
    try:
        return open(os.path.join(path, "cgroup.controllers")).read().split()
    except OSError:
        return None


def test_check_cgroup_says_what_it_lacks(sb):
    have = _cgroup2_controllers()
    j = json.loads(sb.run(["--check=json"]).out)
    item = [i for i in j["items"] if i["name"] == "cgroup"][0]
    if have is None or not {"memory", "pids", "cpu"} <= set(have):
        assert item["status"] != "ok" and item["fix"], item
    if have is not None and "memory" not in have:
        assert "memory" in item["detail"], item


# ---------------------------------------------------------------- nested

def test_nested_allowed(sb):
    r = sb.run(["--unshare-user", "--unshare-pid", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                sb.cocoon, "--ro-bind", "/", "/", "--unshare-pid", "--tmpfs", "/tmp", "echo", "nested"])
    assert r.rc == 0 and r.out == "nested\n", r.describe()


@pytest.mark.parametrize("outer", [["--disable-userns"], ["--seccomp-profile", "default"]])
def test_nested_refused(sb, outer):
    # root's command keeps its capabilities, and need no user namespace
    outer = ["--unshare-user", "--cap-drop", "ALL", "--ro-bind", "/", "/", "--dev", "/dev"] + outer
    inner = [sb.cocoon, "--unshare-user", "--ro-bind", "/", "/", "true"]
    r = sb.expect_error(outer + inner, "inside a sandbox that refuses user namespaces")
    c = sb.run(outer + [sb.cocoon, "--check"])
    assert c.rc == 1 and "inside a sandbox that refuses user namespaces" in c.out, c.describe()


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("args,flag", [
    (["--fallback", "namespaces", "true"], "--fallback"),
    (["--fallback"], "--fallback"),
    (["--require", "everything", "true"], "--require"),
    (["--require", "", "true"], "--require"),
    (["--check", "true"], "--check"),
    (["--check=json", "echo", "x"], "--check=json"),
])
def test_bad_input(sb, args, flag):
    sb.expect_error(args, flag)
