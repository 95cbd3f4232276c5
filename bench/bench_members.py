"""Benchmark: member-level Parquet files to the measure table.

Generates member results and membership as Parquet in a temporary folder (never in the
repository): ``--rows`` member-measure-period rows (6 million by default; 60 million for the
large run), 40 per member over 200 organizations, 20 measures and 2 periods; 40% of members
self-reported, the rest imputed over six groups with six-decimal probabilities that sum to 1.
Then runs, each in a fresh process with the same number of DuckDB threads:

- ``eqlang tabulate`` (validation and aggregation, writing the CSV table);
- a hand-written DuckDB GROUP BY over the same files giving the same table without any
  validation, the baseline of issue 13's target (at most 1.2 times its time);
- with ``--spark``, ``eqlang tabulate --engine spark`` in local mode, whose table must equal
  DuckDB's.

For each it prints wall time, CPU time and peak memory (from wait4), and it fails if the
tables differ. Targets (docs/performance.md): at most 1.2 times the baseline, peak memory at
most 2 GiB.

    python bench/bench_members.py [--rows N] [--threads T] [--spark] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "reference-equity.eq"
PER_MEMBER = 40


def generate(folder: Path, rows: int, threads: int) -> tuple[Path, Path]:
    """Member results and membership as Parquet, made by DuckDB from a seeded generator."""
    import duckdb

    members = rows // PER_MEMBER
    results, membership = folder / "results.parquet", folder / "membership.parquet"
    con = duckdb.connect(config={"threads": threads})
    con.execute("SELECT setseed(0.13)")
    con.execute(f"""
        CREATE TABLE member AS
        SELECT m AS number, 'M' || lpad(CAST(m AS VARCHAR), 9, '0') AS member_id,
               'Organization ' || lpad(CAST(m % 200 AS VARCHAR), 3, '0') AS org,
               random() AS reported, CAST(floor(random() * 6) AS INTEGER) AS truth
        FROM range({members}) AS t(m)""")
    con.execute(f"""
        COPY (
          SELECT member_id, org, 'M' || lpad(CAST(j % 20 AS VARCHAR), 2, '0') AS measure,
                 CASE WHEN j < 20 THEN '2022' ELSE '2024' END AS period,
                 CAST(1 AS TINYINT) AS denominator,
                 CAST(random() < CASE WHEN truth = 3 THEN 0.6 ELSE 0.55 END AS TINYINT) AS numerator
          FROM member, range({PER_MEMBER}) AS t(j)
        ) TO '{results}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)""")
    groups = "['Asian', 'Black', 'Hispanic', 'White', 'AIAN', 'Multiracial']"
    con.execute(f"""
        COPY (
          WITH weights AS (
            SELECT member_id, g, truth,
                   CAST(1 + floor(random() * 100) + CASE WHEN g = truth THEN 600 ELSE 0 END
                        AS BIGINT) AS w
            FROM member, range(6) AS t(g) WHERE reported >= 0.4
          ),
          shares AS (
            SELECT member_id, g, w * 1000000 // sum(w) OVER (PARTITION BY member_id) AS p,
                   row_number() OVER (PARTITION BY member_id ORDER BY g) AS k
            FROM weights
          ),
          exact AS (
            SELECT member_id, g,
                   CASE WHEN k = 1 THEN 1000000 - sum(p) OVER (PARTITION BY member_id) + p
                        ELSE p END AS p
            FROM shares
          )
          SELECT member_id, 'race' AS stratification, {groups}[g + 1] AS "group",
                 CAST(p / 1000000 AS DECIMAL(7, 6)) AS probability,
                 'imputed' AS source FROM exact
          UNION ALL
          SELECT member_id, 'race', {groups}[truth + 1], CAST(1 AS DECIMAL(7, 6)),
                 'self-reported' FROM member WHERE reported < 0.4
        ) TO '{membership}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)""")
    con.close()
    return results, membership


BASELINE = """
import sys, duckdb
results, membership, threads, out = sys.argv[1:]
con = duckdb.connect(config={"threads": int(threads)})
con.execute(f'''COPY (
  WITH reported AS (SELECT member_id FROM read_parquet('{membership}')
                    WHERE source = 'self-reported'),
  weights AS (
    SELECT member_id, "group", probability AS weight FROM read_parquet('{membership}') m
    WHERE source = 'self-reported'
       OR (source = 'imputed' AND member_id NOT IN (SELECT member_id FROM reported))
  )
  SELECT org, measure, "group", period,
         sum(CASE WHEN numerator = 1 THEN weight ELSE 0 END) AS numerator,
         sum(CASE WHEN denominator = 1 THEN weight ELSE 0 END) AS denominator
  FROM read_parquet('{results}') r JOIN weights w USING (member_id)
  GROUP BY ALL
  UNION ALL
  SELECT org, measure, 'ALL', period, sum(numerator), sum(denominator)
  FROM read_parquet('{results}') GROUP BY ALL
) TO '{out}' (FORMAT csv)''')
"""


def measure(arguments: list[str], env: dict[str, str] | None = None
            ) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak resident bytes of one process (from wait4)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=err,
                                   env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"{' '.join(arguments[:4])} ... failed:\n{err.read().decode()[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def same_table(ours: Path, theirs: Path) -> bool:
    """The baseline's CSV and eqlang's table hold the same counts."""
    from decimal import Decimal

    def rows(path: Path) -> set[tuple[str, ...]]:
        found = set()
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            *key, numerator, denominator = line.split(",")
            found.add((*key, str(Decimal(numerator).normalize()),
                       str(Decimal(denominator).normalize())))
        return found

    return rows(ours) == rows(theirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=6_000_000)
    # eqlang's DuckDB uses every core, as DuckDB does by default; so does the baseline.
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--spark", action="store_true", help="also tabulate with Spark")
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate, args.rows, args.threads)
        return 0
    folder_context = tempfile.TemporaryDirectory(prefix="eqlang-members-")
    folder = args.keep or Path(folder_context.name)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}; "
          f"{args.threads} DuckDB threads")
    start = time.perf_counter()
    # In a process of its own: a child inherits its parent's peak memory, which would count
    # DuckDB's generating against every run measured.
    subprocess.run([sys.executable, __file__, "--generate", str(folder), "--rows",
                    str(args.rows), "--threads", str(args.threads)], check=True)
    results, membership = folder / "results.parquet", folder / "membership.parquet"
    sizes = results.stat().st_size + membership.stat().st_size
    print(f"generated {args.rows:,} member results and their membership "
          f"({sizes / 1e6:.0f} MB of Parquet) in {time.perf_counter() - start:.1f} s")
    table = folder / "table.csv"
    runs = {}
    runs["eqlang tabulate"] = measure(
        [sys.executable, "-m", "eqlang", "tabulate", str(CONTRACT), "--members", str(results),
         "--membership", str(membership), "--output", str(table)])
    baseline = folder / "baseline.csv"
    runs["hand-written DuckDB GROUP BY"] = measure(
        [sys.executable, "-c", BASELINE, str(results), str(membership), str(args.threads),
         str(baseline)])
    if not same_table(table, baseline):
        sys.exit("eqlang's table differs from the hand-written query's")
    if args.spark:
        spark_table = folder / "spark.csv"
        runs["eqlang tabulate --engine spark"] = measure(
            [sys.executable, "-m", "eqlang", "tabulate", str(CONTRACT), "--members",
             str(results), "--membership", str(membership), "--output", str(spark_table),
             "--engine", "spark", "--spark-master", f"local[{args.threads}]"])
        if spark_table.read_bytes() != table.read_bytes():
            sys.exit("Spark's table differs from DuckDB's")
    # Spark's figures are its Python driver's: the JVM it starts is not counted.
    print("| command | wall | CPU | peak memory |")
    print("|---|---|---|---|")
    for name, (wall, cpu, peak) in runs.items():
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {peak / 2**20:,.0f} MiB |")
    ours = runs["eqlang tabulate"][0] / runs["hand-written DuckDB GROUP BY"][0]
    print(f"eqlang tabulate takes {ours:.2f} times the hand-written query (target: 1.2); "
          f"load average now {os.getloadavg()[0]:.1f}")
    folder_context.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
