#!/bin/sh
# run-or-skip.sh: runs TOOL with ARGS, or skips (see skip.sh) when TOOL (an
# absolute path, or a name on PATH) is not installed or a file the test
# needs is missing. Lets meson register a test whatever configure found.
#
# Usage: run-or-skip.sh [--needs FILE]... TOOL [ARGS...]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
. "$(dirname "$0")/skip.sh"
while [ "${1:-}" = --needs ]; do
    [ -e "$2" ] || strata_skip "$2 is missing (the real Keras fixtures are ../shared/fixtures/real)"
    shift 2
done
tool=$1
shift
command -v "$tool" >/dev/null 2>&1 ||
    strata_skip "$tool is not installed (.ci/install-deps.sh installs it)"
exec "$tool" "$@"
