"""The reference contract's terms as plain figures, for the hand-written yardsticks.

`contracts/reference-equity.eq` states them; bench/yardstick_pandas.py and
bench/yardstick_numpy.py compute with them, and this module also compares their outputs with
eqlang's: `eval --json` data, amounts as strings with two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

#: The contract's reasons, so that the output reads as eqlang's does.
NOT_SCORED = {"not_scored": "the measure is not scored"}


def money(cents: int) -> str | dict[str, str]:
    """Whole cents as `eval --json` writes an amount; below 0 (not scored) as it writes that."""
    if cents < 0:
        return NOT_SCORED
    return f"{cents // 100}.{cents % 100:02d}"


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


