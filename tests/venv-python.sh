#!/bin/sh
# venv-python.sh: runs a Python script in the Keras venv (tests/.venv, or
# STRATA_VENV); skips (see skip.sh) when the venv is missing.
#
# Usage: venv-python.sh SCRIPT [ARGS...]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
. "${STRATA_SOURCE_ROOT:?STRATA_SOURCE_ROOT is not set}/tests/skip.sh"
strata_require_venv
exec env -u TF_USE_LEGACY_KERAS TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES= "$venv/bin/python" "$@"
