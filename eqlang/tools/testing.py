"""Hypothesis strategies for measure tables, for eqlang's tests and for users' own.

``tables_for(program)`` generates valid tables holding exactly what a contract reads: its
measures, the groups of its stratifications plus ``ALL`` and groups it ignores, its periods,
and a few organizations. Generated data leans on the cases that break contracts: small and
zero denominators, the minimum-denominator boundary, fractional (imputed) counts, tiny and
huge counts, rows that are missing altogether, groups whose rates lie close together (where
gaps open and close) or at the extremes (no member counted, or every one), and organizations
with no members at all, in a measure, in a period or in every group but ``ALL``.

A valid table, as generated here, is one on which a contract can only be settled or fail
through its own terms: besides the rules of a table file (a numerator from 0 to its
denominator, one row per key), every organization has an ``ALL`` row for every measure and
period (possibly 0 of 0: without one, settling stops with E0402, a fault of the table), and
each ``ALL`` row holds at least the sum of the groups' numerators, of their denominators and
of their members not counted (so the rest of the population is never negative, E0408). Any
group row may be missing or 0 of 0.

The helpers around them turn a generated table into what a person would hand eqlang: CSV
text with the columns and rows in any order (``csv_text``, ``column_orders``), the same
table with organizations renamed (``renamed``), and the same table with one group's rate
moved and its ``ALL`` row adjusted to match (``moved``), for properties that compare two
settlements. ``inputs_for(program, tables)`` gives the organization table of a contract that
declares organization inputs: each input anywhere its declaration allows, ends included.

    from hypothesis import given
    from eqlang.api import load_contract, settle
    from eqlang.tools.testing import tables_for

    contract = load_contract("contracts/reference-equity.eq")

    @given(tables_for(contract))
    def test_payout_within_pool(tables):
        for outputs in settle(contract, tables).outputs().values():
            ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import attrs
from hypothesis import strategies as st

from eqlang.core.program import InputInfo, Program
from eqlang.core.values import Quantity, Text, Truth, Value, display
from eqlang.data.organizations import OrganizationTable
from eqlang.data.tables import REQUIRED_COLUMNS, MeasureTable, Row, TableSet, table_from_text

#: Groups present in real tables that contracts usually ignore.
IGNORED_GROUPS = ("Other", "Unknown")
ORGANIZATION_NAMES = ("Org A", "Org B", "Org C", "Org D", "Org E")
#: A column tables may carry besides the required ones; eqlang ignores it.
EXTRA_COLUMN = "source"
#: How far (in thousandths) a group's rate lies at most from its measure's shared rate.
CLOSE_SPREAD = 100


def _thousandths(value: int) -> Decimal:
    return Decimal(value).scaleb(-3)


#: What one draw of a row's size stands for; the first is the simplest, and most are large.
_SIZES = ("large",) * 6 + ("boundary", "any", "small", "tiny", "huge", "missing")
_BOUNDARY = (0, 1, 2, 29, 30, 31, 50)
#: Huge counts: a whole state's members, far beyond any minimum size.
_HUGE = (10**5, 10**9)


def _kind(draw: st.DrawFn, kinds: Sequence[str]) -> str:
    """One of ``kinds``, shrinking toward the first."""
    return kinds[draw(st.integers(0, len(kinds) - 1))]


def _size(draw: st.DrawFn, missing_rows: bool, fractional: bool) -> Decimal | None:
    """A denominator, or None for a missing row (one in twelve, when rows may be missing).

    Most are large enough to score; the rest are 0, tiny (under 2), at the usual minimum
    size of 30, huge or anything. The simplest draw (where hypothesis starts, and what it
    shrinks toward) is a whole 30: a group just large enough to count.
    """
    kind = _kind(draw, _SIZES)
    if kind == "missing" and missing_rows:
        return None
    if kind == "boundary":
        whole = draw(st.sampled_from(_BOUNDARY))
    elif kind == "small":
        whole = draw(st.integers(0, 29))
    elif kind == "tiny":
        whole = draw(st.integers(0, 1))
    elif kind == "huge":
        whole = draw(st.integers(*_HUGE))
    else:
        whole = draw(st.integers(0 if kind == "any" else 30, 5000))
    if fractional:
        return _thousandths(whole * 1000 + draw(st.integers(0, 999)))
    return Decimal(whole)


@st.composite
def denominators(draw: st.DrawFn, *, fractional: bool = True) -> Decimal:
    """A denominator, whole or (imputed membership) with three decimals."""
    size = _size(draw, False, fractional and draw(st.booleans()))
    assert size is not None
    return size


def _numerator(draw: st.DrawFn, denominator: Decimal, permille: int | None) -> Decimal:
    """A numerator for ``denominator``: uniform, or near a rate of ``permille`` thousandths."""
    units = int(denominator * 1000)
    if permille is None:
        numerator = _thousandths(draw(st.integers(0, units)))
    else:
        target = units * max(0, min(1000, permille)) // 1000
        numerator = _thousandths(target)
    if denominator == denominator.to_integral_value():
        # Whole denominators get whole numerators: member counts as most tables have them.
        numerator = numerator.to_integral_value(rounding=ROUND_FLOOR)
    return min(numerator, denominator)


#: One organization's counts: (measure, group, period, numerator, denominator) in order.
Counts = list[tuple[str, str, str, Decimal, Decimal]]

#: How an organization's rows look: ordinary, or without members in every measure and
#: period, or in one period of every measure (an organization new to the contract, or gone).
_ORGANIZATION_KINDS = ("ordinary",) * 10 + ("no members", "no members in a period")
#: How one ordinary organization's rows of one measure look: ordinary, without members, in
#: every period or in one, or with members in ``ALL`` only (no group recorded).
_MEASURE_KINDS = ("ordinary",) * 8 + ("no members", "no members in a period", "ALL only")


def _empty_periods(draw: st.DrawFn, kind: str, periods: Sequence[str]) -> set[str]:
    """The periods in which an organization or a measure of this kind has no members."""
    if kind == "no members":
        return set(periods)
    if kind == "no members in a period":
        return {draw(st.sampled_from(periods))}
    return set()


@st.composite
def organization_counts(
    draw: st.DrawFn,
    *,
    measures: Sequence[str],
    groups: Sequence[str],
    periods: Sequence[str],
    missing_rows: bool = True,
) -> Counts:
    """One organization's rows; a group's row may be missing (denominator 0).

    For each measure the groups' rates are either drawn independently, at the extremes (0%
    or 100%, every member counted), or drawn as real ones look: every group near one shared
    rate, keeping its own distance from it from period to period, with the shared rate
    drifting a little between periods. Small gaps, gaps that narrow, and whole-population
    rates that barely move are where payment rules change their answer, so they come up
    often. The rows nobody reads (the groups a contract ignores, the rest of the ``ALL``
    row) follow the same shape. A measure's counts are either all whole or, as imputed
    membership makes them, all fractional. ``ALL`` rows hold at least the sum of the groups.

    Some organizations have no members at all, or none in one period; some measures have
    none, none in one period, or members in ``ALL`` only. Where there are no members, every
    ``ALL`` row is still there, 0 of 0, and a group's row is 0 of 0 or (when ``missing_rows``)
    missing.
    """
    counts: Counts = []
    organization_empty = _empty_periods(draw, _kind(draw, _ORGANIZATION_KINDS), periods)
    for measure in measures:
        shape = draw(_rate_shapes(len(groups), len(periods)))
        fractional = draw(st.booleans())
        kind = "ordinary" if organization_empty else _kind(draw, _MEASURE_KINDS)
        empty = organization_empty | _empty_periods(draw, kind, periods)
        for p, period in enumerate(periods):
            total_numerator = Decimal(0)
            total_denominator = Decimal(0)
            for g, group in enumerate(groups):
                if period in empty or kind == "ALL only":
                    if not missing_rows or draw(st.booleans()):
                        counts.append((measure, group, period, Decimal(0), Decimal(0)))
                    continue
                denominator = _size(draw, missing_rows, fractional)
                if denominator is None:
                    continue
                numerator = _numerator(draw, denominator, shape(g, p))
                total_numerator += numerator
                total_denominator += denominator
                counts.append((measure, group, period, numerator, denominator))
            extra_numerator = extra_denominator = Decimal(0)
            if period not in empty:
                size = _size(draw, False, False)
                assert size is not None
                extra_denominator = size
                extra_numerator = _numerator(draw, size, shape(len(groups), p))
            counts.append((measure, "ALL", period, total_numerator + extra_numerator,
                           total_denominator + extra_denominator))
    return counts


def table_of(organizations: Sequence[tuple[str, Counts]], path: str = "generated.csv"
             ) -> TableSet:
    """A table set of one table holding each organization's counts, numbered as in a file."""
    rows = [Row(org, measure, group, period, numerator, denominator, path, 0)
            for org, counts in organizations
            for measure, group, period, numerator, denominator in counts]
    return with_rows([attrs.evolve(row, line=line) for line, row in enumerate(rows, start=2)],
                     path)


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
    """A valid table over exactly these keys (see ``organization_counts``)."""
    strategy = organization_counts(measures=measures, groups=groups, periods=periods,
                                   missing_rows=missing_rows)
    return table_of([(org, draw(strategy)) for org in organizations], path)


#: How a measure's rates are drawn: near one shared rate, each anywhere, or at the extremes.
_RATE_SHAPES = ("close", "any", "extreme")


@st.composite
def _rate_shapes(draw: st.DrawFn, groups: int, periods: int
                 ) -> Callable[[int, int], int | None]:
    """The rate (in thousandths) of group ``g`` in period ``p``, or None for "any rate"."""
    shape = _kind(draw, _RATE_SHAPES)
    if shape == "any":
        return lambda g, p: None
    if shape == "extreme":
        # Every member counted (shrinks toward it) or none, for each group and period.
        extremes = [[draw(st.sampled_from((1000, 0))) for _ in range(periods)]
                    for _ in range(groups + 1)]
        return lambda g, p: extremes[g][p]
    # Shrinks toward a 70% rate, a plausible one for most quality measures.
    center = draw(st.integers(0, 1000).map(lambda c: (c + 700) % 1001))
    drifts = [draw(st.integers(-15, 15)) for _ in range(periods)]
    offsets = [draw(st.integers(-CLOSE_SPREAD, CLOSE_SPREAD)) for _ in range(groups + 1)]
    changes = [[draw(st.integers(-20, 20)) for _ in range(periods)] for _ in range(groups + 1)]
    return lambda g, p: center + drifts[p] + offsets[g] + changes[g][p]


def table_spelling(program: Program) -> list[str]:
    """Every group a contract's stratifications name, as spelled in tables."""
    spelled: list[str] = []
    for strat in program.stratifications.values():
        spelled.extend(strat.spellings.get(g, g) for g in strat.groups)
    return spelled


def contract_measures(program: Program) -> list[str]:
    """The measures a contract declares itself, in order (not those only in its modules)."""
    return [code for code in program.measures
            if any(getattr(d, "code", None) == code for d in program.main.module.declarations)]


def tables_for(program: Program, *, max_organizations: int = 3, missing_rows: bool = True,
               ignored_groups: Sequence[str] = IGNORED_GROUPS) -> st.SearchStrategy[TableSet]:
    """Tables for the measures, groups and periods a checked contract reads, of one to
    ``max_organizations`` organizations (or the one the contract names), with rows for
    ``ignored_groups`` too, as real tables have."""
    # A group the contract reads may be spelled like one usually ignored ("Unknown").
    groups = list(dict.fromkeys([*table_spelling(program), *ignored_groups]))
    names = list(ORGANIZATION_NAMES[:max_organizations])
    if program.provider is not None:
        names = [program.provider]
    one = organization_counts(measures=contract_measures(program), groups=groups,
                              periods=list(program.periods.values()),
                              missing_rows=missing_rows)
    # A list, so that shrinking drops whole organizations that a counterexample does not need.
    return st.lists(one, min_size=1, max_size=len(names)).map(
        lambda blocks: table_of(list(zip(names, blocks, strict=False))))


# ---- tables as people hand them over ---------------------------------------------------------


def rows_of(tables: TableSet) -> list[Row]:
    """Every row of every table of the set, in table order."""
    return [row for table in tables.tables for row in table.rows]


def _cell(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(tables: TableSet | Sequence[Row], *,
             columns: Sequence[str] = REQUIRED_COLUMNS, newline: str = "\n") -> str:
    """The rows as CSV text, in the order given, with these columns in this order.

    ``columns`` holds each required column once and may add ``EXTRA_COLUMN``, which eqlang
    ignores; counts are written in full (``193.486``, never ``1.93486E+2``); lines end with
    ``newline`` (spreadsheets write ``\r\n``).
    """
    rows = rows_of(tables) if isinstance(tables, TableSet) else list(tables)
    lines = [",".join(columns)]
    for row in rows:
        cells = {
            "org": row.org, "measure": row.measure, "group": row.group, "period": row.period,
            "numerator": format(row.numerator, "f"), "denominator": format(row.denominator, "f"),
            EXTRA_COLUMN: f"line {row.line}",
        }
        lines.append(",".join(_cell(cells[c]) for c in columns))
    return newline.join(lines) + newline


def column_orders(*, extra: bool = True) -> st.SearchStrategy[tuple[str, ...]]:
    """The required columns in any order, sometimes with ``EXTRA_COLUMN`` somewhere."""
    plain = st.permutations(REQUIRED_COLUMNS).map(tuple)
    if not extra:
        return plain
    return st.one_of(plain, st.permutations([*REQUIRED_COLUMNS, EXTRA_COLUMN]).map(tuple))


def from_csv(text: str, path: str = "generated.csv") -> TableSet:
    """CSV text read back through every check a table file goes through."""
    return TableSet((table_from_text(text, path),))


def with_rows(rows: Sequence[Row], path: str = "generated.csv") -> TableSet:
    """A table set holding these rows as one table."""
    return TableSet((MeasureTable(path, "0" * 64, tuple(rows)),))


def renamed(tables: TableSet, names: Mapping[str, str]) -> TableSet:
    """The same tables with organizations renamed; names not in ``names`` are kept."""
    return with_rows([attrs.evolve(r, org=names.get(r.org, r.org)) for r in rows_of(tables)],
                     tables.tables[0].path)


@attrs.frozen
class Move:
    """One group's numerator moved to ``numerator`` in one organization, measure and period.

    The denominator stays, so the group's rate moves, and the ``ALL`` row's numerator moves
    by the same amount, so the whole population stays consistent with its groups.
    """

    org: str
    measure: str
    group: str
    period: str
    numerator: Decimal


def movable(tables: TableSet, org: str, measure: str, group: str, period: str,
            upward: bool) -> Decimal:
    """How far the numerator of a group's row can move up (or down) in a valid table.

    Zero when the row is missing or empty (its rate is not scored), at its limit, or when the
    ``ALL`` row leaves no room; for ``group`` ``ALL`` only the ``ALL`` row moves, within the
    room its groups leave.
    """
    row = tables.lookup(org, measure, group, period)
    whole = tables.lookup(org, measure, "ALL", period)
    if row is None or whole is None or row.denominator == 0:
        return Decimal(0)
    if group == "ALL":
        parts = [tables.lookup(org, measure, g, period)
                 for g in tables.groups(org, measure, period) if g != "ALL"]
        counted = sum((p.numerator for p in parts if p is not None), Decimal(0))
        uncounted = sum((p.denominator - p.numerator for p in parts if p is not None),
                        Decimal(0))
        if upward:
            return max(Decimal(0), whole.denominator - whole.numerator - uncounted)
        return max(Decimal(0), whole.numerator - counted)
    if upward:
        return min(row.denominator - row.numerator, whole.denominator - whole.numerator)
    return min(row.numerator, whole.numerator)


def moved(tables: TableSet, move: Move) -> TableSet:
    """The tables with ``move`` applied; raises ``ValueError`` if it leaves a valid table."""
    row = tables.lookup(move.org, move.measure, move.group, move.period)
    whole = tables.lookup(move.org, move.measure, "ALL", move.period)
    if row is None or whole is None:
        raise ValueError(f"no row to move for {move}")
    delta = move.numerator - row.numerator
    changed = {row.key: attrs.evolve(row, numerator=move.numerator)}
    if move.group != "ALL":
        changed[whole.key] = attrs.evolve(whole, numerator=whole.numerator + delta)
    for new in changed.values():
        if not Decimal(0) <= new.numerator <= new.denominator:
            raise ValueError(f"{move} leaves {new.key} with numerator {new.numerator} "
                             f"outside 0 to {new.denominator}")
    return with_rows([changed.get(r.key, r) for r in rows_of(tables)], tables.tables[0].path)


@st.composite
def amounts(draw: st.DrawFn, room: Decimal) -> Decimal:
    """A positive amount of at most ``room``: a few members more often than many, whole
    members where there is room for one, else thousandths (imputed counts)."""
    limit = min(room, Decimal(draw(st.sampled_from((1, 10, 100, 1000, 10000)))))
    if limit >= 1 and not draw(st.booleans()):
        return Decimal(draw(st.integers(1, int(limit))))
    units = int(limit * 1000)
    return _thousandths(draw(st.integers(1, units))) if units >= 1 else Decimal(0)


# ---- organization inputs -----------------------------------------------------------------------

#: Texts for a text input that lists none: a few regions, some shared by several organizations.
INPUT_TEXTS = ("North", "South", "East")
#: Bounds for numbers whose declaration leaves them open: far beyond any real input.
_OPEN_LOW, _OPEN_HIGH = Decimal(-10**6), Decimal(10**7)


@st.composite
def input_values(draw: st.DrawFn, info: InputInfo) -> Value:
    """One value of an organization input, anywhere its declaration allows: the ends of its
    range and values near them as well as anything between, in thousandths."""
    if info.type == "yesno":
        return Truth(draw(st.booleans()))
    if info.type == "text":
        return Text(draw(st.sampled_from(info.choices or INPUT_TEXTS)))
    low = info.low if info.low.is_finite() else _OPEN_LOW
    high = info.high if info.high.is_finite() else _OPEN_HIGH
    scale = Decimal(100) if info.type in ("percent", "pp") else Decimal(1)
    # Thousandths of a percent or point, of a member or a dollar.
    steps_low = int((low * scale * 1000).to_integral_value(ROUND_CEILING))
    steps_high = int((high * scale * 1000).to_integral_value(ROUND_FLOOR))
    if steps_high < steps_low:
        return Quantity(info.type, low)
    steps = draw(st.one_of(st.sampled_from(sorted({steps_low, steps_high})),
                           st.integers(steps_low, steps_high)))
    value = Decimal(steps).scaleb(-3) / scale
    if not info.admits(value):  # an open end: one step inside it
        value = Decimal(steps + (1 if steps == steps_low else -1)).scaleb(-3) / scale
    return Quantity(info.type, value)


@st.composite
def organization_inputs(draw: st.DrawFn, program: Program, organizations: Sequence[str],
                        path: str = "generated-organizations.csv") -> OrganizationTable:
    """An organization table for a contract's inputs, one row per organization."""
    entries = {org: (line, {name: draw(input_values(info))
                            for name, info in program.inputs.items()})
               for line, org in enumerate(organizations, start=2)}
    return OrganizationTable(path, "0" * 64, entries)


def inputs_for(program: Program, tables: TableSet) -> st.SearchStrategy[OrganizationTable | None]:
    """An organization table for the organizations of ``tables``, or None for a contract
    that declares no organization inputs."""
    if not program.inputs:
        return st.none()
    return organization_inputs(program, list(tables.organizations()))


def organization_csv(table: OrganizationTable) -> str:
    """An organization table as CSV text, values written as a contract writes them."""
    names = list(next(iter(table.entries.values()))[1]) if table.entries else []
    lines = [",".join(["org", *names])]
    for org, (_, values) in table.entries.items():
        lines.append(",".join([_cell(org), *(_cell(_input_text(values[n])) for n in names)]))
    return "\n".join(lines) + "\n"


def _input_text(value: Value) -> str:
    if isinstance(value, Text):
        return value.value
    if isinstance(value, Quantity) and value.unit == "money":
        return format(value.magnitude, "f")  # no thousands separator to quote
    return display(value)
