"""Benchmark: FHIR MeasureReports in and out for 1,000 organizations.

Generates bench_eval's measure table of 1,000 organizations, exports the reference
contract's settlement on it as a FHIR Bundle (`eqlang export fhir`), then settles the
contract on that Bundle (`eqlang eval --table bundle.json`), each in a fresh process, and
prints the wall time, CPU time and peak memory of each and the size of the Bundle. The
settlement from the Bundle must equal the settlement from the CSV, or the run fails.

    python bench/bench_fhir.py [--organizations N] [--repeat K]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_eval import CONTRACT, measure, report, write_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "measures.csv"
        bundle = Path(folder) / "bundle.json"
        rows = write_table(table, options.organizations)
        print(f"{options.organizations:,} organizations, {rows:,} rows")
        exported = measure(["export", "fhir", str(CONTRACT), "--table", str(table),
                            "--output", str(bundle)], options.repeat)
        report("export fhir", exported, f"bundle {bundle.stat().st_size / 2**20:.1f} MiB")
        from_fhir = measure(["eval", str(CONTRACT), "--table", str(bundle), "--json"],
                            options.repeat)
        report("eval on the bundle", from_fhir)
        from_csv = measure(["eval", str(CONTRACT), "--table", str(table), "--json"],
                           options.repeat)
        report("eval on the CSV", from_csv)
        if from_fhir[3] != from_csv[3]:
            sys.exit("the settlement from the Bundle differs from the CSV's")


if __name__ == "__main__":
    main()
