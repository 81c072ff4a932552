#!/usr/bin/env python3
# tf-bundle-digests.py: what TensorFlow itself reads from the real bundles.
#
# For every TensorBundle (a `.index` with its data shards) under the given
# folder, reads every tensor with tf.train.load_checkpoint and prints
#   B <bundle prefix> <number of tensors>
#   T <bundle prefix> <key> <dtype> <shape> <sha256>
# where the digest is over the tensor's little-endian C-order bytes, or for
# DT_STRING over each element as u64le length + bytes. The output is
# committed as tf-bundle-digests.tsv and read by test-bundle-reader.c, which
# must not need TensorFlow; regenerate it with the venv of tests/setup-venv.sh:
#   tests/.venv/bin/python tests/tf-savedmodel/tf-bundle-digests.py ../shared/fixtures/real \
#     > tests/tf-savedmodel/tf-bundle-digests.tsv
# With --check <tsv> it compares instead (exit 1 on any difference, TAP; the
# plan "1..0 # SKIP" when the fixtures are missing).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import difflib
import hashlib
import os
import struct
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from strata_testing import Tap, skip  # noqa: E402


try:
    import numpy as np
    import tensorflow as tf
except ImportError as e:
    skip("TensorFlow is not installed (%s); run tests/setup-venv.sh" % e)


def digest(value, dtype):
    h = hashlib.sha256()
    if dtype == tf.string:
        for item in np.asarray(value, dtype=object).reshape(-1):
            h.update(struct.pack("<Q", len(item)))
            h.update(item)
    else:
        a = np.ascontiguousarray(value)
        h.update(a.astype(a.dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()


def bundles(root):
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name.endswith(".index"):
                yield os.path.join(folder, name[: -len(".index")])


def lines(root):
    out = ["# tensorflow %s; regenerate with tests/tf-savedmodel/tf-bundle-digests.py" % tf.__version__]
    for prefix in bundles(root):
        rel = os.path.relpath(prefix, root)
        reader = tf.train.load_checkpoint(prefix)
        dtypes = reader.get_variable_to_dtype_map()
        shapes = reader.get_variable_to_shape_map()
        out.append("B\t%s\t%d" % (rel, len(dtypes)))
        for key in sorted(dtypes, key=lambda k: k.encode()):
            dtype = dtypes[key]
            shape = "[" + ", ".join(str(d) for d in shapes[key]) + "]"
            out.append("T\t%s\t%s\t%s\t%s\t%s" % (rel, key, dtype.as_datatype_enum, shape,
                                                  digest(reader.get_tensor(key), dtype)))
    return out


def main(argv):
    check = None
    if len(argv) > 2 and argv[1] == "--check":
        check = argv[2]
        argv = argv[:1] + argv[3:]
    root = argv[1]
    if not os.path.isdir(root):
        skip("%s is missing" % root)
    got = lines(root)
    if check is None:
        print("\n".join(got))
        return 0
    with open(check, encoding="utf-8") as f:
        want = f.read().splitlines()
    # The version comment may differ; the data may not.
    diff = list(difflib.unified_diff(want[1:], got[1:], "committed", "tensorflow", lineterm=""))
    tap = Tap()
    tap.check(not diff, "%s matches TensorFlow %s" % (os.path.basename(check), tf.__version__),
              "\n".join(diff))
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
