# bench-common.sh: shared by bench/run-bench.sh, bench/run-bench-savedmodel.sh
# and bench/run-bench-save.sh
# (sourced by bash).  measure() runs a command N times under /usr/bin/time
# and keeps, per row name: median wall time, median CPU time (user+sys,
# steadier than wall on a busy machine), largest peak RSS, and the medians
# of the load_s= and save_s= values the command prints on its last line
# (and of load_cpu_s= / save_cpu_s=, the CPU time of those calls).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

# The caller sets here and root; its first argument is the build folder.
build=${1:-${STRATA_BUILD_DIR:-$root/build}}
bench_dir=${BENCH_DIR:-${TMPDIR:-/tmp}/strata-bench}
reps=${BENCH_REPS:-5}
inproc_reps=${BENCH_INPROC_REPS:-21}
venv=$root/tests/.venv

die() { echo "${bench_name:-bench}: ERROR: $*" >&2; exit 1; }
say() { echo "${bench_name:-bench}: $*" >&2; }

declare -A wall rss inproc saved cpu call_cpu status
methods=()

# h5py_python: a Python with h5py and NumPy (the venv's, else Debian's
# python3-h5py), or nothing.
h5py_python() {
    local cand
    for cand in "$venv/bin/python" /usr/bin/python3; do
        if [ -x "$cand" ] && "$cand" -c 'import h5py, numpy' 2>/dev/null; then echo "$cand"; return; fi
    done
}

# bench_model MODEL: writes the ~1 GiB Keras HDF5 model of run-bench.sh to
# MODEL once (make-big-model.py; BENCH_*_LAYERS, BENCH_BIG_UNITS), warms
# the page cache with it and sets $size.
bench_model() {
    local py
    mkdir -p "$(dirname "$1")" || die "cannot create $(dirname "$1")"
    if [ ! -f "$1" ]; then
        py=$(h5py_python)
        [ -n "$py" ] || die "no Python with h5py to write $1: run tests/setup-venv.sh or install python3-h5py"
        say "writing $1 (once; reused by later runs)"
        "$py" "$here/make-big-model.py" "$1" \
            --small-layers "${BENCH_SMALL_LAYERS:-240}" \
            --big-layers "${BENCH_BIG_LAYERS:-4}" --big-units "${BENCH_BIG_UNITS:-8192}" \
            || die "could not write $1"
    fi
    size=$(stat -c %s "$1")
    say "model: $1 ($((size / 1048576)) MiB); warming the page cache"
    cat "$1" > /dev/null
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ratio A B: A/B with two decimals, or "-".
ratio() {
    if [ -n "$1" ] && [ -n "$2" ] && [ "$1" != - ] && [ "$2" != - ]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
    else
        echo -
    fi
}

# measure NAME REPS CMD...  ($bench_tmp must be a scratch directory)
measure() {
    local name=$1 n=$2; shift 2
    local walls=() cpus=() loads=() saves=() call_cpus=() maxrss=0 i out
    methods+=("$name")
    for ((i = 0; i < n; i++)); do
        if ! /usr/bin/time -f '%e %M %U %S' -o "$bench_tmp/time" "$@" > "$bench_tmp/out" 2> "$bench_tmp/err"; then
            status[$name]="FAILED: $(tail -n 1 "$bench_tmp/err")"
            say "$name: failed:"; tail -n 5 "$bench_tmp/err" >&2
            return
        fi
        read -r w m u s < <(tail -n 1 "$bench_tmp/time")
        walls+=("$w"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
        [ "$m" -gt "$maxrss" ] && maxrss=$m
        out=$(tail -n 1 "$bench_tmp/out")
        [[ $out =~ load_s=([0-9.]+) ]] && loads+=("${BASH_REMATCH[1]}")
        [[ $out =~ save_s=([0-9.]+) ]] && saves+=("${BASH_REMATCH[1]}")
        [[ $out =~ (save|load)_cpu_s=([0-9.]+) ]] && call_cpus+=("${BASH_REMATCH[2]}")
        say "$name run $((i + 1))/$n: wall ${w}s, peak RSS $((m / 1024)) MiB; $out"
    done
    wall[$name]=$(printf '%s\n' "${walls[@]}" | median)
    cpu[$name]=$(printf '%s\n' "${cpus[@]}" | median)
    rss[$name]=$maxrss
    if [ ${#loads[@]} -gt 0 ]; then
        inproc[$name]=$(printf '%s\n' "${loads[@]}" | median)
    fi
    if [ ${#call_cpus[@]} -gt 0 ]; then
        call_cpu[$name]=$(printf '%s\n' "${call_cpus[@]}" | median)
    fi
    if [ ${#saves[@]} -gt 0 ]; then
        saved[$name]=$(printf '%s\n' "${saves[@]}" | median)
    fi
    status[$name]=ok
}
