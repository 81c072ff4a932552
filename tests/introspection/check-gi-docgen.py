#!/usr/bin/python3
# check-gi-docgen.py: `gi-docgen check` on the GIR; any warning fails
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-gi-docgen.py GI_DOCGEN CONFIG GIR

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import strata_testing  # noqa: E402

gidocgen, config, gir = sys.argv[1:4]
cmd = [gidocgen, 'check', '--quiet', '--config', config,
       '--add-include-path', os.path.dirname(gir), gir]
proc = subprocess.run(cmd, capture_output=True, text=True)
output = (proc.stdout + proc.stderr).strip()
# gi-docgen check prints one WARNING line per undocumented or badly
# documented symbol (INFO lines are progress, not findings).
warnings = [line for line in output.splitlines() if 'INFO' not in line.split(':', 1)[0]]
tap = strata_testing.Tap()
tap.check(proc.returncode == 0 and not warnings, 'gi-docgen check %s: no warnings' % os.path.basename(gir),
          '%s\n%d line(s) of warnings, exit status %d' % (output, len(warnings), proc.returncode))
sys.exit(tap.finish())
