#!/usr/bin/env python3
# generate.py: seed .npy files for fuzz-npy, written by NumPy itself
# (Debian 12's python3-numpy 1.24.2), one per element type, byte order,
# rank and format version the reader handles.
#
# Usage: /usr/bin/python3 tests/predict/npy-seeds/generate.py   (rewrites the seeds here)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
arrays = {
    "f4-2d": rng.standard_normal((3, 4)).astype("<f4"),
    "f8-1d": rng.standard_normal(5),
    "f2-3d": rng.standard_normal((2, 2, 2)).astype("<f2"),
    "i4-scalar": np.array(7, dtype="<i4"),
    "i8-3d": rng.integers(-9, 9, (2, 3, 2)).astype("<i8"),
    "u1-1d": rng.integers(0, 255, 6).astype("u1"),
    "b1-2d": rng.integers(0, 2, (2, 3)).astype(bool),
    "f4-big-endian": rng.standard_normal((2, 3)).astype(">f4"),
    "i2-empty": np.zeros((0, 3), dtype="<i2"),
}
for name, a in arrays.items():
    np.save(os.path.join(here, name + ".npy"), a)
for version in ((2, 0), (3, 0)):
    with open(os.path.join(here, "f4-v%d.npy" % version[0]), "wb") as f:
        np.lib.format.write_array(f, arrays["f4-2d"], version=version)
