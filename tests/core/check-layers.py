#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that the core depends one way: a file of a layer (see
docs/architecture.md) includes headers of its own layer or of the layers
below it, and calls only functions and type macros defined there.

Usage: check-layers.py CORE_DIR  (TAP output, one test per file)
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
    ("data", ["strata-shape*", "strata-tensor", "strata-json*", "strata-rnn-weights*"]),
    ("layer", ["strata-layer", "strata-layer-private", "strata-keras-tensor",
               "strata-input-layer", "strata-opaque-layer", "strata-initializers*"]),
    ("registry", ["strata-registry*"]),
    ("built-in layers", ["strata-builtin*", "strata-layers-*"]),
    ("model", ["strata-model", "strata-model-private", "strata-sequential",
               "strata-optimizer", "strata-config-*", "strata-clone", "strata-summary",
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


def main():
    core = sys.argv[1]
    files = []
    for root, _, names in os.walk(core):
        for name in sorted(names):
            if name.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(root, name), core))
    files.sort()

    owner = {}      # identifier -> layer index where it is defined
    sources = {}
    for rel in files:
        with open(os.path.join(core, rel), encoding="utf-8") as f:
            raw = f.read()
        text = strip_comments(raw)
        sources[rel] = (raw, text)
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
    print("1..%d" % (len(checked) + 1))
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
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
