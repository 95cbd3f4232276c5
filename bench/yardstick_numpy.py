"""The reference contract over many scenario lanes by hand-written numpy: issue 12's yardstick
for the columnar backend.

Takes ``Lanes`` (bench/lanes.py: a table of organizations and, per lane, every row's
numerator) and gives every lane's `measure_payout(m)` and `payout` for every organization,
in whole cents, as ``LanePayouts``. Each quantity of the contract is an array of shape
(lanes, organizations), float64, computed with vectorized operations; denominators are the
same in every lane, so group sizes (and which groups are scorable) are arrays over
organizations that broadcast. The rules are those of bench/yardstick_pandas.py.

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
    FULL_CREDIT_CLOSURE,
    HIGHER_IS_BETTER,
    LEVELING_DOWN_MARGIN,
    MEASURES,
    MINIMUM_SIZE,
    PERFORMANCE,
    POOL_CENTS,
    REFERENCE,
    SMALL_GAP,
    WEIGHT,
    differences,
)


def settle(lanes: Lanes) -> LanePayouts:
    """The reference contract's outputs in every lane."""
    organizations = lanes.organizations
    where = {org: o for o, org in enumerate(organizations)}
    index = lanes.index()

    def cell(measure: str, group: str, period: str) -> tuple[np.ndarray, np.ndarray]:
        """Numerators (lanes, orgs) and denominators (orgs,) of one cell; 0 where no row."""
        rows = np.array([index.get((org, measure, group, period), -1) for org in where])
        present = rows >= 0
        numerator = np.where(present, lanes.numerators[:, np.maximum(rows, 0)], 0.0)
        return numerator, np.where(present, lanes.denominators[np.maximum(rows, 0)], 0.0)

    scores = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for measure in MEASURES:
            sign = 1.0 if HIGHER_IS_BETTER[measure] else -1.0
            counts = {(g, p): cell(measure, g, p) for g in (*FOCUS, REFERENCE, "ALL")
                      for p in (BASELINE, PERFORMANCE)}

            def rate(group: str, period: str, counts=counts) -> np.ndarray:  # percent
                numerator, denominator = counts[(group, period)]
                return numerator / denominator * 100

            scorable_count = np.zeros(len(organizations))
            score_total = np.zeros((lanes.count, len(organizations)))
            for group in FOCUS:
                scorable = np.logical_and.reduce(
                    [counts[(g, p)][1] >= MINIMUM_SIZE
                     for g in (group, REFERENCE) for p in (BASELINE, PERFORMANCE)])
                before, after = (np.maximum(0.0, sign * (rate(REFERENCE, p) - rate(group, p)))
                                 for p in (BASELINE, PERFORMANCE))
                score = np.where(before <= SMALL_GAP,
                                 np.where(after <= SMALL_GAP, 1.0, 0.0),
                                 np.clip((before - after) / before / FULL_CREDIT_CLOSURE, 0, 1))
                scorable_count += scorable
                score_total += np.where(scorable, score, 0.0)
            worsened = sign * (rate("ALL", BASELINE) - rate("ALL", PERFORMANCE))
            score = np.where(worsened > LEVELING_DOWN_MARGIN, 0.0, score_total / scorable_count)
            scores.append(np.where(scorable_count == 0, np.nan, score))
        score = np.stack(scores)  # (measures, lanes, orgs)
        scored = ~np.isnan(score)
        weights = np.array([WEIGHT[m] for m in MEASURES])[:, None, None]
        scored_weight = (scored * weights).sum(axis=0)
        amount = POOL_CENTS / 100 * (weights / scored_weight) * score
    # Half up to the cent: every amount is at least 0, so this is the contract's rounding.
    cents = np.where(scored, np.floor(amount * 100 + 0.5), 0).astype(np.int64)
    return LanePayouts(organizations, MEASURES, np.where(scored, cents, -1),
                       np.minimum(cents.sum(axis=0), POOL_CENTS))


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
