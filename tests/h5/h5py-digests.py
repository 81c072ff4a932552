#!/usr/bin/python3
# h5py-digests.py: the reference for the h5 corpus test.
#
# For every .h5/.hdf5 file under the given folder (test vectors
# *_inputs_and_outputs.h5 excluded), prints what h5py reads, in Keras's
# weight order, as tab-separated lines:
#   F <file> <kind>                 kind: full | weights | keras3 | skip:<why>
#   T <file>                        the file has a training_config
#   G <file> <group> <n>           a layer group (layer_names order), n weights
#   D <file> <group> <i> <dtype> <shape> <sha256> <sha256 as float32>
#       the i-th dataset of weight_names of layer group <group>, as stored
#   C <file> <group> <i> <dtype> <shape> <sha256> <sha256 as float32>
#       the same after the conversions Keras 2 applies when loading
#       (preprocess_weights_for_loading: Keras 1 per-gate RNN weights,
#       Keras 1 channels_first kernels, Theano-backend kernel flips)
# SHA-256s are of the C-order little-endian bytes; float32 digests are of
# the array cast to float32 (what a float32 layer holds), "-" otherwise.
#
# Runs with Debian's /usr/bin/python3 (python3-h5py, numpy).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import json
import os
import sys

import h5py
import numpy as np


def decode(v):
    return v.decode("utf8") if hasattr(v, "decode") else str(v)


def string_list(group, name):
    # Keras load_attributes_from_hdf5_group: name, else name0, name1, ...
    if name in group.attrs:
        value = group.attrs[name]
        if getattr(value, "dtype", None) is not None and value.dtype.kind == "f":
            return []
        return [decode(x) for x in np.atleast_1d(value)]
    out, i = [], 0
    while "%s%d" % (name, i) in group.attrs:
        out += [decode(x) for x in np.atleast_1d(group.attrs["%s%d" % (name, i)])]
        i += 1
    return out


def digest(a):
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    native = hashlib.sha256(a.tobytes()).hexdigest()
    f32 = "-"
    if a.dtype.kind in "fiub" and a.dtype != np.float32:
        f32 = hashlib.sha256(a.astype("<f4").tobytes()).hexdigest()
    return native, f32


def dtype_name(a):
    if a.dtype.kind == "b":
        return "bool"
    if a.dtype.kind == "V" and a.dtype.itemsize == 2:
        return "bfloat16"
    return a.dtype.name


ALIASES = {
    "Convolution1D": "Conv1D", "AtrousConvolution1D": "Conv1D",
    "Convolution2D": "Conv2D", "AtrousConvolution2D": "Conv2D",
    "Convolution3D": "Conv3D", "Deconvolution2D": "Conv2DTranspose", "Deconv2D": "Conv2DTranspose",
}
CONV = {"Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "ConvLSTM2D"}


def layer_configs(config):
    # name -> (class_name, config) for the top-level layers of a model config.
    out = {}
    cfg = config.get("config")
    layers = cfg if isinstance(cfg, list) else (cfg or {}).get("layers", [])
    for entry in layers or []:
        if not isinstance(entry, dict):
            continue
        c = entry.get("config") or {}
        name = entry.get("name") or (c.get("name") if isinstance(c, dict) else None)
        if name:
            out[name] = (entry.get("class_name"), c if isinstance(c, dict) else {})
    return out


def convert(cls, cfg, w, version, backend):
    # Keras 2 preprocess_weights_for_loading, numpy formulas.
    cls = ALIASES.get(cls, cls)
    if cls == "Bidirectional" and len(w) % 2 == 0:
        inner = cfg.get("layer") or {}
        back = cfg.get("backward_layer") or inner
        h = len(w) // 2
        return (convert(inner.get("class_name"), inner.get("config") or {}, w[:h], version, backend) +
                convert(back.get("class_name"), back.get("config") or {}, w[h:], version, backend))
    if cls == "TimeDistributed":
        inner = cfg.get("layer") or {}
        return convert(inner.get("class_name"), inner.get("config") or {}, w, version, backend)
    cf = cfg.get("data_format") == "channels_first" or cfg.get("dim_ordering") == "th"
    if version == "1":
        if cls == "Conv1D" and w and w[0].ndim == 4:
            ks = cfg.get("kernel_size", cfg.get("filter_length"))
            ks = ks[0] if isinstance(ks, list) else ks
            nf = cfg.get("filters", cfg.get("nb_filter"))
            s = w[0].shape
            if s[:2] != (ks, 1) or s[3] != nf:
                w[0] = np.transpose(w[0], (2, 3, 1, 0))
            w[0] = w[0][:, 0, :, :]
        elif cls == "Conv2D" and cf and w:
            w[0] = np.transpose(w[0], (2, 3, 1, 0))
        elif cls == "Conv2DTranspose" and w:
            w[0] = np.transpose(w[0], (2, 3, 0, 1) if cf else (0, 1, 3, 2))
        elif cls == "Conv3D" and cf and w:
            w[0] = np.transpose(w[0], (2, 3, 4, 1, 0))
        elif cls == "GRU" and len(w) == 9:
            w = [np.concatenate([w[0], w[3], w[6]], axis=-1),
                 np.concatenate([w[1], w[4], w[7]], axis=-1),
                 np.concatenate([w[2], w[5], w[8]], axis=-1)]
        elif cls in ("LSTM", "ConvLSTM2D") and len(w) == 12:
            w = [np.concatenate([w[0], w[6], w[3], w[9]], axis=-1),
                 np.concatenate([w[1], w[7], w[4], w[10]], axis=-1),
                 np.concatenate([w[2], w[8], w[5], w[11]], axis=-1)]
            if cls == "ConvLSTM2D" and cf:
                w[0] = np.transpose(w[0], (2, 3, 1, 0))
                w[1] = np.transpose(w[1], (2, 3, 1, 0))
    if cls in CONV and w and backend == "theano":
        def flip(k):
            return k[tuple([slice(None, None, -1)] * (k.ndim - 2) + [slice(None), slice(None)])]
        w[0] = flip(w[0])
        if cls == "ConvLSTM2D":
            w[1] = flip(w[1])
    return w


def emit(tag, rel, group, values):
    for i, a in enumerate(values):
        native, f32 = digest(a)
        print("\t".join([tag, rel, group, str(i), dtype_name(a), json.dumps(list(a.shape)), native, f32]))


def process(path, rel):
    with h5py.File(path, "r") as f:
        root = f
        config = None
        if "model_config" in f.attrs:
            config = json.loads(decode(f.attrs["model_config"]))
        if config is None and "layer_names" not in f.attrs and "layer_names0" not in f.attrs:
            if "model_weights" in f:
                root = f["model_weights"]
            elif "layers" in f or "vars" in f or "_layer_checkpoint_dependencies" in f:
                print("F\t%s\tkeras3" % rel)
                return
            else:
                print("F\t%s\tskip:not a Keras file" % rel)
                return
        elif config is not None:
            root = f["model_weights"]
        version = decode(root.attrs["keras_version"]) if "keras_version" in root.attrs else "1"
        backend = decode(root.attrs["backend"]) if "backend" in root.attrs else None
        configs = layer_configs(config) if isinstance(config, dict) else {}
        print("F\t%s\t%s" % (rel, "full" if config is not None else "weights"))
        if config is not None and "training_config" in f.attrs:
            print("T\t%s" % rel)
        for name in string_list(root, "layer_names"):
            g = root[name]
            values = [np.asarray(g[wn]) for wn in string_list(g, "weight_names")]
            print("G\t%s\t%s\t%d" % (rel, name, len(values)))
            emit("D", rel, name, values)
            cls, cfg = configs.get(name, (None, {}))
            emit("C", rel, name, convert(cls, cfg, list(values), version, backend))


def main():
    top = sys.argv[1]
    files = []
    for dirpath, _, names in os.walk(top):
        for n in names:
            if n.endswith((".h5", ".hdf5")) and not n.endswith("_inputs_and_outputs.h5"):
                files.append(os.path.join(dirpath, n))
    for path in sorted(files):
        rel = os.path.relpath(path, top)
        try:
            process(path, rel)
        except Exception as e:  # the C test reports these files as unreadable by h5py
            print("F\t%s\tskip:h5py: %s" % (rel, str(e).replace("\t", " ").replace("\n", " ")))


if __name__ == "__main__":
    main()
