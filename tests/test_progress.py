"""Progress bars: drawn on standard error when it is a terminal, silent otherwise."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
from pathlib import Path

from cli_run import run

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"

#: Settles slowly enough for the bar to show (it waits a second before it does).
SLOW = """
import sys, time
import eqlang.api as api
settle = api.settle
def slow(*args, **kwargs):
    progress = kwargs.get("progress")
    def step(org):
        time.sleep(0.4)
        progress(org)
    kwargs["progress"] = step if progress else None
    return settle(*args, **kwargs)
# Replaced before the command line is imported, whichever way it comes to settle.
api.settle = slow
from eqlang.cli import main
main(sys.argv[1:], prog_name="eqlang")
"""


def on_a_terminal(*arguments: str) -> tuple[bytes, bytes]:
    """What a run prints on a terminal's standard error, and on standard output."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    process = subprocess.Popen([sys.executable, "-c", SLOW, *arguments], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read() if process.stdout else b""
    assert process.wait(timeout=60) == 0
    os.close(master)
    return seen, out


def test_a_terminal_sees_a_progress_bar_and_the_output_stays_clean() -> None:
    seen, out = on_a_terminal("eval", str(REFERENCE), "--table",
                              str(REFERENCE.with_suffix(".csv")), "--json")
    assert b"organization" in seen and b"/4 [" in seen
    assert b"organization/s" in seen or b"s/organization" in seen
    assert out.startswith(b"{") and b"organization/s" not in out


def test_captured_output_has_no_progress_bar() -> None:
    code, out, err = run("eval", str(REFERENCE), "--table", str(REFERENCE.with_suffix(".csv")))
    assert code == 0 and err == ""
    assert "%|" not in out
