"""The reference contract over many scenario lanes by hand-written numpy: issue 12's yardstick
for the columnar backend.

Takes ``Lanes`` (bench/lanes.py: a table of organizations and, per lane, every row's
numerator) and gives every lane's `measure_payout(m)` and `payout` for every organization,
in whole cents, as ``LanePayouts``. Each quantity of the contract is an array of shape
(lanes, organizations), float64, computed with vectorized operations (the contract's
formulas are bench/reference_terms.py's, shared with the pandas yardstick); denominators are
the same in every lane, so group sizes (and which groups are scorable) are arrays over
organizations that broadcast.

`python bench/bench_eval.py --only lanes` times it beside eqlang's columnar backend, after
checking it against eqlang's exact settlement of lane 0 (the observed table), lane 1 and the
last lane, to the cent (``checked_against_eqlang``).
"""

from __future__ import annotations

import numpy as np
from lanes import LanePayouts, Lanes, lane_tables
from reference_terms import (
    BASELINE,
    FOCUS,
    HIGHER_IS_BETTER,
    MEASURES,
    PERFORMANCE,
    REFERENCE,
    differences,
    measure_score,
    payouts,
)


def settle(lanes: Lanes) -> LanePayouts:
    """The reference contract's outputs in every lane."""
    organizations = lanes.organizations
    index = lanes.index()

    def cell(measure: str, group: str, period: str) -> tuple[np.ndarray, np.ndarray]:
        """Numerators (lanes, orgs) and denominators (orgs,) of one cell; 0 where no row."""
        rows = np.array([index.get((org, measure, group, period), -1) for org in organizations])
        present = rows >= 0
        numerator = np.where(present, lanes.numerators[:, np.maximum(rows, 0)], 0.0)
        return numerator, np.where(present, lanes.denominators[np.maximum(rows, 0)], 0.0)

    scores = []
    for measure in MEASURES:
        counts = {(g, p): cell(measure, g, p) for g in (*FOCUS, REFERENCE, "ALL")
                  for p in (BASELINE, PERFORMANCE)}

        def rate(group: str, period: str, counts=counts) -> np.ndarray:  # percent
            numerator, denominator = counts[(group, period)]
            with np.errstate(divide="ignore", invalid="ignore"):
                return numerator / denominator * 100

        scores.append(measure_score(1.0 if HIGHER_IS_BETTER[measure] else -1.0,
                                    lambda g, p, counts=counts: counts[(g, p)][1], rate))
    cents, payout = payouts(np.stack(scores))  # (measures, lanes, orgs)
    return LanePayouts(organizations, MEASURES, cents, payout)


def checked_against_eqlang(contract: str, lanes: Lanes, settled: LanePayouts,
                           chosen: tuple[int, ...]) -> list[str]:
    """Where ``settled`` differs from eqlang's exact settlement of the ``chosen`` lanes."""
    from eqlang.api import load_contract
    from eqlang.api import settle as settle_exactly

    program = load_contract(contract)
    found = []
    for lane in chosen:
        exact = settle_exactly(program, lane_tables(lanes, lane)).outputs_json()
        found += [f"lane {lane}: {line}" for line in differences(exact, settled.of_lane(lane))]
    return found
