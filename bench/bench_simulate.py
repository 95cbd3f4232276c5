"""Benchmark: `eqlang simulate` of the reference contract for 100 organizations.

Target (issue 14, docs/performance.md): 10,000 draws x 100 organizations in at most twice
the time of a hand-written numpy version of the same simulation with the same draws. This
script times `eqlang simulate --draws N` in a fresh process and, where the hand-written
yardstick of the reference contract's formulas is here (bench/reference_terms.py, from the
bench work of issue 12), the same draws (``eqlang.tools.simulate.draw``: one seed, one
order) settled by it.

    python bench/bench_simulate.py [--organizations 100] [--draws 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_eval import CONTRACT, OUT
from bench_eval import table as reference_table


def eqlang_seconds(table: Path, draws: int, seed: int) -> tuple[float, float]:
    """Wall and CPU seconds of one `eqlang simulate` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "eqlang", "simulate", str(CONTRACT), "--table",
                    str(table), "--draws", str(draws), "--seed", str(seed), "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def yardstick_seconds(table: Path, draws: int, seed: int) -> float | None:
    """CPU seconds of the hand-written numpy settlement of the same draws, or None where
    bench/reference_terms.py is not here."""
    if importlib.util.find_spec("reference_terms") is None:
        return None
    import numpy as np
    from reference_terms import MEASURES, measure_score, payouts

    from eqlang.api import load_contract, settle
    from eqlang.tools.simulate import Method, draw, drawn_rows

    program = load_contract(CONTRACT)
    tables = settle(program, [str(table)]).tables
    organizations = tables.organizations()
    start = time.process_time()
    rows = drawn_rows(program, tables, organizations)
    shares = np.concatenate(list(draw(rows, Method("binomial", draws, seed))))
    place = {org: i for i, org in enumerate(organizations)}
    numerators: dict[tuple[str, str, str], np.ndarray] = {}
    denominators: dict[tuple[str, str, str], np.ndarray] = {}
    for column, row in enumerate(rows):
        key = (row.measure, row.group, row.period)
        numerators.setdefault(key, np.zeros((draws, len(organizations))))[
            :, place[row.org]] = shares[:, column] * float(row.denominator)
        denominators.setdefault(key, np.zeros(len(organizations)))[place[row.org]] = float(
            row.denominator)
    scores = []
    for measure in MEASURES:
        def size(group: str, period: str, measure: str = measure) -> np.ndarray:
            return denominators.get((measure, group, period), np.zeros(len(organizations)))

        def rate(group: str, period: str, measure: str = measure) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return numerators.get((measure, group, period), np.nan) / size(
                    group, period) * 100

        sign = 1.0 if program.measures[measure].higher_is_better else -1.0
        scores.append(measure_score(sign, size, rate))
    payouts(np.stack(scores))
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=100,
                        help="organizations in the generated table (default 100)")
    parser.add_argument("--draws", type=int, default=200, help="draws (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="seed (default 7)")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    table, _ = reference_table(options.organizations)
    wall, cpu = eqlang_seconds(table, options.draws, options.seed)
    numpy_cpu = yardstick_seconds(table, options.draws, options.seed)
    per_draw = cpu / options.draws
    print(f"eqlang simulate: {options.organizations:,} organizations x {options.draws:,} "
          f"draws: {wall:.1f} s wall, {cpu:.1f} s CPU ({per_draw * 1000:.2f} ms a draw)")
    if numpy_cpu is None:
        print("hand-written numpy yardstick: bench/reference_terms.py is not here (it comes "
              "with the bench work of issue 12)")
    else:
        ratio = cpu / numpy_cpu
        print(f"hand-written numpy, the same draws: {numpy_cpu:.2f} s CPU; ratio "
              f"{ratio:.2f}x (target: at most 2x: {'met' if ratio <= 2 else 'not met'})")

if __name__ == "__main__":
    main()
