#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-bench-savedmodel.sh: load and save benchmark for a ~1 GiB SavedModel.
#
# Usage: bench/run-bench-savedmodel.sh [BUILD_DIR]   (default: ./build or $STRATA_BUILD_DIR)
# Environment: BENCH_DIR (where the model is written, default
#   ${TMPDIR:-/tmp}/strata-bench), BENCH_REPS (runs per method, default 5),
#   BENCH_INPROC_REPS (metadata-only calls in one process, default 21),
#   BENCH_SMALL_LAYERS / BENCH_BIG_LAYERS / BENCH_BIG_UNITS (model size).
#
# Writes (once) a SavedModel with real tf-keras 2.21 (make-big-savedmodel.py,
# the architecture and values of make-big-model.py), warms the page cache
# and measures in one run: cat of the data shard, tf_keras.models.load_model,
# tf.saved_model.load, Strata's load (mapped; and reading every weight byte
# afterwards), Strata's metadata-only open (median of many calls in one
# process), and Strata's save to a SavedModel against cp -r of the folder
# (with and without fsync of the copy: Strata's atomic save syncs).  The
# Strata rows need the tf-savedmodel module; without it they say so.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bench_name=run-bench-savedmodel
# shellcheck source=bench-common.sh
. "$here/bench-common.sh" "$@"
model=$bench_dir/strata-bench-1g.savedmodel
shard=$model/variables/variables.data-00000-of-00001

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package 'time')"
[ -x "$venv/bin/python" ] || die "$venv is missing: run tests/setup-venv.sh (tf-keras writes the model)"

prog=$build/bench/strata-bench-load
plugin=$build/plugins/tf-savedmodel/libstrata-format-tf-savedmodel.so
strata_missing=""
if [ ! -x "$prog" ]; then
    strata_missing="strata-bench-load missing (ninja -C $build bench/strata-bench-load)"
elif [ ! -f "$plugin" ]; then
    strata_missing="plugin missing ($plugin is not built)"
fi
[ -n "$strata_missing" ] && say "WARNING: $strata_missing; the Strata rows are left out"

export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES=
unset TF_USE_LEGACY_KERAS

mkdir -p "$bench_dir" || die "cannot create $bench_dir"
if [ ! -f "$shard" ]; then
    say "writing $model with tf-keras (once; reused by later runs; takes minutes)"
    "$venv/bin/python" "$here/make-big-savedmodel.py" "$model" \
        --small-layers "${BENCH_SMALL_LAYERS:-240}" \
        --big-layers "${BENCH_BIG_LAYERS:-4}" --big-units "${BENCH_BIG_UNITS:-8192}" \
        || die "could not write $model"
fi
[ -f "$shard" ] || die "$shard is missing: the model has more than one shard or none"
size=$(du -sb "$model" | cut -f1)
shard_size=$(stat -c %s "$shard")
say "model: $model ($((size / 1048576)) MiB, data shard $((shard_size / 1048576)) MiB); warming the page cache"
cat "$model"/saved_model.pb "$model"/keras_metadata.pb "$model"/variables/* > /dev/null

export STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-$build/plugins}

bench_tmp=$(mktemp -d "$bench_dir/run.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$bench_tmp"' EXIT
out=$bench_tmp/saved

tf_keras_load='
import sys, time
import tf_keras
t, c = time.monotonic(), time.process_time()
m = tf_keras.models.load_model(sys.argv[1], compile=False)
print("load_s=%.3f load_cpu_s=%.3f tensors=%d"
      % (time.monotonic() - t, time.process_time() - c, len(m.weights)))
'
tf_load='
import sys, time
import tensorflow as tf
t, c = time.monotonic(), time.process_time()
obj = tf.saved_model.load(sys.argv[1])
print("load_s=%.3f load_cpu_s=%.3f" % (time.monotonic() - t, time.process_time() - c))
'
# cp -r of the folder, timed inside (the removal of the last copy is not).
copy='
rm -rf "$2"
s=$(date +%s.%N)
cp -r "$1" "$2" && { [ "$3" = sync ] && find "$2" -type f -exec sync {} +; true; } || exit 1
e=$(date +%s.%N)
echo "save_s=$(awk -v s="$s" -v e="$e" "BEGIN { printf \"%.4f\", e - s }")"
'

measure "cat data shard > /dev/null" "$reps" sh -c 'cat "$1" > /dev/null' sh "$shard"
measure "cp -r folder" "$reps" sh -c "$copy" sh "$model" "$out" nosync
measure "cp -r folder + fsync" "$reps" sh -c "$copy" sh "$model" "$out" sync
rm -rf "$out"
if [ -z "$strata_missing" ]; then
    measure "strata load, mapped" "$reps" "$prog" --no-touch "$model"
    measure "strata load + read every byte" "$reps" "$prog" "$model"
    measure "strata metadata-only, ${inproc_reps} calls" 1 "$prog" --metadata-only \
        --repeat "$inproc_reps" "$model"
    measure "strata save (tf-savedmodel)" "$reps" sh -c \
        'rm -rf "$1"; exec "$2" --no-touch --save-to "$1" --save-format tf-savedmodel "$3"' \
        sh "$out" "$prog" "$model"
    rm -rf "$out"
fi
measure "tf_keras.models.load_model" 1 "$venv/bin/python" -c "$tf_keras_load" "$model"
measure "tf.saved_model.load" 1 "$venv/bin/python" -c "$tf_load" "$model"

row_ok() { [ "${status[$1]:-}" = ok ]; }
get() { local -n arr=$1; row_ok "$2" && echo "${arr[$2]:--}" || echo -; }

cat_s=$(get wall "cat data shard > /dev/null")
cp_s=$(get saved "cp -r folder")
cp_sync_s=$(get saved "cp -r folder + fsync")
keras_s=$(get inproc "tf_keras.models.load_model")
tf_s=$(get inproc "tf.saved_model.load")
keras_cpu=$(get call_cpu "tf_keras.models.load_model")
tf_cpu=$(get call_cpu "tf.saved_model.load")

echo
echo "SavedModel benchmark: $model, $((size / 1048576)) MiB ($((shard_size / 1048576)) MiB data shard),"
echo "warm page cache, median of $reps (tf_keras, tf.saved_model.load: 1 run; metadata-only: median of $inproc_reps calls)"
printf '%-40s %8s %8s %9s %9s %9s %9s %13s %13s %13s\n' row "wall s" "cpu s" "time s" \
    "call cpu" "RSS MiB" "÷cat" "keras÷(cpu)" "tf÷(cpu)" "÷cp(sync)"
for name in "${methods[@]}"; do
    if ! row_ok "$name"; then
        printf '%-40s %s\n' "$name" "${status[$name]}"
        continue
    fi
    w=${wall[$name]} r=${rss[$name]}
    # The time that matters per row: in-process load or save time where the
    # program reports one, else the wall time.
    t=${saved[$name]:-${inproc[$name]:-$w}}
    c=${call_cpu[$name]:--}
    vs_cat=- keras=- tf=- vs_cp=-
    case $name in
        "strata load"*) vs_cat=$(ratio "$w" "$cat_s")
                        keras="$(ratio "$keras_s" "$t")($(ratio "$keras_cpu" "$c"))"
                        tf="$(ratio "$tf_s" "$t")($(ratio "$tf_cpu" "$c"))" ;;
        "strata save"*) vs_cp="$(ratio "$t" "$cp_s")($(ratio "$t" "$cp_sync_s"))" ;;
        "cat "*) vs_cat=1.00 ;;
    esac
    printf '%-40s %8s %8s %9s %9s %9d %9s %13s %13s %13s\n' "$name" "$w" "${cpu[$name]}" "$t" \
        "$c" $((r / 1024)) "$vs_cat" "$keras" "$tf" "$vs_cp"
done
if [ -n "$strata_missing" ]; then
    printf '%-40s %s\n' "strata rows" "$strata_missing"
fi
echo "(time: the in-process load or save time the program reports, else wall; call cpu: the CPU"
echo " time of that call, all threads of the process; ÷cat: wall time of the whole Strata process"
echo " against cat of the data shard; keras÷ and tf÷: how many times faster Strata's in-process"
echo " load is than tf_keras.models.load_model and tf.saved_model.load, in brackets by CPU time;"
echo " ÷cp: Strata's in-process save time against cp -r of the folder, in brackets against cp -r"
echo " followed by fsync of every copied file, as Strata's atomic save syncs what it wrote."
echo " Goals: keras÷ and tf÷ >= 50, \"read every byte\" ÷cat <= 2, metadata-only under 0.020 s,"
echo " save ÷cp <= 2 (issue 8) and <= 1.5 with peak RSS <= model size + 64 MiB (issue 13).)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
