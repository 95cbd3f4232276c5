"""Scenario lanes and the engine that settles them: takes a checked program, the base
measure tables and lanes (each the base with some parameters set and some cells' counts
replaced), gives each lane's settlement of every organization. ``eqlang whatif`` and
``eqlang simulate`` are built on it.

A lane says what it changes, not how it is settled, so that one engine can be swapped for
another: ``settle_lanes`` is the one place that chooses. It settles each lane with the
exact backend, one settlement per lane, the settlement of record. The columnar backend
(all lanes at once, exact or float64) is to take its place once it is in the main line;
the exact engine stays as the reference it is tested against.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from eqlang.backends.derivation import Env, EvaluationError, Key, Settlement
from eqlang.backends.exact import Evaluator
from eqlang.core import program as p
from eqlang.core.program import Override, Program
from eqlang.core.values import Quantity, Value
from eqlang.data.tables import MeasureTable, Row, TableSet
from eqlang.diagnostics import Note

#: How the lanes are settled, as the commands say it.
ENGINE = "exact backend, one settlement per lane (a scenario or a draw)"

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
                 organization_table: Any = None) -> Iterator[Settled]:
    """Each lane's settlement of ``organizations``, in order, as each is settled: the engine
    of ``whatif`` and ``simulate``, and the one place that chooses how lanes are settled.
    ``organization_table`` gives the organizations' inputs, for a contract that declares
    them. Raises ``EvaluationError`` naming the lane where an organization cannot be
    settled."""
    for lane in lanes:
        yield exact_lane(program, base, lane, organizations, as_of, progress,
                         organization_table)


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
