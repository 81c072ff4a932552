#!/usr/bin/env python3
# check_legacy_predictions.py: what Strata converts from old Keras files must
# predict what old Keras predicted.  TAP output, one line per check.
#
# For each case of tests/fixtures/legacy/generated (written by real Keras
# 1.2.2 and Keras 2.2.4, see tests/fixtures/README.md):
#   weights   Strata loads the file (for cuDNN sources: loads C.target.h5,
#             then load_weights(C.h5)) and saves its weights as HDF5;
#             real tf-keras 2.21 builds the model from the config Keras
#             2.2.4 made of it (C.reference.json "keras2_config"), loads
#             Strata's weights and predicts on the case's inputs;
#   h5        `strata convert C.h5 out.h5`; tf-keras 2.21 loads out.h5 and
#             predicts (Keras 1 files: the Keras 1 config is renamed to the
#             Keras 2 one on the way);
#   keras     `strata convert C.h5 out.keras`; Keras 3.15 loads out.keras
#             and predicts;
#   savedmodel, json (cuDNN sources)  `strata convert C.h5 out` (a
#             SavedModel folder), loaded by tf-keras 2.21; `strata convert
#             C.h5 out.json`, built by tf-keras's model_from_json with the
#             weights of Strata's out.h5.
# Keras 1 files written on Theano (k1th_*) record no backend, and no Keras
# flips their kernels unless told: they are checked through
# `strata convert --assume-backend theano` to .h5 (tf-keras) and .keras
# (Keras 3).
# h5 and keras also run for cuDNN sources, converted as they are: Strata
# saves CuDNNLSTM/CuDNNGRU as LSTM/GRU(reset_after=True).
# The predictions must match those of the Keras that wrote the file (for
# cuDNN sources, which cannot predict on a CPU, those of Keras 2.2.4 after
# its own conversion to LSTM/GRU): all finite and np.allclose both ways
# with rtol = atol = 1e-5.
#
# Usage: check_legacy_predictions.py [CASE...]   (run with tests/.venv)
# Environment: STRATA_SOURCE_ROOT, STRATA_TOOL, STRATA_INTEROP_SAVE_WEIGHTS;
# STRATA_LEGACY_CASES (space-separated cases) narrows the run like CASE...
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import subprocess
import sys
import tempfile
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)
os.environ["CUDA_VISIBLE_DEVICES"] = ""

import numpy as np  # noqa: E402

RTOL = ATOL = 1e-5

# Cases with no prediction check, and why (the C test test-h5-legacy covers
# their weights).
NOT_CHECKED = {
    "k1_convlstm2d_th": "no Keras 2 loader converts it (see test-h5-legacy); Strata refuses it too",
    "k1_merge_sequential": "Strata refuses it (see test-h5-legacy); Keras 2 has no Merge layer",
    "k1_merge": "tf-keras and Keras 3 have no Merge layer to load the weights into",
    "k1_embedding": "Keras 2.2.4 cannot rebuild the Keras 1 int32 Embedding input, so there is no "
                    "Keras 2 config to load the weights into; the conversion is the identity",
    "k2_lstm_to_cudnn": "the target is a cuDNN layer, which cannot predict on a CPU",
    "k2_gru_to_cudnn": "the target is a cuDNN layer, which cannot predict on a CPU",
    "k2_bidirectional_to_cudnn": "the target holds cuDNN layers, which cannot predict on a CPU",
    "k2_gru_v1_to_cudnn": "Keras and Strata refuse it (see test-h5-legacy)",
}


# Conversions to .keras that Strata must refuse: the layer the error names, and why.
HARD_SIGMOID = ("Keras 3's hard_sigmoid (the layer's recurrent_activation) is relu6(x + 3) / 6, "
                "Keras 2's clip(0.2 x + 0.5, 0, 1), and no Keras 3 activation computes the latter")
KERAS3_REFUSED = {
    "k1_bidirectional": ("lstm_1", HARD_SIGMOID),
    "k1_convlstm2d_tf": ("convlstm2d_1", HARD_SIGMOID),
    "k1_gru": ("gru_1", HARD_SIGMOID),
    "k1_lstm": ("lstm_1", HARD_SIGMOID),
    "k1_lstm_gpu": ("lstm_1", HARD_SIGMOID),
    "k2th_convlstm2d": ("conv_lst_m2d_1", HARD_SIGMOID),
}

# Keras 3 checks left out, and why.
CHANNELS_FIRST = ("Keras 3.15 on TensorFlow cannot convolve channels_first on a CPU, and with XLA it "
                  "computes other values from the same weights (tf-keras agrees with the writer; "
                  "so does Keras 3 on k1th_conv2d_th's weights laid out channels_last)")
KERAS3_NOT_CHECKED = {
    "k2th_conv2d_cf": CHANNELS_FIRST,
    "k1th_conv2d_th": CHANNELS_FIRST,
    "k1th_conv3d_th": CHANNELS_FIRST,
    "k1_conv2d_th": CHANNELS_FIRST,
    "k1_conv3d_th": CHANNELS_FIRST,
}


def arrays(records):
    return [np.asarray(r["values"], dtype=r["dtype"]).reshape(r["shape"]) for r in records]


def compare(want, got):
    """None when every output is finite and close both ways, else why not."""
    got = got if isinstance(got, list) else [got]
    if len(got) != len(want):
        return "%d outputs, expected %d" % (len(got), len(want))
    for i, (w, g) in enumerate(zip(want, got)):
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if w.shape != g.shape:
            return "output %d has shape %s, expected %s" % (i, g.shape, w.shape)
        if not np.all(np.isfinite(g)):
            return "output %d has non-finite values" % i
        if not np.all(np.isfinite(w)):
            return "the expected output %d has non-finite values" % i
        if not (np.allclose(g, w, rtol=RTOL, atol=ATOL) and np.allclose(w, g, rtol=RTOL, atol=ATOL)):
            return "output %d differs: max |difference| %.3g" % (i, float(np.max(np.abs(g - w))))
    return None


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, name, error, detail=None):
        self.n += 1
        if error is None:
            print("ok %d - %s%s" % (self.n, name, " (%s)" % detail if detail else ""))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in str(error).splitlines():
                print("# " + line)
        sys.stdout.flush()


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=300)
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit status %d):\n%s" % (" ".join(cmd), p.returncode, p.stdout))


def predict(model, x):
    # TensorFlow's own CPU kernels do not convolve channels_first data; XLA does.
    if "channels_first" in model.to_json():
        model.compile(jit_compile=True)
    return model.predict(x if len(x) > 1 else x[0], batch_size=len(x[0]), verbose=0)


def check_weights(case, expected, reference, data, tmp):
    import tf_keras
    out = os.path.join(tmp, case + "-strata-weights.h5")
    cmd = [os.environ["STRATA_INTEROP_SAVE_WEIGHTS"]]
    if "target" in expected:
        cmd += ["--weights-from=" + os.path.join(data, expected["file"]),
                os.path.join(data, expected["target"])]
    else:
        cmd += [os.path.join(data, expected["file"])]
    run(cmd + [out, "h5"])
    tf_keras.backend.clear_session()
    model = tf_keras.models.model_from_json(reference["keras2_config"])
    model.load_weights(out)
    return predict(model, arrays(expected["inputs"]))


def check_converted(case, expected, data, tmp, extension, options=()):
    """`strata convert [OPTIONS] C.h5 out.EXTENSION`, loaded by tf-keras (.h5,
    a SavedModel folder for "", .json with the weights of out.h5) or Keras 3
    (.keras), predicts."""
    out = check_converted_path(case, tmp, extension)
    run([os.environ["STRATA_TOOL"], "convert"] + list(options) + [os.path.join(data, expected["file"]), out])
    if extension == ".json":
        import tf_keras
        tf_keras.backend.clear_session()
        with open(out) as f:
            model = tf_keras.models.model_from_json(f.read())
        model.load_weights(check_converted_path(case, tmp, ".h5"))
        return predict(model, arrays(expected["inputs"]))
    if extension in (".h5", ""):
        import tf_keras as toolkit
        load = toolkit.models.load_model
    else:
        import keras as toolkit
        load = toolkit.saving.load_model
    toolkit.backend.clear_session()
    return predict(load(out, compile=False), arrays(expected["inputs"]))


def check_converted_path(case, tmp, extension):
    return os.path.join(tmp, case + "-strata" + extension)


def check_refused(case, expected, data, tmp, layer):
    """`strata convert C.h5 out.keras` fails naming @layer and writes nothing;
    None when it does, else why not."""
    out = os.path.join(tmp, case + "-strata.keras")
    p = subprocess.run([os.environ["STRATA_TOOL"], "convert", os.path.join(data, expected["file"]), out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=300, env=dict(os.environ, LANGUAGE="C"))
    if p.returncode == 0:
        return "strata convert wrote %s, which it was expected to refuse" % out
    if os.path.exists(out):
        return "the refused conversion left %s behind" % out
    if "\u201c%s\u201d" % layer not in p.stdout:
        return "strata convert fails, but its error does not name layer %s:\n%s" % (layer, p.stdout)
    return None


def main():
    root = os.environ["STRATA_SOURCE_ROOT"]
    data = os.path.join(root, "tests", "fixtures", "legacy", "generated")
    names = sorted(f[:-len(".expected.json")] for f in os.listdir(data) if f.endswith(".expected.json"))
    only = set(sys.argv[1:]) | set(os.environ.get("STRATA_LEGACY_CASES", "").split())
    tap = Tap()
    plan = []
    for case in names:
        if only and case not in only:
            continue
        if case in NOT_CHECKED:
            print("# %s: not checked here: %s" % (case, NOT_CHECKED[case]))
            continue
        with open(os.path.join(data, case + ".expected.json")) as f:
            expected = json.load(f)
        with open(os.path.join(data, case + ".reference.json")) as f:
            reference = json.load(f)
        if expected.get("predictions"):
            want, by = arrays(expected["predictions"]), "the writer, Keras %s/%s" % (
                expected["writer"]["keras"], expected["writer"]["backend"])
        else:
            want, by = arrays(reference["predictions"]), "Keras 2.2.4 after its own conversion"
        checks = [("weights", lambda c=case, e=expected, r=reference: check_weights(c, e, r, data, tmp))]
        theano1 = expected["writer"]["keras"].startswith("1.") and expected["writer"]["backend"] == "theano"
        if theano1:
            theano = ["--assume-backend=theano"]
            exts = [".h5"]
            if case in KERAS3_NOT_CHECKED:
                print("# %s: Keras 3 not checked: %s" % (case, KERAS3_NOT_CHECKED[case]))
            else:
                exts.append(".keras")
            checks = [(ext[1:] + " --assume-backend=theano",
                       lambda c=case, e=expected, x=ext: check_converted(c, e, data, tmp, x, theano))
                      for ext in exts]
        # A cuDNN source (CuDNNLSTM/CuDNNGRU in C.h5) is converted as it is:
        # no Keras that Strata writes for has cuDNN layers, so Strata saves
        # them as LSTM/GRU, which must predict what Keras 2.2.4 did.
        cudnn_source = any(c.startswith("cudnn-to-") for c in expected["conversions"])
        if not theano1 and ("target" not in expected or cudnn_source):
            checks += [("h5", lambda c=case, e=expected: check_converted(c, e, data, tmp, ".h5"))]
            if cudnn_source:
                # json reads the weights of the h5 check's file, just made.
                checks += [(kind, lambda c=case, e=expected, x=ext: check_converted(c, e, data, tmp, x))
                           for kind, ext in (("savedmodel", ""), ("json", ".json"))]
            if case in KERAS3_REFUSED:
                layer, why = KERAS3_REFUSED[case]
                print("# %s: Strata must refuse to write it for Keras 3: %s" % (case, why))
                checks += [("keras refused",
                            lambda c=case, e=expected, l=layer: check_refused(c, e, data, tmp, l))]
            elif case in KERAS3_NOT_CHECKED:
                print("# %s: Keras 3 not checked: %s" % (case, KERAS3_NOT_CHECKED[case]))
            else:
                checks += [("keras", lambda c=case, e=expected: check_converted(c, e, data, tmp, ".keras"))]
        for kind, fn in checks:
            plan.append((case, kind, fn, want, by))

    print("1..%d" % len(plan))
    with tempfile.TemporaryDirectory(prefix="strata-legacy-") as tmp:
        for case, kind, fn, want, by in plan:
            name = "%s %s" % (case, kind)
            try:
                error = fn() if kind == "keras refused" else compare(want, fn())
            except Exception:
                error = traceback.format_exc(limit=3)
            detail = "refused" if kind == "keras refused" else "matches %s" % by
            tap.result(name, error, detail if error is None else None)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
