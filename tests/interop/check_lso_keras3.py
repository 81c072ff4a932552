#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check_lso_keras3.py KERAS_FILE TF_PREFIX: Keras 3 loads Strata's
.keras of a tf-keras LossScaleOptimizer model and finds, without skipping
the optimizer's variables, the weights and optimizer state of the TF
checkpoint TF_PREFIX (read by TensorFlow).  TAP on stdout."""
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_check  # noqa: E402


def main():
    path, prefix = sys.argv[1:3]
    K = keras_check.import_toolkit("keras")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = K.saving.load_model(path)
    skipped = [str(w.message) for w in caught if "Skipping variable loading" in str(w.message)]
    results = [("optimizer variables loaded", not skipped, skipped[0] if skipped else "no skip")]
    results += keras_check.compare_loss_scale_state(model, prefix)
    print("1..%d" % len(results))
    for i, (name, ok, msg) in enumerate(results, 1):
        print("%s %d - [keras %s] %s: %s" % ("ok" if ok else "not ok", i, K.__version__, name, msg))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
