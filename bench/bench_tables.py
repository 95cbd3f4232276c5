"""Benchmark: the cost of hostile and large measure tables (issue 16, item 5).

Each case runs `eqlang eval` of the reference contract in a fresh process and reports its
wall time and peak memory (from wait4):

- 25,000 and 100,000 rows that each spell White differently (`white`, `WHITE`, `W hite`,
  ...): the misspelling check once rescanned every row for each spelling, taking a minute
  for 25,000; it is now one pass;
- 1,000,000 and 2,000,000 valid rows (the most a table may hold): memory per row;
- a named pipe given as the table: refused at once, not waited on.

    python bench/bench_tables.py [--target SECONDS]

It fails if a case takes longer than --target seconds (default 120), or if a case that
should be refused is not.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
HEADER = "org,measure,group,period,numerator,denominator\n"


def spellings(count: int) -> str:
    """A table whose every row spells White its own way (case, spaces, punctuation)."""
    rows = []
    for number in range(count):
        letters = "".join(ch.upper() if (number >> i) & 1 else ch
                          for i, ch in enumerate("white"))
        spaced = letters[: 1 + number % 4] + " " * (number // 32 % 5) + \
            letters[1 + number % 4:] + "." * (number // 160 % 7) + "-" * (number // 1120)
        rows.append(f"Org {number},COL,{spaced},2024,1,2\n")
    return HEADER + "".join(rows)


def valid(count: int) -> str:
    """Organizations of 42 rows each: three measures, two periods, six groups and ALL."""
    rng = random.Random(7)
    rows = []
    groups = ("Asian", "Black", "Hispanic", "White", "Other", "Unknown")
    for number in range(count // 42):
        for measure in ("COL", "CBP", "HBD"):
            for period in ("2022", "2024"):
                total = [0, 0]
                for group in groups:
                    denominator = rng.randint(10, 4000)
                    numerator = rng.randint(0, denominator)
                    total = [total[0] + numerator, total[1] + denominator]
                    rows.append(f"Organization {number:06d},{measure},{group},{period},"
                                f"{numerator}.{rng.randint(0, 999)},{denominator}.999\n")
                rows.append(f"Organization {number:06d},{measure},ALL,{period},"
                            f"{total[0] + 6},{total[1] + 6}\n")
    return HEADER + "".join(rows)


def run(table: Path, *options: str) -> tuple[float, int, int, str]:
    """Wall seconds, peak resident bytes, exit status and the first error code printed."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "eqlang", "eval", str(CONTRACT),
                                    "--table", str(table), "--json", *options],
                                   stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    code = next((word[6:11] for word in text.split() if word.startswith("error[")), "-")
    return wall, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), code


def write(kind: str, count: int, path: Path) -> None:
    """Write one table in a process of its own: a child inherits its parent's peak memory,
    which would count the tables made here against every eqlang run measured."""
    subprocess.run([sys.executable, __file__, "--write", kind, str(count), str(path)],
                   check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=float, default=120.0)
    parser.add_argument("--write", nargs=3, metavar=("KIND", "ROWS", "PATH"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        kind, count, path = args.write
        text = spellings(int(count)) if kind == "spellings" else valid(int(count))
        Path(path).write_text(text, encoding="utf-8")
        return 0
    print(f"load average {os.getloadavg()[0]:.1f}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="eqlang-tables-") as folder:
        # (what, kind, rows, organizations settled, the error expected)
        cases = [
            ("25,000 spellings of White", "spellings", 25_000, (), "E0508"),
            ("100,000 spellings of White", "spellings", 100_000, (), "E0508"),
            ("1,000,000 valid rows, one organization settled", "valid", 1_000_000,
             ("--org", "Organization 000000"), None),
            ("2,000,000 valid rows, one organization settled", "valid", 1_999_998,
             ("--org", "Organization 000000"), None),
            ("1,000,000 valid rows, all 23,809 organizations settled", "valid", 1_000_000,
             (), None),
        ]
        print("| table | size | wall | peak memory | result |")
        print("|---|---|---|---|---|")
        for name, kind, count, options, expected in cases:
            path = Path(folder) / f"{kind}-{count}.csv"
            if not path.exists():
                write(kind, count, path)
            wall, peak, status, code = run(path, *options)
            ok = (status == 0) if expected is None else (code == expected)
            failed |= not ok or wall > args.target
            print(f"| {name} | {path.stat().st_size / 1e6:.1f} MB | {wall:.1f} s | "
                  f"{peak / 2**20:,.0f} MiB | {'settled' if status == 0 else code}"
                  f"{'' if ok else ' (WRONG)'} |")
        pipe = Path(folder) / "pipe.csv"
        os.mkfifo(pipe)
        wall, peak, status, code = run(pipe)
        ok = code == "E0501"
        failed |= not ok or wall > args.target
        print(f"| a named pipe | - | {wall:.1f} s | {peak / 2**20:,.0f} MiB | {code}"
              f"{'' if ok else ' (WRONG)'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
