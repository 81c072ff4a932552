#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job on a bundled example: inspect a model written by real Keras,
# convert it to another format and back, and print its weights' digests.
# The default example is a functional model with two inputs, a Concatenate
# and two outputs, saved by real tf-keras 2.21 (tests/fixtures/generate.py).
# .ci/run runs this (through tests/run-all.sh) on every change.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
builddir=${STRATA_BUILDDIR:-build}
example=${1:-tests/fixtures/generated/tf_keras/functional_multi_output.h5}
[ -f "$example" ] || { echo "run-example: $example does not exist" >&2; exit 1; }

bash .ci/install-deps.sh
[ -f "$builddir/build.ninja" ] || meson setup "$builddir"
ninja -C "$builddir"

case $builddir in /*) ;; *) builddir=$root/$builddir ;; esac
export STRATA_FORMAT_PATH="$builddir/plugins"
strata="$builddir/core/tools/strata"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== strata formats"
"$strata" formats
echo "== strata info $example"
"$strata" info "$example"
echo "== strata convert $example -> model.json (architecture) and model.h5"
"$strata" convert "$example" "$out/model.json"
"$strata" convert "$example" "$out/model.h5"
echo "== strata dump --json $out/model.h5 (the first 4000 bytes)"
"$strata" dump --json "$out/model.h5" >"$out/dump.json"
head -c 4000 "$out/dump.json"
echo
