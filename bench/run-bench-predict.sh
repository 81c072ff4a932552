#!/usr/bin/env bash
# run-bench-predict.sh: Strata's predict against TensorFlow on the CPU.
#
# Usage: bench/run-bench-predict.sh [BUILD_DIR]   (default: ./build or $STRATA_BUILD_DIR)
# Environment: BENCH_DIR (models, default ${TMPDIR:-/tmp}/strata-bench/predict),
#   BENCH_CALLS1 / BENCH_CALLS64 (timed calls at batch 1 / 64, default 200 / 30).
#
# Writes (once) an MLP, a small CNN (MNIST-sized), an LSTM text model and a
# MultiHeadAttention encoder block with real tf-keras 2.21
# (predict-bench.py), then times, in one run, for each model at batch 1
# (median latency of many calls) and batch 64 (throughput): Strata's
# strata_model_predict(), tf-keras model.predict(x), tf-keras model(x,
# training=False) and Keras 3.15 model.predict(x) on TensorFlow.  Prints a
# table with each TensorFlow row's time over Strata's (> 1: Strata faster),
# the BLAS, its threads and the peak memory of the Strata process.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-${STRATA_BUILD_DIR:-$root/build}}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/strata-bench}/predict
venv=$root/tests/.venv
prog=$build/bench/strata-bench-predict
calls1=${BENCH_CALLS1:-200}
calls64=${BENCH_CALLS64:-30}

die() { echo "run-bench-predict: ERROR: $*" >&2; exit 1; }
[ -x "$prog" ] || die "$prog is missing (ninja -C $build bench/strata-bench-predict)"
[ -x "$venv/bin/python" ] || die "$venv is missing: run tests/setup-venv.sh"
export STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-$build/plugins}
export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES=
unset TF_USE_LEGACY_KERAS

if [ ! -f "$dir/mha.h5" ]; then
    echo "run-bench-predict: writing the models with tf-keras into $dir" >&2
    "$venv/bin/python" "$here/predict-bench.py" make "$dir" || die "could not write the models"
fi

# Keras 3 reads no tf-keras keywords (LSTM's time_major, MultiHeadAttention's
# query_shape): its rows time the Keras 3 .keras Strata converts the model to.
for model in mlp cnn lstm mha; do
    if [ ! -f "$dir/$model.keras" ]; then
        "$build/core/tools/strata" convert --keras 3 "$dir/$model.h5" "$dir/$model.keras" ||
            die "could not convert $dir/$model.h5 to .keras"
    fi
done

value() { [[ $2 =~ $1=([0-9.]+) ]] && echo "${BASH_REMATCH[1]}" || echo -; }

printf '%-6s %5s %-18s %12s %12s %9s %9s\n' model batch row "median ms" "rows/s" "÷strata" "RSS MiB"
for model in mlp cnn lstm mha; do
    int_max=""
    [ "$model" = lstm ] && int_max=10000
    for batch in 1 64; do
        calls=$calls1
        [ "$batch" = 64 ] && calls=$calls64
        out=$("$prog" ${int_max:+--int-max $int_max} "$dir/$model.h5" "$batch" "$calls" 2>&1 | tail -n 1)
        strata_s=$(value median_s "$out")
        if [ "$strata_s" = - ]; then
            printf '%-6s %5s %-18s %s\n' "$model" "$batch" strata "FAILED: $out"
        else
            printf '%-6s %5s %-18s %12.3f %12s %9s %9d\n' "$model" "$batch" strata \
                "$(awk -v s="$strata_s" 'BEGIN { print s * 1000 }')" "$(value rows_per_s "$out")" 1.00 \
                $(( $(value maxrss_kib "$out") / 1024 ))
        fi
        for who in tf_keras.predict tf_keras.call keras3.predict; do
            file=$dir/$model.h5
            [ "$who" = keras3.predict ] && file=$dir/$model.keras
            out=$("$venv/bin/python" "$here/predict-bench.py" time "$who" "$file" "$batch" "$calls" \
                  $int_max 2>&1 | tail -n 1)
            s=$(value median_s "$out")
            if [ "$s" = - ]; then
                printf '%-6s %5s %-18s %s\n' "$model" "$batch" "$who" "FAILED: $out"
                continue
            fi
            ratio=$(awk -v a="$s" -v b="$strata_s" 'BEGIN { if (b != "-" && b > 0) printf "%.2f", a / b; else print "-" }')
            printf '%-6s %5s %-18s %12.3f %12s %9s %9s\n' "$model" "$batch" "$who" \
                "$(awk -v s="$s" 'BEGIN { print s * 1000 }')" "$(value rows_per_s "$out")" "$ratio" -
        done
    done
done
echo
echo "CPU: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
echo "BLAS: $(ldd "$build/core/libstrata-1.0.so.0" 2>/dev/null | grep -o 'libopenblas[^ ]*' | head -n 1 || true)" \
     "OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset (all cores)}"
echo "(÷strata: the row's median time over Strata's, so above 1 means Strata is faster;"
echo " goal (issue 12): above 1 for every TensorFlow row at batch 1, at least 1 at batch 64.)"
