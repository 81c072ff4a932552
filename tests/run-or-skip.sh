#!/bin/sh
# run-or-skip.sh: runs TOOL with ARGS, or skips (see skip.sh) when TOOL (an
# absolute path, or a name on PATH) is not installed or a file the test
# needs is missing. Lets meson register a test whatever configure found.
#
# Usage: run-or-skip.sh [--needs FILE]... [--case NAME] TOOL [ARGS...]
#
# TOOL prints TAP itself, or, with --case, reports by exit status only (the
# demo programs): its output becomes TAP comments and its status the case
# NAME.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
. "$(dirname "$0")/skip.sh"
while [ "${1:-}" = --needs ]; do
    [ -e "$2" ] || strata_skip "$2 is missing (the real Keras fixtures are ../shared/fixtures/real)"
    shift 2
done
case_name=
if [ "${1:-}" = --case ]; then
    case_name=$2
    shift 2
fi
tool=$1
shift
command -v "$tool" >/dev/null 2>&1 ||
    strata_skip "$tool is not installed (.ci/install-deps.sh installs it)"
[ -n "$case_name" ] || exec "$tool" "$@"
out=$("$tool" "$@" 2>&1)
rc=$?
[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
if [ $rc -eq 0 ]; then
    echo "ok 1 - $case_name"
else
    echo "not ok 1 - $case_name (exit status $rc)"
fi
echo "1..1"
[ $rc -eq 0 ]
