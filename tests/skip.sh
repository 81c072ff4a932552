#!/bin/sh
# skip.sh: how the shell tests skip, in one place.
#
#   . "$STRATA_SOURCE_ROOT/tests/skip.sh"; strata_skip "why"   (in a test script)
#   skip.sh "why"        (the program of a test whose tool meson did not find)
#
# Prints the TAP plan "1..0 # SKIP why" (meson's "skipped"; every test is
# protocol 'tap') and exits 0. Under CI=true, where every fixture, tool,
# format module and the Keras venv exist, a test that cannot run has
# failed: it prints a failed case with the reason and exits 1 instead.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

strata_skip () {
    if [ "${CI:-}" = true ]; then
        printf '1..1\nnot ok 1 - CI=true, where nothing may be skipped: %s\n' "$*"
        exit 1
    fi
    echo "1..0 # SKIP $*"
    exit 0
}

# Sets $venv to the Keras venv (STRATA_VENV, or tests/.venv) or skips.
strata_require_venv () {
    venv=${STRATA_VENV:-${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}/tests/.venv}
    [ -x "$venv/bin/python" ] ||
        strata_skip "this test needs real Keras in $venv, which is missing; run tests/setup-venv.sh"
}

case ${0##*/} in
    skip.sh) strata_skip "$@" ;;
esac
