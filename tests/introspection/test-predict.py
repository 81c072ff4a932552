#!/usr/bin/python3
# test-predict.py: Model.predict() from Python, on NumPy arrays, against the
# predictions real Keras made (tests/fixtures/predict, written by
# predict-fixtures.py with tf-keras 2.21 and Keras 3.15).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import unittest

import h5py
import numpy as np

from gitest import Strata, main

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'predict')


def vectors(case):
    with h5py.File(os.path.join(FIXTURES, case + '.vectors.h5'), 'r') as f:
        inputs = json.loads(f.attrs['inputs'])['inputs']
        outputs = json.loads(f.attrs['outputs'])['outputs']
        return [f['inputs'][n][()] for n in inputs], [f['predictions'][n][()] for n in outputs]


def load(case):
    ext = '.keras' if case.endswith('-k3') else '.h5'
    return Strata.load_model(os.path.join(FIXTURES, case + ext))


class PredictTests(unittest.TestCase):
    def assert_close(self, got, want):
        self.assertEqual(got.shape, want.shape)
        self.assertTrue(np.all(np.isfinite(got)))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)

    def test_one_input_one_output(self):
        xs, ys = vectors('dense_relu-tk')
        got = load('dense_relu-tk').predict(xs[0])
        self.assertIsInstance(got, np.ndarray)
        self.assert_close(got, ys[0])

    def test_several_inputs_and_outputs(self):
        xs, ys = vectors('merges-k3')
        model = load('merges-k3')
        got = model.predict(xs)
        self.assertIsInstance(got, list)
        self.assertEqual(len(got), len(ys))
        for g, w in zip(got, ys):
            self.assert_close(g, w)
        # By input name, in batches, from float64 arrays: the same.
        names = [t.get_layer().get_name() for t in model.get_inputs()]
        again = model.predict({n: x.astype(np.float64) for n, x in zip(names, xs)}, batch_size=2)
        for g, w in zip(again, ys):
            self.assert_close(g, w)

    def test_integer_inputs(self):
        xs, ys = vectors('embedding-tk')
        self.assert_close(load('embedding-tk').predict(xs[0].astype(np.int64), batch_size=1), ys[0])

    def test_wrong_shape(self):
        xs, _ = vectors('dense_relu-tk')
        with self.assertRaises(Exception) as caught:
            load('dense_relu-tk').predict(np.zeros((2, xs[0].shape[1] + 1), np.float32))
        self.assertIn('shape', str(caught.exception))

    def test_missing_named_input(self):
        with self.assertRaises(KeyError):
            load('merges-k3').predict({'nope': np.zeros((1, 4), np.float32)})


if __name__ == '__main__':
    main()
