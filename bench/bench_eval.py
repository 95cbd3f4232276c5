"""Benchmark: settle the reference contract for 1,000 organizations.

Generates a measure table of 1,000 organizations x 3 measures x 6 groups (plus ALL) x 2
periods, then runs `eqlang eval` on it without and with `--trace`, `eqlang verify` on the
trace and `eqlang explain` of one payout, each in a fresh process, and prints for each the
wall time, the CPU time and the peak memory of that process, and the size of the trace.
Targets (docs/performance.md): under 10 s and under 1 GiB on a 2-core machine, trace
included. The settlement with and without the trace must agree, or the run fails.

    python bench/bench_eval.py [--organizations N] [--repeat K] [--profile]

With --repeat, each command runs K times and the fastest run is reported: on a shared
machine the fastest run is the one least disturbed by other work. --profile instead settles
in this process, prints the CPU time of each stage (the command itself leaves the process
without the teardown, so `python -m cProfile -m eqlang` would print nothing) and the
functions that take the most time under cProfile.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import subprocess
import sys
import tempfile
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


def measure(arguments: list[str], repeat: int) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds and peak resident bytes of the fastest of ``repeat`` runs of
    one eqlang process (its own figures, from wait4), and what it printed."""
    best: tuple[float, float, int, bytes] | None = None
    for _ in range(repeat):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            process = subprocess.Popen([sys.executable, "-m", "eqlang", *arguments],
                                       stdout=out, stderr=err)
            # wait4, not wait: it gives this process's own CPU time and peak memory.
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            output, errors = out.read(), err.read()
        if process.returncode != 0:
            sys.exit(f"eqlang {' '.join(arguments)} failed:\n{errors.decode()}")
        # ru_maxrss is in KiB on Linux.
        result = (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, output)
        if best is None or result[0] < best[0]:
            best = result
    assert best is not None
    return best


def report(label: str, figures: tuple[float, float, int, bytes], extra: str = "") -> None:
    wall, cpu, peak, _ = figures
    print(f"{label:<26} {wall:6.2f} s wall  {cpu:6.2f} s CPU  {peak / 2**20:6.0f} MiB peak"
          + (f"  {extra}" if extra else ""))


def profile(table: Path, trace: Path) -> None:
    """Stage by stage CPU time of `eval --trace` in this process, then a cProfile listing."""
    import cProfile
    import gc
    import pstats

    from eqlang.api import load_contract, settle
    from eqlang.data.tables import load_tables
    from eqlang.outputs import write_atomic
    from eqlang.trace.writer import dumps

    gc.disable()  # as the command runs
    stages: list[tuple[str, float]] = []
    start = time.process_time()

    def lap(name: str) -> None:
        nonlocal start
        now = time.process_time()
        stages.append((name, now - start))
        start = now

    program = load_contract(CONTRACT)
    lap("read and check the contract")
    tables = load_tables([table])
    lap("read and check the table")
    run = settle(program, tables)
    lap("settle")
    data = run.trace()
    lap("build the trace")
    text = dumps(data)
    lap("canonical JSON")
    write_atomic(trace, text)
    lap("write the file")
    for name, seconds in stages:
        print(f"  {name:<28} {seconds:5.2f} s CPU")
    profiler = cProfile.Profile()
    profiler.enable()
    settle(program, tables).trace()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    table = OUT / f"reference-{args.organizations}.csv"
    rows = write_table(table, args.organizations)
    trace = OUT / "trace.json"
    if args.profile:
        profile(table, trace)
        return
    trace.unlink(missing_ok=True)
    print(f"{datetime.date.today()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"table: {rows:,} rows, {table.stat().st_size / 1e6:.1f} MB, "
          f"{args.organizations:,} organizations")
    plain = measure(["eval", str(CONTRACT), "--table", str(table), "--json"], args.repeat)
    report("eval", plain)
    traced = measure(["eval", str(CONTRACT), "--table", str(table), "--json", "--trace",
                      str(trace)], args.repeat)
    report("eval --trace", traced, f"trace {trace.stat().st_size / 1e6:.1f} MB")
    if plain[3] != traced[3]:
        sys.exit("the settlement with --trace differs from the one without")
    report("verify", measure(["verify", str(trace)], args.repeat))
    report("explain (one payout)", measure(["explain", str(trace), "payout", "--org",
                                            "Organization 0000"], args.repeat))


if __name__ == "__main__":
    main()
