"""The table strategy of eqlang.tools.testing: every table it generates is valid (as the module's
docstring defines it), and the degenerate cases that break contracts come up often enough
for a short search to meet them."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from eqlang.api import load_contract
from eqlang.data.tables import TableSet
from eqlang.tools.testing import (
    IGNORED_GROUPS,
    contract_measures,
    rows_of,
    table_spelling,
    tables_for,
)

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = load_contract(str(ROOT / "contracts" / "reference-equity.eq"))
PERIODS = sorted(PROGRAM.periods.values())
MEASURES = contract_measures(PROGRAM)
GROUPS = [*table_spelling(PROGRAM), *IGNORED_GROUPS]
#: A short search: each case comes up in about one table in ten or more often, so that
#: every one is met here whatever the seed (and a search of 200 tables meets each many times).
TABLES = 60


def _valid(tables: TableSet) -> None:
    for org in tables.organizations():
        for measure in MEASURES:
            for period in PERIODS:
                whole = tables.lookup(org, measure, "ALL", period)
                assert whole is not None, (org, measure, period)
                parts = [r for g in GROUPS
                         if (r := tables.lookup(org, measure, g, period)) is not None]
                numerators = sum((r.numerator for r in parts), Decimal(0))
                denominators = sum((r.denominator for r in parts), Decimal(0))
                assert whole.numerator >= numerators, (org, measure, period)
                assert whole.denominator >= denominators, (org, measure, period)
                assert whole.denominator - whole.numerator >= denominators - numerators
    for row in rows_of(tables):
        assert Decimal(0) <= row.numerator <= row.denominator, row


def _cases(tables: TableSet) -> set[str]:
    """The degenerate cases a table holds."""
    found = set()
    rows = rows_of(tables)
    alls = [r for r in rows if r.group == "ALL"]
    for org in tables.organizations():
        if all(r.denominator == 0 for r in alls if r.org == org):
            found.add("organization without members")
    if any(r.denominator == 0 for r in alls):
        found.add("ALL without members")
    groups = [r for r in rows if r.group != "ALL"]
    if any(r.denominator == 0 for r in groups):
        found.add("group row 0 of 0")
    keys = {(r.org, r.measure, r.period) for r in alls}
    if any(tables.lookup(o, m, g, p) is None for o, m, p in keys for g in GROUPS):
        found.add("missing group row")
    if any(r.denominator > 0 and r.numerator == r.denominator for r in groups):
        found.add("every member counted")
    if any(r.denominator != r.denominator.to_integral_value() for r in rows):
        found.add("fractional")
    if any(0 < r.denominator < 1 for r in rows):
        found.add("tiny")
    if any(r.denominator >= 10**5 for r in rows):
        found.add("huge")
    return found


def test_generated_tables_are_valid_and_often_degenerate() -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=TABLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(tables_for(PROGRAM))
    def check(tables: TableSet) -> None:
        _valid(tables)
        seen.update(_cases(tables))

    check()
    assert set(seen) == {"organization without members", "ALL without members",
                         "group row 0 of 0", "missing group row", "every member counted",
                         "fractional", "tiny", "huge"}, seen
