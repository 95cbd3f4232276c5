"""Benchmark: statements of the reference contract for 1,000 organizations.

Generates bench_eval's table of 1,000 organizations, runs `eqlang statement` on it in a
fresh process and prints the wall time, the CPU time of the command and of the processes it
starts to draw pages, and the peak memory of the largest of them. Target
(docs/performance.md): under 30 s on the 2-core machine, at most 1 GiB.

    python bench/bench_statements.py [--organizations N] [--repeat K]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_eval import CONTRACT, table


def run_once(table: Path, out: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the command and its workers) and peak resident bytes of
    the largest of them, for one `eqlang statement` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # A launcher in between, so that this script's children are only that run's
    # processes: the workers it starts are waited for by the command itself.
    subprocess.run([sys.executable, "-m", "eqlang", "statement", str(CONTRACT), "--table",
                    str(table), "--output", str(out)], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=1000,
                        help="organizations in the generated table (default 1000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs; the fastest is reported (default 1)")
    options = parser.parse_args()
    generated, rows = table(options.organizations)
    with tempfile.TemporaryDirectory() as folder:
        results = [run_once(generated, Path(folder) / f"out{n}")
                   for n in range(options.repeat)]
        wall, cpu, peak = min(results)
        pages = len(list((Path(folder) / "out0").glob("*.html")))
    print(f"eqlang statement: {options.organizations:,} organizations ({rows:,} rows), "
          f"{pages:,} pages: {wall:.1f} s wall, {cpu:.1f} s CPU, peak "
          f"{peak / 2**20:.0f} MiB (largest process), {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
