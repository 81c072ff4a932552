#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds Strata and runs every test on a Debian 12 machine, installing what
# is missing: Debian packages, then the real-Keras venv for the interop tests.
# Runs the suite in three builds: a -Werror build (then the README's example
# command on it), an ASan+UBSan build, and a clang-14 libFuzzer build that
# fuzzes each target for STRATA_FUZZ_SECONDS (default 30), and the threads
# and predict-threads tests in a ThreadSanitizer build (STRATA_TSAN=0 leaves it out).
# Ends with "N passed, N failed, N skipped", counted over all of them.
#
# Under CI=true (.ci/run) nothing may be skipped: every fixture, tool and
# the venv exist there, so a skipped test, or a venv that could not be
# created, counts as failed (tests/README.md).
#
# Build folders: STRATA_BUILDDIR (build), STRATA_ASAN_BUILDDIR (build-asan),
# STRATA_FUZZ_BUILDDIR (build-fuzz), STRATA_TSAN_BUILDDIR (build-tsan).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
builddir=${STRATA_BUILDDIR:-build}
asandir=${STRATA_ASAN_BUILDDIR:-build-asan}
tsandir=${STRATA_TSAN_BUILDDIR:-build-tsan}
fuzzdir=${STRATA_FUZZ_BUILDDIR:-build-fuzz}
# Results that are not meson tests, one "NAME OK|FAIL" per line.
extra=$(mktemp "${TMPDIR:-/tmp}/strata-run-all.XXXXXX")
trap 'rm -f "$extra"' EXIT

bash .ci/install-deps.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
if ! bash tests/setup-venv.sh; then
  echo "run-all: the Keras venv could not be created; interop tests will report it"
  [ "${CI:-}" = true ] && echo "keras-venv FAIL" >>"$extra"
fi
# Only this run's results are counted.
rm -f "$builddir/meson-logs/testlog.json" "$asandir/meson-logs/testlog.json" "$fuzzdir/meson-logs/testlog.json" \
  "$tsandir/meson-logs/testlog.json"

status=0
run_suite() {   # dir, setup args...
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" || return 1
  else
    meson configure "$dir" "$@" >/dev/null || return 1
  fi
  ninja -C "$dir" || return 1
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier "${STRATA_TIMEOUT_MULTIPLIER:-1}"
}

run_suite "$builddir" -Dwerror=true -Dbuildtype=debugoptimized || status=1

# The README's first command, as a new user runs it, on the build above.
if STRATA_BUILDDIR=$builddir bash tests/run-example.sh >"$builddir/meson-logs/readme-example.log" 2>&1; then
  echo "readme-example OK" >>"$extra"
else
  echo "run-all: bash tests/run-example.sh failed; the end of $builddir/meson-logs/readme-example.log:"
  tail -n 20 "$builddir/meson-logs/readme-example.log"
  echo "readme-example FAIL" >>"$extra"
fi

# Sanitizers: the interop and binding suites run real Python, which the
# sanitizer runtimes cannot be preloaded into, so they are left to the plain build.
# intercept_tls_get_addr=0: LeakSanitizer's scan of the dynamic TLS of
# format modules that were loaded and unloaded crashes its tracer (a bogus
# DTLS range, seen with test-json-config under meson).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp
if [ ! -f "$asandir/build.ninja" ]; then
  meson setup "$asandir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled -Dbuildtype=debug || status=1
fi
if ninja -C "$asandir"; then
  meson test -C "$asandir" --print-errorlogs --num-processes 2 --no-suite interop --no-suite introspection \
    --timeout-multiplier 3 || status=1
else
  status=1
fi

# libFuzzer: clang-14 instruments the library and the targets of
# tests/fuzz/meson.build; each runs for a short time (suite fuzz-run).
if [ ! -f "$fuzzdir/build.ninja" ]; then
  CC=clang-14 meson setup "$fuzzdir" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    "-Dc_args=['-fsanitize=fuzzer-no-link', '-fno-sanitize-recover=all']" \
    -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled -Dnls=false -Dbuildtype=debugoptimized \
    -Dwerror=true || status=1
fi
if ninja -C "$fuzzdir" fuzzers; then
  STRATA_FUZZ_SECONDS=${STRATA_FUZZ_SECONDS:-30} \
    meson test -C "$fuzzdir" --no-rebuild --print-errorlogs --suite fuzz-run || status=1
else
  status=1
fi

# ThreadSanitizer: only the tests that load and save, and predict, from
# eight threads (the rest of the suite is single-threaded), and only what
# they need is built. Strata serializes every call into libhdf5 (plugins/libh5k/h5-common.c);
# tests/tsan.supp says what TSan cannot see.
if [ "${STRATA_TSAN:-1}" = 1 ]; then
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp"
  export G_SLICE=always-malloc
  if [ ! -f "$tsandir/build.ninja" ]; then
    meson setup "$tsandir" -Dwerror=true -Db_sanitize=thread -Db_lundef=false \
      -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled -Dbuildtype=debug || status=1
  fi
  if ninja -C "$tsandir" tests/robustness/test-threads tests/predict/test-predict-threads \
       $(ninja -C "$tsandir" -t targets all | grep -E '^plugins/([^/:]+/)?[^/:]+\.(so|format): ' | cut -d: -f1); then
    meson test -C "$tsandir" --no-rebuild --print-errorlogs --timeout-multiplier 3 threads predict-threads || status=1
  else
    status=1
  fi
fi

tsan_log=()
[ "${STRATA_TSAN:-1}" = 1 ] && tsan_log=("$tsandir")
/usr/bin/python3 - "$extra" "$builddir" "$asandir" "$fuzzdir" "${tsan_log[@]}" <<'PY'
import json, sys, os
passed = failed = skipped = 0
ci = os.environ.get("CI") == "true"
for line in open(sys.argv[1]):
    name, result = line.split()
    if result == "OK":
        passed += 1
    else:
        failed += 1
        print(f"run-all: {name} failed")
for d in sys.argv[2:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1
        print(f"run-all: {log} is missing (the build failed)")
        continue
    for line in open(log):
        test = json.loads(line)
        r = test["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP" and ci:
            failed += 1
            print(f"run-all: {d}: {test['name']} was skipped, which CI=true does not allow")
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
            print(f"run-all: {d}: {test['name']} {r}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
summary=$?
[ $summary -eq 0 ] && [ $status -eq 0 ] && exit 0
exit 1
