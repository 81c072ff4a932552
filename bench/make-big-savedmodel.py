#!/usr/bin/env python3
# make-big-savedmodel.py: writes a SavedModel folder of about 1 GiB of
# float32 weights with real tf-keras 2.21 (model.save(DIR,
# save_format="tf")), for bench/run-bench-savedmodel.sh.  Needs tests/.venv.
#
# The architecture is make-big-model.py's (a Sequential chain of Dense
# layers: many 512x512 layers and a few 8192-unit ones), with the same
# seeded random values, so the h5 and SavedModel benchmarks load the same
# model.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import importlib.util
import os
import shutil
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

HERE = os.path.dirname(os.path.abspath(__file__))


def load_h5_generator():
    spec = importlib.util.spec_from_file_location(
        "make_big_model", os.path.join(HERE, "make-big-model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    h5_generator = load_h5_generator()
    parser = argparse.ArgumentParser(description=__doc__)
    h5_generator.add_size_arguments(parser)
    args = parser.parse_args()

    import numpy as np
    import tf_keras as K

    layers = h5_generator.plan(args.small_layers, args.small_units, args.big_layers,
                                      args.big_units, args.small_units)
    model = K.Sequential(name="strata_bench")
    model.add(K.Input(shape=(args.small_units,), name="input"))
    for name, _, n_out in layers:
        model.add(K.layers.Dense(n_out, activation="linear" if name == "logits" else "relu",
                                 kernel_initializer="zeros", name=name))

    # The values make-big-model.py writes, one layer at a time.
    rng = np.random.default_rng(args.seed)
    total = 0
    for (name, n_in, n_out), layer in zip(layers, model.layers):
        kernel = np.empty((n_in, n_out), dtype=np.float32)
        rows = max(1, (64 << 20) // (4 * n_out))
        for r in range(0, n_in, rows):
            n = min(rows, n_in - r)
            kernel[r:r + n] = rng.standard_normal((n, n_out), dtype=np.float32) * 0.01
        bias = rng.standard_normal(n_out, dtype=np.float32)
        layer.set_weights([kernel, bias])
        total += kernel.nbytes + bias.nbytes
        del kernel

    tmp = args.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    t = time.monotonic()
    model.save(tmp, save_format="tf")
    save_s = time.monotonic() - t
    shutil.rmtree(args.out, ignore_errors=True)
    os.replace(tmp, args.out)
    size = sum(os.path.getsize(os.path.join(d, f))
               for d, _, names in os.walk(args.out) for f in names)
    print("make-big-savedmodel: %s: %d layers, %.1f MiB of weights, %.1f MiB folder, "
          "tf_keras save %.1f s" % (args.out, len(layers), total / 2**20, size / 2**20, save_s))


if __name__ == "__main__":
    sys.exit(main())
