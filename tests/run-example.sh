#!/usr/bin/env bash
# The main job on a bundled example: inspect a model written by real Keras,
# convert it to another format and back, and print its weights' digests.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
builddir=${STRATA_BUILDDIR:-build}
example=${1:-tests/fixtures/generated/tf_keras/functional_concat.h5}

bash .ci/install-deps.sh
[ -f "$builddir/build.ninja" ] || meson setup "$builddir"
ninja -C "$builddir"

export STRATA_FORMAT_PATH=$(ls -d "$root/$builddir"/plugins/*/ | tr '\n' ':')
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
echo "== strata dump --json $out/model.h5 (first 40 lines)"
"$strata" dump --json "$out/model.h5" | head -c 4000
echo
