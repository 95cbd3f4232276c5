"""The reference contract's terms, as figures and as formulas over float64 arrays, for the
hand-written yardsticks.

`contracts/reference-equity.eq` states them. bench/yardstick_pandas.py (one table) and
bench/yardstick_numpy.py (many scenario lanes) each gather the table's counts their own
way, as arrays over organizations (and lanes), and settle them with ``measure_score`` and
``payouts``. ``differences`` compares a settlement with eqlang's: `eval --json` data,
amounts as strings with two decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

MEASURES = ("COL", "CBP", "HBD")
HIGHER_IS_BETTER = {"COL": True, "CBP": True, "HBD": False}
WEIGHT = {"COL": 0.35, "CBP": 0.35, "HBD": 0.30}
BASELINE, PERFORMANCE = "2022", "2024"
REFERENCE = "White"
FOCUS = ("Asian", "Black", "Hispanic")
POOL_CENTS = 100_000_000
MINIMUM_SIZE = 30.0
SMALL_GAP = 2.0  # pp
FULL_CREDIT_CLOSURE = 0.5
LEVELING_DOWN_MARGIN = 1.0  # pp

#: A group's denominators, or its rates (percent), in a period: (group, period) -> array.
Counts = Callable[[str, str], np.ndarray]

#: The contract's reasons, so that the output reads as eqlang's does.
NOT_SCORED = {"not_scored": "the measure is not scored"}


def money(cents: int) -> str | dict[str, str]:
    """Whole cents as `eval --json` writes an amount; below 0 (not scored) as it writes that."""
    if cents < 0:
        return NOT_SCORED
    return f"{cents // 100}.{cents % 100:02d}"


def measure_score(sign: float | np.ndarray, size: Counts, rate: Counts) -> np.ndarray:
    """A measure's score wherever the arrays reach; NaN where it is not scored.

    ``sign`` is 1 where higher is better and -1 where lower is; ``size`` and ``rate`` give a
    group's denominators and rates in a period (0 and NaN where it has no row).
    """
    scorable_count: Any = 0
    score_total: Any = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        for group in FOCUS:
            scorable = np.logical_and.reduce(
                [size(g, p) >= MINIMUM_SIZE
                 for g in (group, REFERENCE) for p in (BASELINE, PERFORMANCE)])
            before, after = (np.maximum(0.0, sign * (rate(REFERENCE, p) - rate(group, p)))
                             for p in (BASELINE, PERFORMANCE))
            score = np.where(before <= SMALL_GAP,
                             np.where(after <= SMALL_GAP, 1.0, 0.0),
                             np.clip((before - after) / before / FULL_CREDIT_CLOSURE, 0, 1))
            scorable_count = scorable_count + scorable
            score_total = score_total + np.where(scorable, score, 0.0)
        worsened = sign * (rate("ALL", BASELINE) - rate("ALL", PERFORMANCE))
        score = np.where(worsened > LEVELING_DOWN_MARGIN, 0.0, score_total / scorable_count)
    return np.where(scorable_count == 0, np.nan, score)


def payouts(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each measure's payout (whole cents, -1 where not scored) and the payout (cents) from
    the measures' scores, stacked on the first axis in the order of ``MEASURES``."""
    scored = ~np.isnan(scores)
    weights = np.array([WEIGHT[m] for m in MEASURES]).reshape((-1,) + (1,) * (scores.ndim - 1))
    scored_weight = (scored * weights).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        amount = POOL_CENTS / 100 * (weights / scored_weight) * scores
    # Half up to the cent: every amount is at least 0, so this is the contract's rounding.
    cents = np.where(scored, np.floor(amount * 100 + 0.5), 0).astype(np.int64)
    return np.where(scored, cents, -1), np.minimum(cents.sum(axis=0), POOL_CENTS)


def differences(expected: Mapping[str, Any], actual: Mapping[str, Any], limit: int = 10
                ) -> list[str]:
    """Where two settlements (`eqlang eval --json` data) differ, one line each, at most
    ``limit`` lines and a count of the rest; empty when they agree to the cent."""
    found = [f"organization {org!r} is only in the {'first' if org in expected else 'second'}"
             for org in sorted(set(expected) ^ set(actual))]
    for org in sorted(set(expected) & set(actual)):
        want, got = _flat(expected[org]), _flat(actual[org])
        found += [f"{org}: {name} is {_shown(want.get(name))} against {_shown(got.get(name))}"
                  for name in sorted(set(want) | set(got)) if want.get(name) != got.get(name)]
    if len(found) > limit:
        found = [*found[:limit], f"... and {len(found) - limit} more"]
    return found


def _flat(outputs: Mapping[str, Any]) -> dict[str, str]:
    """An organization's outputs by name (`measure_payout(COL)`): an amount, or "not scored"."""
    flat = {}
    for name, value in outputs.items():
        keyed = value.items() if isinstance(value, Mapping) and "not_scored" not in value \
            else [(None, value)]
        for key, item in keyed:
            shown = "not scored" if isinstance(item, Mapping) else f"${item}"
            flat[name if key is None else f"{name}({key})"] = shown
    return flat


def _shown(value: str | None) -> str:
    return "missing" if value is None else value


