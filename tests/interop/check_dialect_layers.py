#!/usr/bin/env python3
# check_dialect_layers.py: layer configs across the Keras 2 / Keras 3 divide.
#
# Run inside tests/.venv:
#   check_dialect_layers.py WRITE-CONFIG [--only NAME]
#
# Builds small models that use the layer classes whose configs differ
# between tf-keras 2.21 and Keras 3.15 (RNNs and their wrappers and cells,
# separable/depthwise/transposed convolutions, BatchNormalization,
# Embedding, SpatialDropout, random preprocessing, MultiHeadAttention...)
# with one toolkit, has Strata (WRITE-CONFIG, interop-write-config) read
# the to_json() config and write it in the other toolkit's dialect, builds
# the model from that config with the other toolkit, gives it the source
# model's weights with set_weights() (same count, order and shapes) and
# compares the predictions to 1e-5.  Prints one PASS/FAIL line per model
# and direction.  Exit status: 0 all passed, 1 a check failed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import keras_check  # noqa: E402
from strata_testing import Tap  # noqa: E402
import numpy as np  # noqa: E402



def sequence_model(K):
    L = K.layers
    x = K.Input(shape=(6,), dtype="int32", name="tokens")
    h = L.Embedding(50, 8, name="embed")(x)
    h = L.SpatialDropout1D(0.25, name="drop")(h)
    h = L.Bidirectional(L.GRU(4, return_sequences=True, name="gru"), name="bi")(h)
    # A wrapped layer that goes backwards: tf-keras derives the backward
    # layer going forwards, Keras 3 needs it written out.
    back = L.SimpleRNN(2, go_backwards=True, return_sequences=True, name="back")
    extra = {} if K.__name__ == "tf_keras" else {
        "backward_layer": L.SimpleRNN(2, return_sequences=True, name="backward_back")}
    h = L.Bidirectional(back, name="bi_back", **extra)(h)
    h = L.RNN(L.LSTMCell(3, name="cell"), return_sequences=True, name="rnn")(h)
    h = L.Conv1DTranspose(2, 3, name="up")(h)
    h = L.SeparableConv1D(3, 3, depth_multiplier=2, name="sep")(h)
    h = L.DepthwiseConv1D(3, name="dw")(h)
    h = L.SimpleRNN(3, return_sequences=True, name="simple")(h)
    h = L.LSTM(5, name="lstm")(h)
    y = L.Dense(3, name="head")(h)
    return K.Model(x, y, name="sequence")


def sequential_model(K):
    # Keras 2 Sequential without an input layer: the first layer has the
    # batch_input_shape (written in tf-keras from input_shape).
    L = K.layers
    if K.__name__ == "tf_keras":
        first = [L.Embedding(20, 4, input_length=5, input_shape=(5,), name="embed")]
    else:
        first = [K.Input(shape=(5,), dtype="int32"), L.Embedding(20, 4, name="embed")]
    return K.Sequential(first + [L.GRU(3, name="gru"), L.Dense(2, name="head")],
                        name="sequential")


def image_model(K):
    L = K.layers
    x = K.Input(shape=(8, 8, 3), name="image")
    h = L.RandomFlip("horizontal", name="flip")(x)
    h = L.BatchNormalization(name="bn")(h)
    h = L.SeparableConv2D(4, 3, padding="same", name="sep")(h)
    h = L.DepthwiseConv2D(3, name="dw")(h)
    h = L.Conv2DTranspose(2, 2, strides=2, name="up")(h)
    h = L.SpatialDropout2D(0.2, name="drop")(h)
    h = L.LayerNormalization(name="ln")(h)
    h = L.LeakyReLU(name="leaky")(h)
    h = L.GlobalAveragePooling2D(name="pool")(h)
    y = L.Dense(3, name="head")(h)
    return K.Model(x, y, name="image")


def wrapped_model(K):
    L = K.layers
    x = K.Input(shape=(5, 4), name="seq")
    h = L.TimeDistributed(L.Dense(2, name="inner"), name="td")(x)
    # tf-keras's default recurrent_activation, "hard_sigmoid", is 0.2x + 0.5
    # there and x/6 + 0.5 in Keras 3: no config means the same in both.
    h = L.ConvLSTM1D(2, 3, padding="same", recurrent_activation="sigmoid",
                     name="convlstm")(L.Reshape((5, 2, 1), name="r")(h))
    y = L.Flatten(name="flat")(h)
    return K.Model(x, y, name="wrapped")


def states_model(K):
    L = K.layers
    x = K.Input(shape=(4, 3), name="seq")
    s1 = K.Input(shape=(2,), name="h0")
    s2 = K.Input(shape=(2,), name="c0")
    h = L.LSTM(2, return_sequences=True, name="lstm")(x, initial_state=[s1, s2])
    y = L.GRU(2, name="gru")(h, initial_state=s1)
    return K.Model([x, s1, s2], y, name="states")


def attention_model(K):
    L = K.layers
    x = K.Input(shape=(5, 4), name="seq")
    h = L.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(x, x)
    y = L.Dense(2, name="head")(h)
    return K.Model(x, y, name="attention")


def attention_keywords_model(K):
    # value, key and attention_mask passed by keyword: tf-keras records
    # them as [name, node, tensor] kwargs, Keras 3 as __keras_tensor__
    # kwargs; all are inputs of the call.
    L = K.layers
    q = K.Input(shape=(5, 4), name="query")
    v = K.Input(shape=(6, 4), name="values")
    k = K.Input(shape=(6, 3), name="keys")
    m = K.Input(shape=(5, 6), dtype="bool", name="mask")
    h = L.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(q, value=v, key=k,
                                                                  attention_mask=m)
    y = L.Dense(2, name="head")(h)
    return K.Model([q, v, k, m], y, name="attention_keywords")


def states_keyword_model(K):
    # An LSTM's initial state by keyword, the states coming from layers.
    L = K.layers
    x = K.Input(shape=(4, 3), name="seq")
    c = K.Input(shape=(5,), name="context")
    h0 = L.Dense(2, name="h0")(c)
    c0 = L.Dense(2, name="c0")(c)
    y = L.LSTM(2, name="lstm")(x, initial_state=[h0, c0])
    return K.Model([x, c], y, name="states_keyword")


BOTH = (("tf_keras", "keras"), ("keras", "tf_keras"))
MODELS = {
    "sequence": (sequence_model, lambda rng: rng.integers(0, 50, size=(2, 6)).astype("int32"), BOTH),
    "sequential": (sequential_model, lambda rng: rng.integers(0, 20, size=(2, 5)).astype("int32"),
                   BOTH),
    "image": (image_model, lambda rng: rng.normal(size=(2, 8, 8, 3)).astype("float32"), BOTH),
    "wrapped": (wrapped_model, lambda rng: rng.normal(size=(2, 5, 4)).astype("float32"), BOTH),
    # tf-keras lists initial states as inputs of the call, Keras 3 passes
    # them as initial_state (a keyword tensor).
    "states": (states_model,
               lambda rng: [rng.normal(size=(2, 4, 3)).astype("float32"),
                            rng.normal(size=(2, 2)).astype("float32"),
                            rng.normal(size=(2, 2)).astype("float32")],
               BOTH),
    # tf-keras: [["seq", 0, 0, {"value": ["seq", 0, 0]}]] (a keyword tensor).
    "attention": (attention_model, lambda rng: rng.normal(size=(2, 5, 4)).astype("float32"),
                  BOTH),
    "attention_keywords": (attention_keywords_model,
                           lambda rng: [rng.normal(size=(2, 5, 4)).astype("float32"),
                                        rng.normal(size=(2, 6, 4)).astype("float32"),
                                        rng.normal(size=(2, 6, 3)).astype("float32"),
                                        rng.integers(0, 2, size=(2, 5, 6)).astype("bool")],
                           BOTH),
    "states_keyword": (states_keyword_model,
                       lambda rng: [rng.normal(size=(2, 4, 3)).astype("float32"),
                                    rng.normal(size=(2, 5)).astype("float32")],
                       BOTH),
}


def randomize(model, rng):
    """Non-trivial weights (BatchNormalization statistics included)."""
    weights = []
    for w in model.get_weights():
        r = rng.normal(scale=0.5, size=w.shape).astype(w.dtype)
        weights.append(np.abs(r) + 0.5 if w.ndim == 1 else r)
    model.set_weights(weights)


def check(name, source, target, write_config, tmp):
    """Builds @name with toolkit @source, converts its config with Strata,
    rebuilds it with @target.  Returns (ok, message)."""
    build, make_input, _ = MODELS[name]
    rng = np.random.default_rng(20261128)
    S = keras_check.import_toolkit(source)
    T = keras_check.import_toolkit(target)
    model = build(S)
    randomize(model, rng)
    inputs = make_input(rng)
    expected = np.asarray(model(inputs, training=False))

    src = os.path.join(tmp, "%s-%s.json" % (name, source))
    out = os.path.join(tmp, "%s-%s-to-%s.json" % (name, source, target))
    with open(src, "w", encoding="utf-8") as f:
        f.write(model.to_json())
    dialect = "3" if target == "keras" else "2"
    run = subprocess.run([write_config, src, out, dialect], capture_output=True, text=True,
                         timeout=120)
    if run.returncode != 0:
        return False, "Strata: %s" % (run.stderr.strip() or "exit status %d" % run.returncode)
    with open(out, encoding="utf-8") as f:
        text = f.read()
    try:
        rebuilt = T.models.model_from_json(text)
    except Exception as e:  # Keras raises anything
        return False, "%s refuses Strata's config: %s: %s" % (
            target, type(e).__name__, str(e).strip().splitlines()[-1][:400])
    # Layer by layer: a tf-keras model lists all trainable weights before
    # the non-trainable ones, Keras 3 keeps each layer's together.
    count = 0
    for layer in model.layers:
        weights = layer.get_weights()
        try:
            rebuilt.get_layer(layer.name).set_weights(weights)
        except Exception as e:
            return False, "weights of %s do not fit: %s: %s" % (
                layer.name, type(e).__name__, str(e)[:400])
        count += len(weights)
    got = np.asarray(rebuilt(inputs, training=False))
    ok, msg = keras_check.compare_predictions([got], [expected])
    if not ok:
        return False, msg
    return True, "%d weights, %s" % (count, msg)


def main():
    parser = argparse.ArgumentParser(
        description="Convert layer configs between tf-keras and Keras 3 with Strata.")
    parser.add_argument("write_config", help="the interop-write-config program")
    parser.add_argument("--only", action="append", choices=sorted(MODELS))
    args = parser.parse_args()

    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="strata-dialect-") as tmp:
        for name in args.only or MODELS:
            for source, target in MODELS[name][2]:
                try:
                    ok, msg = check(name, source, target, args.write_config, tmp)
                except Exception as e:
                    ok, msg = False, "%s: %s" % (type(e).__name__, str(e)[:400])
                tap.check(ok, "%s %s -> %s: %s" % (name, source, target, msg), msg)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
