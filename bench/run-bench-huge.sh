#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-bench-huge.sh: a model larger than the machine's memory.
#
# Usage: bench/run-bench-huge.sh [BUILD_DIR]   (default: ./build or $STRATA_BUILD_DIR)
# Environment: BENCH_HUGE_GIB (weights in GiB, default 28: more than the 24 GiB
#   of the reference machine), BENCH_DIR (default ${TMPDIR:-/tmp}/strata-bench),
#   BENCH_REPS (runs per Strata row, default 1: each run moves the whole model),
#   BENCH_SKIP (an extended regular expression: rows whose names match are left out),
#   BENCH_AS_LIMIT_GIB (the address-space limit of the Python rows,
#   default the machine's memory less 2 GiB; lower it on a shared machine).
#
# Writes a Keras HDF5 model of BENCH_HUGE_GIB GiB of float32 weights in
# chunks with h5py (make-big-model.py: 8192x8192 kernels of 256 MiB each),
# then measures with /usr/bin/time (wall time and peak RSS):
#   - cp of the file followed by sync (the reference: Strata's saves sync);
#   - a metadata-only open, in process (goal: under 50 ms);
#   - a mapped load whose weights are not read (goal: peak RSS under 200 MiB);
#   - strata convert to .keras, to Keras 3 sharded weights and to a
#     SavedModel, and strata dump --json (goal: peak RSS under 1 GiB, at no
#     worse than 2x cp + sync);
#   - tf_keras.models.load_model and Keras 3's keras.saving.load_model on
#     the same file, under an address-space limit of the machine's memory
#     less 2 GiB so that they fail instead of waking the OOM killer;
#   - then, on the sharded weights (Strata's output above; the .h5 is
#     deleted first, as the disk may hold only two copies): a metadata-only
#     open and strata dump --json.
# Each output is deleted after it is measured. The script says how much free
# space it needs before it starts and refuses to start without it.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bench_name=run-bench-huge
# shellcheck source=bench-common.sh
. "$here/bench-common.sh" "$@"
reps=${BENCH_REPS:-1}
gib=${BENCH_HUGE_GIB:-28}
model=$bench_dir/strata-bench-huge-${gib}g.h5

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package 'time')"
command -v prlimit > /dev/null || die "prlimit is missing (Debian package 'util-linux')"
prog=$build/bench/strata-bench-load
tool=$build/core/tools/strata
[ -x "$prog" ] || die "$prog is missing (ninja -C $build bench/strata-bench-load)"
[ -x "$tool" ] || die "$tool is missing (ninja -C $build)"

py=$(h5py_python)
[ -n "$py" ] || die "no Python with h5py: run tests/setup-venv.sh or install python3-h5py"

mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
limit=$(( ${BENCH_AS_LIMIT_GIB:-$((mem_kib / 1048576 - 2))} << 30 ))
# 4 kernels of 256 MiB per GiB, plus the small layers' few MiB.
big_layers=$((gib * 4))
need_kib=$(( (2 * gib + 1) * 1048576 ))
mkdir -p "$bench_dir" || die "cannot create $bench_dir"
have_kib=$(df -Pk "$bench_dir" | awk 'NR == 2 { print $4 }')
[ -f "$model" ] && have_kib=$((have_kib + $(stat -c %s "$model") / 1024))
say "needs $((need_kib / 1048576)) GiB free in $bench_dir (the model and one output at a time);" \
    "$((have_kib / 1048576)) GiB available; memory $((mem_kib / 1048576)) GiB"
[ "$have_kib" -ge "$need_kib" ] || die "not enough free space in $bench_dir"
[ "$gib" -gt $((mem_kib / 1048576)) ] ||
    say "WARNING: ${gib} GiB is not more than this machine's memory; set BENCH_HUGE_GIB"

if [ ! -f "$model" ]; then
    say "writing $model (reused by later runs)"
    "$py" "$here/make-big-model.py" "$model" --small-layers 4 --big-layers "$big_layers" \
        --big-units 8192 --tiled-values || die "could not write $model"
fi
size=$(stat -c %s "$model")
say "model: $model ($((size / 1048576)) MiB)"

export STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-$build/plugins}
export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES=
unset TF_USE_LEGACY_KERAS

bench_tmp=$(mktemp -d "$bench_dir/run.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$bench_tmp"' EXIT
out=$bench_tmp/converted   # measure() keeps its own files in $bench_tmp
sharded=$bench_tmp/sharded/huge.weights.json

copy='
s=$(date +%s.%N)
cp "$1" "$2" && sync "$2" || exit 1
e=$(date +%s.%N)
rm -f "$2"
echo "save_s=$(awk -v s="$s" -v e="$e" "BEGIN { printf \"%.3f\", e - s }")"
'
# strata convert, timed; the output is removed unless $3 is "keep".
convert='
rm -rf "$2"
"$STRATA_TOOL" convert "$1" "$2" $STRATA_CONVERT_ARGS || exit 1
[ "$3" = keep ] || rm -rf "$2"
'
tf_keras_load='
import sys, time
import tf_keras
t = time.monotonic()
m = tf_keras.models.load_model(sys.argv[1], compile=False)
print("load_s=%.3f tensors=%d" % (time.monotonic() - t, len(m.weights)))
'
keras3_load='
import sys, time
import keras
t = time.monotonic()
m = keras.saving.load_model(sys.argv[1], compile=False)
print("load_s=%.3f tensors=%d" % (time.monotonic() - t, len(m.weights)))
'
limited=(prlimit --as="$limit")
# measure(), unless BENCH_SKIP matches the row.
row() {
    if [ -n "${BENCH_SKIP:-}" ] && [[ $1 =~ $BENCH_SKIP ]]; then
        say "$1: skipped (BENCH_SKIP)"
        return
    fi
    measure "$@"
}
export STRATA_TOOL=$tool

row "cp + sync" "$reps" sh -c "$copy" sh "$model" "$out"
row "strata metadata-only, 5 calls" 1 "$prog" --metadata-only --repeat 5 "$model"
row "strata load, mapped, not read" "$reps" "$prog" --no-touch "$model"
row "strata convert -> .keras" "$reps" sh -c "$convert" sh "$model" "$out.keras"
row "strata convert -> SavedModel" "$reps" sh -c "$convert" sh "$model" "$out.savedmodel"
row "strata dump --json" "$reps" sh -c '"$STRATA_TOOL" dump --json "$1" > /dev/null' sh "$model"
mkdir -p "$(dirname "$sharded")"
STRATA_CONVERT_ARGS="--max-shard-size 4GB" \
    row "strata convert -> sharded" 1 sh -c "$convert" sh "$model" "$sharded" keep
row "tf_keras.models.load_model" 1 "${limited[@]}" "$venv/bin/python" -c "$tf_keras_load" "$model"
row "keras 3 load_model (.h5)" 1 "${limited[@]}" "$venv/bin/python" -c "$keras3_load" "$model"

if [ "${status["strata convert -> sharded"]:-}" = ok ]; then
    [ "${BENCH_KEEP_MODEL:-0}" = 1 ] || { say "deleting $model for room"; rm -f "$model"; }
    row "sharded: strata info" 1 "$tool" info "$sharded"
    row "sharded: strata dump --json" 1 sh -c '"$STRATA_TOOL" dump --json "$1" > /dev/null' sh "$sharded"
fi

row_ok() { [ "${status[$1]:-}" = ok ]; }
cp_s=$(row_ok "cp + sync" && echo "${saved["cp + sync"]}" || echo -)

echo
echo "Bigger than memory: $model, $((size / 1048576)) MiB, machine memory $((mem_kib / 1024)) MiB,"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $reps run(s) per Strata row"
printf '%-34s %9s %9s %9s %9s\n' row "wall s" "time s" "RSS MiB" "÷cp+sync"
for name in "${methods[@]}"; do
    if ! row_ok "$name"; then
        printf '%-34s %s\n' "$name" "${status[$name]}"
        continue
    fi
    w=${wall[$name]}
    t=${saved[$name]:-${inproc[$name]:-$w}}
    vs=-
    case $name in
        "strata convert"* | "strata dump"* | "sharded: strata dump"*) vs=$(ratio "$w" "$cp_s") ;;
    esac
    printf '%-34s %9s %9s %9d %9s\n' "$name" "$w" "$t" $((rss[$name] / 1024)) "$vs"
done
echo "(time: the in-process time a program reports (metadata-only: the median of its calls), else"
echo " wall; ÷cp+sync: wall time against cp of the model followed by sync. The Python rows run"
echo " under an address-space limit of $((limit >> 30)) GiB."
echo " Goals (issue 13): metadata-only under 0.050 s; mapped load RSS under 200 MiB; convert and"
echo " dump RSS under 1024 MiB at ÷cp+sync <= 2.)"
