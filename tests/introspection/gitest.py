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

# TAP output and the CI=true rule: tests/strata_testing.py (on PYTHONPATH).
from strata_testing import unittest_main  # noqa: E402


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


def main():
    unittest_main()
