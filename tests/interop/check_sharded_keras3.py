#!/usr/bin/env python3
# check_sharded_keras3.py STRATA: Strata writes Keras 3 sharded weights
# (strata convert M.keras M.weights.json --max-shard-size SIZE) of Keras
# 3.15 fixtures, and real Keras 3.15 loads them with model.load_weights():
# every variable bitwise the fixture's, several shards, and the same
# predictions. TAP on stdout.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import numpy as np  # noqa: E402
import strata_testing  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "fixtures", "generated", "keras")
# model -> shard size in bytes: several shards, a vars group split in two.
MODELS = {"sequential_dense": "520", "conv_batchnorm_nested": "600", "compiled_adam": "200B"}


def inputs_of(name):
    with open(os.path.join(FIXTURES, name + ".expected.json"), encoding="utf-8") as f:
        records = json.load(f)["inputs"]
    return [np.array(r["data"], dtype=r["dtype"]).reshape(r["shape"]) for r in records]


def check(keras, strata, name, size, tmp):
    archive = os.path.join(FIXTURES, name + ".keras")
    index = os.path.join(tmp, name + ".weights.json")
    run = subprocess.run([strata, "convert", archive, index, "--max-shard-size", size],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return "strata convert failed: " + run.stderr
    shards = sorted(f for f in os.listdir(tmp) if f.startswith(name + "_"))
    if len(shards) < 2:
        return "one shard only: %s" % shards
    reference = keras.saving.load_model(archive, compile=False)
    model = keras.saving.load_model(archive, compile=False)
    for v in model.weights:
        v.assign(np.zeros(v.shape, v.dtype))
    model.load_weights(index)
    problems = []
    for got, want in zip(model.weights, reference.weights):
        a, b = np.asarray(got.numpy()), np.asarray(want.numpy())
        if a.dtype != b.dtype or not np.array_equal(a, b):
            problems.append("%s differs" % want.path)
    if len(model.weights) != len(reference.weights) or not model.weights:
        problems.append("%d variables, expected %d" % (len(model.weights), len(reference.weights)))
    x = inputs_of(name)
    x = x[0] if len(x) == 1 else x
    got, want = model.predict(x, verbose=0), reference.predict(x, verbose=0)
    for g, w in zip(got if isinstance(got, list) else [got], want if isinstance(want, list) else [want]):
        if not np.array_equal(np.asarray(g), np.asarray(w)):
            problems.append("predictions differ")
    return "; ".join(problems) or None


def main():
    strata = sys.argv[1]
    import keras
    tap = strata_testing.Tap()
    for name, size in MODELS.items():
        with tempfile.TemporaryDirectory() as tmp:
            problem = check(keras, strata, name, size, tmp)
        if problem:
            tap.fail("Keras %s loads Strata's shards of %s" % (keras.__version__, name), problem)
        else:
            tap.ok("Keras %s loads Strata's shards of %s" % (keras.__version__, name))
    sys.exit(tap.finish())


if __name__ == "__main__":
    main()
