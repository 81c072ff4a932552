#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerates po/POTFILES: every C source that marks strings for translation.
# Run from anywhere; then `ninja -C BUILD strata-1.0-update-po`.
cd "$(dirname "$0")/.." || exit 1
{
  echo "# Files with translatable strings; regenerate with po/update-potfiles.sh"
  ls core/*.c core/layers/*.c core/tools/*.c plugins/*/*.c inspector/*.c 2>/dev/null |
    xargs grep -lE '(^|[^A-Za-z0-9_])(N_|_|C_|NC_|g_dngettext) ?\(' | LC_ALL=C sort
  # The inspector's desktop entry and AppStream metainfo, merged by meson.
  ls inspector/data/*.desktop.in inspector/data/*.metainfo.xml.in
} > po/POTFILES
