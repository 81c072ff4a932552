# keras_check.py: load a Keras file in real Keras and compare it with the
# expected weights, optimizer state and predictions written by
# tests/fixtures/generate.py.  Shared by the generator (which records what
# real Keras can load) and by check_keras_loads.py (the interop checker).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("TF_USE_LEGACY_KERAS", None)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from strata_testing import compare_close  # noqa: E402

TOOLKITS = ("tf_keras", "keras")
# Predictions match Keras's to 1e-5 (absolute); NaN or Inf never match.
PREDICTION_RTOL = 0.0
PREDICTION_ATOL = 1e-5


def compare_predictions(got, expected):
    """(ok, message) for lists of output arrays: each NaN-safe and
    symmetric (strata_testing.compare_close) within the tolerances above."""
    if len(got) != len(expected):
        return False, "expected %d outputs, found %d" % (len(expected), len(got))
    messages = []
    for i, (g, e) in enumerate(zip(got, expected)):
        ok, msg = compare_close(g, e, PREDICTION_RTOL, PREDICTION_ATOL)
        if not ok:
            return False, "output %d: %s" % (i, msg)
        messages.append(msg)
    return True, "; ".join(messages)

# Not a Keras: TensorFlow itself (tf.saved_model.load, saved_model_cli) on
# a SavedModel folder.
TF = "tf"
TF_CHECKS = ("saved_model_load", "saved_model_cli")

# Load kinds: "model" (load_model of a file), "weights" (load_weights of an
# .h5 weights file into a model built from the to_json config),
# "savedmodel" (load_model of a SavedModel folder) and "checkpoint"
# (load_weights of a TF checkpoint prefix, which also holds the optimizer
# state of a compiled model).


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


def variable_value(variable):
    """A variable's value as a numpy array (np.asarray of a variable is an
    object array in TensorFlow 2.0 to 2.3)."""
    numpy = getattr(variable, "numpy", None)
    return np.asarray(numpy() if callable(numpy) else variable)


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


def _owner(slot, weights):
    """The index in @weights (names without ":0") of the variable that the
    optimizer variable @slot belongs to, or None: tf-keras names slots
    "Opt/var/slot" (OptimizerV2) or "Opt/slot/var" (2.11+), Keras 3
    "var_path_with_underscores_slot"; the longest match wins."""
    best, best_len = None, 0
    for i, w in enumerate(weights):
        if (slot.startswith(w + "/") or slot.endswith("/" + w) or
                slot.startswith(w.replace("/", "_") + "_")) and len(w) > best_len:
            best, best_len = i, len(w)
    return best


def slots_by_variable(records, weight_names):
    """{weight index: [sha256 of its slots, in order]} and the records
    attached to no weight, for optimizer state records (name, sha256)."""
    weights = [n[:-2] if n.endswith(":0") else n for n in weight_names]
    slots, loose = {}, []
    for r in records:
        name = r["name"][:-2] if r["name"].endswith(":0") else r["name"]
        rest = name.split("/", 1)[1] if "/" in name else name
        owner = _owner(rest, weights)
        if owner is None:
            loose.append(r)
        else:
            slots.setdefault(owner, []).append(r["sha256"])
    return slots, loose


def compare_slots(expected, model):
    """(ok, message): does @model's optimizer hold, for every weight, the
    slot values of @expected's optimizer state, whatever the toolkit's
    order of optimizer variables (tf-keras OptimizerV2 lists one slot name
    at a time, Keras 3 the slots of each variable together), and the same
    iteration count?"""
    variables = optimizer_variables(model)
    records = [array_record(variable_name(v), variable_value(v)) for v in variables]
    want, want_loose = slots_by_variable(expected["optimizer_weights"],
                                         [w["name"] for w in expected["weights"]])
    got, _ = slots_by_variable(records, [variable_name(w) for w in model.weights])
    if got != want:
        bad = sorted(i for i in set(got) | set(want) if got.get(i) != want.get(i))
        return False, "slots of weight(s) %s differ (%d weights with slots expected, %d found)" % (
            ", ".join(expected["weights"][i]["name"] for i in bad[:5]), len(want), len(got))
    iterations = [r for r in want_loose if r["dtype"] == "int64" and r["shape"] == []]
    step = int(variable_value(model.optimizer.iterations))
    if iterations and array_record("", np.int64(step))["sha256"] != iterations[0]["sha256"]:
        return False, "iterations %d, expected the value of %s" % (step, iterations[0]["name"])
    return True, "slots of %d weights bitwise equal, iterations %d" % (len(got), step)


def config_path(toolkit, expected, fixture_dir):
    """The to_json config of the fixture's model as @toolkit wrote it: the
    generator writes the same model with both toolkits, in sibling folders
    named after them, so weights files can be checked across toolkits."""
    sibling = os.path.join(fixture_dir, "..", toolkit, expected["config_file"])
    if os.path.exists(sibling):
        return sibling
    return os.path.join(fixture_dir, expected["config_file"])


def load(toolkit, path, kind, expected, fixture_dir):
    """Loads @path with @toolkit (see the load kinds above)."""
    K = import_toolkit(toolkit)
    if kind in ("model", "savedmodel"):
        return K.models.load_model(path, compile=True)
    with open(config_path(toolkit, expected, fixture_dir), encoding="utf-8") as f:
        config = f.read()
    model = K.models.model_from_json(config)
    if kind == "checkpoint" and expected.get("compile"):
        # Compiled like the source, so the optimizer state in the
        # checkpoint has somewhere to go.
        compile_like(K, model, expected["compile"])
        build_optimizer(model)
    model.load_weights(path)
    return model


def compile_record(K, model):
    """How @model was compiled, for the expected JSON (None if it was not)."""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None
    return {
        "optimizer": json.loads(json.dumps(K.optimizers.serialize(opt), default=float)),
        "optimizer_class": type(opt).__name__,
        "loss": loss_names(model.loss),
        "loss_weights": json.loads(json.dumps(compile_arg(model, "loss_weights"), default=float)),
    }


def compile_arg(model, name):
    """An argument @model.compile() was given, where the toolkit keeps it."""
    config = getattr(model, "_compile_config", None)
    config = getattr(config, "config", config)
    try:
        return config.get(name)
    except AttributeError:
        return None


def loss_names(loss):
    """A compiled loss as JSON: names for functions and Loss objects (a
    model loaded from a file may hold the function where the source held
    its name)."""
    if isinstance(loss, dict):
        return {k: loss_names(v) for k, v in loss.items()}
    if isinstance(loss, (list, tuple)):
        return [loss_names(v) for v in loss]
    if loss is None or isinstance(loss, str):
        return loss
    fn = getattr(loss, "fn", None)  # LossFunctionWrapper
    return getattr(fn or loss, "__name__", None) or type(loss).__name__


def compile_like(K, model, record):
    model.compile(optimizer=K.optimizers.deserialize(record["optimizer"]),
                  loss=record["loss"], loss_weights=record.get("loss_weights"))


def build_optimizer(model):
    """Creates the optimizer's variables (Keras makes them lazily, at the
    first step), so a checkpoint restore fills them at once."""
    opt = model.optimizer
    if hasattr(opt, "build") and not hasattr(opt, "get_slot_names"):
        opt.build(model.trainable_variables)  # tf_keras >= 2.11 optimizer
    elif hasattr(opt, "_create_all_weights"):
        opt._create_all_weights(model.trainable_variables)  # legacy OptimizerV2


def restore_optimizer_from_savedmodel(model, path):
    """tf_keras load_model compiles a SavedModel's model with a fresh
    optimizer; the optimizer state Keras saved is in the folder's variables
    checkpoint, under the model's `optimizer` child."""
    build_optimizer(model)
    model.load_weights(os.path.join(path, "variables", "variables")).expect_partial()


def check(toolkit, path, kind, expected, fixture_dir, checks=None):
    """Runs the checks on @path with @toolkit.  Returns a list of
    (check name, ok, message).  A load failure is a single "load" entry."""
    if toolkit == TF:
        return check_tf(path, expected, checks)
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
    if kind == "savedmodel" and checks is None and expected.get("compile"):
        want.add("compiled")

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
            ok, msg = compare_predictions(got, exp)
            results.append(("predictions", ok, msg))
        except Exception as e:
            results.append(("predictions", False, "%s: %s" % (type(e).__name__, e)))

    if "compiled" in want and expected.get("compile"):
        results.append(("compiled",) + compiled_like(model, expected["compile"]))

    if "optimizer" in want and expected.get("optimizer_weights"):
        if kind == "savedmodel" and getattr(model, "optimizer", None) is not None:
            try:
                restore_optimizer_from_savedmodel(model, path)
            except Exception as e:
                results.append(("optimizer", False, "restoring %s/variables: %s: %s" % (
                    path, type(e).__name__, str(e).strip().splitlines()[0][:300])))
                return results
        variables = optimizer_variables(model)
        ok, msg = compare_arrays("optimizer", expected["optimizer_weights"],
                                 [variable_value(v) for v in variables],
                                 [variable_name(v) for v in variables])
        results.append(("optimizer", ok, msg))

    if "optimizer-slots" in want and expected.get("optimizer_weights"):
        results.append(("optimizer-slots",) + compare_slots(expected, model))

    return results


def compiled_like(model, record):
    """(ok, message): is @model compiled with the optimizer class, learning
    rate and loss of @record?"""
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return False, "not compiled (expected %s)" % record["optimizer_class"]
    if type(opt).__name__ != record["optimizer_class"]:
        return False, "optimizer %s, expected %s" % (type(opt).__name__,
                                                     record["optimizer_class"])
    want_lr = record["optimizer"].get("config", {}).get("learning_rate")
    got_lr = opt.get_config().get("learning_rate")
    if isinstance(want_lr, float) and not np.isclose(float(got_lr), want_lr, rtol=1e-6, atol=0):
        return False, "learning rate %r, expected %r" % (got_lr, want_lr)
    loss = loss_names(model.loss)
    if loss != record["loss"]:
        return False, "loss %r, expected %r" % (loss, record["loss"])
    return True, "%s, learning rate %r, loss %r" % (type(opt).__name__, got_lr, loss)


def tf_variables(root):
    """Every tf.Variable reachable from a tf.saved_model.load object."""
    import tensorflow as tf
    seen, found, queue = set(), [], [root]
    while queue:
        obj = queue.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, tf.Variable):
            found.append(obj)
            continue
        children = getattr(obj, "_trackable_children", None)
        if callable(children):
            try:
                queue.extend(children(save_type="checkpoint").values())
            except Exception:  # a revived function or an odd object
                pass
    return found


def check_tf(path, expected, checks):
    """TensorFlow on a SavedModel folder: tf.saved_model.load restores
    every expected weight (matched by dtype, shape and sha256, since
    TensorFlow knows no Keras order), and saved_model_cli lists it."""
    import subprocess
    import sys
    import tensorflow as tf
    want = list(checks) if checks is not None else list(TF_CHECKS)
    results = []
    if "saved_model_load" in want:
        try:
            obj = tf.saved_model.load(path)
            found = {}
            for v in tf_variables(obj):
                rec = array_record(v.name, variable_value(v))
                key = (rec["dtype"], tuple(rec["shape"]), rec["sha256"])
                found[key] = found.get(key, 0) + 1
            missing = []
            for w in expected["weights"]:
                key = (w["dtype"], tuple(w["shape"]), w["sha256"])
                if found.get(key):
                    found[key] -= 1
                else:
                    missing.append(w["name"])
            results.append(("saved_model_load", not missing,
                            "no restored variable equals %s" % ", ".join(missing[:5])
                            if missing else "%d weights restored bitwise"
                            % len(expected["weights"])))
        except Exception as e:
            results.append(("saved_model_load", False, "%s: %s" % (
                type(e).__name__, str(e).strip().splitlines()[0][:400] if str(e).strip() else "")))
    if "saved_model_cli" in want:
        cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
        try:
            run = subprocess.run([cli, "show", "--all", "--dir", path], capture_output=True,
                                 text=True, timeout=600)
            ok = run.returncode == 0 and "tag-set: 'serve'" in run.stdout
            tail = (run.stderr.strip().splitlines() or [""])[-1][:300]
            results.append(("saved_model_cli", ok, "lists tag-set 'serve'" if ok else
                            "exit status %d: %s" % (run.returncode, tail)))
        except (OSError, subprocess.TimeoutExpired) as e:
            results.append(("saved_model_cli", False, "%s: %s" % (type(e).__name__, e)))
    return results


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def checkpoint_values(prefix):
    """{full_name: value} of every variable of the TF checkpoint @prefix,
    and its object graph (TensorFlow's own reader)."""
    import tensorflow as tf
    from tensorflow.core.protobuf import trackable_object_graph_pb2
    reader = tf.train.load_checkpoint(prefix)
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    values = {}
    for node in graph.nodes:
        for attr in node.attributes:
            if attr.name == "VARIABLE_VALUE":
                values[attr.full_name] = reader.get_tensor(attr.checkpoint_key)
    return values, graph


def compare_loss_scale_state(model, prefix):
    """[(check, ok, message)]: does Keras 3 @model's LossScaleOptimizer hold
    the state of tf-keras's in the TF checkpoint @prefix: step_counter and
    dynamic_scale (good_steps, current_loss_scale), the inner optimizer's
    iteration count, learning rate and every slot of every weight?  Keras 3
    names a slot "<weight path with _>_<slot name>"."""
    values, graph = checkpoint_values(prefix)
    opt = model.optimizer
    results = []

    def same(label, got, want):
        ok = array_record("", got)["sha256"] == array_record("", want)["sha256"]
        results.append((label, ok, "%s, expected %s" % (np.asarray(got).ravel()[:4],
                                                       np.asarray(want).ravel()[:4])))

    if type(opt).__name__ != "LossScaleOptimizer":
        return [("loss-scale", False, "optimizer %s, not LossScaleOptimizer" % type(opt).__name__)]
    same("step_counter", variable_value(opt.step_counter), values["good_steps"])
    same("dynamic_scale", variable_value(opt.dynamic_scale), values["current_loss_scale"])
    inner = opt.inner_optimizer
    by_suffix = {n.rsplit("/", 1)[-1]: v for n, v in values.items() if "/" in n}
    same("inner iterations", variable_value(inner.iterations), by_suffix["iter"])
    same("inner learning_rate", variable_value(inner.learning_rate), by_suffix["learning_rate"])
    inner_vars = {variable_name(v).rsplit("/", 1)[-1]: v for v in inner.variables}
    full_names = {i: a.full_name for i, n in enumerate(graph.nodes) for a in n.attributes}
    n_slots = 0
    for node in graph.nodes:
        for ref in node.slot_variables:
            weight = full_names[ref.original_variable_node_id]
            name = "%s_%s" % (weight.replace("/", "_"), ref.slot_name)
            if name not in inner_vars:
                results.append(("slot " + name, False, "missing from %s" % sorted(inner_vars)))
                continue
            same("slot " + name, variable_value(inner_vars[name]),
                 values[full_names[ref.slot_variable_node_id]])
            n_slots += 1
    results.append(("slots", n_slots > 0, "%d slots compared" % n_slots))
    for w in model.weights:
        same("weight " + variable_name(w), variable_value(w), values[variable_name(w)])
    return results
