#!/usr/bin/python3
# check-po.py: the translations are complete and match the sources
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# For every language of po/LINGUAS: msgfmt --check passes (format strings
# agree), nothing is untranslated or fuzzy, and every message the current
# sources mark for translation (po/POTFILES, regenerated here) has a
# translation. Also checks that POTFILES names every source file that marks
# strings.
#
# Usage: check-po.py SOURCE_ROOT translations|macros  (TAP output)
#   translations: POTFILES and the catalogs (the po-complete test)
#   macros: no translatable string is cut short by a format macro

import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import strata_testing  # noqa: E402

root = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else 'translations'
po_dir = os.path.join(root, 'po')
tap = strata_testing.Tap()
failures = []

MARK = re.compile(r'(^|[^A-Za-z0-9_])(N_|_|C_|NC_|g_dngettext) ?\(')
sources = sorted(p for pattern in ('core/*.c', 'core/layers/*.c', 'core/tools/*.c', 'plugins/*/*.c', 'inspector/*.c')
                 for p in (os.path.relpath(f, root) for f in glob.glob(os.path.join(root, pattern)))
                 if MARK.search(open(os.path.join(root, p), encoding='utf-8').read()))
with open(os.path.join(po_dir, 'POTFILES'), encoding='utf-8') as f:
    potfiles = [line.strip() for line in f if line.strip() and not line.startswith('#')]
for missing in sorted(set(sources) - set(potfiles)) if mode == 'translations' else ():
    failures.append('po/POTFILES does not list %s (run po/update-potfiles.sh)' % missing)
for gone in sorted(p for p in potfiles if mode == 'translations' and not os.path.exists(os.path.join(root, p))):
    failures.append('po/POTFILES lists %s, which does not exist' % gone)
if mode == 'translations':
    tap.check(not failures, 'po/POTFILES lists the source files that mark messages', '\n'.join(failures))

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'strata.pot')
    subprocess.run(['xgettext', '--from-code=UTF-8', '--keyword=_', '--keyword=N_',
                    '--keyword=C_:1c,2', '--keyword=NC_:1c,2', '--keyword=g_dngettext:2,3',
                    '-o', pot] + [p for p in sources if os.path.exists(os.path.join(root, p))],
                   cwd=root, check=True)

    # A G_GUINT64_FORMAT-style macro inside a translatable string cuts the
    # msgid short (xgettext cannot expand it), so the message is never
    # translated. <inttypes.h> macros (PRIu64) are understood by xgettext.
    with open(pot, encoding='utf-8') as f:
        pot_text = f.read()
    failures = []
    for refs, msgid in [] if mode != 'macros' else re.findall(r'^(#: .*)\n(?:#,.*\n)?msgid "((?:[^"\\]|\\.)*%)"$', pot_text, re.MULTILINE):
        failures.append('%s: the message “%s…” is cut at a format macro that xgettext cannot see; '
                        'use PRIu64/PRId64 from <inttypes.h> (or a cast and %%llu)' % (refs[3:], msgid))
    if mode == 'macros':
        tap.check(not failures, 'no translatable message is cut at a format macro', '\n'.join(failures))

    with open(os.path.join(po_dir, 'LINGUAS'), encoding='utf-8') as f:
        languages = [w for line in f for w in line.split('#')[0].split()] if mode == 'translations' else []
    for lang in languages:
        po = os.path.join(po_dir, lang + '.po')
        check = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                               capture_output=True, text=True)
        stats = check.stderr.strip()
        tap.check(check.returncode == 0 and 'fuzzy' not in stats and 'untranslated' not in stats,
                  '%s.po passes msgfmt --check, nothing fuzzy or untranslated (%s)' % (lang, stats), stats)
        # Messages of the sources that the catalog does not translate.
        merged = os.path.join(tmp, lang + '.po')
        subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot], check=True)
        stats = subprocess.run(['msgfmt', '--statistics', '-o', os.devnull, merged],
                               capture_output=True, text=True).stderr.strip()
        examples = []
        if 'untranslated' in stats or 'fuzzy' in stats:
            left = subprocess.run(['msgattrib', '--untranslated', '--no-obsolete', '--no-wrap', merged],
                                  capture_output=True, text=True, check=True).stdout
            examples = [m for m in re.findall(r'^msgid "(.+)"$', left, re.MULTILINE)][:5]
        tap.check(not examples and 'untranslated' not in stats and 'fuzzy' not in stats,
                  '%s.po translates every message of the current sources' % lang,
                  '%s; for example:\n%s' % (stats, '\n'.join(examples)))

sys.exit(tap.finish())
