#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Creates (idempotently) the Python environment used by the fixture
# generator, the interop suite and the load benchmark: tests/.venv with
# the packages pinned in tests/fixtures/requirements.txt.
#
# Usage: tests/setup-venv.sh            (PYTHON=python3.11 to pick another)
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
venv="$here/.venv"
req="$here/fixtures/requirements.txt"
python=${PYTHON:-python3}
stamp="$venv/.strata-requirements"

say() { printf 'setup-venv: %s\n' "$*"; }
die() { printf 'setup-venv: ERROR: %s\n' "$*" >&2; exit 1; }

[ -f "$req" ] || die "missing $req"
command -v "$python" >/dev/null 2>&1 || die "'$python' not found (set PYTHON=...)"

# Every pinned package installed at its pinned version (cheap: no imports).
pins_installed() {
    "$venv/bin/python" - "$req" <<'PY' 2>/dev/null
import sys, importlib.metadata as md
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if "==" in line:
        name, version = line.split("==")
        if md.version(name.strip()) != version.strip():
            sys.exit(1)
PY
}

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp" && pins_installed; then
    say "$venv is up to date with $req"
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv" || die "'$python -m venv $venv' failed"
fi

say "upgrading pip"
"$venv/bin/python" -m pip install --disable-pip-version-check --upgrade pip \
    || die "pip upgrade failed"

say "installing $req (tensorflow-cpu is large; this takes minutes)"
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
    -r "$req" || die "pip install -r $req failed"

say "checking the imports"
env -u TF_USE_LEGACY_KERAS TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" - <<'PY' \
    || die "the environment does not import tf_keras/keras/h5py/numpy"
import h5py, numpy, tensorflow as tf, tf_keras, keras
print("setup-venv: tensorflow", tf.__version__, "tf_keras", tf_keras.__version__,
      "keras", keras.__version__, "h5py", h5py.__version__,
      "numpy", numpy.__version__)
assert keras.__version__.startswith("3."), "keras is not Keras 3"
PY

cp "$req" "$stamp"
say "done: $venv"
