#!/usr/bin/python3
# check-doc-samples.py: compile and run every code sample of the guides
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Extracts the fenced ```c, ```python and ```vala blocks of each Markdown
# guide. C blocks with a main() are built as programs and run; C blocks
# without one are built as shared modules (format plugins). Python blocks
# run with the overrides of the source tree. Vala blocks are compiled
# against the VAPI of the build tree and run. Each sample runs in its own
# empty folder; a sample fails the test when it does not build, exits with
# a status other than 0, or prints a GLib critical or warning. Reports one
# TAP line per sample (tests/strata_testing.py, on PYTHONPATH).

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from strata_testing import Tap

FENCE = re.compile(r'^```(\w+)[^\n]*\n(.*?)^```\s*$', re.MULTILINE | re.DOTALL)
LANGUAGES = ('c', 'python', 'vala')

PY_PRELUDE = '''\
import os as _os, gi as _gi, gi.overrides as _ov
_ov.__path__.insert(0, _os.environ["STRATA_OVERRIDES_DIR"])
'''


def pkg_config(*args):
    out = subprocess.run(['pkg-config'] + list(args), capture_output=True, text=True, check=True)
    return shlex.split(out.stdout)


def samples(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for m in FENCE.finditer(text):
        lang = m.group(1).lower()
        if lang in LANGUAGES:
            line = text.count('\n', 0, m.start()) + 1
            yield lang, line, m.group(2)


def run(cmd, cwd, env, what):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    output = proc.stdout + proc.stderr
    bad = proc.returncode != 0 or re.search(r'-(CRITICAL|WARNING) \*\*', output)
    if bad:
        return '%s failed (exit %d):\n$ %s\n%s' % (what, proc.returncode, shlex.join(cmd), output)
    return None


# A small Keras 2 model for format modules to convert.
MODEL_JSON = ('{"class_name": "Sequential", "config": {"name": "doc_model", "layers": ['
              '{"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 3], '
              '"dtype": "float32"}}, {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}')


def check_format_module(strata, name, folder, env, where):
    """A format module of a guide: its metadata file is written as the
    guide says (`strata formats --describe`), `strata formats` lists it from
    STRATA_FORMAT_PATH and `strata convert --format NAME` uses it."""
    env = dict(env, LANGUAGE='C', STRATA_FORMAT_PATH=os.pathsep.join(
        [folder, env.get('STRATA_FORMAT_PATH', '')]))
    module = os.path.join(folder, 'libstrata-format-%s.so' % name)
    proc = subprocess.run([strata, 'formats', '--describe', module], cwd=folder, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return 'the metadata file of the module of %s cannot be written:\n%s' % (where, proc.stderr)
    with open(os.path.join(folder, 'libstrata-format-%s.format' % name), 'w') as f:
        f.write(proc.stdout)
    proc = subprocess.run([strata, 'formats'], cwd=folder, env=env, capture_output=True, text=True)
    listed = re.search(r'^%s\b' % re.escape(name), proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or not listed or 'Error:' in proc.stdout:
        return 'the module of %s is not listed by `strata formats`:\n%s%s' % (where, proc.stdout, proc.stderr)
    with open(os.path.join(folder, 'model.json'), 'w') as f:
        f.write(MODEL_JSON)
    output = os.path.join(folder, 'model.' + name)
    error = run([strata, 'convert', '--format', name, 'model.json', output], folder, env,
                'converting with the module of ' + where)
    if error:
        return error
    if not os.path.exists(output) or os.path.getsize(output) == 0:
        return 'the module of %s wrote nothing to %s' % (where, output)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source-root', required=True)
    ap.add_argument('--build-root', required=True)
    ap.add_argument('--cc', default='cc')
    ap.add_argument('--include', required=True, help='folder holding strata/strata.h')
    ap.add_argument('--strata', required=True, help='the strata command-line tool')
    ap.add_argument('guides', nargs='+')
    args = ap.parse_args()

    deps = ['glib-2.0', 'gobject-2.0', 'gio-2.0', 'gmodule-2.0', 'json-glib-1.0']
    cflags = ['-std=c11', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
              '-I' + args.include, '-I' + os.path.join(args.include, 'strata')]
    cflags += pkg_config('--cflags', *deps)
    libs = ['-L' + os.path.join(args.build_root, 'core'), '-lstrata-1.0'] + pkg_config('--libs', *deps)
    vapidir = os.path.join(args.build_root, 'introspection')
    have_vapi = os.path.exists(os.path.join(vapidir, 'strata-1.0.vapi')) and shutil.which('valac')

    env = dict(os.environ)
    env['LD_LIBRARY_PATH'] = os.pathsep.join(
        [os.path.join(args.build_root, 'core'), env.get('LD_LIBRARY_PATH', '')])

    tap = Tap()
    counts = {lang: 0 for lang in LANGUAGES}
    for guide in args.guides:
        for lang, line, code in samples(guide):
            where = '%s:%d (%s)' % (os.path.relpath(guide, args.source_root), line, lang)
            with tempfile.TemporaryDirectory(prefix='strata-sample-') as tmp:
                error = None
                if lang == 'c':
                    src = os.path.join(tmp, 'sample.c')
                    with open(src, 'w') as f:
                        f.write(code)
                    if re.search(r'^\s*main\s*\(|\bint\s+main\s*\(', code, re.MULTILINE):
                        exe = os.path.join(tmp, 'sample')
                        error = run([args.cc] + cflags + [src, '-o', exe] + libs, tmp, env,
                                    'compiling ' + where) or run([exe], tmp, env, 'running ' + where)
                    else:
                        module = re.search(r'\.name\s*=\s*"([\w-]+)"', code)
                        so = os.path.join(tmp, 'libstrata-format-%s.so' % (module.group(1) if module else 'sample'))
                        error = run([args.cc] + cflags + ['-shared', '-fPIC', src, '-o', so] + libs,
                                    tmp, env, 'compiling ' + where)
                        if error is None and module and 'STRATA_FORMAT_DEFINE_MODULE' in code:
                            error = check_format_module(args.strata, module.group(1), tmp, env, where)
                elif lang == 'python':
                    src = os.path.join(tmp, 'sample.py')
                    with open(src, 'w') as f:
                        f.write(PY_PRELUDE + code)
                    error = run([sys.executable, src], tmp, env, 'running ' + where)
                elif lang == 'vala':
                    if not have_vapi:
                        tap.skip(where, 'no VAPI or valac')
                        continue
                    src = os.path.join(tmp, 'sample.vala')
                    with open(src, 'w') as f:
                        f.write(code)
                    exe = os.path.join(tmp, 'sample')
                    cmd = ['valac', '--vapidir', vapidir, '--pkg', 'strata-1.0', '--pkg', 'gio-2.0',
                           '--pkg', 'json-glib-1.0', '-X', '-w', '-X', '-I' + args.include,
                           '-X', '-L' + os.path.join(args.build_root, 'core'), '-X', '-lstrata-1.0',
                           src, '-o', exe]
                    error = run(cmd, tmp, env, 'compiling ' + where) or run([exe], tmp, env, 'running ' + where)
                counts[lang] += 1
                if error:
                    tap.fail(where, error)
                else:
                    tap.ok(where)

    print('# samples: %s' % ', '.join('%d %s' % (n, lang) for lang, n in counts.items()))
    if sum(counts.values()) == 0:
        tap.fail('no samples found in %s' % ' '.join(args.guides))
    return tap.finish()


if __name__ == '__main__':
    sys.exit(main())
