# Strata.py: PyGObject overrides that give Strata the feel of the Keras API
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Everything here is a thin layer over the introspected C API: models are
# sequences of layers, paths may be str or os.PathLike, configs are dicts,
# and custom_objects is a dict of Keras names to Python (or C) layer classes.
#
# Every tensor that these methods hand to Python converts the same way
# (_from_tensor()): to a read-only NumPy array over the tensor's own bytes,
# which keeps the tensor alive; it stays a Strata.Tensor when NumPy is
# missing or cannot show it. The *_tensor(s) methods give the
# Strata.Tensor objects.

import json
import os
import sys

from gi.repository import GLib, GObject, Gio, Json

from ..module import get_introspection_module
from ..overrides import override

Strata = get_introspection_module('Strata')

__all__ = []

try:
    import numpy
except ImportError:  # NumPy is optional: weights are then Strata.Tensor objects.
    numpy = None


# -- helpers ---------------------------------------------------------------

def _to_gfile(path):
    if isinstance(path, Gio.File):
        return path
    return Gio.File.new_for_path(os.fspath(path))


def _json_object_from_dict(value):
    """A Json.Object from a dict (through JSON text, as Keras configs are)."""
    if isinstance(value, Json.Object):
        return value
    node = Json.from_string(json.dumps(value))
    return node.get_object()


def _dict_from_json_object(obj):
    if obj is None:
        return None
    node = Json.Node.alloc().init_object(obj)
    return json.loads(Json.to_string(node, False))


def _registry_for(custom_objects, registry=None):
    """A scoped child registry holding @custom_objects (Keras custom_objects)."""
    if not custom_objects:
        return registry
    parent = registry if registry is not None else Strata.Registry.get_default()
    scoped = Strata.Registry.new(parent)
    for name, cls in custom_objects.items():
        gtype = getattr(cls, '__gtype__', cls)
        scoped.register(name, gtype)
    return scoped


def _object_array(func, *args):
    """Calls @func, which returns a GPtrArray of GObjects, as a list.

    A GPtrArray annotated (transfer full) whose element free function unrefs
    its elements loses one reference per element in PyGObject (it takes
    the elements' references, then frees the array with its free function).
    Objects that the C side keeps (weights, layers) survive the call, so
    the lost reference is given back here. With the (transfer container)
    annotation nothing needs fixing.
    """
    items = list(func(*args))
    if func.get_caller_owns() == _TRANSFER_EVERYTHING:
        for item in items:
            _g_object_ref(_gpointer(item))
    return items


_TRANSFER_EVERYTHING = 2  # GI_TRANSFER_EVERYTHING


def _load_native():
    """ctypes entry points the overrides need: g_object_ref, the GObject
    pointer of a wrapper, and the address and size of a tensor's data."""
    import ctypes
    libgobject = ctypes.CDLL('libgobject-2.0.so.0')
    ref = libgobject.g_object_ref
    ref.argtypes = [ctypes.c_void_p]
    ref.restype = ctypes.c_void_p
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    get_pointer.restype = ctypes.c_void_p

    def gpointer(obj):
        return get_pointer(obj.__gpointer__, None)

    try:
        libstrata = ctypes.CDLL('libstrata-1.0.so.0')
        libglib = ctypes.CDLL('libglib-2.0.so.0')
        get_data = libstrata.strata_tensor_get_data
        get_data.argtypes = [ctypes.c_void_p]
        get_data.restype = ctypes.c_void_p
        bytes_get_data = libglib.g_bytes_get_data
        bytes_get_data.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
        bytes_get_data.restype = ctypes.c_void_p
    except (OSError, AttributeError):
        get_data = None

    def data_view(tensor):
        """A ctypes char array over the tensor's bytes (no copy), or None."""
        if get_data is None:
            return None
        gbytes = get_data(gpointer(tensor))
        if not gbytes:
            return None
        size = ctypes.c_size_t(0)
        address = bytes_get_data(gbytes, ctypes.byref(size))
        if not address or size.value == 0:
            return None
        view = (ctypes.c_char * size.value).from_address(address)
        # The tensor owns the GBytes and never changes it: keep it alive
        # for as long as the view (and the arrays made from it) live.
        view.strata_tensor = tensor
        return view

    return ref, gpointer, data_view


_g_object_ref, _gpointer, _data_view = _load_native()


# NumPy dtype names <-> Strata.DType. bfloat16 has no NumPy type.
_NUMPY_DTYPES = {
    'float16': Strata.DType.FLOAT16,
    'float32': Strata.DType.FLOAT32,
    'float64': Strata.DType.FLOAT64,
    'int8': Strata.DType.INT8,
    'int16': Strata.DType.INT16,
    'int32': Strata.DType.INT32,
    'int64': Strata.DType.INT64,
    'uint8': Strata.DType.UINT8,
    'uint16': Strata.DType.UINT16,
    'uint32': Strata.DType.UINT32,
    'uint64': Strata.DType.UINT64,
    'bool': Strata.DType.BOOL,
}
_STRATA_DTYPES = {v: k for k, v in _NUMPY_DTYPES.items()}


_DIM_UNKNOWN = -1  # STRATA_DIM_UNKNOWN (Keras None)


def _dims(dims):
    return [_DIM_UNKNOWN if d is None else int(d) for d in dims]


# -- Shape -----------------------------------------------------------------

class Shape(Strata.Shape):
    """A tensor shape; iterating gives the dimensions, None for unknown ones."""

    @staticmethod
    def new(dims):
        """Shape.new((None, 28, 28)) -> a shape; None is an unknown dimension."""
        return Strata.Shape.new(_dims(dims))

    def __len__(self):
        return self.get_rank()

    def __iter__(self):
        for axis in range(self.get_rank()):
            d = self.get_dim(axis)
            yield None if d == _DIM_UNKNOWN else d

    def __getitem__(self, axis):
        return tuple(self)[axis]

    def __eq__(self, other):
        if isinstance(other, Strata.Shape):
            return Strata.Shape.equal(self, other)
        try:
            return tuple(self) == tuple(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(tuple(self))

    def __repr__(self):
        return 'Strata.Shape(%r)' % (tuple(self),)


Shape = override(Shape)
__all__.append('Shape')


# -- Tensor ----------------------------------------------------------------

class Tensor(Strata.Tensor):
    """A weight; converts to and from NumPy arrays."""

    @classmethod
    def from_numpy(cls, array, name=None):
        """A tensor holding a copy of @array (any NumPy array of a supported dtype)."""
        if numpy is None:
            raise ImportError('Strata.Tensor.from_numpy needs NumPy')
        array = numpy.asarray(array)
        try:
            dtype = _NUMPY_DTYPES[array.dtype.name]
        except KeyError:
            raise TypeError('NumPy dtype %s has no Strata equivalent' % array.dtype) from None
        # Strata stores little-endian, C-ordered data.
        array = numpy.ascontiguousarray(array, dtype=array.dtype.newbyteorder('<'))
        shape = Strata.Shape.new(list(array.shape))
        tensor = Strata.Tensor.new(dtype, shape, GLib.Bytes.new(array.tobytes()))
        if name is not None:
            tensor.set_name(name)
        return tensor

    def to_numpy(self, writable=False):
        """The data as a NumPy array.

        The array is a read-only view of the tensor's own bytes (no copy;
        it keeps the tensor alive); pass writable=True for an independent,
        writable copy.
        """
        if numpy is None:
            raise ImportError('Strata.Tensor.to_numpy needs NumPy')
        dtype = self.get_dtype()
        try:
            np_dtype = numpy.dtype(_STRATA_DTYPES[dtype]).newbyteorder('<')
        except KeyError:
            raise TypeError('dtype %s has no NumPy equivalent' % Strata.dtype_to_string(dtype)) from None
        if not self.has_data():
            raise ValueError('tensor %r holds no data (it was loaded metadata-only)' % self.get_name())
        shape = tuple(self.get_shape())
        view = _data_view(self)
        if view is None:  # no native access: one copy through PyGObject
            view = self.get_data().get_data()
        array = numpy.frombuffer(view, dtype=np_dtype).reshape(shape)
        if writable:
            return array.copy()
        array.flags.writeable = False
        return array

    def __array__(self, dtype=None, copy=None):
        array = self.to_numpy()
        return array if dtype is None else array.astype(dtype)

    @property
    def dims(self):
        """The shape as a tuple (None for unknown dimensions)."""
        return tuple(self.get_shape())

    def __repr__(self):
        return 'Strata.Tensor(name=%r, dtype=%s, shape=%r)' % (
            self.get_name(), Strata.dtype_to_string(self.get_dtype()), self.dims)


Tensor = override(Tensor)
__all__.append('Tensor')


def _to_tensor(value, name=None):
    if isinstance(value, Strata.Tensor):
        return value
    return Tensor.from_numpy(value, name)


def _from_tensor(tensor):
    """How a tensor reaches Python: a read-only NumPy view of its bytes
    (no copy). A tensor that no array can show stays a Strata.Tensor:
    without NumPy, without data (a metadata-only load) or of a dtype that
    NumPy lacks (bfloat16)."""
    if (tensor is None or numpy is None or not tensor.has_data()
            or tensor.get_dtype() not in _STRATA_DTYPES):
        return tensor
    return Tensor.to_numpy(tensor)


# -- Layer -----------------------------------------------------------------

class Layer(Strata.Layer):
    """The base class of layers; Python subclasses override do_build() and
    do_compute_output_shapes() and declare GObject properties for their
    hyper-parameters."""

    def get_config(self):
        """The layer's config as a dict (Keras get_config())."""
        return _dict_from_json_object(Strata.Layer.get_config(self))

    def get_weights(self):
        """The weights in Keras order: read-only NumPy arrays over the
        tensors' bytes, or Strata.Tensor objects when NumPy is missing."""
        return [_from_tensor(t) for t in _object_array(Strata.Layer.get_weights, self)]

    def get_weight_tensors(self):
        """The weights in Keras order as Strata.Tensor objects."""
        return _object_array(Strata.Layer.get_weights, self)

    def get_weight(self, name):
        """The weight @name ('kernel') as get_weights() gives it, or None."""
        return _from_tensor(Strata.Layer.get_weight(self, name))

    def get_weight_tensor(self, name):
        """The weight @name ('kernel') as a Strata.Tensor, or None."""
        return Strata.Layer.get_weight(self, name)

    def get_trainable_weights(self):
        """The trainable weights, as get_weights() gives them."""
        return [_from_tensor(t) for t in _object_array(Strata.Layer.get_trainable_weights, self)]

    def get_non_trainable_weights(self):
        """The non-trainable weights, as get_weights() gives them."""
        return [_from_tensor(t) for t in _object_array(Strata.Layer.get_non_trainable_weights, self)]

    def add_weight(self, name, shape, dtype, initializer, trainable):
        """Keras add_weight(), from do_build(): creates the weight and
        returns it as get_weights() gives it. @shape may be a sequence and
        @initializer a Keras initializer (a name, a dict) or None."""
        if not isinstance(shape, Strata.Shape):
            shape = Strata.Shape.new(_dims(shape))
        if initializer is not None and not isinstance(initializer, Json.Node):
            initializer = Json.from_string(json.dumps(initializer))
        return _from_tensor(Strata.Layer.add_weight(self, name, shape, dtype, initializer,
                                                    trainable))

    def set_weights(self, weights):
        """Replaces the weights from NumPy arrays or Strata.Tensor objects."""
        Strata.Layer.set_weights(self, [_to_tensor(w) for w in weights])

    def __getattr__(self, name):
        # layer.kernel, layer.bias: the weights by short name, as in Keras,
        # converted as get_weights() converts them.
        if not name.startswith('_'):
            tensor = Strata.Layer.get_weight(self, name)
            if tensor is not None:
                return _from_tensor(tensor)
        raise AttributeError('%r object has no attribute %r' % (type(self).__name__, name))


Layer = override(Layer)
__all__.append('Layer')


# -- Model -----------------------------------------------------------------

def _save_options(overwrite=True, include_optimizer=True, format=None, dialect=None,
                  progress=None):
    options = Strata.SaveOptions.new()
    options.set_overwrite(bool(overwrite))
    options.set_include_optimizer(bool(include_optimizer))
    if format is not None:
        options.set_format(format)
    if dialect is not None:
        options.set_dialect(dialect)
    if progress is not None:
        options.set_progress_func(progress)
    return options


def _load_options(custom_objects=None, compile=True, registry=None, format=None,
                  allow_unknown=False, metadata_only=False, strict=False,
                  by_name=False, skip_mismatch=False, progress=None):
    options = Strata.LoadOptions.new()
    scoped = _registry_for(custom_objects, registry)
    if scoped is not None:
        options.set_registry(scoped)
    options.set_compile(bool(compile))
    flags = Strata.LoadFlags.NONE
    if allow_unknown:
        flags |= Strata.LoadFlags.ALLOW_UNKNOWN
    if metadata_only:
        flags |= Strata.LoadFlags.METADATA_ONLY
    if strict:
        flags |= Strata.LoadFlags.STRICT
    options.set_flags(flags)
    if format is not None:
        options.set_format(format)
    options.set_by_name(bool(by_name))
    options.set_skip_mismatch(bool(skip_mismatch))
    if progress is not None:
        options.set_progress_func(progress)
    return options


class Model(Strata.Model):
    """A Keras model: a sequence of layers that can be saved and loaded."""

    def __len__(self):
        return self.get_n_layers()

    def __iter__(self):
        for i in range(self.get_n_layers()):
            yield self.get_layer_at(i)

    def __getitem__(self, key):
        if isinstance(key, str):
            layer = self.get_layer(key)
            if layer is None:
                raise KeyError(key)
            return layer
        n = self.get_n_layers()
        index = key + n if key < 0 else key
        if index < 0 or index >= n:
            raise IndexError('layer index %d out of range (%d layers)' % (key, n))
        return self.get_layer_at(index)

    def __contains__(self, name):
        return isinstance(name, str) and self.get_layer(name) is not None

    @property
    def layers(self):
        return list(self)

    def get_inputs(self):
        """The model's input Strata.KerasTensor objects."""
        return _object_array(Strata.Model.get_inputs, self)

    def get_outputs(self):
        """The model's output Strata.KerasTensor objects."""
        return _object_array(Strata.Model.get_outputs, self)

    def save(self, path, overwrite=True, include_optimizer=True, format=None,
             dialect=None, progress=None, cancellable=None):
        """Keras model.save(): writes the model; the format comes from
        @format, else from the file name's extension."""
        options = _save_options(overwrite, include_optimizer, format, dialect, progress)
        return Strata.Model.save(self, _to_gfile(path), options, cancellable)

    def save_async(self, path, callback, *user_data, overwrite=True,
                   include_optimizer=True, format=None, dialect=None,
                   progress=None, cancellable=None,
                   io_priority=GLib.PRIORITY_DEFAULT):
        """Saves in a worker thread; @callback(model, result, *user_data)
        runs in the main context and calls model.save_finish(result)."""
        options = _save_options(overwrite, include_optimizer, format, dialect, progress)
        Strata.Model.save_async(self, _to_gfile(path), options, io_priority,
                                cancellable, callback, *user_data)

    def save_weights(self, path, overwrite=True, format=None, cancellable=None):
        """Keras model.save_weights()."""
        options = _save_options(overwrite, True, format)
        return Strata.Model.save_weights(self, _to_gfile(path), options, cancellable)

    def load_weights(self, path, by_name=False, skip_mismatch=False, format=None,
                     cancellable=None):
        """Keras model.load_weights(); returns the Strata.WeightsReport."""
        options = _load_options(format=format, by_name=by_name, skip_mismatch=skip_mismatch)
        return Strata.Model.load_weights(self, _to_gfile(path), options, cancellable)

    def save_weights_async(self, path, callback, *user_data, overwrite=True, format=None,
                           progress=None, cancellable=None,
                           io_priority=GLib.PRIORITY_DEFAULT):
        """save_weights() in a worker thread; @callback calls
        model.save_weights_finish(result)."""
        options = _save_options(overwrite, True, format, progress=progress)
        Strata.Model.save_weights_async(self, _to_gfile(path), options, io_priority,
                                        cancellable, callback, *user_data)

    def load_weights_async(self, path, callback, *user_data, by_name=False,
                           skip_mismatch=False, format=None, progress=None,
                           cancellable=None, io_priority=GLib.PRIORITY_DEFAULT):
        """load_weights() in a worker thread; @callback calls
        model.load_weights_finish(result), which returns the report."""
        options = _load_options(format=format, by_name=by_name,
                                skip_mismatch=skip_mismatch, progress=progress)
        Strata.Model.load_weights_async(self, _to_gfile(path), options, io_priority,
                                        cancellable, callback, *user_data)

    def to_json(self, dialect=Strata.KerasDialect.AUTO, pretty=False):
        """Keras model.to_json()."""
        return Strata.Model.to_json(self, dialect, pretty)

    def get_config(self):
        """The model's config as a dict (Keras model.get_config())."""
        obj = Strata.Model.to_config_object(self, Strata.KerasDialect.AUTO)
        return _dict_from_json_object(obj)

    def summary(self, print_fn=None):
        """Prints the summary table (Keras model.summary()); returns it."""
        text = Strata.Model.summary(self)
        (print_fn or print)(text)
        return text

    def count_params(self):
        total, _trainable, _non_trainable = Strata.Model.count_params(self)
        return total

    def predict(self, x, batch_size=None, verbose=0, cancellable=None):
        """Runs the model (Keras model.predict()). @x is a NumPy array (or
        anything numpy.asarray() takes), a list of them for several inputs
        in the model's input order, or a dict by input name; returns an
        array, or a list of arrays for several outputs, in the model's
        output order. @batch_size rows run at a time (all at once when
        None); @verbose is accepted for Keras's sake and ignored."""
        if numpy is None:
            raise ImportError('Strata.Model.predict needs NumPy')
        if isinstance(x, dict):
            names = [t.get_layer().get_name() for t in Strata.Model.get_inputs(self)]
            missing = [n for n in names if n not in x]
            if missing:
                raise KeyError('no array for the model input(s) %s' % ', '.join(missing))
            x = [x[n] for n in names]
        arrays = [numpy.asarray(a) for a in (x if isinstance(x, (list, tuple)) else [x])]
        rows = arrays[0].shape[0] if arrays and arrays[0].ndim > 0 else 0
        step = batch_size if batch_size and batch_size < rows else max(rows, 1)
        parts = []
        for start in range(0, max(rows, 1), step):
            tensors = [Tensor.from_numpy(a[start:start + step] if a.ndim > 0 else a) for a in arrays]
            outputs = Strata.Model.predict(self, tensors, cancellable)
            parts.append([t.to_numpy() for t in outputs])
        results = parts[0] if len(parts) == 1 else [numpy.concatenate(p) for p in zip(*parts)]
        return results[0] if len(results) == 1 else list(results)


Model = override(Model)
__all__.append('Model')


class Sequential(Strata.Sequential):
    """A linear stack of layers (Keras Sequential)."""

    def __init__(self, layers=None, name=None, **kwargs):
        Strata.Sequential.__init__(self, **kwargs)
        if name is not None:
            self.set_name(name)
        for layer in layers or ():
            self.add(layer)


Sequential = override(Sequential)
__all__.append('Sequential')


class Optimizer(Strata.Optimizer):
    """A compiled model's optimizer: its class, config and state."""

    def get_weights(self):
        """The state in stored order, as Layer.get_weights() gives weights."""
        return [_from_tensor(t) for t in Strata.Optimizer.get_weights(self)]

    def get_weight_tensors(self):
        """The state in stored order as Strata.Tensor objects."""
        return list(Strata.Optimizer.get_weights(self))

    def add_weight(self, weight, name=None):
        """Appends @weight (a Strata.Tensor, or a NumPy array named @name)."""
        Strata.Optimizer.add_weight(self, _to_tensor(weight, name))


Optimizer = override(Optimizer)
__all__.append('Optimizer')


class Registry(Strata.Registry):
    def register(self, name, cls):
        """Registers @cls (a Strata.Layer subclass or a GType) under @name."""
        return Strata.Registry.register(self, name, getattr(cls, '__gtype__', cls))

    def create_layer(self, class_name, config=None, flags=Strata.LoadFlags.NONE):
        """A layer from a Keras entry: create_layer('Dense', {'units': 4}) or
        create_layer({'class_name': 'Dense', 'config': {...}})."""
        if isinstance(class_name, dict):
            entry = class_name
        else:
            entry = {'class_name': class_name, 'config': dict(config or {})}
        return Strata.Registry.create_layer(self, _json_object_from_dict(entry), flags)


Registry = override(Registry)
__all__.append('Registry')


# -- module-level functions (keras.models.*) -------------------------------

def load_model(path, custom_objects=None, compile=True, format=None,
               allow_unknown=False, metadata_only=False, strict=False,
               registry=None, progress=None, cancellable=None):
    """Keras load_model(): @custom_objects maps Keras names to layer classes
    and is only seen by this load (a scoped registry)."""
    options = _load_options(custom_objects, compile, registry, format,
                            allow_unknown, metadata_only, strict, progress=progress)
    return Strata.load_model(_to_gfile(path), options, cancellable)


__all__.append('load_model')


def load_model_async(path, callback, *user_data, custom_objects=None, compile=True,
                     format=None, allow_unknown=False, metadata_only=False,
                     strict=False, registry=None, progress=None, cancellable=None,
                     io_priority=GLib.PRIORITY_DEFAULT):
    """Loads in a worker thread; @callback(None, result, *user_data) runs in
    the main context and calls Strata.load_model_finish(result)."""
    options = _load_options(custom_objects, compile, registry, format,
                            allow_unknown, metadata_only, strict, progress=progress)
    Strata.load_model_async(_to_gfile(path), options, io_priority, cancellable,
                            callback, *user_data)


__all__.append('load_model_async')


def save_model(model, path, overwrite=True, include_optimizer=True, format=None,
               cancellable=None):
    """Keras save_model(model, path, ...)."""
    return Model.save(model, path, overwrite=overwrite,
                      include_optimizer=include_optimizer, format=format,
                      cancellable=cancellable)


__all__.append('save_model')


def model_from_json(json_string, custom_objects=None, allow_unknown=False):
    """Keras model_from_json(): an uncompiled model from to_json() output."""
    flags = Strata.LoadFlags.ALLOW_UNKNOWN if allow_unknown else Strata.LoadFlags.NONE
    if isinstance(json_string, (bytes, bytearray)):
        json_string = json_string.decode('utf-8')
    return Strata.Model.from_json(json_string, -1, _registry_for(custom_objects), flags)


__all__.append('model_from_json')


def model_from_config(config, custom_objects=None, allow_unknown=False):
    """Keras model_from_config(): @config is a dict {class_name, config}."""
    if not isinstance(config, (dict, Json.Object)):
        raise TypeError('model_from_config expects a dict, not %s' % type(config).__name__)
    flags = Strata.LoadFlags.ALLOW_UNKNOWN if allow_unknown else Strata.LoadFlags.NONE
    return Strata.Model.from_config(_json_object_from_dict(config),
                                    _registry_for(custom_objects), flags)


__all__.append('model_from_config')


def clone_model(model, clone_function=None):
    """Keras clone_model(): new layers and new weights; @clone_function(layer)
    may return a replacement layer or None for the default copy."""
    if clone_function is None:
        return Strata.Model.clone(model, None)
    return Strata.Model.clone(model, clone_function)


__all__.append('clone_model')


def layer(class_name, custom_objects=None, **config):
    """A built-in (or custom) layer by Keras class name:
    Strata.layer('Dense', units=4, activation='relu')."""
    registry = _registry_for(custom_objects) or Strata.Registry.get_default()
    return Registry.create_layer(registry, class_name, config)


__all__.append('layer')


def input_layer(shape, batch_size=None, dtype='float32', name=None):
    """Keras Input/InputLayer: @shape excludes the batch dimension."""
    batch_shape = Strata.Shape.new(_dims([batch_size] + list(shape)))
    return Strata.InputLayer.new(batch_shape, dtype, name)


__all__.append('input_layer')
