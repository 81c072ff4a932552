#!/usr/bin/env python3
# gen-keras-defaults.py: the defaults real Keras gives the keys a layer
# config leaves out, for test-layers (/layers/keras-defaults).  For each
# layer class below, tf-keras builds the layer from only its required
# arguments and get_config() says what every other key defaults to.
#
# Run with tests/.venv (tf-keras pinned in tests/fixtures/requirements.txt):
#   tests/.venv/bin/python tests/layers/gen-keras-defaults.py > tests/layers/keras-defaults.json
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tf_keras  # noqa: E402

L = tf_keras.layers

# class name, required arguments (also the config Strata is given)
CASES = [
    ("Dense", {"units": 3}),
    ("Conv1D", {"filters": 2, "kernel_size": 3}),
    ("Conv2D", {"filters": 2, "kernel_size": 3}),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 3}),
    ("DepthwiseConv2D", {"kernel_size": 3}),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 3}),
    ("BatchNormalization", {}),
    ("LayerNormalization", {}),
    ("SimpleRNN", {"units": 3}),
    ("LSTM", {"units": 3}),
    ("GRU", {"units": 3}),
    ("ConvLSTM2D", {"filters": 2, "kernel_size": 3}),
    ("Embedding", {"input_dim": 10, "output_dim": 4}),
    ("Dropout", {"rate": 0.5}),
    ("MaxPooling2D", {}),
    ("AveragePooling1D", {}),
    ("Flatten", {}),
    ("Concatenate", {}),
    ("Bidirectional", None),
]


def main():
    out = []
    for name, args in CASES:
        if name == "Bidirectional":
            layer = L.Bidirectional(L.LSTM(3))
            args = {"layer": {"class_name": "LSTM", "config": {"units": 3}}}
        else:
            layer = getattr(L, name)(**args)
        config = layer.get_config()
        config.pop("name", None)
        out.append({"class_name": name, "args": args, "config": config})
    json.dump({"generator": "tests/layers/gen-keras-defaults.py", "tf_keras": tf_keras.__version__,
               "layers": out}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
