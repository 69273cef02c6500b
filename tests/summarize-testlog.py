#!/usr/bin/env python3
"""Count the results in one or more meson testlog.json files.

A TAP test counts each of its subtests; any other test counts once. Prints one line,
"N passed, N failed" (", N skipped" when there are skips), and exits 1 when anything failed.
"""

import json
import re
import sys

PASS_RESULTS = {"OK", "EXPECTEDFAIL"}
SKIP_RESULTS = {"SKIP"}


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                test = json.loads(line)
            except json.JSONDecodeError:
                # a run cut short mid-write: count it as a failure, never as nothing
                failed += 1
                continue
            result = test.get("result", "")
            subtests = [l for l in (test.get("stdout") or "").splitlines()
                        if re.match(r"^(not )?ok\b", l)]
            if test.get("protocol") == "tap" or subtests:
                sub_pass = sub_fail = sub_skip = 0
                for l in subtests:
                    if l.startswith("not ok"):
                        if "# TODO" in l:
                            sub_pass += 1
                        else:
                            sub_fail += 1
                    elif "# SKIP" in l:
                        sub_skip += 1
                    else:
                        sub_pass += 1
                # A crash or timeout before any "not ok" still fails the test.
                if result not in PASS_RESULTS | SKIP_RESULTS and sub_fail == 0:
                    sub_fail = 1
                if not subtests and result in SKIP_RESULTS:
                    sub_skip = 1
                passed += sub_pass
                failed += sub_fail
                skipped += sub_skip
            elif result in PASS_RESULTS:
                passed += 1
            elif result in SKIP_RESULTS:
                skipped += 1
            else:
                failed += 1
    return passed, failed, skipped


def main():
    passed = failed = skipped = 0
    for path in sys.argv[1:]:
        p, f, s = count(path)
        passed += p
        failed += f
        skipped += s
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
