#!/usr/bin/env python3
# conversion_matrix.py: every fixture, converted by Strata to every format
# it writes, for one Keras, loaded by that Keras.
#
# Run inside tests/.venv:
#   conversion_matrix.py --target tf_keras|keras --converter INTEROP-CONVERT
#                        [--source tf_keras|keras] [--manifest MANIFEST.json]
#                        [--only MODEL] [--keep DIR]
#
# The sources are the files of tests/fixtures/generated (manifest.json):
# every model architecture as real tf-keras 2.21 and real Keras 3.15 wrote
# it, in every format each writes (.h5, .keras, weights files with their
# to_json config). Strata (interop-convert, one process for all jobs)
# converts each source to every target of TARGETS in the dialect of the
# Keras under test (2 for tf-keras, 3 for Keras 3); then this process loads
# every result with that Keras and checks the weights bit for bit against
# the source's expected values, the predictions to 1e-5 (NaN-safe) and, for
# a model compiled by the same Keras, the optimizer state.
#
# Where real Keras refuses a file it wrote itself (manifest.json records
# it), the matrix says so and still expects Strata's conversion to load.
# EXPECTED_REFUSALS lists the cases that cannot pass and why; they must
# fail exactly so.
#
# Prints TAP: one test point per case, the counts as a comment; exit
# status 0 when every case passed or was refused as expected, 1 otherwise.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import collections
import gc
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras_check  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MANIFEST = os.path.join(HERE, "..", "fixtures", "generated", "manifest.json")

DIALECT = {"tf_keras": "2", "keras": "3"}

# How Strata reads each kind of fixture: a model file, or a weights file
# loaded into the model of the same toolkit's to_json config. A SavedModel
# kind (tf-savedmodel fixtures) is a "model" source.
SOURCE_KINDS = {
    "h5-model": "model",
    "keras-v3": "model",
    "h5-weights": "weights",
    "keras-v3-weights": "weights",
}


class Target:
    """What Strata writes for one case and how the Keras under test loads
    it: "model" (load_model on the first file) or "config+weights"
    (model_from_json on the first, load_weights of the second)."""

    def __init__(self, name, files, load, toolkits=("tf_keras", "keras"), own_format=None):
        self.name = name
        self.files = files            # [(file name, "model" | "weights", format name)]
        self.load = load
        self.toolkits = toolkits      # the Keras that read this format
        self.own_format = own_format  # the fixture suffix of the same format, for optimizer checks


TARGETS = [
    Target("h5", [("strata.h5", "model", "h5")], "model", own_format=".h5"),
    Target("keras", [("strata.keras", "model", "keras-v3")], "model", own_format=".keras"),
    Target("json+h5", [("strata.json", "model", "json-config"),
                       ("strata-weights.h5", "weights", "h5")], "config+weights"),
    Target("json+weights.h5", [("strata.json", "model", "json-config"),
                               ("strata.weights.h5", "weights", "keras-v3")], "config+weights"),
    # SavedModel: Target("savedmodel", [("strata_savedmodel", "model", "tf-savedmodel")],
    #                    "model", toolkits=("tf_keras",)),
]

# (source toolkit or None, model, Keras under test, what fails, text the
# failure must contain, why)
EXPECTED_REFUSALS = [
    (None, "non_ascii_names", "tf_keras", "load", "is not a valid root scope name",
     "TensorFlow name scopes are ASCII only: tf-keras cannot build the model "
     "(nor could it write it)"),
]

Case = collections.namedtuple("Case", "id source weights model target outputs expected refusal")


def expected_refusal(source_toolkit, model, target_toolkit):
    for toolkit, name, target, stage, text, why in EXPECTED_REFUSALS:
        if toolkit in (None, source_toolkit) and name == model and target == target_toolkit:
            return (stage, text, why)
    return None


def plan(manifest_path, target_toolkit, source_toolkit, only, out_dir):
    """The cases for the Keras under test, and Strata's jobs for them."""
    manifest = keras_check.load_json(manifest_path)
    root = os.path.dirname(os.path.abspath(manifest_path))
    entries = {e["path"]: e for e in manifest["files"]}
    cases, jobs = [], []
    for entry in manifest["files"]:
        how = SOURCE_KINDS.get(entry["kind"])
        if how is None or (only and entry["model"] not in only):
            continue
        if source_toolkit and entry["toolkit"] != source_toolkit:
            continue
        toolkit, model = entry["toolkit"], entry["model"]
        if how == "model":
            source, weights = os.path.join(root, entry["path"]), "-"
        else:
            config = "%s/%s.config.json" % (toolkit, model)
            if config not in entries:
                continue
            source, weights = os.path.join(root, config), os.path.join(root, entry["path"])
        for target in TARGETS:
            if target_toolkit not in target.toolkits:
                continue
            case_id = "%s=>%s" % (entry["path"], target.name)
            case_dir = os.path.join(out_dir, "%04d" % len(cases))
            os.makedirs(case_dir, exist_ok=True)
            outputs = [os.path.join(case_dir, name) for name, _, _ in target.files]
            for (name, what, fmt), out in zip(target.files, outputs):
                jobs.append("\t".join([case_id, source, weights, out, what, fmt,
                                       DIALECT[target_toolkit]]))
            cases.append(Case(case_id, entry, weights, model, target, outputs,
                              os.path.join(root, entry["expected"]),
                              expected_refusal(toolkit, model, target_toolkit)))
    return cases, jobs, entries


def convert(converter, jobs, work):
    """Runs Strata's jobs; returns {case id: error message or None}."""
    path = os.path.join(work, "jobs.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(jobs) + "\n")
    run = subprocess.run([converter, path], capture_output=True, text=True, timeout=1800)
    if run.returncode != 0:
        print("Bail out! %s failed: %s" % (converter, run.stderr.strip()[:300]))
        sys.exit(1)
    results = {}
    for line in run.stdout.splitlines():
        fields = line.split("\t")
        if fields[1] == "ok":
            results.setdefault(fields[0], None)
        elif results.get(fields[0]) is None:
            results[fields[0]] = "%s: %s" % (fields[2], fields[3])
    return results


def compare_weights(expected, arrays):
    """Bitwise, in order; or, when the two toolkits order a model's weights
    differently (tf-keras puts every frozen weight last), as a multiset."""
    records = [keras_check.array_record("", a) for a in arrays]
    key = lambda r: (r["dtype"], tuple(r["shape"]), r["sha256"])  # noqa: E731
    if len(records) != len(expected):
        return False, "expected %d weights, found %d" % (len(expected), len(records))
    if [key(r) for r in records] == [key(e) for e in expected]:
        return True, "%d weights bitwise equal" % len(records)
    if sorted(map(key, records)) == sorted(map(key, expected)):
        return True, "%d weights bitwise equal (in another order)" % len(records)
    for i, (got, exp) in enumerate(zip(records, expected)):
        if key(got) != key(exp):
            return False, "weight %d (%s): %s %s %s, expected %s %s %s" % (
                i, exp["name"], got["dtype"], got["shape"], got["sha256"][:12],
                exp["dtype"], exp["shape"], exp["sha256"][:12])
    return False, "weights differ"


def load(K, case):
    if case.target.load == "model":
        return K.models.load_model(case.outputs[0], compile=True)
    with open(case.outputs[0], encoding="utf-8") as f:
        model = K.models.model_from_json(f.read())
    model.load_weights(case.outputs[1])
    return model


def check_case(K, case, entries, target_toolkit):
    """(ok, message) for one converted case."""
    expected = keras_check.load_json(case.expected)
    try:
        model = load(K, case)
    except Exception as e:  # Keras raises anything
        lines = str(e).strip().splitlines()
        return False, "load: %s: %s" % (type(e).__name__, lines[0][:300] if lines else "")
    ok, msg = compare_weights(expected["weights"], model.get_weights())
    if not ok:
        return False, msg
    messages = [msg]
    got = keras_check.predict(model, keras_check.inputs_from_json(expected["inputs"]))
    exp = [np.array(p["data"], dtype=p["dtype"]).reshape(p["shape"])
           for p in expected["predictions"]]
    ok, msg = keras_check.compare_predictions(got, exp)
    if not ok:
        return False, "predictions: " + msg
    messages.append(msg)
    own = "%s/%s%s" % (target_toolkit, case.model, case.target.own_format or "")
    # A weights file has no optimizer state: only a model file's is checked.
    if (expected.get("optimizer_weights") and case.weights == "-" and
            case.source["toolkit"] == target_toolkit and
            "optimizer" in entries.get(own, {}).get("verified", {}).get(target_toolkit, [])):
        variables = keras_check.optimizer_variables(model)
        ok, msg = keras_check.compare_arrays("optimizer", expected["optimizer_weights"],
                                             [np.asarray(v) for v in variables],
                                             [keras_check.variable_name(v) for v in variables])
        if not ok:
            return False, msg
        messages.append("optimizer state equal")
    return True, "; ".join(messages)


def tap(status, case_id, message):
    tap.number += 1
    print("%s %d - %s: %s" % (status, tap.number, case_id, message.replace("\n", " ")), flush=True)


tap.number = 0


def main():
    parser = argparse.ArgumentParser(description="Strata's conversions, loaded by real Keras.")
    parser.add_argument("--target", required=True, choices=sorted(DIALECT))
    parser.add_argument("--converter", required=True, help="the interop-convert program")
    parser.add_argument("--source", choices=sorted(DIALECT),
                        help="only the files this toolkit wrote")
    parser.add_argument("--manifest", default=DEFAULT_MANIFEST)
    parser.add_argument("--only", action="append", help="only this model (repeatable)")
    parser.add_argument("--keep", help="write the converted files here and keep them")
    args = parser.parse_args()

    K = keras_check.import_toolkit(args.target)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="strata-matrix-") as tmp:
        work = args.keep or tmp
        os.makedirs(work, exist_ok=True)
        cases, jobs, entries = plan(args.manifest, args.target, args.source, args.only, work)
        converted = convert(args.converter, jobs, work)
        counts = collections.Counter()
        own_refusals = set()
        for case in cases:
            refusal = case.refusal
            error = converted.get(case.id)
            if error is not None:
                ok, stage, msg = False, "convert", "Strata: " + error
            else:
                K.backend.clear_session()
                ok, msg = check_case(K, case, entries, args.target)
                stage = msg.split(":", 1)[0] if not ok else None
                gc.collect()
            if refusal is not None:
                want_stage, text, why = refusal
                if not ok and (stage == want_stage or want_stage == "load") and text in msg:
                    counts["refused as expected"] += 1
                    tap("ok", case.id, "refused as expected (%s): %s" % (why, msg[:200]))
                else:
                    counts["failed"] += 1
                    tap("not ok", case.id, "expected a refusal (%s), got: %s" % (
                        why, msg[:400] if not ok else "it loaded"))
                continue
            counts["passed" if ok else "failed"] += 1
            tap("ok" if ok else "not ok", case.id, msg[:400])
            source = case.source
            if source["toolkit"] == args.target and args.target not in source.get("verified", {}):
                own_refusals.add((source["path"], "; ".join(
                    source.get("real_keras_failures", {}).get(args.target, []))[:200]))
    for path, why in sorted(own_refusals):
        print("# NOTE real %s refuses its own %s (%s); Strata's conversions of it were "
              "checked above" % (args.target, path, why))
    total = sum(counts.values())
    print("1..%d" % total)
    print("# %s: %d cases for %s (Keras %s dialect): %d passed, %d refused as expected, "
          "%d failed; %.0f s" % ("FAILED" if counts["failed"] else "OK", total, args.target,
                                 DIALECT[args.target], counts["passed"],
                                 counts["refused as expected"], counts["failed"],
                                 time.monotonic() - started))
    return 1 if counts["failed"] or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
