#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-bench.sh: load benchmark for a ~1 GiB Keras HDF5 model.
#
# Usage: bench/run-bench.sh [BUILD_DIR]     (default: ./build or $STRATA_BUILD_DIR)
# Environment: BENCH_DIR (where the model is written, default
#   ${TMPDIR:-/tmp}/strata-bench), BENCH_REPS (runs per method, default 5),
#   BENCH_SMALL_LAYERS / BENCH_BIG_LAYERS / BENCH_BIG_UNITS (model size).
#
# Measures wall time and peak RSS (/usr/bin/time) with a warm page cache for:
# Strata mapped (default), Strata copied (STRATA_H5_NO_MMAP=1), Strata
# metadata-only (STRATA_LOAD_METADATA_ONLY), h5py reading every dataset into
# numpy, cat FILE > /dev/null, and tf_keras.models.load_model (tests/.venv).
# Strata runs read every weight byte after loading (mapped pages included),
# except the "weights not read" row, which shows what the load itself
# touches. The metadata-only open is also timed inside one process over
# BENCH_INPROC_REPS calls (default 21; median, start-up and the first call's
# plugin loading excluded).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bench_name=run-bench
# shellcheck source=bench-common.sh
. "$here/bench-common.sh" "$@"
model=$bench_dir/strata-bench-1g.h5

prog=$build/bench/strata-bench-load
if [ ! -x "$prog" ]; then
    say "WARNING: $prog is missing (build it: ninja -C $build bench/strata-bench-load);" \
        "the Strata rows are left out"
    prog=""
fi
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package 'time')"

# A Python with h5py: the venv's, else Debian's python3-h5py.
py=$(h5py_python)
[ -n "$py" ] || die "no Python with h5py: run tests/setup-venv.sh or install python3-h5py"

bench_model "$model"

export STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-$build/plugins}
export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES=
unset TF_USE_LEGACY_KERAS

bench_tmp=$(mktemp -d) || die "mktemp failed"
trap 'rm -rf "$bench_tmp"' EXIT

h5py_read='
import sys, time, h5py
t = time.monotonic()
arrays = []
with h5py.File(sys.argv[1], "r") as f:
    f.visititems(lambda n, o: arrays.append(o[()]) if isinstance(o, h5py.Dataset) else None)
print("load_s=%.3f tensors=%d weight_bytes=%d" % (time.monotonic() - t, len(arrays),
      sum(a.nbytes for a in arrays)))
'
tf_keras_load='
import sys, time
import tf_keras
t = time.monotonic()
m = tf_keras.models.load_model(sys.argv[1], compile=False)
print("load_s=%.3f tensors=%d" % (time.monotonic() - t, len(m.weights)))
'

measure "cat > /dev/null" "$reps" sh -c 'cat "$1" > /dev/null' sh "$model"
measure "h5py, every dataset" "$reps" "$py" -c "$h5py_read" "$model"
if [ -n "$prog" ]; then
    measure "strata mapped" "$reps" "$prog" "$model"
    measure "strata copied (STRATA_H5_NO_MMAP=1)" "$reps" env STRATA_H5_NO_MMAP=1 "$prog" "$model"
    measure "strata mapped, weights not read" "$reps" "$prog" --no-touch "$model"
    measure "strata metadata-only" "$reps" "$prog" --metadata-only "$model"
    measure "strata mapped, ${inproc_reps} calls" 1 "$prog" --no-touch --repeat "$inproc_reps" "$model"
    measure "strata metadata-only, ${inproc_reps} calls" 1 "$prog" --metadata-only \
        --repeat "$inproc_reps" "$model"
fi
if [ -x "$venv/bin/python" ]; then
    measure "tf_keras.models.load_model" 1 "$venv/bin/python" -c "$tf_keras_load" "$model"
else
    say "SKIPPED tf_keras.models.load_model: $venv is missing; run tests/setup-venv.sh"
fi

base_cat=${wall["cat > /dev/null"]:-}
base_h5py=${wall["h5py, every dataset"]:-}
base_h5py_rss=${rss["h5py, every dataset"]:-}
base_h5py_load=${inproc["h5py, every dataset"]:-}
echo
echo "Load benchmark: $model, $((size / 1048576)) MiB, warm page cache, median of $reps (tf_keras: 1)"
printf '%-38s %8s %8s %8s %9s %7s %7s %8s %10s\n' method "wall s" "cpu s" "load s" "RSS MiB" "÷cat" "÷h5py" "RSS÷h5py" "load÷h5py"
for name in "${methods[@]}"; do
    if [ "${status[$name]}" != ok ]; then
        printf '%-38s %s\n' "$name" "${status[$name]}"
        continue
    fi
    w=${wall[$name]} r=${rss[$name]} l=${inproc[$name]:--}
    lr=-
    [ "$l" != - ] && lr=$(ratio "$l" "$base_h5py_load")
    printf '%-38s %8s %8s %8s %9d %7s %7s %8s %10s\n' "$name" "$w" "${cpu[$name]}" "$l" $((r / 1024)) \
        "$(ratio "$w" "$base_cat")" "$(ratio "$w" "$base_h5py")" "$(ratio "$r" "$base_h5py_rss")" "$lr"
done
echo "(wall: whole process incl. start-up; cpu: user+sys; load: in-process load time the program"
echo " reports (h5py: its own timer; Strata: one strata_load_model() call, the first of the process,"
echo " which also loads the plugins; the \"${inproc_reps} calls\" row: the median of ${inproc_reps} calls in one"
echo " process, its wall time covers all of them); ÷cat and ÷h5py compare wall times, load÷h5py"
echo " the in-process load times (h5py opening and reading every dataset, Strata's load);"
echo " the Strata rows but \"weights not read\" include reading every weight byte after the load.)"
