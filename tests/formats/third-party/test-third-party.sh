#!/bin/sh
# Builds a format module outside the tree against the staged install (only
# its public headers and pkg-config file), then saves and loads a model
# through it with the installed strata tool. Prints TAP on stdout (one case
# per step; the tools' own output goes to stderr).
#
# Usage: test-third-party.sh BUILD_DIR SOURCE_DIR STRATA_TOOL CONFIG_JSON
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

build=$1
src=$2
config=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-third-party.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

exec 3>&1 1>&2
n=0
ok () {
  n=$((n + 1))
  echo "ok $n - $*" >&3
}
fail () {
  n=$((n + 1))
  printf 'not ok %d - %s\n1..%d\n' "$n" "$*" "$n" >&3
  exit 1
}

# 1. Stage the install.
meson install -C "$build" --no-rebuild --destdir "$tmp/stage" --quiet >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "meson install failed"; }

pc=$(find "$tmp/stage" -name strata-1.0.pc | head -n 1)
[ -n "$pc" ] || fail "no strata-1.0.pc in the staged install"
# The .pc names the real prefix; point a copy at the staged one.
prefix=$(sed -n 's/^prefix=//p' "$pc")
staged_prefix="$tmp/stage$prefix"
mkdir "$tmp/pkgconfig"
sed "s|^prefix=.*|prefix=$staged_prefix|" "$pc" >"$tmp/pkgconfig/strata-1.0.pc"
export PKG_CONFIG_PATH="$tmp/pkgconfig"

libdir=$(pkg-config --variable=libdir strata-1.0)
formatdir=$(pkg-config --variable=formatdir strata-1.0)
tool="$staged_prefix/bin/strata"
[ -x "$tool" ] || fail "the strata tool was not installed"
[ -f "$(pkg-config --variable=includedir strata-1.0)/strata-1.0/strata/strata-plugin.h" ] ||
  fail "strata-plugin.h was not installed"
ok "the staged install has strata-1.0.pc, the strata tool and strata-plugin.h"

# 2. Build the module with nothing but pkg-config's flags.
mkdir "$tmp/plugins"
${CC:-cc} -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC -fvisibility=hidden \
  -o "$tmp/plugins/libstrata-format-demo.so" "$src/strata-format-demo.c" \
  $(pkg-config --cflags --libs strata-1.0) || fail "the third-party module does not build"
ok "the module builds with pkg-config's flags only"

# Its metadata file, written by hand, goes beside it, as the installed
# modules' files are beside them.
cp "$src/libstrata-format-demo.format" "$tmp/plugins/"
for module in "$formatdir"/libstrata-format-*.so; do
  [ -f "${module%.so}.format" ] || fail "no metadata file was installed beside $module"
done
ok "every installed module has its metadata file beside it"

# 3. Use it through the installed tool and library.
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export STRATA_FORMAT_PATH="$tmp/plugins"
export STRATA_FORMAT_SYSTEM_PATH="$formatdir"

# The hand-written file says what the module says.
"$tool" formats --check >"$tmp/checked.txt" || fail "strata formats --check failed"
grep -q '^demo — Demo format from a third-party module$' "$tmp/checked.txt" ||
  { cat "$tmp/checked.txt" >&2; fail "the demo module does not match its metadata file"; }

"$tool" formats >"$tmp/formats.txt" || fail "strata formats failed"
grep -q '^demo — Demo format from a third-party module$' "$tmp/formats.txt" ||
  { cat "$tmp/formats.txt" >&2; fail "strata formats does not list the demo module"; }
grep -q '^json-config — ' "$tmp/formats.txt" || fail "the installed json-config module is missing"
ok "strata formats lists the demo module, which matches its metadata file"

"$tool" convert "$config" "$tmp/model.demo" || fail "saving through the demo module failed"
head -c 17 "$tmp/model.demo" | grep -q '^{"demo_format": 1' || fail "model.demo is not a demo file"
ok "a model saves through the demo module"

# Content sniffing picks the demo module even behind a .json name.
cp "$tmp/model.demo" "$tmp/disguised.json"
"$tool" info "$tmp/disguised.json" >"$tmp/info.txt" || fail "strata info failed"
grep -q '^Format: demo$' "$tmp/info.txt" || { cat "$tmp/info.txt" >&2; fail "not sniffed as demo"; }
ok "content sniffing picks the demo module behind a .json name"

"$tool" convert "$tmp/model.demo" "$tmp/back.json" || fail "loading through the demo module failed"
"$tool" dump --json "$config" >"$tmp/a.json" || fail "dump of the original failed"
"$tool" dump --json "$tmp/back.json" >"$tmp/b.json" || fail "dump of the round trip failed"
# A config holds no weights: kernels are initialised at random on each
# load, so their digests are left out of the comparison.
strip_random () {
  sed -E 's#(/kernel:0", "dtype": "float32", "shape": \[[0-9, ]+\], "sha256": )"[0-9a-f]{64}"#\1"RANDOM"#g' "$1"
}
[ "$(strip_random "$tmp/a.json")" = "$(strip_random "$tmp/b.json")" ] ||
  { diff "$tmp/a.json" "$tmp/b.json" >&2; fail "the round trip changed the model"; }
# Every weight has its digest, and exactly the kernels were left out above.
count () { grep -oE "$1" "$2" | wc -l; }
n_weights=$(count '"shape": \[' "$tmp/a.json")
n_digests=$(count '"sha256": "[0-9a-f]{64}"' "$tmp/a.json")
[ "$n_weights" -gt 0 ] && [ "$n_digests" -eq "$n_weights" ] ||
  fail "digests were not computed ($n_digests digests for $n_weights weights)"
n_kernels=$(count '/kernel:0"' "$tmp/a.json")
strip_random "$tmp/a.json" >"$tmp/a-stripped.json"
n_random=$(count '"sha256": "RANDOM"' "$tmp/a-stripped.json")
[ "$n_kernels" -gt 0 ] && [ "$n_random" -eq "$n_kernels" ] ||
  fail "$n_random kernel digests left out of the comparison, for $n_kernels kernels"
ok "the model loaded back through the demo module is the one saved"

# A metadata file that disagrees with the module fails the module's load.
mkdir "$tmp/wrong"
cp "$tmp/plugins/libstrata-format-demo.so" "$tmp/wrong/"
sed 's/^Extensions=demo;$/Extensions=dmo;/' "$src/libstrata-format-demo.format" >"$tmp/wrong/libstrata-format-demo.format"
STRATA_FORMAT_PATH="$tmp/wrong" "$tool" formats --check >"$tmp/wrong.txt" || fail "strata formats --check failed"
grep -q 'does not match the module: the module declares another Extensions' "$tmp/wrong.txt" ||
  { cat "$tmp/wrong.txt" >&2; fail "a mismatched metadata file was not reported"; }

ok "a metadata file that disagrees with its module is reported"
echo "1..$n" >&3
