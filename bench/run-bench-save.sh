#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-bench-save.sh: save benchmark for the ~1 GiB Keras HDF5 model of
# run-bench.sh, against cp of the same bytes.
#
# Usage: bench/run-bench-save.sh [BUILD_DIR]   (default: ./build or $STRATA_BUILD_DIR)
# Environment: BENCH_DIR (default ${TMPDIR:-/tmp}/strata-bench), BENCH_REPS
#   (default 5), BENCH_SAVE_FORMATS (default "h5 keras-v3 tf-savedmodel";
#   a format whose module is missing is reported so).
#
# Per repetition and format, in turn (so a change of the machine's load
# hits all of them alike): strata-bench-load --no-touch --save-to loads the
# model mapped and saves it (the in-process time of strata_model_save(),
# which syncs what it wrote; peak RSS and CPU time of the process), then
# cp copies what Strata wrote to a new name, once alone and once followed
# by sync of the copy. Every output is removed before the next command, out
# of the timed part.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bench_name=run-bench-save
# shellcheck source=bench-common.sh
. "$here/bench-common.sh" "$@"
model=$bench_dir/strata-bench-1g.h5
formats=${BENCH_SAVE_FORMATS:-h5 keras-v3 tf-savedmodel}

prog=$build/bench/strata-bench-load
[ -x "$prog" ] || die "$prog is missing (build it: ninja -C $build bench/strata-bench-load)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package 'time')"

bench_model "$model"

export STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-$build/plugins}

bench_tmp=$(mktemp -d "$bench_dir/save.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$bench_tmp"' EXIT

suffix() {
    case $1 in
        h5) echo .h5 ;;
        keras-v3) echo .keras ;;
        *) echo "" ;;   # a folder
    esac
}

# copy SRC DST MODE: cp -r (MODE sync: then sync of every copied file) under
# /usr/bin/time; prints its wall and CPU (user+sys) seconds.
copy() {
    /usr/bin/time -f '%e %U %S' -o "$bench_tmp/time" sh -c \
        'cp -r "$1" "$2" && { [ "$3" != sync ] || find "$2" -type f -exec sync {} +; }' \
        sh "$1" "$2" "$3" || return 1
    read -r w u s < <(tail -n 1 "$bench_tmp/time")
    rm -rf "$2"
    echo "$w $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
}

declare -A t_save t_cp t_sync c_save c_cp c_sync rss_save fail
for fmt in $formats; do
    t_save[$fmt]="" t_cp[$fmt]="" t_sync[$fmt]="" c_save[$fmt]="" c_cp[$fmt]="" c_sync[$fmt]=""
    rss_save[$fmt]=0
done
for ((i = 1; i <= reps; i++)); do
    for fmt in $formats; do
        [ -n "${fail[$fmt]:-}" ] && continue
        out=$bench_tmp/out$(suffix "$fmt")
        rm -rf "$out" "$out.cp"
        if ! /usr/bin/time -f '%M' -o "$bench_tmp/time" "$prog" --no-touch --save-to "$out" \
                --save-format "$fmt" "$model" > "$bench_tmp/stdout" 2> "$bench_tmp/err"; then
            fail[$fmt]="FAILED: $(grep -v '^Command exited' "$bench_tmp/err" | tail -n 1)"
            say "$fmt: ${fail[$fmt]}"
            continue
        fi
        m=$(tail -n 1 "$bench_tmp/time")
        [[ $(tail -n 1 "$bench_tmp/stdout") =~ save_s=([0-9.]+)\ save_cpu_s=([0-9.]+) ]] ||
            die "$fmt: no save_s in the output of $prog"
        t_save[$fmt]+="${BASH_REMATCH[1]} " c_save[$fmt]+="${BASH_REMATCH[2]} "
        [ "$m" -gt "${rss_save[$fmt]}" ] && rss_save[$fmt]=$m
        out_size=$(du -sb "$out" | cut -f1)
        read -r w c < <(copy "$out" "$out.cp" nosync) || die "cp failed"
        t_cp[$fmt]+="$w " c_cp[$fmt]+="$c "
        read -r w c < <(copy "$out" "$out.cp" sync) || die "cp failed"
        t_sync[$fmt]+="$w " c_sync[$fmt]+="$c "
        say "$fmt run $i/$reps: save ${BASH_REMATCH[1]}s (cpu ${BASH_REMATCH[2]}s), peak RSS" \
            "$((m / 1024)) MiB, $((out_size / 1048576)) MiB written"
    done
done
rm -rf "$bench_tmp"/out*

med() { printf '%s\n' $1 | median; }

limit=$((size / 1024 + 64 * 1024))
echo
echo "Save benchmark: $model, $((size / 1048576)) MiB, warm page cache, median of $reps"
echo "load average before the table: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %7s %7s %9s %6s %9s %7s %7s %9s %7s %9s %8s\n' format "save s" "cp s" "cp+sync s" \
    "÷cp" "÷cp+sync" "cpu s" "cp cpu" "+sync cpu" "cpu÷cp" "RSS MiB" "limit"
for fmt in $formats; do
    if [ -n "${fail[$fmt]:-}" ]; then
        printf '%-14s %s\n' "$fmt" "${fail[$fmt]}"
        continue
    fi
    ts=$(med "${t_save[$fmt]}") tc=$(med "${t_cp[$fmt]}") ty=$(med "${t_sync[$fmt]}")
    cs=$(med "${c_save[$fmt]}") cc=$(med "${c_cp[$fmt]}") cy=$(med "${c_sync[$fmt]}")
    printf '%-14s %7.2f %7.2f %9.2f %6s %9s %7.2f %7.2f %9.2f %7s %9d %8d\n' "$fmt" "$ts" "$tc" "$ty" \
        "$(ratio "$ts" "$tc")" "$(ratio "$ts" "$ty")" "$cs" "$cc" "$cy" "$(ratio "$cs" "$cy")" \
        $((rss_save[$fmt] / 1024)) $((limit / 1024))
done
echo "(save s: wall time of strata_model_save() of the mapped model, in-process, fsync included;"
echo " cp s, cp+sync s: cp -r of what Strata wrote to a new name, alone and followed by sync of"
echo " the copy (Strata syncs what it saves), each from its own process; cpu: user+sys seconds of"
echo " the save call (getrusage) and of cp (+ sync): steadier than wall times on a busy machine;"
echo " cpu÷cp compares the save with cp+sync; RSS: the Strata process's peak (the weights it maps"
echo " included); limit: the model's size + 64 MiB, issue 13's goal)"
