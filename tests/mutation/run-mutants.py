#!/usr/bin/python3
# run-mutants.py: mutation check of the test suite.  Applies each bug of
# mutants.py to the source, one at a time, rebuilds, runs the tests the
# mutant names and counts it killed only when one of them fails; the
# source is restored after each mutant, on Ctrl-C and on errors (and at
# the next start, from the backup, after a hard kill).  Not run by CI.
#
# Usage: tests/mutation/run-mutants.py [--list] [NAME...]
# Environment: STRATA_MUTATION_BUILDDIR (default build-mutation in the
# source root; configured on first use).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from mutants import MUTANTS  # noqa: E402

BUILD = os.environ.get("STRATA_MUTATION_BUILDDIR", os.path.join(ROOT, "build-mutation"))
BACKUP = os.path.join(BUILD, "mutation-backup.json")


def sh(cmd, log, timeout, env=None):
    with open(log, "a") as f:
        f.write("$ %s\n" % " ".join(cmd))
        f.flush()
        return subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, timeout=timeout,
                              env=env).returncode


def restore_backup():
    """Puts back a file a previous run left mutated (killed hard)."""
    if os.path.exists(BACKUP):
        with open(BACKUP) as f:
            saved = json.load(f)
        with open(os.path.join(ROOT, saved["file"]), "w") as f:
            f.write(saved["text"])
        os.remove(BACKUP)
        print("run-mutants: restored %s from an interrupted run" % saved["file"])


class Mutated:
    """Applies a mutant for the duration of a with block."""

    def __init__(self, mutant):
        self.mutant = mutant
        self.path = os.path.join(ROOT, mutant["file"])

    def __enter__(self):
        with open(self.path) as f:
            self.text = f.read()
        n = self.text.count(self.mutant["old"])
        if n != 1:
            raise RuntimeError("%s: the text to replace occurs %d times in %s" % (
                self.mutant["name"], n, self.mutant["file"]))
        with open(BACKUP, "w") as f:
            json.dump({"file": self.mutant["file"], "text": self.text}, f)
        with open(self.path, "w") as f:
            f.write(self.text.replace(self.mutant["old"], self.mutant["new"]))
        return self

    def __exit__(self, *exc):
        with open(self.path, "w") as f:
            f.write(self.text)
        os.remove(BACKUP)
        return False


def failing_tests(builddir):
    failed = []
    path = os.path.join(builddir, "meson-logs", "testlog.json")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                if r.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
                    failed.append(r["name"])
    return failed


def run_mutant(mutant, log):
    with Mutated(mutant):
        if sh(["ninja", "-C", BUILD], log, 1200) != 0:
            return "invalid", "does not compile"
        logs = os.path.join(BUILD, "meson-logs", "testlog.json")
        if os.path.exists(logs):
            os.remove(logs)
        env = dict(os.environ)
        if mutant["legacy_cases"]:
            env["STRATA_LEGACY_CASES"] = " ".join(mutant["legacy_cases"])
        rc = sh(["meson", "test", "-C", BUILD, "--no-rebuild", "--num-processes", "2"] + mutant["tests"],
                log, 3600, env)
        failed = failing_tests(BUILD)
        if rc != 0 and not failed:
            return "invalid", "meson test failed without a failing test (exit status %d)" % rc
    return ("killed", ", ".join(failed)) if failed else ("SURVIVED", "")


def main():
    args = sys.argv[1:]
    if "--list" in args:
        for mt in MUTANTS:
            print("%-42s %-40s %s" % (mt["name"], mt["file"], mt["what"]))
        return 0
    chosen = [mt for mt in MUTANTS if not args or mt["name"] in args]
    if args and len(chosen) != len(args):
        print("run-mutants: unknown mutant in %s" % " ".join(args), file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.join(BUILD, "meson-info")):
        subprocess.run(["meson", "setup", BUILD, "-Dbuildtype=debugoptimized"], cwd=ROOT, check=True)
    restore_backup()
    log = os.path.join(BUILD, "mutation.log")
    open(log, "w").close()
    # Ctrl-C and kill end the run through KeyboardInterrupt: the with block
    # restores the source first.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    results = []
    try:
        if sh(["ninja", "-C", BUILD], log, 1800) != 0:
            print("run-mutants: the unmutated tree does not build (see %s)" % log, file=sys.stderr)
            return 2
        for mt in chosen:
            start = time.time()
            result, detail = run_mutant(mt, log)
            results.append((mt, result, detail))
            print("%-9s %-42s %5.0fs  %s" % (result, mt["name"], time.time() - start, detail), flush=True)
    except KeyboardInterrupt:
        print("run-mutants: interrupted; the source is restored", file=sys.stderr)
        return 130
    finally:
        # The build dir matches the restored source again.
        sh(["ninja", "-C", BUILD], log, 1800)
    killed = sum(1 for _, r, _ in results if r == "killed")
    print()
    print("| mutant | file | result | killed by |")
    print("|---|---|---|---|")
    for mt, result, detail in results:
        print("| %s | %s | %s | %s |" % (mt["name"], mt["file"], result, detail))
    print()
    print("run-mutants: %d of %d mutants killed (log: %s)" % (killed, len(results), log))
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
