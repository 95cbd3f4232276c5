"""The reference contract settled by a hand-written pandas script: issue 12's yardstick.

Takes a measure table (CSV) of `contracts/reference-equity.eq`'s shape and gives every
organization's `measure_payout(m)` and `payout`, printed as `eqlang eval --json` prints them
(amounts as strings with two decimals, a measure that is not scored as `{"not_scored":
reason}`). It is what an analyst would write by hand: float64 throughout, the whole table at
once, no trace. bench/bench_eval.py times it beside `eqlang eval` and, before it reports
a ratio, checks that both settled every organization to the same cent
(`reference_terms.differences`).

The contract's rules, as computed here (the formulas over arrays are in
bench/reference_terms.py, shared with the numpy yardstick of scenario lanes):

- A focus group (Asian, Black, Hispanic) is scorable on a measure when it and White both
  have a denominator of at least `minimum_size` (30) in both periods; a missing row has
  denominator 0.
- The gap in a period is White's rate minus the group's (the other way round where lower is
  better), in percentage points, and never below 0.
- A group's score: a baseline gap of at most `small_gap` (2 pp) scores 1 if the performance
  gap is at most 2 pp too, else 0; a wider one scores the share of it closed over
  `full_credit_closure` (50%), clamped to 0..1.
- A measure with no scorable focus group is not scored. One whose whole-population (ALL) rate
  got worse by more than `leveling_down_margin` (1 pp) scores 0 and still counts as scored.
  Otherwise it scores the mean of its scorable groups' scores.
- The weights (35%, 35%, 30%) are rescaled over the scored measures; a measure pays the
  pool ($1,000,000.00) times its rescaled weight times its score, rounded half up to the
  cent. The payout is the sum of the measure payouts, at most the pool; $0.00 when no
  measure is scored.

    python bench/yardstick_pandas.py TABLE.csv [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from reference_terms import (
    BASELINE,
    FOCUS,
    HIGHER_IS_BETTER,
    MEASURES,
    PERFORMANCE,
    REFERENCE,
    measure_score,
    money,
    payouts,
)


def read_table(path: str | Path) -> pd.DataFrame:
    """The rows the contract reads, one line per organization and measure, with a column
    per (numerator or denominator, group, period); a missing row is NaN."""
    table = pd.read_csv(path, usecols=["org", "measure", "group", "period", "numerator",
                                       "denominator"],
                        dtype={"org": str, "measure": str, "group": str, "period": str,
                               "numerator": "float64", "denominator": "float64"},
                        keep_default_na=False)
    table = table[table["measure"].isin(MEASURES)
                  & table["group"].isin([*FOCUS, REFERENCE, "ALL"])
                  & table["period"].isin([BASELINE, PERFORMANCE])]
    wide = table.set_index(["org", "measure", "group", "period"]).unstack(["group", "period"])
    rows = pd.MultiIndex.from_product(
        [wide.index.get_level_values("org").unique(), MEASURES], names=["org", "measure"])
    columns = pd.MultiIndex.from_product(
        [["numerator", "denominator"], [*FOCUS, REFERENCE, "ALL"], [BASELINE, PERFORMANCE]])
    wide = wide.reindex(index=rows, columns=columns)
    for period in (BASELINE, PERFORMANCE):
        missing = wide.index[wide[("denominator", "ALL", period)].isna()]
        if len(missing):
            sys.exit(f"the table has no ALL row for organization {missing[0][0]}, measure "
                     f"{missing[0][1]}, period {period}")
    return wide


def settle(path: str | Path) -> dict[str, Any]:
    """Every organization's outputs, as `eqlang eval --json` gives them."""
    wide = read_table(path)
    numerator, denominator = wide["numerator"], wide["denominator"].fillna(0.0)
    sign = np.where(wide.index.get_level_values("measure").map(HIGHER_IS_BETTER), 1.0, -1.0)
    scores = pd.Series(measure_score(
        sign, lambda g, p: denominator[(g, p)].to_numpy(),
        lambda g, p: (numerator[(g, p)] / denominator[(g, p)] * 100).to_numpy()),
        index=wide.index).unstack("measure")[list(MEASURES)]
    cents, payout = payouts(scores.to_numpy().T)
    settled: dict[str, Any] = {}
    for o, org in enumerate(scores.index):
        settled[org] = {
            "measure_payout": {m: money(int(cents[MEASURES.index(m), o]))
                               for m in sorted(MEASURES)},
            "payout": money(int(payout[o])),
        }
    return settled


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", type=Path)
    parser.add_argument("--output", type=Path, help="write the JSON here, not to stdout")
    args = parser.parse_args(arguments)
    text = json.dumps(settle(args.table), indent=2, sort_keys=True) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
