#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-bench-inspector.sh: how soon Strata Inspector shows the layers of the
# ~1 GiB model of bench/run-bench.sh (written once with make-big-model.py,
# real tf-keras from tests/.venv), on a headless X server.
#
# Usage: inspector/bench/run-bench-inspector.sh [BUILD_DIR]
# Environment: BENCH_DIR (default ${TMPDIR:-/tmp}/strata-bench), BENCH_REPS (default 5).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-${STRATA_BUILD_DIR:-$root/build}}
bench_dir=${BENCH_DIR:-${TMPDIR:-/tmp}/strata-bench}
model=$bench_dir/strata-bench-1g.h5
prog=$build/inspector/inspector-bench-open

[ -x "$prog" ] || { echo "missing $prog: ninja -C $build inspector/inspector-bench-open" >&2; exit 1; }
command -v xvfb-run > /dev/null || { echo "xvfb-run is missing (Debian package xvfb)" >&2; exit 1; }
mkdir -p "$bench_dir"
if [ ! -f "$model" ]; then
    echo "writing $model (once)" >&2
    "$root/tests/.venv/bin/python" "$root/bench/make-big-model.py" "$model" \
        --small-layers 240 --big-layers 4 --big-units 8192
fi
echo "model: $model ($(( $(stat -c %s "$model") / 1048576 )) MiB); warming the page cache" >&2
cat "$model" > /dev/null
STRATA_FORMAT_PATH=${STRATA_FORMAT_PATH:-$build/plugins} GSK_RENDERER=cairo GDK_BACKEND=x11 NO_AT_BRIDGE=1 \
    xvfb-run --auto-servernum "$prog" --repeat "${BENCH_REPS:-5}" "$model"
