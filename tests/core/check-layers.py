#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that the core depends one way: a file of a layer (see
docs/architecture.md) includes headers of its own layer or of the layers
below it, and calls only functions and type macros defined there.

Then the same for the plugins folder beside CORE_DIR: the core uses no
plugin code; the HDF5 library the h5 and keras-v3 modules share
(plugins/libh5k) uses no module's; a module uses no other module's; and
plugin code includes only the core headers a plugin may use.

Usage: check-layers.py CORE_DIR [PLUGINS_DIR]  (TAP output, one test per file)
"""
import os
import re
import sys

# Lowest first. A file belongs to the first layer with a matching stem
# (file name without .c/.h); docs/architecture.md shows the same list.
LAYERS = [
    ("base", ["strata-version", "strata-enums", "strata-enum-types", "strata-types",
              "strata-error", "strata-i18n-private", "strata-env", "strata-env-private",
              "config"]),
    ("data", ["strata-shape*", "strata-tensor", "strata-mapped*", "strata-json*", "strata-rnn-weights*"]),
    ("layer", ["strata-layer", "strata-layer-private", "strata-keras-tensor",
               "strata-input-layer", "strata-opaque-layer", "strata-initializers*"]),
    ("registry", ["strata-registry*"]),
    ("built-in layers", ["strata-builtin*", "strata-layers-*"]),
    ("model", ["strata-model", "strata-model-private", "strata-sequential",
               "strata-optimizer", "strata-config-*", "strata-clone", "strata-summary", "strata-diff",
               "strata-model-cudnn*"]),
    ("predict", ["predict/*"]),
    ("formats and I/O", ["strata-options*", "strata-load-options", "strata-save-options",
                         "strata-weights-report", "strata-contents",
                         "strata-format", "strata-format-info*", "strata-format-metadata*", "strata-formats*",
                         "strata-sniff", "strata-atomic*", "strata-io", "strata-plugin", "strata"]),
    ("library", ["strata-init"]),
    ("tools", ["tools/*"]),
]


def layer_of(rel):
    stem = re.sub(r"\.(c|h|h\.in)$", "", rel)
    base = os.path.basename(stem)
    # Folder patterns ("tools/*") first, then file names.
    for by_path in (True, False):
        for index, (_, patterns) in enumerate(LAYERS):
            for pattern in patterns:
                if ("/" in pattern) != by_path:
                    continue
                regex = "^" + re.escape(pattern).replace(r"\*", ".*") + "$"
                if re.match(regex, stem if by_path else base):
                    return index
    return None


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def c_sources(top):
    """(path, raw text, text without comments and strings) of every .c and
    .h file under @top, in a stable order."""
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for name in sorted(names):
            if name.endswith((".c", ".h")):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    raw = f.read()
                yield path, raw, strip_comments(raw)


# Plugin folders that are libraries the format modules share (lowest first),
# not modules; every other folder of plugins/ is one format module.
PLUGIN_LIBRARIES = ["libh5k"]
# The core headers plugin code may include besides the public ones.
CORE_PRIVATE_FOR_PLUGINS = ["config.h", "strata-i18n-private.h", "strata-atomic-private.h",
                            "strata-model-cudnn-private.h", "strata-rnn-weights-private.h",
                            "strata-mapped-private.h"]


def definitions(text):
    """The non-static functions a C file defines (GNOME style: the name
    starts a line, its type is on the line before; macros are upper case)."""
    names = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = re.match(r"^([a-z_]\w*)\s*\(", line)
        if match and i > 0 and not lines[i - 1].lstrip().startswith("static"):
            names.append(match.group(1))
    return names


def check_plugins(core, plugins, number):
    """Prints one TAP line per plugin file and one for the core; returns the
    last test number and the number of failures."""
    folders = sorted(d for d in os.listdir(plugins) if os.path.isdir(os.path.join(plugins, d)))
    rank = {d: (PLUGIN_LIBRARIES.index(d) if d in PLUGIN_LIBRARIES else len(PLUGIN_LIBRARIES))
            for d in folders}
    headers = {}    # header name -> plugin folder
    owner = {}      # function -> plugin folder that defines it
    files = []
    for folder in folders:
        for path, raw, text in c_sources(os.path.join(plugins, folder)):
            files.append((folder, os.path.relpath(path, plugins), raw, text))
            if path.endswith(".h"):
                headers[os.path.basename(path)] = folder
            else:
                for function in definitions(text):
                    owner.setdefault(function, folder)
    core_headers = set()
    for root, _, names in os.walk(core):
        core_headers.update(n for n in names if n.endswith((".h", ".h.in")))
    core_headers = {n[:-3] if n.endswith(".in") else n for n in core_headers}

    def kind(folder):
        return "shared library" if folder in PLUGIN_LIBRARIES else "format module"

    def allowed(folder, other):
        # Its own folder, or a shared library below it.
        return other == folder or (other in PLUGIN_LIBRARIES and rank[other] < rank[folder])

    failures = 0
    for folder, rel, raw, text in files:
        number += 1
        problems = []
        for header in re.findall(r'^\s*#\s*include\s+"([^"]+)"', raw, flags=re.M):
            other = headers.get(header)
            if other is not None and not allowed(folder, other):
                problems.append("includes %s (%s %s)" % (header, kind(other), other))
            elif other is None and header in core_headers and header.endswith("-private.h") \
                    and header not in CORE_PRIVATE_FOR_PLUGINS:
                problems.append("includes the core's private %s" % header)
        for name in sorted(set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", text))):
            other = owner.get(name)
            if other is not None and not allowed(folder, other):
                problems.append("calls %s (%s %s)" % (name, kind(other), other))
        label = "%s, %s" % (kind(folder), folder)
        if problems:
            failures += 1
            print("not ok %d - plugins/%s (%s) uses code it may not" % (number, rel, label))
            for problem in problems:
                print("# plugins/%s: %s" % (rel, problem))
        else:
            print("ok %d - plugins/%s (%s)" % (number, rel, label))

    number += 1
    problems = []
    for path, raw, text in c_sources(core):
        rel = os.path.relpath(path, os.path.dirname(core))
        for header in re.findall(r'^\s*#\s*include\s+"([^"]+)"', raw, flags=re.M):
            if header in headers and header not in core_headers:
                problems.append("%s includes %s (plugins/%s)" % (rel, header, headers[header]))
        for name in sorted(set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", text))):
            if name in owner:
                problems.append("%s calls %s (plugins/%s)" % (rel, name, owner[name]))
    if problems:
        failures += 1
        print("not ok %d - the core uses plugin code" % number)
        for problem in problems:
            print("# %s" % problem)
    else:
        print("ok %d - the core uses no plugin code" % number)
    return number, failures


def count_plugin_files(plugins):
    return sum(1 for root, _, names in os.walk(plugins) for n in names if n.endswith((".c", ".h")))


def main():
    core = sys.argv[1]
    plugins = sys.argv[2] if len(sys.argv) > 2 else os.path.join(core, os.pardir, "plugins")
    sources = {os.path.relpath(path, core): (raw, text) for path, raw, text in c_sources(core)}
    files = sorted(sources)

    owner = {}      # identifier -> layer index where it is defined
    for rel in files:
        raw, text = sources[rel]
        layer = layer_of(rel)
        if layer is None:
            continue
        # GNOME style: a function's name starts a line, its type is on the line before.
        for name in re.findall(r"^(strata_\w+)\s*\(", text, flags=re.M):
            owner.setdefault(name, layer)
        for prefix in re.findall(r"G_DEFINE_\w*TYPE\w*\s*\(\s*\w+\s*,\s*(strata_\w+)", text):
            owner.setdefault(prefix + "_get_type", layer)
        for obj in re.findall(r"G_DECLARE_\w+_TYPE\s*\(\s*\w+\s*,\s*\w+\s*,\s*STRATA\s*,\s*(\w+)", text):
            for macro in ("STRATA_%s", "STRATA_IS_%s", "STRATA_%s_CLASS", "STRATA_IS_%s_CLASS",
                          "STRATA_%s_GET_CLASS"):
                owner.setdefault(macro % obj, layer)
        for macro in re.findall(r"#define\s+(STRATA_TYPE_\w+)", text):
            owner.setdefault(macro, layer)

    failures = 0
    checked = [rel for rel in files if layer_of(rel) is not None]
    unknown = [rel for rel in files if layer_of(rel) is None]
    print("1..%d" % (len(checked) + 1 + count_plugin_files(plugins) + 1))
    number = 0
    for rel in checked:
        number += 1
        raw, text = sources[rel]
        layer = layer_of(rel)
        problems = []
        for header in re.findall(r'^\s*#\s*include\s+"([^"]+)"', raw, flags=re.M):
            other = layer_of(header)
            if other is not None and other > layer:
                problems.append("includes %s (%s)" % (header, LAYERS[other][0]))
        pattern = r"\b(STRATA_\w+)" if rel.endswith(".h") else r"\b((?:strata|STRATA)_\w+)"
        for name in sorted(set(re.findall(pattern, text))):
            other = owner.get(name)
            if other is not None and other > layer:
                problems.append("uses %s (%s)" % (name, LAYERS[other][0]))
        if problems:
            failures += 1
            print("not ok %d - %s (%s) depends on a layer above it" % (number, rel, LAYERS[layer][0]))
            for problem in problems:
                print("# %s: %s" % (rel, problem))
        else:
            print("ok %d - %s (%s)" % (number, rel, LAYERS[layer][0]))
    number += 1
    if unknown:
        failures += 1
        print("not ok %d - files in no layer (add them to LAYERS and docs/architecture.md): %s"
              % (number, " ".join(unknown)))
    else:
        print("ok %d - every core file is in a layer" % number)
    number, plugin_failures = check_plugins(core, plugins, number)
    failures += plugin_failures
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
