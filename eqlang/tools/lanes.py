"""Scenario lanes and the engine that settles them: takes a checked program, the base
measure tables and lanes (each the base with some parameters set and some cells' counts
replaced), gives each lane's settlement of every organization. ``eqlang whatif`` and
``eqlang simulate`` are built on it.

A lane says what it changes, not how it is settled, so that one engine can be swapped for
another: ``settle_lanes`` is the one place that chooses. It settles lanes block by block
with the columnar backend (``eqlang.backends.columnar``), all lanes of a block and all
organizations at once: in exact decimal mode for ``whatif``, where every value equals the
exact backend's to the last digit, or in float64 mode for ``simulate`` only (an estimate
of a distribution, never the settlement of record; issue 14 allows it there). A block the
columnar backend declines, and a lane in which an organization's settlement would stop
with an error, is settled by the exact backend (``exact_lane``), which says where and why;
``exact_lane`` is also the reference the tests hold the columnar lanes to.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from eqlang.backends.derivation import Env, EvaluationError, Key, Settlement
from eqlang.backends.exact import Evaluator
from eqlang.core import program as p
from eqlang.core.program import Override, Program
from eqlang.core.values import Quantity, Value
from eqlang.data.tables import MeasureTable, Row, TableSet
from eqlang.diagnostics import Note

if TYPE_CHECKING:
    import numpy as np

    from eqlang.backends.columnar import CellLanes, ColumnarRun, Lanes

# numpy and the columnar backend are imported where lanes are settled, not here: every
# command reads this module (through eqlang.tools.scenarios) as it starts.

#: How the lanes are settled, by number mode, as the commands say it.
ENGINES = {
    "exact": "columnar backend, exact decimals: every scenario and organization at once",
    "float64": "columnar backend, float64: every draw and organization at once (an "
               "estimate, not a settlement of record)",
}

#: Lanes settled together, by number mode: enough to spread the cost of walking the
#: contract, few enough that a block's columns stay small (the columnar backend splits a
#: block further by its own bound on rows).
BLOCK = {"exact": 256, "float64": 2000}

#: A row of the measure tables by its key: (organization, measure, group, period), the
#: group and period as the tables spell them (``ALL``, ``2024``).
Cell = tuple[str, str, str, str]


@attrs.frozen
class Lane:
    """One scenario: the base tables with ``cells`` given new (numerator, denominator),
    and ``overrides`` for some parameters (as ``--set`` gives them)."""

    name: str
    overrides: Mapping[str, Override] = attrs.Factory(dict)
    cells: Mapping[Cell, tuple[Decimal, Decimal]] = attrs.Factory(dict)


def lane_tables(base: TableSet, lane: Lane) -> TableSet:
    """The base tables with the lane's cells replaced (a cell the base has no row for is
    added to the first table)."""
    if not lane.cells:
        return base
    left = dict(lane.cells)
    tables = []
    for index, table in enumerate(base.tables):
        rows = []
        for row in table.rows:
            counts = left.pop(row.key, None)
            rows.append(row if counts is None else attrs.evolve(
                row, numerator=counts[0], denominator=counts[1]))
        if index == 0:
            rows += [Row(*key, numerator=n, denominator=d, table=table.path, line=0)
                     for key, (n, d) in sorted(left.items())]
        tables.append(MeasureTable(table.path, table.sha256, tuple(rows)))
    return TableSet(tuple(tables))


@attrs.frozen
class Settled:
    """One lane's settlement of each organization, and for each organization the tiers of
    the contract's schedules that some value of it fell in: (schedule, tier) pairs."""

    settlements: tuple[Settlement, ...]
    tiers: dict[str, frozenset[tuple[str, str]]]


def settle_lanes(program: Program, base: TableSet, lanes: Iterable[Lane],
                 organizations: Sequence[str], *, as_of: datetime.date | None = None,
                 progress: Callable[[str], object] | None = None,
                 organization_table: Any = None, mode: str = "exact") -> Iterator[Settled]:
    """Each lane's settlement of ``organizations``, in order, as each block of lanes is
    settled: the engine of ``whatif`` (``mode="exact"``) and ``simulate``
    (``mode="float64"``), and the one place that chooses how lanes are settled.
    ``organization_table`` gives the organizations' inputs, for a contract that declares
    them. Raises ``EvaluationError`` naming the lane where an organization cannot be
    settled."""
    block: list[Lane] = []
    for lane in lanes:
        block.append(lane)
        if len(block) == BLOCK[mode]:
            yield from _block(program, base, block, organizations, as_of, progress,
                              organization_table, mode)
            block = []
    if block:
        yield from _block(program, base, block, organizations, as_of, progress,
                          organization_table, mode)


@attrs.frozen(eq=False)
class Drawn:
    """A block of draws as a simulation reads them: one output's magnitude per draw and
    organization (float64, NaN where it is not scored or not a number), and per draw the
    tiers each organization's values fell in (as ``Settled.tiers``)."""

    amounts: np.ndarray
    tiers: tuple[dict[str, frozenset[tuple[str, str]]], ...]


def settle_drawn(program: Program, base: TableSet, rows: Sequence[Row],
                 blocks: Iterable[np.ndarray], organizations: Sequence[str], output: str, *,
                 as_of: datetime.date | None = None,
                 progress: Callable[[str], object] | None = None,
                 organization_table: Any = None) -> Iterator[Drawn]:
    """As ``settle_lanes`` in float64 mode, for lanes given as numerators of ``rows`` of the
    base tables, block by block (arrays of (lanes, rows), as ``simulate`` draws them), and
    read as a simulation reads them: ``output`` (an output without arguments) of each
    organization in each draw, and the tiers. No lane is made one cell at a time, and no
    settlement is built per draw. A draw an organization's settlement would stop in is
    settled by the exact backend with those numerators, which raises its error."""
    import numpy as np

    from eqlang.backends.columnar import Lanes
    number = 0
    columns = None
    for numerators in blocks:
        run = _columnar(program, base, Lanes.of_rows(base, rows, numerators), organizations,
                        as_of, organization_table, "float64")
        count = numerators.shape[0]
        amounts = np.full((count, len(organizations)), np.nan)
        if run is not None:
            if columns is None:
                place = {org: i for i, org in enumerate(run.names)}
                columns = np.array([place[org] for org in organizations], dtype=np.intp)
            values, _ = run.magnitudes(output)
            amounts[:] = values[:, columns]
        tiers = []
        failing = run.failed[:, columns].any(axis=1) if run is not None else None
        for index in range(count):
            number += 1
            if failing is None or failing[index]:
                lane = Lane(f"draw {number}", {}, {
                    row.key: (_decimal(value), row.denominator)
                    for row, value in zip(rows, numerators[index], strict=True)})
                settled = exact_lane(program, base, lane, organizations, as_of,
                                     organization_table=organization_table)
                amounts[index] = [_amount(st.outputs[output]) for st in settled.settlements]
                tiers.append(settled.tiers)
            else:
                tiers.append(run.tiers(organizations, lane=index))
            if progress is not None:
                progress(f"draw {number}")
        yield Drawn(amounts, tuple(tiers))


def _amount(value: Any) -> float:
    return float(value.magnitude) if isinstance(value, Quantity) else float("nan")


def _block(program: Program, base: TableSet, block: Sequence[Lane],
           organizations: Sequence[str], as_of: datetime.date | None,
           progress: Callable[[str], object] | None, organization_table: Any,
           mode: str) -> Iterator[Settled]:
    lanes = columnar_lanes(program, base, block, mode)
    run = None if lanes is None else _columnar(program, base, lanes, organizations, as_of,
                                               organization_table, mode)
    for index, lane in enumerate(block):
        if run is None or _fails(run, organizations, index):
            yield exact_lane(program, base, lane, organizations, as_of, progress,
                             organization_table)
            continue
        yield Settled(run.settlements(organizations, lane=index),
                      run.tiers(organizations, lane=index))
        if progress is not None:
            progress(lane.name)


def _columnar(program: Program, base: TableSet, lanes: Lanes, organizations: Sequence[str],
              as_of: datetime.date | None, organization_table: Any, mode: str
              ) -> ColumnarRun | None:
    """The lanes settled by the columnar backend, or None where it declines them."""
    from eqlang.backends.columnar import Unsupported, evaluate

    try:
        return evaluate(program, base, lanes=lanes, mode=mode, as_of=as_of,
                        organizations=organizations, inputs=organization_table, tiers=True)
    except Unsupported:
        return None


def _fails(run: ColumnarRun, organizations: Sequence[str], lane: int) -> bool:
    failing = run.failing(lane)
    return bool(failing) and not set(failing).isdisjoint(organizations)


def _decimal(value: Any) -> Decimal:
    return Decimal(repr(float(value)))


def columnar_lanes(program: Program, base: TableSet, block: Sequence[Lane], mode: str
                   ) -> Lanes | None:
    """A block of lanes as the columnar backend takes them: each cell changed in some lane
    as counts per (lane, organization), the base's elsewhere; each parameter set in some
    lane as its value per lane (None: the contract's). None where a lane adds an
    organization the base tables do not have (the exact backend settles those)."""
    import numpy as np

    from eqlang.backends.columnar import Lanes

    orgs = base.organizations()
    place = {org: i for i, org in enumerate(orgs)}
    shape = (len(block), len(orgs))
    dtype = object if mode == "exact" else np.float64
    cells: dict[tuple[str, str, str], CellLanes] = {}
    for number, lane in enumerate(block):
        for (org, measure, group, period), (numerator, denominator) in lane.cells.items():
            column = place.get(org)
            if column is None:
                return None
            key = (measure, group, period)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = _base_cell(base, orgs, key, shape, dtype)
            cell.numerator[number, column] = numerator
            cell.denominator[number, column] = denominator
            cell.present[number, column] = True
    names = sorted({name for lane in block for name in lane.overrides})
    parameters = {name: [lane.overrides[name].value if name in lane.overrides else None
                         for lane in block] for name in names}
    return Lanes(len(block), parameters, cells)


def _base_cell(base: TableSet, orgs: Sequence[str], key: tuple[str, str, str],
               shape: tuple[int, int], dtype: Any) -> CellLanes:
    """A cell's counts and presence in the base tables, in every lane of a block."""
    import numpy as np

    from eqlang.backends.columnar import CellLanes

    numerators = np.zeros(shape, dtype=dtype)
    denominators = np.zeros(shape, dtype=dtype)
    present = np.zeros(shape, dtype=bool)
    for column, org in enumerate(orgs):
        row = base.lookup(org, *key)
        if row is not None:
            numerators[:, column] = row.numerator
            denominators[:, column] = row.denominator
            present[:, column] = True
    if dtype is object:
        numerators[~present] = Decimal(0)
        denominators[~present] = Decimal(0)
    return CellLanes(numerators, denominators, present)


def exact_lane(program: Program, base: TableSet, lane: Lane, organizations: Sequence[str],
               as_of: datetime.date | None = None,
               progress: Callable[[str], object] | None = None,
               organization_table: Any = None) -> Settled:
    """One lane settled by the exact backend: the reference for any other engine."""
    evaluator = _Watched(program, lane_tables(base, lane), overrides=lane.overrides,
                         as_of=as_of, organizations=organization_table)
    settled = []
    for org in organizations:
        try:
            settled.append(evaluator.settle(org))
        except EvaluationError as error:
            first, *rest = error.diagnostics
            raise EvaluationError([attrs.evolve(first, notes=(
                *first.notes, Note(f"in the scenario \"{lane.name}\""))), *rest]) from None
    if progress is not None:
        progress(lane.name)
    return Settled(tuple(settled), {org: frozenset(pairs)
                                    for org, pairs in evaluator.tiers.items()})


class _Watched(Evaluator):
    """The exact evaluator, noting for each organization the tier of each schedule that
    each value it looks up falls in (a schedule is a function of its argument, remembered
    for every organization alike, so it is watched where it is called)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tiers: dict[str, set[tuple[str, str]]] = {}

    def call(self, rule: p.Rule, args: tuple[Value, ...], env: Env) -> tuple[Value, Key]:
        if rule.kind == "schedule" and args and isinstance(args[0], Quantity):
            tier = next((t for t in rule.tiers if t.contains(args[0].magnitude)), None)
            if tier is not None:
                self.tiers.setdefault(env.org, set()).add((rule.name, tier.text))
        return super().call(rule, args, env)
