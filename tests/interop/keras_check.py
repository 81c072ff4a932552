# keras_check.py: load a Keras file in real Keras and compare it with the
# expected weights, optimizer state and predictions written by
# tests/fixtures/generate.py.  Shared by the generator (which records what
# real Keras can load) and by check_keras_loads.py (the interop checker).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)

import numpy as np  # noqa: E402

TOOLKITS = ("tf_keras", "keras")
PREDICTION_TOLERANCE = 1e-5


def import_toolkit(toolkit):
    """Returns the Keras module for a toolkit name ("tf_keras" or "keras")."""
    if toolkit == "tf_keras":
        import tf_keras
        return tf_keras
    if toolkit == "keras":
        import keras
        if not keras.__version__.startswith("3."):
            raise RuntimeError("`keras` is %s, not Keras 3" % keras.__version__)
        return keras
    raise ValueError("unknown toolkit %r" % toolkit)


def array_record(name, array):
    """The expected-weights entry for one array: name, dtype, shape and the
    sha256 of its raw little-endian C-order bytes."""
    a = np.asarray(array)
    le = a.astype(a.dtype.newbyteorder("<"), copy=False)
    data = np.ascontiguousarray(le).tobytes(order="C")
    return {
        "name": name,
        "dtype": str(a.dtype),
        "shape": list(a.shape),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def optimizer_variables(model):
    """The optimizer's variables in Keras order, or [] when there is none."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return []
    variables = getattr(opt, "variables", None)
    if callable(variables):
        variables = variables()
    return list(variables or [])


def variable_name(variable):
    return getattr(variable, "path", None) or variable.name


def inputs_from_json(records):
    arrays = [np.array(r["data"], dtype=r["dtype"]).reshape(r["shape"])
              for r in records]
    return arrays[0] if len(arrays) == 1 else arrays


def predict(model, inputs):
    out = model(inputs, training=False)
    if isinstance(out, dict):
        out = [out[k] for k in sorted(out)]
    if not isinstance(out, (list, tuple)):
        out = [out]
    return [np.asarray(o) for o in out]


def compare_outputs(got, expected, tolerance=PREDICTION_TOLERANCE):
    """Predictions against expected ones, NaN-safe and symmetric: same
    count and shapes, NaN where NaN is expected, the same infinities, and
    finite values within @tolerance.  Returns (ok, message)."""
    if len(got) != len(expected):
        return False, "expected %d outputs, found %d" % (len(expected), len(got))
    worst = 0.0
    for i, (g, e) in enumerate(zip(got, expected)):
        g = np.asarray(g, dtype=np.float64)
        e = np.asarray(e, dtype=np.float64)
        if g.shape != e.shape:
            return False, "output %d: shape %s, expected %s" % (i, g.shape, e.shape)
        if not np.array_equal(np.isnan(g), np.isnan(e)):
            return False, "output %d: NaN where none is expected, or none where one is" % i
        if not np.array_equal(g[np.isinf(g) | np.isinf(e)], e[np.isinf(g) | np.isinf(e)]):
            return False, "output %d: infinities differ" % i
        finite = np.isfinite(g) & np.isfinite(e)
        if not np.allclose(g[finite], e[finite], rtol=0.0, atol=tolerance):
            diff = float(np.max(np.abs(g[finite] - e[finite])))
            return False, "output %d: max |difference| %.3g > %g" % (i, diff, tolerance)
        if finite.any():
            worst = max(worst, float(np.max(np.abs(g[finite] - e[finite]))))
    return True, "max |difference| %.3g" % worst


def compare_arrays(label, expected, arrays, names):
    """Bitwise comparison of arrays with expected records.  Returns
    (ok, message)."""
    if len(arrays) != len(expected):
        return False, "%s: expected %d arrays, found %d" % (
            label, len(expected), len(arrays))
    for i, (exp, arr, name) in enumerate(zip(expected, arrays, names)):
        got = array_record(name, arr)
        for key in ("dtype", "shape", "sha256"):
            if got[key] != exp[key]:
                return False, "%s[%d] (%s, expected %s): %s expected %s, found %s" % (
                    label, i, name, exp["name"], key, exp[key], got[key])
    return True, "%d arrays bitwise equal" % len(arrays)


def config_path(toolkit, expected, fixture_dir):
    """The to_json config of the fixture's model as @toolkit wrote it: the
    generator writes the same model with both toolkits, in sibling folders
    named after them, so weights files can be checked across toolkits."""
    sibling = os.path.join(fixture_dir, "..", toolkit, expected["config_file"])
    if os.path.exists(sibling):
        return sibling
    return os.path.join(fixture_dir, expected["config_file"])


def load(toolkit, path, kind, expected, fixture_dir):
    """Loads @path with @toolkit.  kind is "model" (load_model) or "weights"
    (a model is built from a to_json config, then load_weights)."""
    K = import_toolkit(toolkit)
    if kind == "model":
        return K.models.load_model(path, compile=True)
    with open(config_path(toolkit, expected, fixture_dir), encoding="utf-8") as f:
        config = f.read()
    model = K.models.model_from_json(config)
    model.load_weights(path)
    return model


def check(toolkit, path, kind, expected, fixture_dir, checks=None):
    """Runs the checks on @path with @toolkit.  Returns a list of
    (check name, ok, message).  A load failure is a single "load" entry."""
    results = []
    try:
        model = load(toolkit, path, kind, expected, fixture_dir)
    except Exception as e:  # Keras raises anything
        msg = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0][:400]
                          if str(e).strip() else "")
        return [("load", False, msg)]
    results.append(("load", True, "loaded with %s" % toolkit))

    want = set(checks) if checks is not None else {"weights", "predictions", "optimizer"}
    if kind == "weights":
        want.discard("optimizer")  # a model built from its config has none

    if "weights" in want:
        names = [variable_name(w) for w in model.weights]
        ok, msg = compare_arrays("weights", expected["weights"],
                                 model.get_weights(), names)
        results.append(("weights", ok, msg))

    if "predictions" in want:
        try:
            got = predict(model, inputs_from_json(expected["inputs"]))
            exp = [np.array(p["data"], dtype=p["dtype"]).reshape(p["shape"])
                   for p in expected["predictions"]]
            ok, msg = compare_outputs(got, exp)
            results.append(("predictions", ok, msg))
        except Exception as e:
            results.append(("predictions", False, "%s: %s" % (type(e).__name__, e)))

    if "optimizer" in want and expected.get("optimizer_weights"):
        variables = optimizer_variables(model)
        ok, msg = compare_arrays("optimizer", expected["optimizer_weights"],
                                 [np.asarray(v) for v in variables],
                                 [variable_name(v) for v in variables])
        results.append(("optimizer", ok, msg))

    return results


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
