# strata_testing.py: how the Python tests report, in one place
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every test speaks TAP (meson protocol 'tap'): Tap prints one line per
# case and the plan; skip() ends a test that cannot run at all with the
# plan "1..0 # SKIP reason", which meson counts as skipped.  Under CI=true
# every fixture, tool, format module and the Keras venv exists, so a test
# that cannot run there has failed: skip() and Tap.skip() turn into
# failures, with the same reason.
# compare_close() is the one numeric comparison of the Python checks.
#
# Scripts outside tests/ import it after
#   sys.path.insert(0, <path of tests/>)

import os
import sys
import traceback
import unittest

def in_ci():
    """Whether the tests run under CI=true."""
    return os.environ.get("CI") == "true"


def skip(reason):
    """Ends a test that cannot run, before any TAP line: "1..0 # SKIP", or
    a failed case under CI=true."""
    reason = " ".join(str(reason).split())
    if in_ci():
        print("1..1\nnot ok 1 - CI=true, where nothing may be skipped: %s" % reason, flush=True)
        sys.exit(1)
    print("1..0 # SKIP %s" % reason, flush=True)
    sys.exit(0)


def compare_close(got, expected, rtol, atol):
    """NaN-safe, symmetric closeness of two arrays: same shape, every value
    of both finite, and |got - expected| <= atol + rtol * max(|got|, |expected|)
    everywhere.  Returns (ok, message); the message gives the worst
    difference, or what is wrong."""
    import numpy as np

    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return False, "shape %s, expected %s" % (g.shape, e.shape)
    for label, a in (("found", g), ("expected", e)):
        bad = ~np.isfinite(a)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            return False, "%d non-finite value(s) %s, the first %r at %s" % (
                int(bad.sum()), label, float(a[first]), first)
    if g.size == 0:
        return True, "no values"
    diff = np.abs(g - e)
    worst = float(diff.max())
    over = diff > atol + rtol * np.maximum(np.abs(g), np.abs(e))
    if over.any():
        return False, "%d value(s) differ beyond atol %g + rtol %g, max |difference| %.3g" % (
            int(over.sum()), atol, rtol, worst)
    return True, "max |difference| %.3g" % worst


class Tap:
    """A TAP producer on stdout: one line per case, the plan at the end."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.n = 0
        self.failed = 0

    def _line(self, status, name, diagnostics=None):
        self.n += 1
        print("%s %d - %s" % (status, self.n, name), file=self.stream)
        for line in (diagnostics or "").rstrip().splitlines():
            print("# " + line, file=self.stream)
        self.stream.flush()

    def ok(self, name):
        self._line("ok", name)

    def fail(self, name, diagnostics=None):
        self.failed += 1
        self._line("not ok", name, diagnostics)

    def check(self, passed, name, diagnostics=None):
        """ok when passed, else not ok with the diagnostics; returns passed."""
        if passed:
            self.ok(name)
        else:
            self.fail(name, diagnostics)
        return bool(passed)

    def skip(self, name, reason):
        if in_ci():
            self.fail(name, "CI=true, where nothing may be skipped: " + reason)
        else:
            self._line("ok", "%s # SKIP %s" % (name, reason))

    def finish(self):
        """Prints the plan; returns the exit status (0, or 1 on a failure)."""
        print("1..%d" % self.n, file=self.stream)
        self.stream.flush()
        return 1 if self.failed else 0


class _TapResult(unittest.TestResult):
    def __init__(self, tap):
        super().__init__()
        self.tap = tap

    @staticmethod
    def _name(test):
        return test.id().replace("__main__.", "")

    def addSuccess(self, test):
        super().addSuccess(test)
        self.tap.ok(self._name(test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.tap.fail(self._name(test), "".join(traceback.format_exception(*err)))

    def addError(self, test, err):
        super().addError(test, err)
        name = self._name(test) if isinstance(test, unittest.TestCase) else str(test)
        self.tap.fail(name, "".join(traceback.format_exception(*err)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.tap.skip(self._name(test) if isinstance(test, unittest.TestCase) else str(test),
                      reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.tap.ok(self._name(test) + " (expected failure)")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.tap.fail(self._name(test), "passed, but is marked as an expected failure")


def unittest_main():
    """Runs the unittest cases of __main__ and reports them as TAP (what
    the tests print goes to stderr).  Exits with the TAP status."""
    tap = Tap(sys.stdout)
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules["__main__"])
    stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        suite.run(_TapResult(tap))
    finally:
        sys.stdout = stdout
    if tap.n == 0:
        tap.fail("no test cases found")
    sys.exit(tap.finish())
