#!/usr/bin/env python3
# make-big-model.py: writes a synthetic Keras HDF5 model of about 1 GiB of
# weights, laid out exactly as tf-keras 2.21 model.save("x.h5") does, for
# bench/run-bench.sh.  Needs h5py and numpy (Debian's /usr/bin/python3 or
# tests/.venv).
#
# The model is a Sequential chain of Dense layers: many small layers
# (512x512) and a few big tensors (three 8192x8192, 256 MiB each).  The layer
# configs are copied from the tf-keras fixture tests/fixtures/generated/
# tf_keras/sequential_dense.config.json so the file is what tf-keras writes.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import copy
import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "tests", "fixtures", "generated", "tf_keras",
                        "sequential_dense.config.json")
ASCII = h5py.string_dtype("ascii")


def plan(small_layers, small_units, big_layers, big_units, input_units):
    """[(name, in_units, out_units)] for the chain."""
    layers = []
    units = input_units
    for i in range(small_layers):
        layers.append(("dense_%d" % i, units, small_units))
        units = small_units
    for i in range(big_layers):
        layers.append(("big_dense_%d" % i, units, big_units))
        units = big_units
    layers.append(("logits", units, 10))
    return layers


def model_config(layers, input_units, template):
    input_tpl = template["config"]["layers"][0]
    dense_tpl = template["config"]["layers"][1]
    assert input_tpl["class_name"] == "InputLayer" and dense_tpl["class_name"] == "Dense"
    entries = []
    inp = copy.deepcopy(input_tpl)
    inp["config"]["batch_input_shape"] = [None, input_units]
    inp["config"]["name"] = "input"
    entries.append(inp)
    for name, n_in, n_out in layers:
        d = copy.deepcopy(dense_tpl)
        d["config"]["name"] = name
        d["config"]["units"] = n_out
        d["config"]["activation"] = "linear" if name == "logits" else "relu"
        d["build_config"] = {"input_shape": [None, n_in]}
        entries.append(d)
    config = copy.deepcopy(template)
    config["config"] = {"name": "strata_bench", "layers": entries}
    return config


def add_size_arguments(parser):
    """The model-size and seed options (shared with make-big-savedmodel.py)."""
    parser.add_argument("out")
    parser.add_argument("--small-layers", type=int, default=240)
    parser.add_argument("--small-units", type=int, default=512)
    parser.add_argument("--big-layers", type=int, default=4)
    parser.add_argument("--big-units", type=int, default=8192)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tiled-values", action="store_true",
                        help="repeat one random block in every kernel (fast enough for tens of GiB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    add_size_arguments(parser)
    args = parser.parse_args()

    with open(TEMPLATE, encoding="utf-8") as f:
        template = json.load(f)
    input_units = args.small_units
    layers = plan(args.small_layers, args.small_units, args.big_layers,
                  args.big_units, input_units)
    config = model_config(layers, input_units, template)
    keras_version = template.get("keras_version", "2.21.0")

    rng = np.random.default_rng(args.seed)
    tmp = args.out + ".tmp"
    total = 0
    with h5py.File(tmp, "w") as f:
        f.attrs.create("backend", "tensorflow", dtype=ASCII)
        f.attrs.create("keras_version", keras_version, dtype=ASCII)
        f.attrs.create("model_config", json.dumps(config), dtype=ASCII)
        mw = f.create_group("model_weights")
        mw.attrs.create("backend", "tensorflow", dtype=ASCII)
        mw.attrs.create("keras_version", keras_version, dtype=ASCII)
        mw.attrs.create("layer_names", [n for n, _, _ in layers], dtype=ASCII)
        block = None
        for name, n_in, n_out in layers:
            g = mw.create_group(name)
            weight_names = ["%s/kernel:0" % name, "%s/bias:0" % name]
            g.attrs.create("weight_names", weight_names, dtype=ASCII)
            inner = g.create_group(name)
            # Random values in chunks of rows to bound this script's memory.
            kernel = inner.create_dataset("kernel:0", shape=(n_in, n_out), dtype="<f4")
            rows = max(1, (64 << 20) // (4 * n_out))
            for r in range(0, n_in, rows):
                n = min(rows, n_in - r)
                if args.tiled_values:
                    if block is None or block.shape != (n, n_out):
                        block = rng.standard_normal((n, n_out), dtype=np.float32) * 0.01
                    kernel[r:r + n] = block
                else:
                    kernel[r:r + n] = rng.standard_normal((n, n_out), dtype=np.float32) * 0.01
            inner.create_dataset("bias:0", data=rng.standard_normal(n_out, dtype=np.float32))
            total += 4 * (n_in * n_out + n_out)
        tl = mw.create_group("top_level_model_weights")
        tl.attrs.create("weight_names", np.zeros((0,), dtype=np.float64))
    os.replace(tmp, args.out)
    print("make-big-model: %s: %d layers, %.1f MiB of weights, %.1f MiB file" % (
        args.out, len(layers), total / 2**20, os.path.getsize(args.out) / 2**20))


if __name__ == "__main__":
    sys.exit(main())
