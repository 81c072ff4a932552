#!/bin/sh
# run-fuzzer.sh: a time-boxed libFuzzer run of one target (meson suite
# fuzz-run, in -Dfuzzing=true builds).
#
# Usage: run-fuzzer.sh FUZZER ARTIFACT_DIR SUFFIXES DIR...
#
# The seeds are files under each DIR whose names end with one of the
# comma-separated SUFFIXES, up to 64 KiB each (bigger ones slow every
# iteration down): STRATA_FUZZ_SEEDS of them (default 40), spread over the
# sizes, so that libFuzzer's first pass over them leaves time to fuzz (the
# replay test runs every seed). The run lasts STRATA_FUZZ_SECONDS seconds
# (default 30). A crash, leak, timeout, memory blow-up or sanitizer report
# fails the test; libFuzzer leaves the input in ARTIFACT_DIR (replay it with
# FUZZER FILE).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u

fuzzer=$1 artifacts=$2 suffixes=$3
shift 3
name=$(basename "$fuzzer")
seconds=${STRATA_FUZZ_SECONDS:-30}
max_seeds=${STRATA_FUZZ_SEEDS:-40}
max_len=65536

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/seeds" "$tmp/corpus"
mkdir -p "$artifacts"

n=0
for dir in "$@"; do
    if [ ! -d "$dir" ]; then
        echo "# note: seed folder $dir is missing (its replay test reports it)"
        continue
    fi
    # No globbing: the suffix "*" (any file) must reach find as it is.
    set -f
    for suffix in $(echo "$suffixes" | tr ',' ' '); do
        find "$dir" -type f -name "*$suffix" -size -$((max_len / 1024 + 1))k -printf '%s %p\n'
    done
    set +f
done | sort -u | sort -n -k1,1 >"$tmp/all"
total=$(wc -l <"$tmp/all")
step=$(( (total + max_seeds - 1) / max_seeds ))
[ "$step" -gt 0 ] || step=1
awk -v step="$step" '(NR - 1) % step == 0 { sub(/^[0-9]+ /, ""); print }' "$tmp/all" >"$tmp/list"
while IFS= read -r f; do
    n=$((n + 1))
    cp "$f" "$tmp/seeds/$n-$(basename "$f")"
done <"$tmp/list"
echo "# $name: $n of $total seed files ($suffixes, at most $max_len bytes) from $*"
echo "1..1"
[ "$n" -gt 0 ] || { echo "not ok 1 - $name: no seeds"; exit 1; }

# libFuzzer's own exit status for a finding is 77, which meson reads as
# "skipped": every finding exits 1.
"$fuzzer" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 \
    -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$tmp/corpus" "$tmp/seeds"
rc=$?
if [ $rc -ne 0 ]; then
    echo "not ok 1 - $name found a bug (exit status $rc); the input is in $artifacts"
    exit 1
fi
echo "ok 1 - $name: no finding in $seconds s"
