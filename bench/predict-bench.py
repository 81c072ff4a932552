#!/usr/bin/env python3
# predict-bench.py: the TensorFlow side of bench/run-bench-predict.sh.
#
#   predict-bench.py make DIR          writes the four benchmark models with
#                                      tf-keras 2.21 (DIR/NAME.h5, random weights)
#   predict-bench.py time WHO MODEL BATCH CALLS [INT_MAX]
#                                      times one way of running MODEL and
#                                      prints median_s=… rows_per_s=…
#
# WHO: tf_keras.predict (model.predict(x)), tf_keras.call (model(x,
# training=False)), keras3.predict (Keras 3.15 on TensorFlow, of the .keras
# that run-bench-predict.sh converts the model to with Strata).
# Inputs as strata-bench-predict makes them (uniform [0, 1), or integers
# below INT_MAX).  The first call (tracing) is not timed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ.pop("TF_USE_LEGACY_KERAS", None)

import numpy as np  # noqa: E402


def make(outdir):
    import tf_keras as k
    L = k.layers
    rng = np.random.default_rng(7)
    os.makedirs(outdir, exist_ok=True)
    models = {
        "mlp": k.Sequential([k.Input((784,)), L.Dense(512, activation="relu"),
                             L.Dense(512, activation="relu"), L.Dense(10, activation="softmax")]),
        "cnn": k.Sequential([k.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                             L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(), L.Flatten(),
                             L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")]),
        "lstm": k.Sequential([k.Input((80,)), L.Embedding(10000, 64), L.LSTM(128),
                              L.Dense(1, activation="sigmoid")]),
    }
    x = k.Input((32, 64))
    a = L.MultiHeadAttention(num_heads=4, key_dim=16)(x, x)
    h = L.LayerNormalization()(L.Add()([x, a]))
    f = L.Dense(64)(L.Dense(128, activation="relu")(h))
    models["mha"] = k.Model(x, L.LayerNormalization()(L.Add()([h, f])))
    for name, model in models.items():
        model.set_weights([rng.standard_normal(w.shape).astype(w.dtype) * 0.1 for w in model.get_weights()])
        model.save(os.path.join(outdir, name + ".h5"))


def inputs(model, batch, int_max):
    rng = np.random.default_rng(7)
    xs = []
    for t in model.inputs:
        shape = (batch,) + tuple(d or 1 for d in t.shape[1:])
        xs.append(rng.integers(0, int_max, shape).astype(np.float32) if int_max else
                  rng.random(shape, dtype=np.float32))
    return xs[0] if len(xs) == 1 else xs


def timed(who, path, batch, calls, int_max):
    if who.startswith("keras3"):
        import keras
        model = keras.saving.load_model(path, compile=False)
    else:
        import tf_keras
        model = tf_keras.models.load_model(path, compile=False)
    x = inputs(model, batch, int_max)
    if who.endswith(".predict"):
        run = lambda: model.predict(x, batch_size=batch, verbose=0)  # noqa: E731
    else:
        run = lambda: model(x, training=False)  # noqa: E731
    run()
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    median = sorted(times)[len(times) // 2]
    print("median_s=%.6f rows_per_s=%.1f" % (median, batch / median))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        timed(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
              int(sys.argv[6]) if len(sys.argv) > 6 else 0)
