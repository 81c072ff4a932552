#!/usr/bin/python3
# test-async.py: the async API from a GLib main loop, and cancelling a big save
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import threading
import unittest

from gitest import GLib, Gio, Strata, TempDirTestCase, have_format, main, mlp

# 7000 x 7000 float32 kernel: 196 MB of weights, so a save takes long enough
# to be cancelled in the middle.
BIG_UNITS = 7000


def weights_format():
    for fmt, name in (('h5', 'big.h5'), ('keras-v3', 'big.keras')):
        if have_format(fmt, Strata.FormatCapabilities.HOLDS_WEIGHTS):
            return fmt, name
    return None, None


def digest(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


class AsyncTests(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.loop = GLib.MainLoop()
        self.timeout_id = GLib.timeout_add_seconds(120, self._timed_out)

    def tearDown(self):
        GLib.source_remove(self.timeout_id)
        super().tearDown()

    def _timed_out(self):
        self.loop.quit()
        self.fail('the async operation never finished')

    def test_save_then_load_async(self):
        model = mlp()
        path = self.path('model.json')
        results = {}
        progress = []

        def saved(source, result):
            results['saved'] = source.save_finish(result)
            Strata.load_model_async(path, loaded)

        def loaded(_source, result):
            results['model'] = Strata.load_model_finish(result)
            self.loop.quit()

        def on_progress(fraction, stage):
            progress.append(fraction)

        model.save_async(path, saved, format='json-config', progress=on_progress)
        self.loop.run()
        self.assertTrue(results['saved'])
        self.assertEqual([layer.get_name() for layer in results['model']],
                         [layer.get_name() for layer in model])
        self.assertTrue(all(0.0 <= f <= 1.0 for f in progress), progress)
        self.assertEqual(progress, sorted(progress))

    def test_weights_async(self):
        if not have_format('h5', Strata.FormatCapabilities.CAN_SAVE_WEIGHTS):
            self.skipTest('the h5 format is not built')
        model, other = mlp(), mlp()
        path = self.path('w.h5')
        reports = []

        def saved(source, result):
            self.assertTrue(source.save_weights_finish(result))
            other.load_weights_async(path, loaded, format='h5')

        def loaded(source, result):
            reports.append(source.load_weights_finish(result))
            self.loop.quit()

        model.save_weights_async(path, saved, format='h5')
        self.loop.run()
        self.assertEqual(len(reports), 1)
        self.assertEqual(len(reports[0].get_matched()), 2)  # the two Dense layers
        for a, b in zip(model.get_weight_tensors(), other.get_weight_tensors()):
            self.assertTrue(a.equal(b))

    def test_load_async_error(self):
        path = self.path('broken.json')
        with open(path, 'w') as f:
            f.write('{"class_name": "Sequential", "config": {"layers": [')
        errors = []

        def loaded(_source, result):
            try:
                Strata.load_model_finish(result)
            except GLib.Error as e:
                errors.append(e)
            self.loop.quit()

        Strata.load_model_async(path, loaded, format='json-config')
        self.loop.run()
        self.assertEqual(len(errors), 1)
        self.assertIn('broken.json', errors[0].message)

    def test_cancel_big_save_keeps_old_file(self):
        fmt, filename = weights_format()
        if fmt is None:
            self.skipTest('no built format holds weights')
        path = self.path(filename)
        mlp().save(path, format=fmt)
        before = digest(path)

        big = Strata.Sequential.new('big')
        big.add(Strata.input_layer((BIG_UNITS,), name='inp'))
        big.add(Strata.layer('Dense', units=BIG_UNITS, use_bias=False,
                             kernel_initializer='zeros', name='huge'))
        self.assertGreater(big['huge'].get_weight_tensor('kernel').get_n_bytes(), 190_000_000)

        cancellable = Gio.Cancellable()
        seen = []
        lock = threading.Lock()

        def on_progress(fraction, stage):
            # Runs in the worker thread: cancel once the save is under way.
            with lock:
                seen.append(fraction)
            if 0.0 < fraction < 1.0:
                cancellable.cancel()

        fallback_fired = []

        def fallback():
            # A format that reports no intermediate progress is cancelled
            # by time instead.
            fallback_fired.append(True)
            cancellable.cancel()
            return GLib.SOURCE_REMOVE

        errors = []

        def done(source, result):
            try:
                source.save_finish(result)
            except GLib.Error as e:
                errors.append(e)
            self.loop.quit()

        big.save_async(path, done, format=fmt, progress=on_progress,
                       cancellable=cancellable)
        fallback_id = GLib.timeout_add(3000, fallback)
        self.loop.run()
        if not fallback_fired:
            GLib.source_remove(fallback_id)
        print('progress seen before the cancel: %r; cancelled by %s'
              % (seen, 'the timer' if fallback_fired else 'the progress callback'))
        self.assertEqual(len(errors), 1, 'the save was not cancelled (progress seen: %r)' % seen)
        # Cancelled in the middle, the save stops there: it never reports
        # that it finished writing.
        self.assertNotIn(1.0, seen, 'the save went on to the end after the cancel: %r' % seen)
        self.assertTrue(errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
                        errors[0])
        # The old file is untouched and no temporary file is left behind.
        self.assertEqual(digest(path), before)
        self.assertEqual(os.listdir(self.tmp), [filename])
        self.assertEqual(len(Strata.load_model(path)), len(mlp()))


if __name__ == '__main__':
    main()
