#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-lso-keras3.sh savedmodel|checkpoint: Strata writes a .keras of the
# tf-keras 2.2 LossScaleOptimizer fixture (../shared/fixtures/real/
# tf-keras-testdata: the SavedModel converted, or the model with the
# checkpoint's weights and optimizer state loaded by load_weights), and
# real Keras 3 must load it with the state of the TF checkpoint
# (check_lso_keras3.py).  TAP on stdout; a missing venv or real fixtures
# is a skip, and a failure under CI=true.
set -u

kind=$1
root=${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}
venv=${STRATA_VENV:-$root/tests/.venv}
data=${STRATA_REAL_FIXTURES:-}/tf-keras-testdata

skip() {
    if [ "${CI:-}" = true ]; then
        printf '1..1\nnot ok 1 - %s under CI=true\n' "$1"
        exit 1
    fi
    echo "1..0 # SKIP $1"
    exit 0
}
[ -x "$venv/bin/python" ] || skip "real Keras is missing from $venv: run tests/setup-venv.sh"
[ -d "$data/lso_savedmodel_tf2.2" ] || skip "the real fixtures are missing ($data)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-lso.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
case $kind in
    savedmodel)
        prefix=$data/lso_savedmodel_tf2.2/variables/variables
        "$STRATA_TOOL" convert "$data/lso_savedmodel_tf2.2" "$tmp/lso.keras" >&2 ||
            { printf '1..1\nnot ok 1 - strata convert failed\n'; exit 1; } ;;
    checkpoint)
        prefix=$data/lso_ckpt_tf2.2/ckpt
        printf 'lso\t%s\t%s\t%s\tmodel\tkeras-v3\t3\n' "$data/lso_savedmodel_tf2.2" "$prefix" \
            "$tmp/lso.keras" > "$tmp/jobs"
        "$STRATA_INTEROP_CONVERT" "$tmp/jobs" > "$tmp/result" 2>&2
        grep -q '^lso	ok$' "$tmp/result" ||
            { printf '1..1\nnot ok 1 - Strata: %s\n' "$(cat "$tmp/result")"; exit 1; } ;;
    *) echo "usage: $0 savedmodel|checkpoint" >&2; exit 2 ;;
esac
timeout 600 env -u TF_USE_LEGACY_KERAS "$venv/bin/python" "$root/tests/interop/check_lso_keras3.py" \
    "$tmp/lso.keras" "$prefix"
