#!/usr/bin/env python3
# tf-keras-weights.py: what tf-keras itself loads from the real .h5 models.
#
# For every full-model .h5/.hdf5 file (model_config at the root) under the
# given folder, loads it with tf_keras.models.load_model(compile=False), so
# that tf-keras applies its own preprocess_weights_for_loading (plus the
# Theano kernel flip of Keras 2, which tf-keras dropped: see below), and prints
# every layer's get_weights() (trainable then non-trainable, Keras's
# legacy order) in the line format of h5py-digests.py:
#   F <file> full | skip:<why>
#   G <file> <layer> <n>
#   C <file> <layer> <i> <dtype> <shape> <sha256> -
# Layers without weights are left out. The output is committed as
# tf-keras-weights.tsv and read by test-h5-corpus.c, which must not need
# TensorFlow; regenerate it with the venv of tests/setup-venv.sh:
#   tests/.venv/bin/python tests/h5/tf-keras-weights.py ../shared/fixtures/real \
#     > tests/h5/tf-keras-weights.tsv
# With --check <tsv> it compares instead (TAP; the plan "1..0 # SKIP"
# when the fixtures or the venv are missing, a failure under CI=true):
# meson runs that through tests/venv-python.sh, so that the committed file
# cannot go stale.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import contextlib
import difflib
import hashlib
import io
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from strata_testing import Tap, skip  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tf_keras  # noqa: E402


def is_full_model(path):
    with h5py.File(path, "r") as f:
        return "model_config" in f.attrs and "model_weights" in f


# Multi-backend Keras 2 (up to 2.3) flipped the kernels of these layers in
# files written by the Theano backend (conv_utils.convert_kernel: every axis
# but the last two reversed), because Theano convolves where TensorFlow
# correlates; tf-keras no longer does. Strata keeps Keras 2's conversion,
# so the expected values are tf-keras's with that flip applied.
THEANO_FLIPPED = {"Conv1D": 1, "Conv2D": 1, "Conv3D": 1, "Conv2DTranspose": 1, "ConvLSTM2D": 2}


def file_backend(path):
    # Keras 2 read original_backend from the group it loads weights from.
    with h5py.File(path, "r") as f:
        b = f["model_weights"].attrs.get("backend")
    return b.decode() if isinstance(b, bytes) else b


def convert_kernel(k):
    return np.copy(k[tuple([slice(None, None, -1)] * (k.ndim - 2) + [slice(None), slice(None)])])


def emit(rel, model, theano):
    print("F\t%s\tfull" % rel)
    for layer in model.layers:
        values = layer.get_weights()
        if not values:
            continue
        flips = THEANO_FLIPPED.get(type(layer).__name__, 0) if theano else 0
        if flips:
            print("# %s %s: Theano kernels flipped as Keras 2 did" % (rel, layer.name))
        for i in range(min(flips, len(values))):
            values[i] = convert_kernel(values[i])
        print("G\t%s\t%s\t%d" % (rel, layer.name, len(values)))
        for i, a in enumerate(values):
            a = np.ascontiguousarray(a)
            if a.dtype.byteorder == ">":
                a = a.astype(a.dtype.newbyteorder("<"))
            sha = hashlib.sha256(a.tobytes()).hexdigest()
            print("\t".join(["C", rel, layer.name, str(i), a.dtype.name, json.dumps(list(a.shape)),
                             sha, "-"]))


def dump(top):
    files = []
    for dirpath, _, names in os.walk(top):
        for n in names:
            if n.endswith((".h5", ".hdf5")) and not n.endswith("_inputs_and_outputs.h5"):
                files.append(os.path.join(dirpath, n))
    print("# tf_keras %s; regenerate with tests/h5/tf-keras-weights.py" % tf_keras.__version__)
    for path in sorted(files):
        rel = os.path.relpath(path, top)
        try:
            if not is_full_model(path):
                continue
        except Exception as e:  # test-h5-corpus names the file as a failure
            why = ("%s: %s" % (type(e).__name__, e)).replace("\t", " ").replace("\n", " ")[:200]
            print("F\t%s\tskip:h5py: %s" % (rel, why))
            continue
        try:
            model = tf_keras.models.load_model(path, compile=False)
        except Exception as e:
            why = ("%s: %s" % (type(e).__name__, e)).replace("\t", " ").replace("\n", " ")[:200]
            print("F\t%s\tskip:tf-keras: %s" % (rel, why))
            continue
        emit(rel, model, file_backend(path) == "theano")
        tf_keras.backend.clear_session()


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--check":
        committed, top = args[1], args[2]
        if not os.path.isdir(top):
            skip("the real Keras fixtures (%s) are missing" % top)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            dump(top)
        with open(committed) as f:
            old = f.read().splitlines()
        new = out.getvalue().splitlines()
        diff = list(difflib.unified_diff(old, new, committed, "tf-keras now", lineterm="", n=0))
        tap = Tap()
        tap.check(not diff, "%s matches tf_keras %s (%d lines)" % (os.path.basename(committed),
                                                                   tf_keras.__version__, len(new)),
                  "stale; regenerate it (see its script):\n" + "\n".join(diff[:40]))
        sys.exit(tap.finish())
    elif len(args) == 1:
        dump(args[0])
    else:
        sys.exit("usage: tf-keras-weights.py [--check <committed.tsv>] <fixtures/real folder>")

if __name__ == "__main__":
    main()
