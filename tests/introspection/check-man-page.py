#!/usr/bin/python3
# check-man-page.py: docs/strata.1 renders without warnings and documents
# every command and option that `strata --help` prints
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-man-page.py STRATA_TOOL MAN_PAGE

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import strata_testing  # noqa: E402

tool, page = sys.argv[1:3]
tap = strata_testing.Tap()
failures = []

with open(page, encoding='utf-8') as f:
    roff = f.read()
text = roff.replace('\\-', '-')

if shutil.which('groff'):
    proc = subprocess.run(['groff', '-man', '-ww', '-z', page], capture_output=True, text=True)
    tap.check(proc.returncode == 0 and not proc.stderr.strip(), 'groff renders %s without warnings' % page,
              proc.stderr)
else:
    tap.skip('groff renders %s' % page, 'groff is missing')

env = dict(os.environ, LANGUAGE='C', LC_ALL='C.UTF-8')


def help_of(*args):
    proc = subprocess.run([tool] + list(args) + ['--help'], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        failures.append('%s --help failed: %s' % (' '.join(args) or 'strata', proc.stderr))
    return proc.stdout


main_help = help_of()
commands = re.findall(r'^  (\w+)\s{2,}\S', main_help.split('Commands:', 1)[-1], re.MULTILINE)
tap.check(commands, '`strata --help` lists commands', main_help)
for command in commands:
    failures = []
    if not re.search(r'^\.B(I)? "?%s\b' % re.escape(command), text, re.MULTILINE):
        failures.append('command %r is not documented in %s' % (command, page))
    for option in sorted(set(re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', help_of(command)))):
        if option in ('--help', '--help-all'):
            continue
        if option not in text:
            failures.append('option %s of `strata %s` is not documented' % (option, command))
    tap.check(not failures, 'command %s and its options are documented' % command, '\n'.join(failures))
failures = []
for option in re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', main_help):
    if option not in ('--help', '--help-all') and option not in text:
        failures.append('option %s of `strata` is not documented' % option)
tap.check(not failures, 'the options of `strata` are documented', '\n'.join(failures))
sys.exit(tap.finish())
