#!/usr/bin/python3
# test-model.py: the Keras saving API from Python through GObject Introspection
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import os
import subprocess
import sys
import unittest

from gitest import GLib, Strata, TempDirTestCase, error_is, have_format, main, mlp, numpy


def layer_summary(model):
    return [(layer.get_name(), layer.get_class_name()) for layer in model]


class SequenceTests(unittest.TestCase):
    def test_len_iter_getitem(self):
        model = mlp()
        names = [layer.get_name() for layer in model]
        self.assertEqual(len(model), model.get_n_layers())
        self.assertIn('mlp_dense_0', names)
        self.assertIn('mlp_dense_1', names)
        self.assertEqual(model[-1].get_name(), 'mlp_dense_1')
        self.assertEqual(model['mlp_dense_0'].get_name(), 'mlp_dense_0')
        self.assertIs(model[names.index('mlp_dense_0')], model['mlp_dense_0'])
        self.assertEqual(model[-1].get_class_name(), 'Dense')
        self.assertEqual(tuple(model.get_inputs()[0].get_shape()), (None, 3))
        self.assertEqual(tuple(model.get_outputs()[0].get_shape()), (None, 2))
        with self.assertRaises(KeyError):
            model['no_such_layer']
        with self.assertRaises(IndexError):
            model[len(model)]

    def test_weights_in_keras_order(self):
        model = mlp()
        # Dense(4) on 3 inputs, then Dense(2): kernel, bias, kernel, bias.
        shapes = [w.dims for w in model.get_weight_tensors()]
        self.assertEqual(shapes, [(3, 4), (4,), (4, 2), (2,)])
        self.assertEqual(model.count_params(), 3 * 4 + 4 + 4 * 2 + 2)
        self.assertEqual(model['mlp_dense_0'].get_weight_tensor('kernel').dims, (3, 4))

    @unittest.skipIf(numpy is None, 'NumPy is not installed')
    def test_set_weights_round_trip(self):
        model = mlp()
        rng = numpy.random.default_rng(7)
        new = [rng.standard_normal(w.shape).astype(numpy.float32) for w in model.get_weights()]
        model.set_weights(new)
        for got, want in zip(model.get_weights(), new):
            self.assertEqual(got.dtype, numpy.float32)
            numpy.testing.assert_array_equal(got, want)

    @unittest.skipIf(numpy is None, 'NumPy is not installed')
    def test_set_weights_mismatch_names_layer(self):
        model = mlp()
        bad = [w.copy() for w in model.get_weights()]
        bad[2] = numpy.zeros((5, 2), dtype=numpy.float32)
        with self.assertRaises(GLib.Error) as cm:
            model.set_weights(bad)
        self.assertTrue(error_is(cm.exception, 'strata-weights-error-quark',
                                 Strata.WeightsError.SHAPE), cm.exception)
        self.assertIn('mlp_dense_1', cm.exception.message)

    @unittest.skipIf(numpy is None, 'NumPy is not installed')
    def test_tensor_numpy_round_trip(self):
        for dtype in ('float32', 'float64', 'int8', 'int64', 'uint16', 'bool', 'float16'):
            array = (numpy.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
            tensor = Strata.Tensor.from_numpy(array, name='t')
            self.assertEqual(tensor.dims, (2, 3, 4))
            self.assertEqual(tensor.get_n_bytes(), array.nbytes)
            back = tensor.to_numpy()
            self.assertEqual(back.dtype, array.dtype)
            numpy.testing.assert_array_equal(back, array)
            self.assertFalse(back.flags.writeable)
            self.assertTrue(tensor.to_numpy(writable=True).flags.writeable)
        # to_numpy() is a view of the tensor's own bytes: no copy per call.
        tensor = Strata.Tensor.from_numpy(numpy.ones((64, 64), dtype=numpy.float32))
        a, b = tensor.to_numpy(), tensor.to_numpy()
        self.assertEqual(a.__array_interface__['data'][0], b.__array_interface__['data'][0])
        del tensor
        self.assertEqual(float(a.sum()), 64 * 64)  # the view keeps the tensor alive
        # Big-endian and Fortran-ordered input is stored little-endian, C order.
        array = numpy.arange(6, dtype='>i4').reshape(2, 3).T
        numpy.testing.assert_array_equal(Strata.Tensor.from_numpy(array).to_numpy(), array)
        with self.assertRaises(TypeError):
            Strata.Tensor.from_numpy(numpy.zeros(2, dtype=numpy.complex64))

    def test_sequential_constructor(self):
        model = Strata.Sequential([Strata.input_layer((3,)), Strata.layer('Dense', units=2, name='out')],
                                  name='built')
        self.assertEqual(model.get_name(), 'built')
        self.assertEqual([layer.get_name() for layer in model], ['out'])  # Keras hides InputLayer
        self.assertEqual(model.count_params(), 3 * 2 + 2)
        self.assertIsInstance(Strata.Sequential(), Strata.Model)

    def test_shape_override(self):
        shape = Strata.Shape.new((None, 28, 3))
        self.assertEqual(tuple(shape), (None, 28, 3))
        self.assertEqual(len(shape), 3)
        self.assertEqual(shape, (None, 28, 3))
        self.assertFalse(shape.is_fully_defined())


@unittest.skipIf(numpy is None, 'NumPy is not installed')
class DiffTests(unittest.TestCase):
    """StrataModelDiff, what `strata diff` prints, through introspection."""

    def test_identical_then_changed(self):
        a = mlp()
        b = mlp()
        rng = numpy.random.default_rng(3)
        values = [rng.standard_normal(w.shape).astype(numpy.float32) for w in a.get_weights()]
        a.set_weights(values)
        b.set_weights([v.copy() for v in values])
        diff = Strata.ModelDiff.new(a, b, None)
        self.assertTrue(diff.is_identical())
        self.assertEqual([d.get_name() for d in diff.get_layers()], [layer.get_name() for layer in a])

        values[2][1, 0] += 0.75
        b.set_weights(values)
        diff = Strata.ModelDiff.new(a, b, None)
        self.assertFalse(diff.is_identical())
        changed = [d for d in diff.get_layers() if d.get_status() != Strata.DiffStatus.IDENTICAL]
        self.assertEqual([d.get_name() for d in changed], ['mlp_dense_1'])
        self.assertEqual(changed[0].get_status(), Strata.DiffStatus.CHANGED)
        self.assertEqual(list(changed[0].get_changed_keys()), [])
        kernel = changed[0].get_weights()[0]
        self.assertTrue(kernel.get_same_shape())
        self.assertAlmostEqual(kernel.get_max_abs_diff(), 0.75, places=6)


class Doubler(Strata.Layer):
    """A Python layer that keeps what add_weight() returned."""

    __gtype_name__ = 'TestModelDoubler'

    def do_build(self, input_shapes):
        self.made = self.add_weight('factor', [input_shapes[0].get_dim(-1)], Strata.DType.FLOAT32,
                                    'ones', True)
        return True

    def do_compute_output_shapes(self, input_shapes):
        return list(input_shapes)


@unittest.skipIf(numpy is None, 'NumPy is not installed')
class TensorConversionTests(unittest.TestCase):
    """Every tensor reaching Python through the overrides is what
    get_weights() gives: a read-only NumPy view of the tensor's own bytes."""

    def assert_view_of(self, array, tensor):
        self.assertIsInstance(array, numpy.ndarray)
        self.assertFalse(array.flags.writeable)
        self.assertEqual(array.shape, tensor.dims)
        numpy.testing.assert_array_equal(array, tensor.to_numpy(writable=True))
        # no copy: the same memory as the tensor's own view
        self.assertTrue(numpy.shares_memory(array, tensor.to_numpy()))

    def test_layer_weights(self):
        model = mlp()
        rng = numpy.random.default_rng(3)
        model.set_weights([rng.standard_normal(w.shape).astype(numpy.float32)
                           for w in model.get_weights()])
        dense = model['mlp_dense_0']
        kernel, bias = dense.get_weight_tensor('kernel'), dense.get_weight_tensor('bias')
        self.assertIsInstance(kernel, Strata.Tensor)
        self.assert_view_of(dense.kernel, kernel)
        self.assert_view_of(dense.bias, bias)
        self.assert_view_of(dense.get_weight('kernel'), kernel)
        self.assert_view_of(dense.get_weights()[0], kernel)
        self.assert_view_of(dense.get_trainable_weights()[1], bias)
        self.assert_view_of(model.get_weights()[0], kernel)
        self.assertEqual(dense.get_non_trainable_weights(), [])
        self.assertIsNone(dense.get_weight('no_such_weight'))
        with self.assertRaises(AttributeError):
            dense.no_such_weight

    def test_non_trainable_weights(self):
        model = Strata.Sequential([Strata.input_layer((5,)), Strata.layer('BatchNormalization', name='bn')])
        bn = model['bn']
        stats = bn.get_non_trainable_weights()
        self.assertEqual([w.shape for w in stats], [(5,), (5,)])
        self.assert_view_of(stats[0], bn.get_weight_tensor('moving_mean'))
        self.assert_view_of(bn.moving_variance, bn.get_weight_tensor('moving_variance'))
        numpy.testing.assert_array_equal(bn.moving_variance, numpy.ones(5, dtype=numpy.float32))

    def test_view_keeps_the_tensor_alive(self):
        model = mlp()
        model.set_weights([numpy.full(w.shape, i + 0.5, dtype=numpy.float32)
                           for i, w in enumerate(model.get_weights())])
        kernel = model['mlp_dense_1'].kernel
        del model
        gc.collect()
        mlp()  # reuse freed memory, if it was freed
        numpy.testing.assert_array_equal(kernel, numpy.full((4, 2), 2.5, dtype=numpy.float32))
        with self.assertRaises(ValueError):
            kernel[0, 0] = 1.0

    def test_add_weight(self):
        layer = Doubler()
        self.assertTrue(layer.build([Strata.Shape.new((None, 3))]))
        self.assert_view_of(layer.made, layer.get_weight_tensor('factor'))
        numpy.testing.assert_array_equal(layer.made, numpy.ones(3, dtype=numpy.float32))

    def test_optimizer_weights(self):
        optimizer = Strata.Optimizer.new('Adam', None)
        optimizer.add_weight(numpy.arange(6, dtype=numpy.float32).reshape(2, 3), name='m')
        optimizer.add_weight(Strata.Tensor.from_numpy(numpy.array(7, dtype=numpy.int64), name='iterations'))
        tensors = optimizer.get_weight_tensors()
        self.assertEqual([t.get_name() for t in tensors], ['m', 'iterations'])
        weights = optimizer.get_weights()
        self.assert_view_of(weights[0], tensors[0])
        self.assert_view_of(weights[1], tensors[1])
        self.assertEqual(int(weights[1]), 7)
        # NumPy has no bfloat16: such a tensor stays a Strata.Tensor.
        optimizer.add_weight(Strata.Tensor.new(Strata.DType.BFLOAT16, Strata.Shape.new([2]),
                                               GLib.Bytes.new(bytes(4))))
        self.assertIsInstance(optimizer.get_weights()[2], Strata.Tensor)


class WithoutNumPyTests(unittest.TestCase):
    def test_weights_are_tensors_without_numpy(self):
        # NumPy is optional: without it weights come back as Strata.Tensor.
        code = '''
import sys
sys.modules["numpy"] = None  # makes "import numpy" fail
sys.path.insert(0, sys.argv[1])
from gitest import Strata, mlp
model = mlp()
weights = model.get_weights()
assert all(isinstance(w, Strata.Tensor) for w in weights), weights
assert [w.dims for w in weights] == [(3, 4), (4,), (4, 2), (2,)]
dense = model["mlp_dense_0"]
for w in (dense.kernel, dense.get_weight("bias"), dense.get_trainable_weights()[0]):
    assert isinstance(w, Strata.Tensor), w
try:
    weights[0].to_numpy()
except ImportError:
    print("ok")
'''
        proc = subprocess.run([sys.executable, '-c', code, os.path.dirname(os.path.abspath(__file__))],
                              capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stdout.strip()), (0, 'ok'), proc.stderr)


class RealFileTests(unittest.TestCase):
    def test_weights_survive_repeated_reads(self):
        # Weights handed out as lists must keep their references right: read
        # them many times, drop them, and the model's tensors stay valid.
        fixtures = os.environ.get('STRATA_REAL_FIXTURES', '')
        path = os.path.join(fixtures, 'dl4j-test-resources', 'elephas', 'elephas_sequential.h5')
        if not os.path.exists(path) or not have_format('h5'):
            self.skipTest('%s or the h5 format is missing' % path)
        model = Strata.load_model(path)
        first = [t.get_sha256() for t in model.get_weight_tensors()]
        for _ in range(5):
            model.get_weights()
            model.get_weight_tensors()
            gc.collect()
        self.assertEqual([t.get_sha256() for t in model.get_weight_tensors()], first)
        # A metadata-only load has names, dtypes and shapes but no data.
        light = Strata.load_model(path, metadata_only=True)
        self.assertEqual([t.dims for t in light.get_weight_tensors()],
                         [t.dims for t in model.get_weight_tensors()])
        self.assertFalse(any(t.has_data() for t in light.get_weight_tensors()))
        # Those stay Strata.Tensor objects: no array can show missing data.
        self.assertIsInstance(light[0].kernel, Strata.Tensor)
        self.assertFalse(light[0].kernel.has_data())
        self.assertEqual([w.dims for w in light.get_weights()], [t.dims for t in model.get_weight_tensors()])
        with self.assertRaises(ValueError):
            light[0].kernel.to_numpy()
        # Keras 2.2.2 wrote 3 Dense layers: 784x128, 128x128, 128x10 plus biases.
        self.assertEqual([tuple(w.shape) for w in model.get_weights()],
                         [(784, 128), (128,), (128, 128), (128,), (128, 10), (10,)])


class SaveLoadTests(TempDirTestCase):
    def assert_same_architecture(self, a, b):
        self.assertEqual(layer_summary(a), layer_summary(b))
        for la, lb in zip(a, b):
            self.assertEqual(la.get_config(), lb.get_config(), la.get_name())

    def assert_same_weights(self, a, b):
        wa, wb = a.get_weight_tensors(), b.get_weight_tensors()
        self.assertEqual(len(wa), len(wb))
        for ta, tb in zip(wa, wb):
            self.assertTrue(ta.equal(tb), '%r != %r' % (ta, tb))

    def round_trip(self, fmt, filename):
        model = mlp()
        path = self.path(filename)
        self.assertTrue(model.save(path, format=fmt))
        self.assertTrue(os.path.exists(path))
        loaded = Strata.load_model(path)
        self.assertIsInstance(loaded, Strata.Sequential)
        self.assert_same_architecture(model, loaded)
        if have_format(fmt, Strata.FormatCapabilities.HOLDS_WEIGHTS):
            self.assert_same_weights(model, loaded)
        # The temporary file of the atomic save is gone.
        self.assertEqual(os.listdir(self.tmp), [filename])
        return model, loaded

    def test_json_config(self):
        model, loaded = self.round_trip('json-config', 'model.json')
        # A second save without overwrite fails with G_IO_ERROR_EXISTS.
        with self.assertRaises(GLib.Error) as cm:
            loaded.save(self.path('model.json'), overwrite=False)
        self.assertEqual(cm.exception.domain, 'g-io-error-quark')

    def test_h5(self):
        if not have_format('h5'):
            self.skipTest('the h5 format is not built')
        self.round_trip('h5', 'model.h5')

    def test_keras_v3(self):
        if not have_format('keras-v3'):
            self.skipTest('the keras-v3 format is not built')
        self.round_trip('keras-v3', 'model.keras')

    def test_format_from_extension(self):
        model = mlp()
        model.save(self.path('by-extension.json'))
        with open(self.path('by-extension.json')) as f:
            self.assertIn('"class_name"', f.read())

    def test_unknown_format(self):
        with self.assertRaises(GLib.Error) as cm:
            mlp().save(self.path('m.json'), format='no-such-format')
        self.assertTrue(error_is(cm.exception, 'strata-format-error-quark',
                                 Strata.FormatError.UNKNOWN_FORMAT), cm.exception)
        self.assertIn('no-such-format', cm.exception.message)

    def test_to_json_model_from_json(self):
        model = mlp()
        text = model.to_json()
        again = Strata.model_from_json(text)
        self.assert_same_architecture(model, again)
        self.assertEqual(again.to_json(), text)
        from_config = Strata.model_from_config(model.get_config())
        self.assert_same_architecture(model, from_config)
        with self.assertRaises(GLib.Error) as cm:
            Strata.model_from_json('{"class_name": "Sequential", "config": ')
        self.assertTrue(error_is(cm.exception, 'strata-config-error-quark',
                                 Strata.ConfigError.INVALID), cm.exception)

    def test_clone(self):
        model = mlp()
        clone = Strata.clone_model(model)
        self.assert_same_architecture(model, clone)
        for la, lb in zip(model, clone):
            self.assertIsNot(la, lb)
        self.assertEqual([w.shape for w in model.get_weights()],
                         [w.shape for w in clone.get_weights()])

        seen = []

        def replace(layer):
            seen.append(layer.get_name())
            if layer.get_name() == 'mlp_dense_1':
                return Strata.layer('Dense', units=2, name='replaced')
            return None

        swapped = Strata.clone_model(model, replace)
        self.assertIn('mlp_dense_0', seen)
        self.assertIn('replaced', swapped)
        self.assertNotIn('mlp_dense_1', swapped)

    def test_save_weights_load_weights(self):
        fmt = 'h5' if have_format('h5', Strata.FormatCapabilities.CAN_SAVE_WEIGHTS) else None
        if fmt is None:
            self.skipTest('no built format saves weights')
        model = mlp()
        path = self.path('w.weights.h5')
        model.save_weights(path, format=fmt)
        other = mlp()
        report = other.load_weights(path, format=fmt)
        self.assertIsNotNone(report)
        self.assert_same_weights(model, other)


if __name__ == '__main__':
    main()
