# gitest.py: shared set-up of the Python binding tests
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Meson runs the tests with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
# into the build tree; STRATA_OVERRIDES_DIR names introspection/overrides of
# the source tree, which is put before the installed overrides here.

import os
import sys
import tempfile
import unittest

import gi

gi.require_version('Strata', '1.0')
gi.require_version('Json', '1.0')
import gi.overrides  # noqa: E402

_overrides = os.environ.get('STRATA_OVERRIDES_DIR')
if _overrides:
    gi.overrides.__path__.insert(0, _overrides)

from gi.repository import GLib, GObject, Gio, Json, Strata  # noqa: E402,F401

try:
    import numpy  # noqa: F401
except ImportError:
    numpy = None

SKIP = 77  # meson's "skipped" exit status


def error_is(error, domain, code):
    """Whether the GLib.Error @error is @code of @domain ('strata-format-error-quark')."""
    return error.domain == domain and error.code == int(code)


def have_format(name, capability=None):
    """Whether format @name is built and (optionally) has @capability."""
    info = Strata.formats_lookup(name)
    if info is None:
        return False
    try:
        if not info.is_available():
            return False
    except GLib.Error:
        return False
    if capability is not None and not (info.get_capabilities() & capability):
        return False
    return True


def mlp(name='mlp', units=(4, 2), input_dim=3):
    """Sequential([InputLayer((input_dim,)), Dense(u) for u in units])."""
    model = Strata.Sequential.new(name)
    model.add(Strata.input_layer((input_dim,), name=name + '_input'))
    for i, u in enumerate(units):
        model.add(Strata.layer('Dense', units=u, activation='relu' if i == 0 else 'linear',
                               name='%s_dense_%d' % (name, i)))
    return model


class TempDirTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix='strata-gi-')
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)


class TapResult(unittest.TestResult):
    """Reports each test as a TAP line (meson's protocol: 'tap'), with the
    traceback of a failure as diagnostics and the plan at the end."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.count = 0

    def _report(self, ok, test, directive='', trace=None):
        if trace:
            for line in trace.rstrip().splitlines():
                self.stream.write('# %s\n' % line)
        self.count += 1
        self.stream.write('%s %d - %s%s\n' % ('ok' if ok else 'not ok', self.count,
                                               test.id(), directive))
        self.stream.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._report(True, test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._report(False, test, trace=self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self._report(False, test, trace=self.errors[-1][1])

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            failures = self.failures if issubclass(err[0], test.failureException) else self.errors
            self._report(False, subtest, trace=failures[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._report(True, test, ' # SKIP %s' % reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._report(True, test, ' # TODO expected failure')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._report(False, test, ' # unexpected success')


def main():
    """Runs the tests of the calling module (or those named on the command
    line) and prints TAP."""
    loader = unittest.TestLoader()
    module = sys.modules['__main__']
    names = sys.argv[1:]
    suite = loader.loadTestsFromNames(names, module) if names else loader.loadTestsFromModule(module)
    result = TapResult(sys.stdout)
    suite.run(result)
    sys.stdout.write('1..%d\n' % result.count)
    sys.exit(0 if result.wasSuccessful() else 1)
