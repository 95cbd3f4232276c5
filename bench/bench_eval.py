"""Benchmark: settle the reference contract for 1,000 organizations.

Generates a measure table of 1,000 organizations x 3 measures x 6 groups (plus ALL) x 2
periods, then times `eqlang eval` on it with and without `--trace`, each in a fresh process,
and prints wall time, peak memory and trace size. Targets (docs/performance.md): under 10 s
and under 1 GiB on a 2-core machine, trace included.

    python bench/bench_eval.py [--organizations N]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
GROUPS = ("Asian", "Black", "Hispanic", "White", "Other", "Unknown")
BASE_RATES = {  # percent, baseline: public figures for Asian, Black, Hispanic, White
    "COL": (67.0, 63.8, 65.4, 70.8),
    "CBP": (74.2, 66.1, 69.0, 74.7),
    "HBD": (21.8, 25.7, 31.9, 23.9),
}


def write_table(path: Path, organizations: int, seed: int = 2024) -> int:
    rng = random.Random(seed)
    lines = ["org,measure,group,period,numerator,denominator"]
    for index in range(organizations):
        org = f"Organization {index:04d}"
        for measure, rates in BASE_RATES.items():
            for period, drift in (("2022", 0.0), ("2024", 2.0)):
                total_num = total_den = 0
                for group, base in zip(GROUPS, (*rates, 68.0, 66.0), strict=True):
                    denominator = rng.randint(10, 4000)
                    rate = min(99.0, max(1.0, base + rng.uniform(-3, 3) + drift))
                    numerator = int(denominator * rate / 100)
                    total_num += numerator
                    total_den += denominator
                    lines.append(f"{org},{measure},{group},{period},{numerator},{denominator}")
                lines.append(f"{org},{measure},ALL,{period},{total_num},{total_den}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def timed(arguments: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (bytes) of one eqlang process."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-m", "eqlang", *arguments], check=True,
                   stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=1000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    table = OUT / f"reference-{args.organizations}.csv"
    rows = write_table(table, args.organizations)
    trace = OUT / "trace.json"
    print(f"table: {rows:,} rows, {table.stat().st_size / 1e6:.1f} MB")
    seconds, peak = timed(["eval", str(CONTRACT), "--table", str(table), "--json"])
    print(f"eval without trace: {seconds:.2f} s wall, peak memory {peak / 2**20:.0f} MiB")
    seconds, peak = timed(["eval", str(CONTRACT), "--table", str(table), "--json",
                           "--trace", str(trace)])
    print(f"eval with trace:    {seconds:.2f} s wall, peak memory {peak / 2**20:.0f} MiB, "
          f"trace {trace.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
