#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prints the table of test-json-python.c: what Python's json module makes
of each text below, in the notation of render() (test-json-python.c has
the same in C), or where it fails.

Usage: python3 tests/core/json-python-cases.py > /tmp/table.c  (then paste)
"""
import json
import sys

CASES = [
    # Values and their types
    b'[0, -0, 1, -1, 9223372036854775807, -9223372036854775808]',
    b'[0.0, -0.0, 1.0, 1e0, 10e-1, 1e5, 1E+2, 1e-2, 2.5E-3, -0.0e0]',
    b'[1e400, -1e400, 1e-400, 5e-324, 2.4703282292062328e-324, 2.4703282292062327e-324]',
    b'[1.7976931348623157e308, 1.7976931348623158e308, 0.1, 0.30000000000000004, 9007199254740993.0]',
    # halfway between 1 and the next double: to even; a hair above: up
    b'[1.00000000000000011102230246251565404236316680908203125,'
    b' 1.00000000000000011102230246251565404236316680908203126]',
    # the same, past 64 characters
    b'[1.000000000000000111022302462515654042363166809082031250000000000000000000000001,'
    b' 1.000000000000000111022302462515654042363166809082031250000000000000000000000000]',
    b'[123456789012345678901234567890.5, 0.000000000000000000000000000000000000000000001]',
    b'[NaN, Infinity, -Infinity]',
    b'[null, true, false, "", {}, []]',
    b'"x"', b'1', b'-1.5', b'null', b'true', b'NaN', b'-Infinity',
    # Strings
    b'["\\"\\\\\\/\\b\\f\\n\\r\\t", "\\u00e9\\u20AC\\ud83d\\ude00\\uD83D\\uDE00", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"]',
    b'["\\u007f\x7f", "a\\u0001b", "\\u0020"]',
    # Objects: member order, a repeated name keeps its first place and its last value
    b'{"b": 1, "a": 2, "b": 3}',
    b'{"a": {"x": 1}, "c": null, "a": [2]}',
    b'{"": [], "x": {}, "\\u00e9": "\xc3\xa9"}',
    # White space is space, tab, CR and LF
    b' \t\r\n[ \t\r\n1 \t\r\n, {"a" \t\r\n: 2} ] \t\r\n',
    # Errors, with Python's position when Strata names the same place
    b'', b'  \n ', b'[1,]', b'{"a":1,}', b'[1 2]', b'{"a" 1}', b'[1] [2]', b'[1,\n  x]',
    b'{\n  "a": [1,\n        2 3]}', b'["\xc3\xa9", x]', b'["a\tb"]', b'["\\q"]', b'"abc',
    b'{"a": 1', b'[', b'{', b'["\\u12"]', b'[01]', b'[-01]', b'[.5]', b'[1.]', b'[+1]', b'[-]',
    b'[0x1]', b'[1e]', b'[1e+]', b'[-NaN]', b'[nan]', b'[infinity]', b'[+Infinity]', b'[tru]',
    b'[truex]', b"['a']", b'[1 /* c */]', b'{NaN: 1}', b'{"a": 1, NaN: 2}', b'\xef\xbb\xbf[1]',
    b'1{"a": 2}', b'null[1]', b'"x" {}', b'1 2',
    b'[1, \x0b2]', b'[1, \xc2\xa02]', b'["\xc3\x28"]', b'[\xff]', b'{1: 2}', b'[1:2]', b'{"a"}',
]

# Python takes these; Strata refuses them (strata_json_parse() says why),
# with this error code.
REFUSED = {
    b'[9223372036854775808]': "LIMIT",
    b'[-9223372036854775809]': "LIMIT",
    b'[18446744073709551616]': "LIMIT",
    b'["\\ud800"]': "UNSUPPORTED",
    b'["\\udc00x"]': "UNSUPPORTED",
    b'["\\ud800\\u0041"]': "UNSUPPORTED",
}

# Strings that Strata cuts at their first NUL (json-glib's strings are C
# strings); the expected value is Python's, cut there.
CUT_AT_NUL = [
    b'["\\u0000", "a\\u0000b", "\\u0000\\u00e9"]',
    b'{"a\\u0000b": 1, "a\\u0000c": 2, "a": 3}',
]

# Errors where Strata names another place than Python: the start of the
# bad number or word (Python reads a number's valid start, then fails
# after it), the backslash of a bad \u escape, nowhere for an empty text.
OTHER_PLACE = {
    b'', b'  \n ', b'[01]', b'[-01]', b'[1.]', b'[0x1]', b'[1e]', b'[1e+]', b'[truex]', b'["\\u12"]',
}


def render(v, cut=False):
    if v is None:
        return "None"
    if v is True:
        return "True"
    if v is False:
        return "False"
    if isinstance(v, int):
        return "i:%d" % v
    if isinstance(v, float):
        return "f:%.17g" % v
    if isinstance(v, str):
        b = v.encode("utf-8", "surrogatepass")
        if cut:
            b = b.split(b"\0")[0]
        return "s:" + "".join(chr(x) if 32 <= x < 127 and x != 92 else "\\x%02x" % x for x in b)
    if isinstance(v, list):
        return "[" + ", ".join(render(x, cut) for x in v) + "]"
    if cut:
        # keys that become equal: the first place, the last value (see above)
        items = {}
        for k, x in v.items():
            items[render(k, cut)] = render(x, cut)
        return "{" + ", ".join(k + ": " + x for k, x in items.items()) + "}"
    return "{" + ", ".join(render(k) + ": " + render(x) for k, x in v.items()) + "}"


def c_string(data):
    out = ""
    hex_before = False
    for x in data:
        c = chr(x)
        if hex_before and c in "0123456789abcdefABCDEF":
            out += '""'   # a hex escape would take this digit in
        hex_before = False
        if c in '"\\':
            out += "\\" + c
        elif c in "\n\r\t":
            out += {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c]
        elif 32 <= x < 127 and c != "?":
            out += c
        else:
            out += "\\x%02x" % x
            hex_before = True
    return '"' + out + '"'


def c_escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


print("  /* Python %s, json module */" % sys.version.split()[0])
for data in CASES + CUT_AT_NUL + list(REFUSED):
    text = c_string(data)
    try:
        value = render(json.loads(data.decode("utf-8")), data in CUT_AT_NUL)
        if data in REFUSED:
            print('  { %s, REFUSED_%s, NULL, 0, 0 },   /* Python: %s */' % (text, REFUSED[data], value))
        else:
            print('  { %s, VALUE, "%s", 0, 0 },' % (text, c_escape(value)))
    except UnicodeDecodeError as e:
        print('  { %s, NOT_UTF8, NULL, 0, 0 },   /* %s */' % (text, e.reason))
    except json.JSONDecodeError as e:
        kind = "ERROR" if data in OTHER_PLACE else "ERROR_AT"
        print('  { %s, %s, NULL, %d, %d },   /* %s */' % (text, kind, e.lineno, e.colno, e.msg))
