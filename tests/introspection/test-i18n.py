#!/usr/bin/python3
# test-i18n.py: the library and the strata tool speak Korean and German
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs children with LANGUAGE=ko (or de) and LANG=C.UTF-8, the catalogs of
# the build tree (STRATA_LOCALEDIR) and checks that error messages and
# `strata --help` come out translated, and that LANGUAGE=C gives English.
# Usage: test-i18n.py LOCALEDIR STRATA_TOOL

import os
import re
import subprocess
import sys
import unittest

LOCALEDIR = sys.argv[1]
STRATA_TOOL = sys.argv[2]
del sys.argv[1:3]

HANGUL = re.compile('[\uac00-\ud7a3]')
# Words that only the German catalog uses in these messages.
GERMAN = re.compile(r'\b(Datei|Modell|Format|nicht|unbekannt|Ebene|ungültig|Zeile|Spalte|Optionen|Hilfe)\b',
                    re.IGNORECASE)

CHILD = r'''
import locale, os, sys
locale.setlocale(locale.LC_ALL, "")
import gi
gi.require_version("Strata", "1.0")
from gi.repository import GLib, Gio, Strata
out = []
try:
    Strata.Model.from_json('{"class_name": "Sequential", "config": ', -1, None, 0)
except GLib.Error as e:
    out.append(e.message)
options = Strata.SaveOptions.new()
options.set_format("no-such-format")
model = Strata.Sequential.new("m")
try:
    model.save(Gio.File.new_for_path(os.path.join(sys.argv[1], "m.bin")), options, None)
except GLib.Error as e:
    out.append(e.message)
print("\n".join(out))
'''


def child_env(language):
    env = dict(os.environ)
    for var in ('LC_ALL', 'LC_MESSAGES'):
        env.pop(var, None)
    env['LANG'] = 'C.UTF-8'
    env['LANGUAGE'] = language
    env['STRATA_LOCALEDIR'] = LOCALEDIR
    env['PYTHONIOENCODING'] = 'utf-8'
    return env


def run(args, language):
    proc = subprocess.run(args, env=child_env(language), capture_output=True,
                          encoding='utf-8', timeout=60)
    return proc


class I18nTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for lang in ('ko', 'de'):
            mo = os.path.join(LOCALEDIR, lang, 'LC_MESSAGES', 'strata-1.0.mo')
            if not os.path.exists(mo):
                raise unittest.SkipTest('%s is not built (NLS disabled?)' % mo)

    def library_messages(self, language):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            proc = run([sys.executable, '-c', CHILD, tmp], language)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.strip().splitlines()
        self.assertEqual(len(lines), 2, proc.stdout + proc.stderr)
        return lines

    def test_library_errors_in_korean(self):
        english = self.library_messages('C')
        for line in english:
            self.assertIsNone(HANGUL.search(line), line)
        korean = self.library_messages('ko')
        for en, ko in zip(english, korean):
            self.assertRegex(ko, HANGUL, 'not translated: %r' % ko)
            self.assertNotEqual(en, ko)
        # The details (the unknown format's name) survive the translation.
        self.assertIn('no-such-format', korean[1])

    def test_library_errors_in_german(self):
        english = self.library_messages('C')
        german = self.library_messages('de')
        for en, de in zip(english, german):
            self.assertNotEqual(en, de)
            self.assertRegex(de, GERMAN)

    def test_tool_help_in_korean(self):
        english = run([STRATA_TOOL, '--help'], 'C')
        self.assertEqual(english.returncode, 0, english.stderr)
        self.assertIsNone(HANGUL.search(english.stdout), english.stdout)
        korean = run([STRATA_TOOL, '--help'], 'ko')
        self.assertEqual(korean.returncode, 0, korean.stderr)
        self.assertRegex(korean.stdout, HANGUL, korean.stdout)
        # GLib translates "Usage:" itself; the tool's own lines (summary,
        # commands, options) must come from Strata's catalog. Every line of
        # English text in the C output has to be gone.
        english_lines = [line.strip() for line in english.stdout.splitlines()
                         if re.search(r'[A-Za-z]{4,} [A-Za-z]{2,}', line)]
        self.assertTrue(english_lines, english.stdout)
        for line in english_lines:
            self.assertNotIn(line, korean.stdout)


if __name__ == '__main__':
    from gitest import main
    main()
