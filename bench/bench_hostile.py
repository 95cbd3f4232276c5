"""Benchmark: how long `eqlang check` takes to refuse hostile contract files.

The language core promises a clear error within seconds for an empty file, binary junk, a
50 MB file and expressions nested 10,000 deep; a file just under the size limit with an
error on every line is timed too. The tests check the errors; this measures
the time, each input in a fresh process as a user would meet it, and fails (exit 1) if any
input takes longer than the target or is not refused with the expected error code.

    python bench/bench_hostile.py [--target SECONDS]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eqlang.syntax.source import MAX_SOURCE_BYTES

DEPTH = 10_000


def inputs() -> dict[str, tuple[bytes, str]]:
    """Each hostile input by name: the file's bytes and the error code it must get."""
    define = "define x: number = "
    return {
        "empty file": (b"", "E0006"),
        "binary junk": (random.Random(7).randbytes(4096) + b"\x00", "E0001"),
        "50 MB file": (b"parameter pool: money = $1,000.00\n" * (50_000_000 // 34), "E0001"),
        "10,000 nested parentheses": (
            (define + "(" * DEPTH + "1" + ")" * DEPTH + "\n").encode(), "E0005"),
        "10,000 nested sums": (
            (define + "(1 + " * DEPTH + "1" + ")" * DEPTH + "\n").encode(), "E0005"),
        "10,000-term sum": ((define + " + ".join(["1"] * DEPTH) + "\n").encode(), "E0005"),
        "10,000 negations": ((define + "-" * DEPTH + "1\n").encode(), "E0005"),
        "5,000 nested ifs": (
            (define + "if yes then 1 else " * (DEPTH // 2) + "1\n").encode(), "E0005"),
        # Just under the size limit, every line wrong: the whole file is parsed and checked.
        "500 kB of undefined names": (fill("define d{i}: number = missing{i} + 1\n"), "E0101"),
    }


def fill(line: str) -> bytes:
    """Numbered copies of ``line`` up to just under the size limit eqlang reads."""
    lines, size, i = [], 0, 0
    while size + len(line) + 12 < MAX_SOURCE_BYTES:
        lines.append(line.format(i=i))
        size += len(lines[-1])
        i += 1
    return "".join(lines).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", type=float, default=5.0,
                        help="seconds each input may take (default 5)")
    target = parser.parse_args().target
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        for name, (data, code) in inputs().items():
            path = Path(folder) / "hostile.eq"
            path.write_bytes(data)
            start = time.perf_counter()
            run = subprocess.run([sys.executable, "-m", "eqlang", "check", str(path)],
                                 capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - start
            refused = run.returncode == 1 and f"error[{code}]" in run.stderr \
                and "Traceback" not in run.stderr
            verdict = "ok" if refused and seconds <= target else "FAILED"
            failed = failed or verdict != "ok"
            print(f"{name:28} {seconds:6.2f} s  {code} {'refused' if refused else 'NOT refused'}"
                  f"  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
