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

from bench_eval import CONTRACT, Launcher, Limits, Usage, eqlang, memory, table

GIB = 2**30


def report(what: str, usage: Usage, extra: str = "") -> None:
    print(f"{what}: {usage.wall:.2f} s wall, {usage.cpu:.2f} s CPU, peak {memory(usage.peak)}"
          + (f", {extra}" if extra else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    generated, rows = table(options.organizations)
    print(f"{options.organizations:,} organizations, {rows:,} rows")
    launcher = Launcher(Limits(options.repeat, 1800, 8 * GIB))
    try:
        with tempfile.TemporaryDirectory() as folder:
            bundle = Path(folder) / "bundle.json"
            exported = launcher.run(eqlang("export", "fhir", str(CONTRACT), "--table",
                                           str(generated), "--output", str(bundle)))
            report("export fhir", exported, f"bundle {bundle.stat().st_size / 2**20:.1f} MiB")
            from_fhir = launcher.run(eqlang("eval", str(CONTRACT), "--table", str(bundle),
                                            "--json"))
            report("eval on the bundle", from_fhir)
            from_csv = launcher.run(eqlang("eval", str(CONTRACT), "--table", str(generated),
                                           "--json"))
            report("eval on the CSV", from_csv)
    finally:
        launcher.close()
    if from_fhir.output != from_csv.output:
        sys.exit("the settlement from the Bundle differs from the CSV's")


if __name__ == "__main__":
    main()
