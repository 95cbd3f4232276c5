"""Hypothesis strategies for measure tables, for eqlang's tests and for users' own.

``tables_for(program)`` generates valid tables holding exactly what a contract reads: its
measures, the groups of its stratifications plus ``ALL`` and groups it ignores, its periods,
and a few organizations. Generated data leans on the cases that break contracts: small and
zero denominators, the minimum-denominator boundary, fractional (imputed) counts and rows
that are missing altogether. ``ALL`` rows always hold at least the sum of the groups.

    from hypothesis import given
    from eqlang.api import load_contract
    from eqlang.testing import tables_for

    contract = load_contract("contracts/reference-equity.eq")

    @given(tables_for(contract))
    def test_payout_within_pool(tables): ...
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hypothesis import strategies as st

from eqlang.check import Program
from eqlang.tables import MeasureTable, Row, TableSet

#: Groups present in real tables that contracts usually ignore.
IGNORED_GROUPS = ("Other", "Unknown")
ORGANIZATION_NAMES = ("Org A", "Org B", "Org C", "Org D", "Org E")


def _thousandths(value: int) -> Decimal:
    return Decimal(value).scaleb(-3)


@st.composite
def counts(draw: st.DrawFn, *, fractional: bool = True) -> tuple[Decimal, Decimal]:
    """A numerator and denominator, with weight on small and boundary denominators."""
    whole = draw(st.one_of(
        st.sampled_from([0, 1, 2, 29, 30, 31, 50]),
        st.integers(min_value=0, max_value=5000),
    ))
    if fractional and draw(st.booleans()):
        denominator = _thousandths(whole * 1000 + draw(st.integers(0, 999)))
        numerator = _thousandths(draw(st.integers(0, int(denominator * 1000))))
    else:
        denominator = Decimal(whole)
        numerator = Decimal(draw(st.integers(0, whole)))
    return numerator, denominator


@st.composite
def measure_tables(
    draw: st.DrawFn,
    *,
    organizations: Sequence[str],
    measures: Sequence[str],
    groups: Sequence[str],
    periods: Sequence[str],
    missing_rows: bool = True,
    path: str = "generated.csv",
) -> TableSet:
    """A valid table over exactly these keys; a group's row may be missing (denominator 0)."""
    rows: list[Row] = []
    line = 1
    for org in organizations:
        for measure in measures:
            for period in periods:
                total_numerator = Decimal(0)
                total_denominator = Decimal(0)
                for group in groups:
                    if missing_rows and draw(st.integers(0, 9)) == 0:
                        continue
                    numerator, denominator = draw(counts())
                    total_numerator += numerator
                    total_denominator += denominator
                    line += 1
                    rows.append(Row(org, measure, group, period, numerator, denominator,
                                    path, line))
                extra_numerator, extra_denominator = draw(counts(fractional=False))
                line += 1
                rows.append(Row(org, measure, "ALL", period,
                                total_numerator + extra_numerator,
                                total_denominator + extra_denominator, path, line))
    return TableSet((MeasureTable(path, "0" * 64, tuple(rows)),))


def table_spelling(program: Program) -> list[str]:
    """Every group a contract's stratifications name, as spelled in tables."""
    spelled: list[str] = []
    for strat in program.stratifications.values():
        spelled.extend(strat.spellings.get(g, g) for g in strat.groups)
    return spelled


def tables_for(program: Program, *, max_organizations: int = 3) -> st.SearchStrategy[TableSet]:
    """Tables for the measures, groups and periods a checked contract reads."""
    measures = [code for code in program.measures
                if any(getattr(d, "code", None) == code
                       for d in program.main.module.declarations)]
    groups = [*table_spelling(program), *IGNORED_GROUPS]
    periods = list(program.periods.values())
    names = list(ORGANIZATION_NAMES[:max_organizations])
    if program.provider is not None:
        names = [program.provider]
    return st.integers(1, len(names)).flatmap(
        lambda n: measure_tables(organizations=names[:n], measures=measures, groups=groups,
                                 periods=periods)
    )
