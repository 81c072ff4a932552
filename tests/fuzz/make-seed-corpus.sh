#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make-seed-corpus.sh: copies the model configs (JSON with a top-level
# "class_name") of the real Keras fixtures and the generated fixtures into
# a seed corpus directory for fuzz-config.
#
#   tests/fuzz/make-seed-corpus.sh OUTDIR [REAL_FIXTURES_DIR]
#
# The real fixtures are never copied into the repository; OUTDIR should be
# outside it (for example the build directory).
set -eu

out=${1:?usage: make-seed-corpus.sh OUTDIR [REAL_FIXTURES_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
real=${2:-$here/../../../shared/fixtures/real}
mkdir -p "$out"

n=0
for f in $(find "$real" "$here/../fixtures/generated" -name '*.json' 2>/dev/null | sort); do
  if grep -q '"class_name"' "$f" && head -c 4096 "$f" | tr -d ' \n' | grep -q '^{"\(class_name\|module\|keras_version\)'; then
    cp "$f" "$out/$(printf '%04d' $n)-$(basename "$f")"
    n=$((n + 1))
  fi
done
echo "$n seed files in $out"
