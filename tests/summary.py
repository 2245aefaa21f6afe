#!/usr/bin/python3
"""Print one closing line counting every test case of a `meson test` run.

meson counts test programs; this counts the cases inside them: the TAP
results of the unit tests (from testlog.json) and the integration suite's
JUnit report. Usage: summary.py BUILD/meson-logs
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def main(logdir):
    passed = failed = skipped = 0
    with open(os.path.join(logdir, "testlog.json")) as f:
        for line in f:
            t = json.loads(line)
            if t.get("name") == "integration":
                continue
            for out in (t.get("stdout") or "").splitlines():
                if out.startswith("ok "):
                    if "# SKIP" in out:
                        skipped += 1
                    else:
                        passed += 1
                elif out.startswith("not ok "):
                    failed += 1
            if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and "ok " not in (t.get("stdout") or ""):
                failed += 1
    junit = os.path.join(logdir, "integration.xml")
    if os.path.exists(junit):
        root = ET.parse(junit).getroot()
        for case in root.iter("testcase"):
            kinds = {child.tag for child in case}
            if "failure" in kinds or "error" in kinds:
                failed += 1
            elif "skipped" in kinds:
                skipped += 1
            else:
                passed += 1
    else:
        print("integration suite left no report", file=sys.stderr)
        failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
