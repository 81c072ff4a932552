#!/bin/sh
# run-interop.sh: one interop test.  Strata loads a real Keras fixture and
# re-saves it; then real Keras (tests/.venv) must load Strata's file and find
# the same weights, optimizer state and predictions, wherever it loads its
# own file of that kind (manifest.json records where that is).
#
# Usage: run-interop.sh SOURCE OUTPUT-KIND LIKE [TOOLKIT:CHECKS]
#   SOURCE       manifest path of the fixture Strata reads (keras/recurrent.keras)
#   OUTPUT-KIND  h5-model | keras-v3 (strata convert) or
#                h5-weights | keras-v3-weights (strata_model_save_weights)
#   LIKE         manifest path of the Keras file whose checks Strata's output
#                must pass (keras/recurrent.h5)
#   TOOLKIT:CHECKS  for conversions real Keras has no file of its own for
#                (a tf-keras model as .keras): the toolkit that must load
#                Strata's output and the checks against LIKE's expected
#                values (keras:weights,predictions)
# Environment: STRATA_SOURCE_ROOT, STRATA_TOOL, STRATA_INTEROP_SAVE_WEIGHTS,
#              STRATA_VENV (default $STRATA_SOURCE_ROOT/tests/.venv).
# Exit status: 0 pass, 1 fail, 77 skipped (no venv or module; 1 under
# CI=true, see tests/skip.sh).
set -u

src=$1 kind=$2 like=$3 require=${4:-}
root=${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}
generated=$root/tests/fixtures/generated
checker=$root/tests/interop/check_keras_loads.py

. "$root/tests/skip.sh"
strata_require_venv
if [ ! -f "$generated/$src" ]; then
    echo "FAIL: fixture $generated/$src is missing (tests/fixtures/generate.py writes it)" >&2
    exit 1
fi

# The keras-v3 module is optional (meson option keras-v3): without it the
# .keras and .weights.h5 cases are skipped, loudly.
case "$src $kind" in
    *.keras\ *|*\ keras-v3*) module=keras-v3 ;;
    *) module=h5 ;;
esac
found=""
old_ifs=$IFS; IFS=:
for dir in ${STRATA_FORMAT_PATH:-}; do
    [ -n "$dir" ] && [ -e "$dir/libstrata-format-$module.so" ] && found=$dir
done
IFS=$old_ifs
[ -n "$found" ] ||
    strata_skip "the '$module' format module is not built (not on STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-})"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-interop.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

case $kind in
    h5-model)          out=$tmp/strata.h5 ;;
    keras-v3)          out=$tmp/strata.keras ;;
    h5-weights)        out=$tmp/strata-weights.h5 format=h5 ;;
    keras-v3-weights)  out=$tmp/strata.weights.h5 format=keras-v3 ;;
    *) echo "FAIL: unknown output kind '$kind'" >&2; exit 2 ;;
esac

echo "== Strata: $src -> $(basename "$out") ($kind)"
case $kind in
    *-weights)
        tool=${STRATA_INTEROP_SAVE_WEIGHTS:?STRATA_INTEROP_SAVE_WEIGHTS is not set}
        timeout 300 "$tool" "$generated/$src" "$out" "$format" ;;
    *)
        tool=${STRATA_TOOL:?STRATA_TOOL is not set}
        timeout 300 "$tool" convert "$generated/$src" "$out" ;;
esac
rc=$?
if [ $rc -ne 0 ] || [ ! -f "$out" ]; then
    echo "FAIL: Strata could not re-save $src as $kind (exit status $rc)" >&2
    exit 1
fi

if [ -n "$require" ]; then
    echo "== real Keras: ${require%%:*} must pass ${require#*:} against $like's expected values"
    set -- --toolkit "${require%%:*}" --checks "${require#*:}"
else
    echo "== real Keras: checks that pass on Keras's own $like"
    set --
fi
TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= \
    timeout 900 env -u TF_USE_LEGACY_KERAS "$venv/bin/python" "$checker" "$out" \
    --manifest "$generated/manifest.json" --like "$like" "$@" 2>"$tmp/keras.log"
rc=$?
if [ $rc -ne 0 ]; then
    echo "-- Keras log (last 30 lines):" >&2
    tail -n 30 "$tmp/keras.log" >&2
    [ $rc -eq 124 ] && echo "FAIL: the Keras check timed out" >&2
    exit 1
fi
exit 0
