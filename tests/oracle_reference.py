"""Test oracle for the reference equity contract (``contracts/reference-equity.eq``).

This module is the yardstick the interpreter's settlement of the reference contract is
checked against. It is deliberately independent of the interpreter: it imports nothing from
``eqlang``, does not read the ``.eq`` file, and restates the contract's terms directly from
their prose, one small function per term, so that a reader can check it line by line.

All arithmetic uses ``decimal.Decimal`` in a context of 34 significant digits; no float is
used anywhere, and a float handed in as a count is rejected.

Terms, as implemented here:

* Each organization in the table is settled on its own. Baseline period "2022",
  performance period "2024", currency USD, pool $1,000,000.00 per organization.
* Measures: COL (higher is better, weight 35%), CBP (higher is better, 35%),
  HBD (HbA1c poor control, lower is better, 30%).
* Reference group White; focus groups Asian, Black, Hispanic. Other groups (Other, Unknown,
  ...) are ignored, except the whole-population group ``ALL``.
* Rate = numerator / denominator. A focus group is scorable on a measure when it and the
  reference group both have a denominator of at least 30 in both periods; a group without
  a row has denominator 0.
* Gap (percentage points) = 100 x (reference rate - group rate) for higher-is-better,
  100 x (group rate - reference rate) for lower-is-better; a negative gap counts as 0.
* Group score: baseline gap <= 2 pp -> 1 if the performance gap is <= 2 pp, else 0.
  Otherwise closure = (baseline gap - performance gap) / baseline gap and the score is
  closure / 50%, clamped to [0, 1].
* Measure score: mean of the scorable focus groups' scores; no scorable focus group ->
  the measure is not scored. If the ALL rate got worse from baseline to performance by more
  than 1 pp, a scored measure's score is 0 (it still counts as scored).
* Weights of the scored measures are rescaled to sum to 100%. Measure payout =
  pool x rescaled weight x measure score, rounded half-up to the cent. Payout = sum of the
  measure payouts, capped at the pool; $0.00 when no measure is scored.
* A missing ALL row for any of the three measures in either period is an error.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

BASELINE = "2022"
PERFORMANCE = "2024"
PERIODS = (BASELINE, PERFORMANCE)

HIGHER_IS_BETTER = {"COL": True, "CBP": True, "HBD": False}
WEIGHT = {"COL": Decimal("0.35"), "CBP": Decimal("0.35"), "HBD": Decimal("0.30")}
MEASURES = ("COL", "CBP", "HBD")

REFERENCE = "White"
FOCUS = ("Asian", "Black", "Hispanic")
ALL = "ALL"

POOL = Decimal("1000000.00")
MINIMUM_DENOMINATOR = Decimal(30)
SMALL_GAP_PP = Decimal(2)
FULL_CREDIT_CLOSURE = Decimal("0.50")
LEVELING_DOWN_MARGIN_PP = Decimal(1)
CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

FIELDS = ("org", "measure", "group", "period", "numerator", "denominator")
_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")


class MissingAllRow(Exception):
    """The table has no ``ALL`` row for a measure and period of an organization."""

    def __init__(self, org: str, measure: str, period: str) -> None:
        super().__init__(
            f"organization {org!r}: no ALL row for measure {measure} in period {period}"
        )
        self.org = org
        self.measure = measure
        self.period = period


# A cell of one organization's table: (measure, group, period) -> (numerator, denominator).
Cells = dict[tuple[str, str, str], tuple[Decimal, Decimal]]


def _count(value: object) -> Decimal:
    """A numerator or denominator as a Decimal; floats are refused."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"counts must be Decimal, int or str, not {type(value).__name__}")


def _fields(row: Mapping[str, object] | Sequence[object]) -> tuple:
    values = tuple(row[f] for f in FIELDS) if isinstance(row, Mapping) else tuple(row)
    if len(values) != len(FIELDS):
        raise ValueError(f"a row needs {len(FIELDS)} fields: {row!r}")
    org, measure, group, period, numerator, denominator = values
    return str(org), str(measure), str(group), str(period), _count(numerator), _count(denominator)


def _group_tables(rows: Iterable) -> dict[str, Cells]:
    tables: dict[str, Cells] = {}
    for row in rows:
        org, measure, group, period, numerator, denominator = _fields(row)
        if numerator < 0 or denominator < 0 or numerator > denominator:
            raise ValueError(f"need 0 <= numerator <= denominator: {row!r}")
        cells = tables.setdefault(org, {})
        key = (measure, group, period)
        if key in cells:
            raise ValueError(f"duplicate row for {org!r} {key}")
        cells[key] = (numerator, denominator)
    return tables


def _denominator(cells: Cells, measure: str, group: str, period: str) -> Decimal:
    return cells.get((measure, group, period), (ZERO, ZERO))[1]


def _rate(cells: Cells, measure: str, group: str, period: str) -> Decimal:
    numerator, denominator = cells[(measure, group, period)]
    return numerator / denominator


def _scorable(cells: Cells, measure: str, group: str) -> bool:
    return all(
        _denominator(cells, measure, g, p) >= MINIMUM_DENOMINATOR
        for g in (group, REFERENCE)
        for p in PERIODS
    )


def _gap_pp(cells: Cells, measure: str, group: str, period: str) -> Decimal:
    reference = _rate(cells, measure, REFERENCE, period)
    own = _rate(cells, measure, group, period)
    difference = reference - own if HIGHER_IS_BETTER[measure] else own - reference
    return max(ZERO, 100 * difference)


def _group_score(cells: Cells, measure: str, group: str) -> Decimal:
    baseline_gap = _gap_pp(cells, measure, group, BASELINE)
    performance_gap = _gap_pp(cells, measure, group, PERFORMANCE)
    if baseline_gap <= SMALL_GAP_PP:
        return ONE if performance_gap <= SMALL_GAP_PP else ZERO
    closure = (baseline_gap - performance_gap) / baseline_gap
    return min(ONE, max(ZERO, closure / FULL_CREDIT_CLOSURE))


def _leveled_down(cells: Cells, measure: str) -> bool:
    baseline = _rate(cells, measure, ALL, BASELINE)
    performance = _rate(cells, measure, ALL, PERFORMANCE)
    worsening = baseline - performance if HIGHER_IS_BETTER[measure] else performance - baseline
    return 100 * worsening > LEVELING_DOWN_MARGIN_PP


def _measure_score(cells: Cells, measure: str) -> Decimal | None:
    """The measure's score, or None when it is not scored."""
    groups = [g for g in FOCUS if _scorable(cells, measure, g)]
    if not groups:
        return None
    if _leveled_down(cells, measure):
        return ZERO
    return sum((_group_score(cells, measure, g) for g in groups), ZERO) / len(groups)


def _settle_org(org: str, cells: Cells) -> dict:
    for measure in MEASURES:
        for period in PERIODS:
            if (measure, ALL, period) not in cells:
                raise MissingAllRow(org, measure, period)

    scores = {m: _measure_score(cells, m) for m in MEASURES}
    scored = [m for m in MEASURES if scores[m] is not None]
    measure_payout: dict[str, Decimal | None] = dict.fromkeys(MEASURES)
    if not scored:
        return {"payout": ZERO.quantize(CENT), "measure_payout": measure_payout}

    scored_weight = sum((WEIGHT[m] for m in scored), ZERO)
    for m in scored:
        rescaled_weight = WEIGHT[m] / scored_weight
        amount = POOL * rescaled_weight * scores[m]
        measure_payout[m] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    total = min(sum((measure_payout[m] for m in scored), ZERO), POOL)
    return {
        "payout": total.quantize(CENT, rounding=ROUND_HALF_UP),
        "measure_payout": measure_payout,
    }


def settle(rows: Iterable) -> dict[str, dict]:
    """Settle every organization in ``rows``.

    ``rows`` holds dicts keyed by ``FIELDS`` or 6-tuples in that order, with numerator and
    denominator as Decimal. Returns org -> {"payout": Decimal, "measure_payout":
    {measure: Decimal, or None when the measure is not scored}}.
    """
    with localcontext() as ctx:
        ctx.prec = 34
        ctx.rounding = ROUND_HALF_EVEN
        tables = _group_tables(rows)
        return {org: _settle_org(org, tables[org]) for org in sorted(tables)}


def load_csv(path: str | Path) -> list[dict]:
    """Read a measure table CSV into rows for ``settle`` (a test helper only)."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise ValueError(f"{path}: header must be {','.join(FIELDS)}")
        rows = []
        for line in reader:
            for field in ("numerator", "denominator"):
                if not _PLAIN_DECIMAL.fullmatch(line[field]):
                    raise ValueError(f"{path}: {field} {line[field]!r} is not a plain decimal")
            row = {f: line[f] for f in FIELDS}
            row["numerator"] = Decimal(line["numerator"])
            row["denominator"] = Decimal(line["denominator"])
            rows.append(row)
        return rows
