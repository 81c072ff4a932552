#!/usr/bin/env python3
# check_keras_loads.py: does real Keras load a file Strata wrote?
#
# Run inside tests/.venv:
#   check_keras_loads.py FILE EXPECTED.json [--kind model|weights]
#                        [--toolkit tf_keras --toolkit keras]
#                        [--checks weights,predictions,optimizer,optimizer-slots]
#   check_keras_loads.py FILE --manifest MANIFEST.json --like PATH
#                        [--kind KIND] [--require keras:weights,predictions ...]
#
# Loads FILE (a file, a SavedModel folder or a TF checkpoint prefix) with
# tf-keras 2.21 (`tf_keras`) and/or Keras 3.15 (`keras`), or, as toolkit
# `tf`, with tf.saved_model.load and saved_model_cli; compares get_weights()
# bitwise (dtype, shape, sha256 of the raw bytes) with the expected weights,
# the predictions on the stored inputs to 1e-5, the optimizer state (as a
# list, or per weight across toolkits: optimizer-slots) and how
# the model is compiled, and prints one PASS/FAIL line per check.
#
# With --manifest and --like, the toolkits and checks are those real Keras
# passes on its own fixture PATH (a manifest path such as
# "keras/recurrent.h5"): Strata's output must load wherever Keras's own file
# of the same kind loads.  With --require TOOLKIT:CHECKS (or --toolkit and
# --checks) as well, those checks must pass with those toolkits against
# PATH's expected values, whatever Keras achieves with PATH itself.
# Exit status: 0 all passed, 1 a check failed, 2 bad usage.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras_check  # noqa: E402

KIND_OF = {
    "h5-model": "model",
    "keras-v3": "model",
    "h5-weights": "weights",
    "keras-v3-weights": "weights",
    "tf-savedmodel": "savedmodel",
    "tf-checkpoint": "checkpoint",
}


def plan_from_manifest(manifest_path, like):
    """(expected path, load kind, {toolkit: [checks]}) for a manifest entry."""
    manifest = keras_check.load_json(manifest_path)
    root = os.path.dirname(os.path.abspath(manifest_path))
    for entry in manifest["files"]:
        if entry["path"] == like:
            if entry["kind"] not in KIND_OF:
                sys.exit("check_keras_loads: %s is a %s, not a Keras file"
                         % (like, entry["kind"]))
            return (os.path.join(root, entry["expected"]), KIND_OF[entry["kind"]],
                    entry["verified"])
    sys.exit("check_keras_loads: %s is not listed in %s" % (like, manifest_path))


def main():
    parser = argparse.ArgumentParser(
        description="Check that real Keras loads a file and finds the expected "
                    "weights and predictions.")
    parser.add_argument("file")
    parser.add_argument("expected", nargs="?",
                        help="the fixture's .expected.json (or use --manifest/--like)")
    parser.add_argument("--kind", choices=("model", "weights", "savedmodel", "checkpoint"),
                        default=None)
    parser.add_argument("--toolkit", action="append",
                        choices=keras_check.TOOLKITS + (keras_check.TF,))
    parser.add_argument("--checks", default=None,
                        help="comma-separated: weights,predictions,optimizer,optimizer-slots")
    parser.add_argument("--require", action="append", metavar="TOOLKIT:CHECKS",
                        help="with --manifest/--like: these checks must pass with this "
                             "toolkit against LIKE's expected values (repeatable)")
    parser.add_argument("--manifest")
    parser.add_argument("--like", help="manifest path of the Keras file to match")
    args = parser.parse_args()

    if not (os.path.exists(args.file) or os.path.exists(args.file + ".index")):
        print("FAIL  %s does not exist" % args.file)
        return 1

    if args.manifest or args.like:
        if not (args.manifest and args.like):
            parser.error("--manifest and --like go together")
        expected_path, kind, plan = plan_from_manifest(args.manifest, args.like)
        if args.kind:
            kind = args.kind
        if args.require:
            plan = {}
            for req in args.require:
                toolkit, _, checks = req.partition(":")
                if toolkit not in keras_check.TOOLKITS + (keras_check.TF,) or not checks:
                    parser.error("--require %r: expected TOOLKIT:CHECK,CHECK" % req)
                plan[toolkit] = checks.split(",")
        elif args.toolkit and args.checks:
            # A conversion real Keras never makes itself (a tf-keras model
            # as a .keras archive): the caller names what must pass.
            plan = {t: args.checks.split(",") for t in args.toolkit}
        elif args.toolkit:
            plan = {t: plan.get(t, []) for t in args.toolkit}
        if kind != "savedmodel":
            plan.pop(keras_check.TF, None)  # TensorFlow's checks are for SavedModels
        if not plan:
            print("FAIL  real Keras loads none of its own %s: nothing to compare with"
                  % args.like)
            return 1
    else:
        if not args.expected:
            parser.error("give EXPECTED.json or --manifest and --like")
        expected_path = args.expected
        kind = args.kind or ("weights" if "weights" in os.path.basename(args.file)
                             else "model")
        toolkits = args.toolkit or (
            ["keras"] if args.file.endswith(".keras") or args.file.endswith(".weights.h5")
            else list(keras_check.TOOLKITS))
        checks = (args.checks.split(",") if args.checks
                  else ["weights", "predictions", "optimizer"])
        plan = {t: checks for t in toolkits}

    expected = keras_check.load_json(expected_path)
    if not args.checks and not (args.manifest and args.like):
        drop = kind == "weights" or not expected.get("optimizer_weights")
        plan = {t: [c for c in checks if not (drop and c == "optimizer")]
                for t, checks in plan.items()}
    fixture_dir = os.path.dirname(os.path.abspath(expected_path))
    print("checking %s (%s %s, expected from %s)" % (
        args.file, expected["toolkit"], expected["model"], expected_path))

    failed = 0
    for toolkit, checks in plan.items():
        if toolkit == keras_check.TF:
            import tensorflow as tf
            label = "tensorflow %s" % tf.__version__
        else:
            K = keras_check.import_toolkit(toolkit)
            label = "%s %s" % (toolkit, K.__version__)
        results = keras_check.check(toolkit, args.file, kind, expected,
                                    fixture_dir, checks)
        seen = set()
        for name, ok, msg in results:
            seen.add(name)
            print("%s  [%s] %-11s %s" % ("PASS" if ok else "FAIL", label, name, msg))
            failed += not ok
        for name in checks:
            if name not in seen and results and results[0][1]:
                # Asked for but not run (e.g. no optimizer state expected).
                print("FAIL  [%s] %-11s not checked: nothing to compare" % (label, name))
                failed += 1
    print("%s: %d check(s) failed" % ("FAILED" if failed else "OK", failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
