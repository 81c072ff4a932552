#!/usr/bin/env python3
# check_progress.py: the tool's progress bar shows on a terminal (a pty
# here) for work that lasts (STRATA_PROGRESS_DELAY, default 1 s), for
# convert, dump and predict, and never when standard error is not a
# terminal or the work ends sooner.  TAP output.
#
# Usage: check_progress.py STRATA_TOOL   (Debian's python3 with numpy)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import pty
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.environ["STRATA_SOURCE_ROOT"]
MODEL = os.path.join(ROOT, "tests", "fixtures", "generated", "tf_keras", "functional_multi_output.h5")
PREDICT_MODEL = os.path.join(ROOT, "tests", "fixtures", "predict", "dense_relu-tk.h5")


def on_pty(args, delay):
    """Runs the tool with stdout and stderr on a pty; its exit status and output."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["STRATA_PROGRESS_DELAY"] = delay
        os.environ["LANGUAGE"] = "C"
        os.execv(args[0], args)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def piped(args, delay):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       env=dict(os.environ, STRATA_PROGRESS_DELAY=delay, LANGUAGE="C"), timeout=300)
    return p.returncode, p.stderr


def expect(status_out, bar, shown):
    status, out = status_out
    if status != 0:
        return "exit status %d:\n%s" % (status, out)
    if shown and (bar + " [" not in out or "100%" not in out):
        return "no %s bar:\n%s" % (bar, out)
    if not shown and "[" in out and "%" in out and "#" in out:
        return "a bar was drawn:\n%s" % out
    return None


def main():
    tool = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="strata-progress-") as tmp:
        out = os.path.join(tmp, "out.keras")
        x = os.path.join(tmp, "x.npy")
        np.save(x, np.zeros((8, 5), np.float32))
        npz = os.path.join(tmp, "y.npz")
        convert = [tool, "convert", MODEL, out]
        predict = [tool, "predict", "--batch-size", "2", PREDICT_MODEL, x, "-o", npz]
        checks = [
            ("convert on a terminal", lambda: expect(on_pty(convert, "0"), "Saving", True)),
            ("dump on a terminal", lambda: expect(on_pty([tool, "dump", "--json", MODEL], "0"),
                                                  "Hashing weights", True)),
            ("predict on a terminal", lambda: expect(on_pty(predict, "0"), "Predicting", True)),
            ("convert, short work", lambda: expect(on_pty(convert, "60"), "Saving", False)),
            ("convert, not a terminal", lambda: expect(piped(convert, "0"), "Saving", False)),
            ("predict, not a terminal", lambda: expect(piped(predict, "0"), "Predicting", False)),
        ]
        print("1..%d" % len(checks))
        failed = 0
        for n, (name, fn) in enumerate(checks, 1):
            error = fn()
            if error:
                failed += 1
                print("not ok %d - %s" % (n, name))
                print("\n".join("# " + line for line in error.splitlines()))
            else:
                print("ok %d - %s" % (n, name))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
