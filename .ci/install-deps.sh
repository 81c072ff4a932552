#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages Strata builds and tests with.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libjson-glib-dev libhdf5-dev hdf5-tools
  libzip-dev libdeflate-dev zlib1g-dev nettle-dev libprotobuf-c-dev protobuf-c-compiler libsnappy-dev libisal-dev libopenblas-dev
  gobject-introspection libgirepository1.0-dev valac gi-docgen gjs
  python3 python3-venv python3-gi python3-h5py python3-numpy
  clang-14 libclang-rt-14-dev valgrind groff-base libtsan2
  libgtk-4-dev libadwaita-1-dev desktop-file-utils appstream xvfb xauth
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
