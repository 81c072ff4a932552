#!/usr/bin/env python3
# tf-bundle-read.py: TensorFlow reads the bundles Strata's writer makes.
#
#   tf-bundle-read.py TEST-BUNDLE-READER
#
# Runs the /tsm/bundle/writer-for-tensorflow case of test-bundle-reader with
# STRATA_BUNDLE_OUT set to a temporary folder, then reads every tensor with
# tf.train.load_checkpoint and compares it with what that case writes:
# each numeric dtype as bytes (j * 37 + dtype) mod 256 (bools j mod 2) in
# shape [2, 3, 5], the strings ["ab", "", "xyz"], the scalar b"\x0a\x00"
# and an empty float32 [3, 0].
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from strata_testing import Tap, skip  # noqa: E402


try:
    import numpy as np
    import tensorflow as tf
except ImportError as e:
    skip("TensorFlow is not installed (%s); run tests/setup-venv.sh" % e)

NUMERIC = [tf.float32, tf.float64, tf.int32, tf.uint8, tf.int16, tf.int8, tf.int64, tf.bool,
           tf.bfloat16, tf.uint16, tf.float16, tf.uint32, tf.uint64]


def expected(dtype):
    n = 30 * dtype.size
    if dtype == tf.bool:
        raw = bytes(j & 1 for j in range(n))
    else:
        raw = bytes((j * 37 + dtype.as_datatype_enum) & 0xFF for j in range(n))
    return raw


def main(argv):
    failures = []
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, STRATA_BUNDLE_OUT=out)
        subprocess.run([argv[1], "-p", "/tsm/bundle/writer-for-tensorflow"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        reader = tf.train.load_checkpoint(os.path.join(out, "ckpt"))
        dtypes = reader.get_variable_to_dtype_map()
        shapes = reader.get_variable_to_shape_map()
        want_keys = {"t%d" % d.as_datatype_enum for d in NUMERIC} | {"strings", "scalar", "empty"}
        if set(dtypes) != want_keys:
            failures.append("keys: %s, expected %s" % (sorted(dtypes), sorted(want_keys)))
        for d in NUMERIC:
            key = "t%d" % d.as_datatype_enum
            value = reader.get_tensor(key)
            if dtypes.get(key) != d or shapes.get(key) != [2, 3, 5]:
                failures.append("%s: %s %s" % (key, dtypes.get(key), shapes.get(key)))
            raw = np.ascontiguousarray(value).tobytes()   # this machine is little-endian
            if raw != expected(d):
                failures.append("%s: the values differ" % key)
        strings = reader.get_tensor("strings")
        if list(strings) != [b"ab", b"", b"xyz"]:
            failures.append("strings: %r" % (strings,))
        if reader.get_tensor("scalar") != b"\x0a\x00":
            failures.append("scalar: %r" % (reader.get_tensor("scalar"),))
        empty = reader.get_tensor("empty")
        if empty.dtype != np.float32 or empty.shape != (3, 0):
            failures.append("empty: %s %s" % (empty.dtype, empty.shape))
    tap = Tap()
    tap.check(not failures, "TensorFlow %s reads every tensor Strata wrote" % tf.__version__,
              "\n".join(failures))
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
