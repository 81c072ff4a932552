#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-conversion-matrix.sh: the interop conversion matrix for one Keras
# (see conversion_matrix.py), as TAP.
#
# Usage: run-conversion-matrix.sh TARGET SOURCE
#   TARGET  tf_keras | keras: the Keras that loads Strata's conversions
#   SOURCE  tf_keras | keras: the toolkit whose fixtures are converted
# Environment: STRATA_SOURCE_ROOT, STRATA_INTEROP_CONVERT, STRATA_VENV
# (default $STRATA_SOURCE_ROOT/tests/.venv), CI (a missing venv fails
# instead of skipping when it is "true").
set -u

target=$1 source=$2
root=${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}
venv=${STRATA_VENV:-$root/tests/.venv}
converter=${STRATA_INTEROP_CONVERT:?STRATA_INTEROP_CONVERT is not set}

if [ ! -x "$venv/bin/python" ]; then
    why="the conversion matrix needs real Keras in $venv, which is missing; run tests/setup-venv.sh"
    if [ "${CI:-}" = true ]; then
        printf '1..1\nnot ok 1 - %s (CI=true: a skip is a failure)\n' "$why"
        exit 1
    fi
    printf '1..0 # SKIP %s\n' "$why"
    exit 0
fi

TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= TF_ENABLE_ONEDNN_OPTS=0 \
    exec env -u TF_USE_LEGACY_KERAS "$venv/bin/python" \
    "$root/tests/interop/conversion_matrix.py" --target "$target" --source "$source" \
    --converter "$converter" 2>/dev/null
