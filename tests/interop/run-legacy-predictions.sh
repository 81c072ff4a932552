#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-legacy-predictions.sh: check_legacy_predictions.py with the venv's
# Python (tests/.venv, made by tests/setup-venv.sh); TAP output.  Without
# the venv the test reports SKIP, or fails under CI=true, where the venv
# is always made.
set -u

root=${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}
venv=${STRATA_VENV:-$root/tests/.venv}

if [ ! -x "$venv/bin/python" ]; then
    if [ "${CI:-}" = true ]; then
        echo "1..1"
        echo "not ok 1 - real Keras is missing from $venv under CI=true (tests/setup-venv.sh failed?)"
        exit 1
    fi
    echo "1..0 # SKIP real Keras is missing from $venv: run tests/setup-venv.sh"
    exit 0
fi
exec timeout 1500 env -u TF_USE_LEGACY_KERAS "$venv/bin/python" \
    "$root/tests/interop/check_legacy_predictions.py" "$@"
