#!/usr/bin/env python3
# check-mutants.py: every mutant of mutants.py still applies (its text occurs
# exactly once in its file) and names tests that exist, so that the
# mutation run (run-mutants.py, minutes per mutant, run by hand) cannot rot
# unnoticed while the code moves.  TAP output, one case per mutant.
#
# Usage: check-mutants.py SOURCE_ROOT BUILD_ROOT   (test names from meson-info)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutants import MUTANTS  # noqa: E402


def main():
    root, build = sys.argv[1], sys.argv[2]
    with open(os.path.join(build, "meson-info", "intro-tests.json"), encoding="utf-8") as f:
        tests = {t["name"] for t in json.load(f)}
    print("1..%d" % len(MUTANTS))
    failed = 0
    for n, m in enumerate(MUTANTS, 1):
        problems = []
        path = os.path.join(root, m["file"])
        if not os.path.exists(path):
            problems.append("%s does not exist" % m["file"])
        else:
            with open(path, encoding="utf-8") as f:
                count = f.read().count(m["old"])
            if count != 1:
                problems.append("its text occurs %d times in %s, not once" % (count, m["file"]))
        unknown = [t for t in m["tests"] if t not in tests]
        if unknown:
            problems.append("it names tests that do not exist: %s" % ", ".join(unknown))
        if problems:
            failed += 1
            print("not ok %d - %s" % (n, m["name"]))
            for p in problems:
                print("# " + p)
        else:
            print("ok %d - %s" % (n, m["name"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
