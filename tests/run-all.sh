#!/usr/bin/env bash
# Builds Strata and runs every test on a Debian 12 machine, installing what
# is missing: Debian packages, then the real-Keras venv for the interop tests.
# Runs the suite twice: a -Werror build, then an ASan+UBSan build; then the
# threads test in a ThreadSanitizer build.
# Ends with "N passed, N failed, N skipped".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
builddir=${STRATA_BUILDDIR:-build}
asandir=${STRATA_ASAN_BUILDDIR:-build-asan}
tsandir=${STRATA_TSAN_BUILDDIR:-build-tsan}

bash .ci/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if [ -f tests/setup-venv.sh ]; then
  bash tests/setup-venv.sh || echo "run-all: the Keras venv could not be created; interop tests will report it"
fi

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

# Sanitizers: the interop and binding suites run real Python, which the
# sanitizer runtimes cannot be preloaded into, so they are left to the plain build.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0
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

# ThreadSanitizer, kept short: only the test that loads and saves from eight
# threads (the rest of the suite is single-threaded), and only what it needs
# is built. libhdf5 is not thread-safe: Strata serializes every call into it
# (plugins/h5/h5-common.c); tests/tsan.supp says what else TSan cannot see.
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp"
export G_SLICE=always-malloc
if [ ! -f "$tsandir/build.ninja" ]; then
  meson setup "$tsandir" -Dwerror=true -Db_sanitize=thread -Db_lundef=false \
    -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled -Dbuildtype=debug || status=1
fi
if ninja -C "$tsandir" tests/robustness/test-threads \
     $(ninja -C "$tsandir" -t targets all | grep -E '^plugins/[^/:]+/[^/:]+\.so: ' | cut -d: -f1); then
  meson test -C "$tsandir" --no-rebuild --print-errorlogs --timeout-multiplier 3 threads || status=1
else
  status=1
fi

/usr/bin/python3 - "$builddir" "$asandir" "$tsandir" <<'PY'
import json, sys, os
passed = failed = skipped = 0
for d in sys.argv[1:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1
        print(f"run-all: {log} is missing (the build failed)")
        continue
    for line in open(log):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
summary=$?
[ $summary -eq 0 ] && [ $status -eq 0 ] && exit 0
exit 1
