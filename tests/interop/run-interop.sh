#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-interop.sh: one interop test.  Strata loads a real Keras fixture and
# re-saves it; then real Keras (tests/.venv) must load Strata's file and find
# the same weights, optimizer state and predictions, wherever it loads its
# own file of that kind (manifest.json records where that is).
#
# Usage: run-interop.sh SOURCE OUTPUT-KINDS LIKE [TOOLKIT:CHECKS...]
#   SOURCE        manifest path of the fixture Strata reads (keras/recurrent.keras,
#                 tf_keras/recurrent.savedmodel); legacy/... paths are in the
#                 legacy manifest (tests/fixtures/generated/legacy/manifest.json);
#                 a TF checkpoint (M.ckpt/ckpt) is loaded into the model of
#                 its M.config.json, so its output kind must be a weights kind
#   OUTPUT-KINDS  what Strata writes: h5-model | keras-v3 | tf-savedmodel
#                 (strata convert) or h5-weights | keras-v3-weights |
#                 tf-checkpoint (strata_model_save_weights); a comma-separated
#                 chain converts again from each output (tf-savedmodel,h5-model:
#                 h5 -> SavedModel -> h5), and the last output is checked
#   LIKE          manifest path of the Keras file whose checks Strata's output
#                 must pass (keras/recurrent.h5)
#   TOOLKIT:CHECKS  for conversions real Keras has no file of its own for
#                 (a tf-keras model as .keras): the toolkits (tf_keras, keras,
#                 or tf for tf.saved_model.load and saved_model_cli) that must
#                 load Strata's output and the checks against LIKE's expected
#                 values (keras:weights,predictions)
# Environment: STRATA_SOURCE_ROOT, STRATA_TOOL, STRATA_INTEROP_SAVE_WEIGHTS,
#              STRATA_FORMAT_PATH, STRATA_VENV (default $STRATA_SOURCE_ROOT/tests/.venv).
# Output: TAP (one test) on stdout, the log on stderr.  A missing venv is a
# skip, and a failure under CI=true; a format module that is not built is a
# skip.
set -u

src=$1 kinds=$2 like=$3
shift 3
root=${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}
venv=${STRATA_VENV:-$root/tests/.venv}
generated=$root/tests/fixtures/generated
checker=$root/tests/interop/check_keras_loads.py

# TAP on fd 3, everything else on stderr.
exec 3>&1 1>&2
tap_name="$src -> $kinds"
fail() {
    echo "FAIL: $*"
    printf '1..1\nnot ok 1 - %s: %s\n' "$tap_name" "$*" >&3
    exit 1
}
skip() {
    echo "SKIPPED: $*"
    printf '1..0 # SKIP %s\n' "$*" >&3
    exit 0
}

case $src in
    legacy/*) generated=$generated/legacy src=${src#legacy/} like=${like#legacy/} ;;
esac

if [ ! -x "$venv/bin/python" ]; then
    reason="interop test needs real Keras in $venv, which is missing; run tests/setup-venv.sh"
    [ "${CI:-}" = true ] && fail "$reason (a skip is a failure under CI=true)"
    skip "$reason"
fi
case $src in
    */*.ckpt/*) present=$generated/$src.index ;;
    *) present=$generated/$src ;;
esac
if [ ! -e "$present" ]; then
    fail "fixture $generated/$src is missing (tests/fixtures/generate.py writes it)"
fi

# The format modules are optional (meson options): a case whose source or
# outputs need a module that is not built is skipped, loudly.
module_of() {
    case $1 in
        *.keras|keras-v3*) echo keras-v3 ;;
        *.savedmodel|*.ckpt/*|tf-*) echo tf-savedmodel ;;
        *) echo h5 ;;
    esac
}
have_module() {
    old_ifs=$IFS; IFS=:
    for dir in ${STRATA_FORMAT_PATH:-}; do
        if [ -n "$dir" ] && [ -e "$dir/libstrata-format-$1.so" ]; then
            IFS=$old_ifs; return 0
        fi
    done
    IFS=$old_ifs; return 1
}
for item in "$src" $(echo "$kinds" | tr , ' '); do
    module=$(module_of "$item")
    if ! have_module "$module"; then
        skip "the '$module' format module is not built (not on STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-})"
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-interop.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT INT TERM

in=$generated/$src
# A checkpoint holds weights only: the model comes from its to_json file.
config=""
case $src in
    */*.ckpt/*) config=$generated/${src%.ckpt/*}.config.json ;;
esac
step=0
for kind in $(echo "$kinds" | tr , ' '); do
    step=$((step + 1))
    format=""
    case $kind in
        h5-model)          out=$tmp/strata$step.h5 check_kind=model ;;
        keras-v3)          out=$tmp/strata$step.keras check_kind=model ;;
        tf-savedmodel)     out=$tmp/strata${step}_savedmodel format=tf-savedmodel check_kind=savedmodel ;;
        h5-weights)        out=$tmp/strata$step-weights.h5 format=h5 check_kind=weights ;;
        keras-v3-weights)  out=$tmp/strata$step.weights.h5 format=keras-v3 check_kind=weights ;;
        tf-checkpoint)     mkdir -p "$tmp/ckpt$step"
                           out=$tmp/ckpt$step/strata format=tf-savedmodel check_kind=checkpoint ;;
        *) fail "unknown output kind '$kind'" ;;
    esac

    echo "== Strata: $(basename "$in") -> $(basename "$out") ($kind)"
    case $kind in
        *-weights|tf-checkpoint)
            tool=${STRATA_INTEROP_SAVE_WEIGHTS:?STRATA_INTEROP_SAVE_WEIGHTS is not set}
            if [ -n "$config" ]; then
                timeout 300 "$tool" "$in" "$out" "$format" "$config"
            else
                timeout 300 "$tool" "$in" "$out" "$format"
            fi
            rc=$?
            [ "$kind" = tf-checkpoint ] && written=$out.index || written=$out ;;
        *)
            tool=${STRATA_TOOL:?STRATA_TOOL is not set}
            # An .h5 checked against a Keras 3 file is written for Keras 3
            # (.h5 files are written for tf-keras unless asked).
            dialect=""
            case "$kind $like" in
                "h5-model keras/"*) dialect="--keras=3" ;;
            esac
            if [ -n "$format" ]; then
                timeout 300 "$tool" convert $dialect --format "$format" "$in" "$out"
            else
                timeout 300 "$tool" convert $dialect "$in" "$out"
            fi
            rc=$?
            written=$out ;;
    esac
    config=""
    if [ $rc -ne 0 ] || [ ! -e "$written" ]; then
        fail "Strata could not re-save $(basename "$in") as $kind (exit status $rc)"
    fi
    in=$out
done

if [ $# -gt 0 ]; then
    echo "== real Keras: $* against $like's expected values"
    for require in "$@"; do
        set -- "$@" --require "$require"
        shift
    done
else
    echo "== real Keras: checks that pass on Keras's own $like"
fi
TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= \
    timeout 900 env -u TF_USE_LEGACY_KERAS "$venv/bin/python" "$checker" "$out" \
    --manifest "$generated/manifest.json" --like "$like" --kind "$check_kind" "$@" \
    2>"$tmp/keras.log"
rc=$?
if [ $rc -ne 0 ]; then
    echo "-- Keras log (last 30 lines):"
    tail -n 30 "$tmp/keras.log"
    [ $rc -eq 124 ] && fail "the Keras check timed out"
    fail "real Keras does not load Strata's output as $like's checks demand"
fi
printf '1..1\nok 1 - %s\n' "$tap_name" >&3
exit 0
