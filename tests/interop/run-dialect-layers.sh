#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-dialect-layers.sh: models built by tf-keras / Keras 3 with the layer
# classes whose configs differ between them; Strata writes each config in
# the other dialect and the other toolkit must build the same model (see
# check_dialect_layers.py).
#
# Usage: run-dialect-layers.sh   (environment: STRATA_SOURCE_ROOT,
#        STRATA_INTEROP_WRITE_CONFIG, STRATA_VENV)
# Exit status: 0 pass, 1 fail, 77 skipped (no venv; 1 under CI=true, see
# tests/skip.sh).
set -u

root=${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}
tool=${STRATA_INTEROP_WRITE_CONFIG:?STRATA_INTEROP_WRITE_CONFIG is not set}

. "$root/tests/skip.sh"
strata_require_venv

log=$(mktemp "${TMPDIR:-/tmp}/strata-dialect.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT INT TERM
TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= \
    timeout 600 env -u TF_USE_LEGACY_KERAS "$venv/bin/python" \
    "$root/tests/interop/check_dialect_layers.py" "$tool" 2>"$log"
rc=$?
if [ $rc -ne 0 ]; then
    echo "-- Keras log (last 30 lines):" >&2
    tail -n 30 "$log" >&2
    [ $rc -eq 124 ] && echo "not ok - the Keras check timed out"
    exit 1
fi
exit 0
