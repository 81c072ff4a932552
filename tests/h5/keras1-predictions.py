#!/usr/bin/python3
# keras1-predictions.py: checks the Keras 1 -> Keras 2 weight conversion
# that test-h5-corpus.c uses as its reference (h5py-digests.py, which the
# C conversion matches bit for bit) against predictions Keras itself made.
#
# For the dl4j Keras 1 LSTM models (TensorFlow and Theano backends), the
# per-gate weights are regrouped with convert() from h5py-digests.py and
# run through a NumPy forward pass with Keras 2 semantics (fused kernels,
# gates i, f, c, o); the result must match predictions/<output> of the
# matching *_inputs_and_outputs.h5. A wrong gate order fails by far.
#
# Usage: keras1-predictions.py <fixtures/real folder>; prints TAP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import importlib.util
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
from strata_testing import Tap, compare_close, skip  # noqa: E402

try:
    import h5py
    import numpy as np
except ImportError as e:
    skip("%s (needs python3-h5py and numpy)" % e)

spec = importlib.util.spec_from_file_location("digests", os.path.join(here, "h5py-digests.py"))
digests = importlib.util.module_from_spec(spec)
spec.loader.exec_module(digests)

CASES = [
    "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_tf_keras_1",
    "dl4j-test-resources/keras/examples/simple_lstm/simple_lstm_th_keras_1",
]


def activation(name):
    return {
        "tanh": np.tanh,
        "linear": lambda x: x,
        "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
        "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
        "relu": lambda x: np.maximum(x, 0),
    }[name]


def lstm(x, w, cfg):
    kernel, recurrent, bias = (a.astype(np.float64) for a in w)
    units = recurrent.shape[0]
    act = activation(cfg.get("activation", "tanh"))
    rec = activation(cfg.get("recurrent_activation", cfg.get("inner_activation", "hard_sigmoid")))
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        z = x[:, t, :] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = rec(f) * c + rec(i) * act(g)
        h = rec(o) * act(c)
    return h


def dense(x, w, cfg):
    y = x @ w[0].astype(np.float64)
    if len(w) > 1:
        y = y + w[1]
    return activation(cfg.get("activation", "linear"))(y)


def check(top, stem):
    with h5py.File(os.path.join(top, stem + "_model.h5"), "r") as f:
        config = json.loads(digests.decode(f.attrs["model_config"]))
        root = f["model_weights"]
        version = digests.decode(root.attrs["keras_version"]) if "keras_version" in root.attrs else "1"
        backend = digests.decode(root.attrs["backend"]) if "backend" in root.attrs else None
        layers = config["config"] if isinstance(config["config"], list) else config["config"]["layers"]
        with h5py.File(os.path.join(top, stem + "_inputs_and_outputs.h5"), "r") as io:
            x = np.asarray(io["inputs"][list(io["inputs"].keys())[0]], dtype=np.float64)
            expected = np.asarray(io["predictions"][list(io["predictions"].keys())[0]])
        for entry in layers:
            cls, cfg = entry["class_name"], entry["config"]
            if cls == "InputLayer":
                continue
            g = root[cfg["name"]]
            w = [np.asarray(g[n]) for n in digests.string_list(g, "weight_names")]
            w = digests.convert(cls, cfg, w, version, backend)
            if cls == "LSTM":
                x = lstm(x, w, cfg)
            elif cls == "Dense":
                x = dense(x, w, cfg)
            elif cls == "Dropout":
                pass
            elif cls == "Activation":
                x = activation(cfg["activation"])(x)
            else:
                raise RuntimeError("no forward pass for %s" % cls)
    return compare_close(x, expected, rtol=0.0, atol=1e-4)


def main():
    top = sys.argv[1]
    if not os.path.isdir(top):
        skip("the real Keras fixtures (%s) are missing" % top)
    tap = Tap()
    for stem in CASES:
        ok, msg = check(top, stem)
        tap.check(ok, "%s: %s" % (stem, msg), msg)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
