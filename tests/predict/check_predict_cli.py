#!/usr/bin/env python3
# check_predict_cli.py: `strata predict MODEL INPUT.npy… -o OUT.npz` against
# predictions of real Keras, with the .npy files written and the .npz read
# by NumPy itself.  TAP output.
#
#   vectors   real test vectors: dl4j's fullconfigs cnn (input.npy and
#             predictions.npy as dl4j ships them) and the predict fixtures
#             of real tf-keras 2.21 / Keras 3.15 (tests/fixtures/predict,
#             inputs/outputs in model order), whole and with --batch-size,
#             with inputs as float32, float64, int32, int64 and big-endian
#   errors    a wrong count, shape, dtype or layout, a truncated file and a
#             missing -o each fail with an error naming the file (and the
#             model input and its shape), and leave an existing output as
#             it was
#
# Usage: check_predict_cli.py STRATA_TOOL   (Debian's python3 with numpy, h5py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["STRATA_SOURCE_ROOT"], "tests"))
from strata_testing import compare_close  # noqa: E402

RTOL = ATOL = 1e-5
ROOT = os.environ["STRATA_SOURCE_ROOT"]
REAL = os.environ["STRATA_REAL_FIXTURES"]
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "predict")

# (fixture, input dtype, batch size): multi-input and multi-output graphs,
# integer inputs, both Keras versions, one and several batches.
CASES = [
    ("merges-tk", "float32", 0),
    ("merges-k3", "float64", 2),
    ("embedding-tk", "int32", 0),
    ("embedding-k3", "int64", 1),
    ("nested_shared-tk", ">f4", 2),
    ("conv2d_same_s2-k3", "float32", 1),
    ("dense_rank3-tk", "float64", 0),
]


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def result(self, name, error, skip=None):
        self.n += 1
        if skip:
            print("ok %d - %s # SKIP %s" % (self.n, name, skip))
        elif error:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in str(error).splitlines():
                print("# " + line)
        else:
            print("ok %d - %s" % (self.n, name))
        sys.stdout.flush()


def compare(want, got):
    """None when every output of @got matches @want (NaN-safe, both ways), else why not."""
    if len(got) != len(want):
        return "%d outputs, expected %d" % (len(got), len(want))
    for i, (w, g) in enumerate(zip(want, got)):
        ok, message = compare_close(g, w, RTOL, ATOL)
        if not ok:
            return "output %d: %s" % (i, message)
    return None


def strata(tool, *args):
    return subprocess.run([tool, "predict"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=300,
                          env=dict(os.environ, LANGUAGE="C"))


def predict(tool, model, inputs, tmp, batch):
    out = os.path.join(tmp, "out.npz")
    if os.path.exists(out):
        os.unlink(out)
    args = [model] + inputs + ["-o", out] + (["--batch-size", str(batch)] if batch else [])
    p = strata(tool, *args)
    if p.returncode != 0:
        raise RuntimeError("strata predict failed (exit status %d):\n%s" % (p.returncode, p.stdout))
    with np.load(out) as z:
        names = sorted(z.keys(), key=lambda k: int(k.split("_")[1]))
        if names != ["output_%d" % i for i in range(len(names))]:
            raise RuntimeError("the archive holds %s" % names)
        return [z[k] for k in names]


def fixture_case(tool, tmp, case, dtype, batch):
    model = os.path.join(FIXTURES, case + (".keras" if case.endswith("-k3") else ".h5"))
    with h5py.File(os.path.join(FIXTURES, case + ".vectors.h5"), "r") as f:
        in_names = json.loads(f.attrs["inputs"])["inputs"] if "inputs" in f.attrs else sorted(f["inputs"])
        out_names = json.loads(f.attrs["outputs"])["outputs"] if "outputs" in f.attrs else None
        xs = [f["inputs"][n][()] for n in in_names]
        want = [f["predictions"][n][()] for n in (out_names or sorted(f["predictions"]))]
    paths = []
    for i, x in enumerate(xs):
        path = os.path.join(tmp, "x%d.npy" % i)
        np.save(path, x.astype(dtype))
        paths.append(path)
    return compare(want, predict(tool, model, paths, tmp, batch))


def dl4j_cnn(tool, tmp):
    d = os.path.join(REAL, "dl4j-test-resources", "keras", "fullconfigs", "cnn")
    want = [np.load(os.path.join(d, "predictions.npy"))]
    return compare(want, predict(tool, os.path.join(d, "cnn_batch_norm.h5"),
                                 [os.path.join(d, "input.npy")], tmp, 0))


def refused(tool, tmp, args, *words):
    """None when `strata predict ARGS` fails naming every one of @words and
    leaves the existing output untouched, else why not."""
    out = os.path.join(tmp, "kept.npz")
    with open(out, "wb") as f:
        f.write(b"old output")
    p = strata(tool, *(args + ["-o", out]))
    if p.returncode == 0:
        return "strata predict succeeded:\n" + p.stdout
    with open(out, "rb") as f:
        if f.read() != b"old output":
            return "the failed run changed the existing output"
    missing = [w for w in words if w not in p.stdout]
    if missing:
        return "the error does not name %s:\n%s" % (", ".join(missing), p.stdout)
    return None


def error_cases(tool, tmp):
    model = os.path.join(FIXTURES, "merges-tk.h5")
    with h5py.File(os.path.join(FIXTURES, "merges-tk.vectors.h5"), "r") as f:
        names = json.loads(f.attrs["inputs"])["inputs"]
        xs = [f["inputs"][n][()] for n in names]
    good = []
    for i, x in enumerate(xs):
        good.append(os.path.join(tmp, "good%d.npy" % i))
        np.save(good[-1], x)
    wide = os.path.join(tmp, "wide.npy")
    np.save(wide, np.zeros((xs[0].shape[0], xs[0].shape[1] + 1), np.float32))
    fewer_rows = os.path.join(tmp, "fewer.npy")
    np.save(fewer_rows, xs[1][:1])
    complex_ = os.path.join(tmp, "complex.npy")
    np.save(complex_, xs[0].astype(np.complex64))
    fortran = os.path.join(tmp, "fortran.npy")
    np.save(fortran, np.asfortranarray(xs[0]))
    truncated = os.path.join(tmp, "truncated.npy")
    with open(good[0], "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[:-3])
    not_npy = os.path.join(tmp, "not.npy")
    with open(not_npy, "w") as f:
        f.write("{'descr': '<f4'}")
    expected = "(None, %d)" % xs[0].shape[1]
    yield "too few inputs", refused(tool, tmp, [model] + good[:2], "takes 3 inputs", "2 .npy files")
    yield "wrong shape", refused(tool, tmp, [model, wide] + good[1:], wide, expected, "the model input")
    yield "row counts differ", refused(tool, tmp, [model, good[0], fewer_rows, good[2]], fewer_rows)
    yield "complex dtype", refused(tool, tmp, [model, complex_] + good[1:], complex_)
    yield "Fortran order", refused(tool, tmp, [model, fortran] + good[1:], fortran, "Fortran")
    yield "truncated", refused(tool, tmp, [model, truncated] + good[1:], truncated)
    yield "not an .npy file", refused(tool, tmp, [model, not_npy] + good[1:], not_npy, "magic")
    p = strata(tool, model, *good)
    yield "no -o", None if p.returncode != 0 and "-o" in p.stdout else "accepted:\n" + p.stdout


def main():
    tool = sys.argv[1]
    tap = Tap()
    checks = [("dl4j fullconfigs cnn", lambda t: dl4j_cnn(tool, t))]
    for case, dtype, batch in CASES:
        checks.append(("%s as %s%s" % (case, dtype, ", batch size %d" % batch if batch else ""),
                       lambda t, c=case, d=dtype, b=batch: fixture_case(tool, t, c, d, b)))
    print("1..%d" % (len(checks) + 8))
    with tempfile.TemporaryDirectory(prefix="strata-predict-cli-") as tmp:
        for name, fn in checks:
            if name.startswith("dl4j") and not os.path.isdir(REAL):
                tap.result(name, None, "%s is missing" % REAL)
                continue
            try:
                error = fn(tmp)
            except Exception as e:  # noqa: BLE001 (reported as the check's failure)
                error = "%s: %s" % (type(e).__name__, e)
            tap.result(name, error)
        for name, error in error_cases(tool, tmp):
            tap.result("refuses: " + name, error)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
