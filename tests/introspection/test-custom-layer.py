#!/usr/bin/python3
# test-custom-layer.py: a layer class written in Python, saved and loaded back
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import unittest

from gitest import GLib, GObject, Strata, TempDirTestCase, error_is, have_format, main, numpy


class Scale(Strata.Layer):
    """y = x * scale + offset, one scale per feature (a Keras custom layer)."""

    __gtype_name__ = 'MyPkgScale'

    offset = GObject.Property(type=float, default=0.0, nick='offset')
    mode = GObject.Property(type=str, default='multiply', nick='mode')
    epsilon_exponent = GObject.Property(type=int, default=-6, minimum=-30, maximum=0,
                                        nick='epsilon exponent')

    def do_build(self, input_shapes):
        features = input_shapes[0].get_dim(-1)
        self.add_weight('scale', Strata.Shape.new([features]), Strata.DType.FLOAT32,
                        None, True)
        return True

    def do_compute_output_shapes(self, input_shapes):
        return list(input_shapes)


# Written as class_name, as Keras 2 does for registered custom classes.
Scale.set_keras_name('mypkg>Scale')

CUSTOM = {'mypkg>Scale': Scale}


def model_with_scale():
    model = Strata.Sequential.new('with_scale')
    model.add(Strata.input_layer((3,), name='inp'))
    model.add(Strata.layer('Dense', units=4, name='dense'))
    scale = Scale(name='scale', offset=0.5, mode='affine', epsilon_exponent=-3)
    model.add(scale)
    return model


def saved_formats():
    """Every built format that can hold a Python layer's config."""
    formats = [('json-config', 'm.json')]
    if have_format('h5'):
        formats.append(('h5', 'm.h5'))
    if have_format('keras-v3'):
        formats.append(('keras-v3', 'm.keras'))
    return formats


class CustomLayerTests(TempDirTestCase):
    def test_build_creates_weight(self):
        model = model_with_scale()
        scale = model['scale']
        self.assertTrue(scale.is_built())
        self.assertEqual(scale.get_weight_names(), ['scale/scale:0'])
        self.assertEqual(scale.scale.shape, (4,))
        self.assertEqual(scale.get_weight_tensor('scale').dims, (4,))
        config = scale.get_config()
        self.assertEqual(config['offset'], 0.5)
        self.assertEqual(config['mode'], 'affine')
        self.assertEqual(config['epsilon_exponent'], -3)
        self.assertEqual(config['name'], 'scale')

    def test_round_trip_every_format(self):
        for fmt, filename in saved_formats():
            with self.subTest(format=fmt):
                model = model_with_scale()
                if numpy is not None:
                    model['scale'].set_weights([numpy.array([1, 2, 3, 4], dtype=numpy.float32)])
                path = self.path(filename)
                model.save(path, format=fmt)

                loaded = Strata.load_model(path, custom_objects=CUSTOM)
                scale = loaded['scale']
                self.assertIsInstance(scale, Scale)
                self.assertEqual(scale.props.offset, 0.5)
                self.assertEqual(scale.props.mode, 'affine')
                self.assertEqual(scale.props.epsilon_exponent, -3)
                self.assertEqual(scale.get_weight_names(), ['scale/scale:0'])
                if numpy is not None and have_format(fmt, Strata.FormatCapabilities.HOLDS_WEIGHTS):
                    numpy.testing.assert_array_equal(scale.get_weights()[0], [1, 2, 3, 4])
                    numpy.testing.assert_array_equal(scale.get_weights()[0],
                                                     model['scale'].get_weights()[0])

    def test_custom_objects_are_scoped(self):
        path = self.path('m.json')
        model_with_scale().save(path)
        # Without custom_objects the class is unknown and the error names it.
        with self.assertRaises(GLib.Error) as cm:
            Strata.load_model(path)
        self.assertTrue(error_is(cm.exception, 'strata-config-error-quark',
                                 Strata.ConfigError.UNKNOWN_CLASS), cm.exception)
        self.assertIn('Scale', cm.exception.message)
        # The default registry was not changed by the scoped load.
        Strata.load_model(path, custom_objects=CUSTOM)
        with self.assertRaises(GLib.Error):
            Strata.load_model(path)
        # allow_unknown keeps the layer as an opaque one, config intact.
        opaque = Strata.load_model(path, allow_unknown=True)['scale']
        self.assertIsInstance(opaque, Strata.OpaqueLayer)
        self.assertFalse(opaque.holds_code())

    def test_file_names_registered_class(self):
        path = self.path('m.json')
        model_with_scale().save(path)
        with open(path) as f:
            text = f.read()
        entry = [e for e in json.loads(text)['config']['layers']
                 if e['config'].get('name') == 'scale'][0]
        self.assertEqual(entry['class_name'], 'mypkg>Scale')
        self.assertEqual(entry['config']['offset'], 0.5)


if __name__ == '__main__':
    main()
