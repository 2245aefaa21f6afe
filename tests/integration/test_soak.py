"""Soak and kill tests.

Many sandboxes one after another, then many at once, must each return the
right exit code and leave the host exactly as they found it; and a launcher
SIGKILLed at any moment of its launch must leave nothing running and nothing
mounted. The sb fixture's teardown checks the host's mount table and that no
process this suite started is left; these tests add the test process's own fd
table and the temporary directories.

COCOON_SOAK_SEQUENTIAL and COCOON_SOAK_PARALLEL change the counts (1000 and
200 by default).
"""
import os
import random
import subprocess
import time

import pytest

import harness

SEQUENTIAL = int(os.environ.get("COCOON_SOAK_SEQUENTIAL", "1000"))
PARALLEL = int(os.environ.get("COCOON_SOAK_PARALLEL", "200"))


def sandbox_args(sb, code):
    """A realistic sandbox whose command exits with code."""
    return sb.minimal + ["--dev", "/dev", "--tmpfs", "/tmp", "--unshare-all", "--die-with-parent",
                         "sh", "-c", 'exit "$1"', "sh", str(code)]


def own_fds():
    return sorted(os.listdir("/proc/self/fd"))


def test_soak_sequential_then_parallel(sb, tmp_unchanged, record_property):
    fds_before = own_fds()
    env = harness.tagged_env(None)

    t0 = time.monotonic()
    wrong = []
    for i in range(SEQUENTIAL):
        code = i % 200
        p = subprocess.run(sb.argv(sandbox_args(sb, code)), env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        if p.returncode != code:
            wrong.append((i, code, p.returncode, p.stderr[-300:]))
    sequential_s = time.monotonic() - t0
    assert not wrong, f"{len(wrong)} of {SEQUENTIAL} sandboxes returned the wrong code: {wrong[:5]}"

    t0 = time.monotonic()
    procs = [(code, subprocess.Popen(sb.argv(sandbox_args(sb, code)), env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
             for code in (i % 200 for i in range(PARALLEL))]
    for code, p in procs:
        _, err = p.communicate(timeout=120)
        if p.returncode != code:
            wrong.append((code, p.returncode, err[-300:]))
    parallel_s = time.monotonic() - t0
    assert not wrong, f"{len(wrong)} of {PARALLEL} parallel sandboxes returned the wrong code: {wrong[:5]}"

    assert own_fds() == fds_before, "the test process's fd table changed"
    record_property("soak", f"{SEQUENTIAL} sequential in {sequential_s:.1f}s "
                            f"({1000 * sequential_s / SEQUENTIAL:.1f} ms each), "
                            f"{PARALLEL} parallel in {parallel_s:.1f}s")
    print(f"\nsoak [{sb.ident.name}]: {SEQUENTIAL} sequential in {sequential_s:.1f}s, "
          f"{PARALLEL} parallel in {parallel_s:.1f}s")


@pytest.mark.parametrize("pidns", [False, True], ids=["no-pidns", "pidns"])
@pytest.mark.parametrize("die_with_parent", [False, True], ids=["plain", "die-with-parent"])
def test_sigkill_during_launch_leaves_nothing(sb, tmp_unchanged, pidns, die_with_parent):
    """SIGKILL the launcher at random moments of its launch, from the first
    instant to well after the command started. The seed is fixed so that a
    failure can be replayed."""
    rnd = random.Random(20261122 + pidns * 2 + die_with_parent)
    extra = (["--unshare-pid"] if pidns else []) + (["--die-with-parent"] if die_with_parent else [])
    # With a pid namespace the command may start children of its own: the
    # namespace dies with its pid 1. Without one, only the command itself is
    # bound to the launcher's life (see the man page), so it runs alone.
    command = ["sh", "-c", "sleep 300 & sleep 300"] if pidns else ["sleep", "300"]
    for _ in range(25):
        p = sb.popen(sb.minimal + ["--dev", "/dev", "--tmpfs", "/tmp"] + extra + command,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0, 0.03))
        p.kill()
        p.wait(timeout=30)
    # The sb fixture now checks that nothing this test started is alive and
    # that the host's mounts are as they were.
