#!/usr/bin/env python3
# make-fuzz-seeds.py: seeds for fuzz-kv3-archive from .keras files (the
# generated fixtures and ../shared/fixtures/real): each archive as it is,
# repacked with deflate, with each member left out, truncated, with flipped
# bytes, and in the target's unzipped form (config.json NUL metadata.json
# NUL model.weights.h5). tests/keras-v3/fuzz-corpus holds a few of them.
#
#   tests/keras-v3/make-fuzz-seeds.py OUTDIR
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import glob
import io
import os
import random
import sys
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
srcs = sorted(glob.glob(os.path.join(here, "..", "fixtures", "generated", "**", "*.keras"), recursive=True)
              + glob.glob(os.path.join(here, "..", "..", "..", "shared", "fixtures", "real", "**", "*.keras"),
                          recursive=True))
random.seed(1)
n = 0


def put(name, data):
    global n
    with open(os.path.join(out, "%04d-%s" % (n, name)), "wb") as f:
        f.write(data)
    n += 1


def repack(members, compression=zipfile.ZIP_STORED, drop=None):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression) as w:
        for k, v in members.items():
            if k != drop:
                w.writestr(k, v)
    return b.getvalue()


for src in srcs:
    base = os.path.basename(src)
    data = open(src, "rb").read()
    members = {i.filename: zipfile.ZipFile(src).read(i.filename) for i in zipfile.ZipFile(src).infolist()}
    put(base, data)
    put("deflated-" + base, repack(members, zipfile.ZIP_DEFLATED))
    for drop in members:
        put("no-%s-%s" % (drop.replace("/", "_"), base), repack(members, drop=drop))
    for cut in (len(data) // 3, len(data) // 2, len(data) - 22, len(data) - 1):
        put("cut%d-%s" % (cut, base), data[:cut])
    for _ in range(3):
        d = bytearray(data)
        p = random.randrange(len(d))
        d[p] ^= 0xFF
        put("flip%d-%s" % (p, base), bytes(d))
    put("unzipped-" + base, b"\0".join(members.get(k, b"") for k in
                                        ("config.json", "metadata.json", "model.weights.h5")))
print(n, "seeds in", out)
