#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the messages and the doc comments of core/ and plugins/:

- every translatable message with a printf placeholder has a comment
  starting with "Translators:" that xgettext --add-comments=Translators:
  (po/meson.build) attaches to it, that is, on the lines right above the
  line of the _() call;
- messages quote names one way, “%s”, never '%s', "%s", `%s`, ‘%s’, „%s“ or «%s»;
- doc comments (/** ... */) link with gi-docgen syntax ([class@Strata.Layer],
  [method@Strata.Layer.get_weights], [func@Strata.load_model]), not with
  gtk-doc's #StrataLayer or strata_layer_get_weights(); names that are not
  symbols (Keras methods) go in backquotes. @param and %TRUE stay: gi-docgen
  reads those as code.

Usage: check-messages.py SOURCE_ROOT  (TAP output, one test per file)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import strata_testing  # noqa: E402

# The keywords of po/meson.build (the 'glib' preset) and check-po.py.
KEYWORDS = ["_", "N_", "C_:1c,2", "NC_:1c,2", "g_dngettext:2,3"]
MARK = re.compile(r"(^|[^A-Za-z0-9_])(N_|_|C_|NC_|g_dngettext) ?\(")
TOP_DIRS = ["core", "plugins", "inspector"]

# A name quoted another way than “…”: 'name', "name", `name`, ‘name’, „name“, «name».
# A quote after a letter is an apostrophe (the call's keys), not an opening quote.
BAD_QUOTES = re.compile(r"""(?<![A-Za-z0-9])'[^'\s][^']*'(?![A-Za-z])|"[^"]*"|`[^`]*`|‘[^’]*’|„[^“]*“|«[^»]*»""")

# gtk-doc links in doc comments: #Type, #Type:property, #Type::signal, function().
TYPE_SIGIL = re.compile(r"(?<![\w`&])#([A-Z][A-Za-z0-9_]*(?:::?[a-z0-9_-]+)?)")
FUNCTION_REF = re.compile(r"(?<![\w`.])([A-Za-z_]\w*)\(\)")


def sources(root):
    for top in TOP_DIRS:
        for base, dirs, names in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(base, name), root)


def unquote(po_string_lines):
    text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', po_string_lines))
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def catalog(root, files):
    """The entries xgettext extracts: (references, comments, flags, msgids)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "messages.pot")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--add-comments=Translators:", "--no-wrap",
                        "-o", pot] + ["--keyword=" + k for k in KEYWORDS] + files,
                       cwd=root, check=True)
        with open(pot, encoding="utf-8") as f:
            text = f.read() if os.path.exists(pot) else ""
    for block in text.split("\n\n"):
        refs = [ref.rsplit(":", 1) for line in re.findall(r"^#: (.*)$", block, re.M) for ref in line.split()]
        comments = re.findall(r"^#\. (.*)$", block, re.M)
        flags = " ".join(re.findall(r"^#, (.*)$", block, re.M))
        ids = [unquote(m) for m in re.findall(r"^msgid(?:_plural)? ((?:\".*\"\n?)+)", block, re.M)]
        if ids and ids[0]:     # not the header
            yield refs, comments, flags, ids


def message_problems(root, files):
    problems = {}
    for refs, comments, flags, ids in catalog(root, files):
        found = []
        if "c-format" in flags and "no-c-format" not in flags and \
                not any(c.startswith("Translators:") for c in comments):
            found.append("no /* Translators: */ comment right above the message with placeholders")
        for msgid in ids:
            for quoted in BAD_QUOTES.findall(msgid):
                found.append("quotes %s; quote names as “%%s”" % quoted)
        for problem in found:
            for path, line in refs:
                problems.setdefault(path, []).append("%s:%s: %s: %s" % (path, line, problem, ids[0][:90]))
    return problems


def doc_problems(rel, text):
    problems = []
    for block in re.finditer(r"/\*\*(?![*/]).*?\*/", text, re.S):
        first_line = text.count("\n", 0, block.start()) + 1
        lines = []
        inside_code = False
        for line in block.group(0).splitlines():
            body = re.sub(r"^\s*(?:/\*\*|\*)?\s?", "", line)
            fence = body.startswith(("```", "|[", "]|"))
            if fence:
                inside_code = body.startswith(("```", "|[")) and not inside_code
            lines.append("" if fence or inside_code else body)
        # Code spans may go on over a line; links are what gi-docgen resolves.
        prose = "\n".join(lines)
        prose = re.sub(r"`[^`]*`|\[[a-z]+@[^\]]+\]", lambda m: "\n" * m.group(0).count("\n"), prose)
        for offset, body in enumerate(prose.split("\n")):
            for sigil in TYPE_SIGIL.findall(body):
                problems.append("%s:%d: gtk-doc link #%s; use [class@Strata.…], [struct@…], "
                                "[enum@…], [property@…] or `Name`" % (rel, first_line + offset, sigil))
            for function in FUNCTION_REF.findall(body):
                problems.append("%s:%d: gtk-doc link %s(); use [method@…], [func@…], [ctor@…] "
                                "or `%s()`" % (rel, first_line + offset, function, function))
    return problems


def main():
    root = sys.argv[1]
    if shutil.which("xgettext") is None:
        strata_testing.skip("xgettext (gettext) is not installed")
    files = list(sources(root))
    texts = {}
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            texts[rel] = f.read()
    marked = [rel for rel in files if rel.endswith(".c") and MARK.search(texts[rel])]
    problems = message_problems(root, marked)
    tap = strata_testing.Tap()
    for rel in files:
        found = problems.get(rel, []) + doc_problems(rel, texts[rel])
        if found:
            tap.fail("%s: %d problem(s)" % (rel, len(found)), "\n".join(found))
        else:
            tap.ok(rel)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
