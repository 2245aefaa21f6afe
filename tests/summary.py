#!/usr/bin/python3
"""Print one closing line counting every test case of one or more `meson test` runs.

meson counts test programs; this counts the cases inside them: TAP results of
the unit tests and the outcome of other programs (fuzz targets) from each
testlog.json, and the integration suite's cases from the JUnit report of each
run (`integration`, and `integration-no-X`, the runs under tests/enosys).
Usage: summary.py BUILD/meson-logs [BUILD2/meson-logs ...]
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def is_integration(name):
    """The suite itself, or one of its runs under a filter (integration-no-X)."""
    return name == "integration" or name.startswith("integration-")


def count(logdir, totals):
    suites = []
    with open(os.path.join(logdir, "testlog.json")) as f:
        for line in f:
            t = json.loads(line)
            name = t.get("name", "").split(" / ")[-1]
            if is_integration(name):
                suites.append(name)
                continue
            out = t.get("stdout") or ""
            tap = [l for l in out.splitlines() if l.startswith(("ok ", "not ok "))]
            for l in tap:
                if l.startswith("not ok "):
                    totals["failed"] += 1
                elif "# SKIP" in l:
                    totals["skipped"] += 1
                else:
                    totals["passed"] += 1
            ok = t.get("result") in ("OK", "EXPECTEDFAIL")
            if not tap:
                totals["passed" if ok else "skipped" if t.get("result") == "SKIP" else "failed"] += 1
            elif not ok and not any(l.startswith("not ok ") for l in tap):
                totals["failed"] += 1
    for name in suites:
        count_junit(logdir, name, totals)


def count_junit(logdir, name, totals):
    junit = os.path.join(logdir, name + ".xml")
    if not os.path.exists(junit):
        print(f"{logdir}: the {name} run left no report", file=sys.stderr)
        totals["failed"] += 1
        return
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        if "failure" in kinds or "error" in kinds:
            totals["failed"] += 1
        elif "skipped" in kinds:
            totals["skipped"] += 1
        else:
            totals["passed"] += 1


def main(logdirs):
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for d in logdirs:
        count(d, totals)
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
