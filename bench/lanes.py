"""Scenario lanes: takes a measure table and a seed, gives many random versions of it.

A lane is the table with every group's numerator drawn again: binomial, with the group's
denominator (whole members: the imputed fraction is dropped) as the number of draws and its
observed rate as the chance. The members of an organization outside every group row (the
ALL row's denominator less the groups') are drawn the same way, and the ALL row's numerator
is the sum of all of these, so each lane is a valid table: every ALL row holds at least its
groups. Denominators never change. Lane 0 is the observed table itself.

This is the input of issue 12's simulation target: the reference contract over 10,000 lanes
of 100 organizations, by eqlang's columnar backend in float64 against a hand-written numpy
version (bench/yardstick_numpy.py). Both take the same ``Lanes``; ``lane_tables`` gives a
lane as an ordinary table, so that eqlang's exact settlement can check either to the cent.

``eqlang_lanes`` is the eqlang side: the columnar backend's float64 lanes
(``eqlang.backends.columnar``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from reference_terms import money

from eqlang.data.tables import Key, Row, TableSet, load_tables
from eqlang.tools.testing import with_rows


@attrs.frozen(eq=False)
class Lanes:
    """A table's rows and, for each lane, every row's numerator."""

    rows: tuple[Row, ...]  # the observed table, in its order
    #: float64, shape (lanes, rows), lane 0 as observed; in Fortran order, so that each
    #: row's numerators over the lanes lie together, as a columnar evaluator reads them.
    numerators: np.ndarray = attrs.field(repr=False)
    denominators: np.ndarray = attrs.field(repr=False)  # float64, (rows,)

    @property
    def count(self) -> int:
        return self.numerators.shape[0]

    @property
    def organizations(self) -> tuple[str, ...]:
        return tuple(sorted({row.org for row in self.rows}))

    def index(self) -> dict[Key, int]:
        """Each row's position by its key."""
        return {row.key: position for position, row in enumerate(self.rows)}


def draw(table: str | Path | TableSet, lanes: int, seed: int, chunk: int = 500) -> Lanes:
    """``lanes`` versions of ``table`` (lane 0 as observed), drawn from ``seed``.

    A group row without an ALL row to add up to keeps its observed numerator in every lane.
    """
    tables = table if isinstance(table, TableSet) else load_tables([table])
    rows = tuple(r for t in tables.tables for r in t.rows)
    numerator = np.array([float(r.numerator) for r in rows])
    denominator = np.array([float(r.denominator) for r in rows])
    all_rows = np.array([i for i, r in enumerate(rows) if r.group == "ALL"], dtype=np.int64)
    # The ALL row each group row adds up to (its place among the ALL rows), or -1.
    place = {(rows[i].org, rows[i].measure, rows[i].period): n for n, i in enumerate(all_rows)}
    total_of = np.array([-1 if r.group == "ALL" else place.get((r.org, r.measure, r.period), -1)
                         for r in rows])
    groups = np.flatnonzero(total_of >= 0)
    # What is drawn: each group row, then the members outside every group row (what each ALL
    # row holds beyond its groups), with the ALL row each adds up to.
    drawn_numerator = np.concatenate([numerator[groups], numerator[all_rows] - np.bincount(
        total_of[groups], numerator[groups], len(all_rows))])
    drawn_denominator = np.concatenate([denominator[groups], denominator[all_rows] - np.bincount(
        total_of[groups], denominator[groups], len(all_rows))])
    adds_up_to = np.concatenate([total_of[groups], np.arange(len(all_rows))])
    trials = np.floor(np.maximum(drawn_denominator, 0)).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        chance = np.nan_to_num(np.clip(drawn_numerator / drawn_denominator, 0, 1))
    # Drawn columns ordered by the ALL row they add up to, for one reduceat per chunk.
    order = np.argsort(adds_up_to, kind="stable")
    starts = np.searchsorted(adds_up_to[order], np.arange(len(all_rows)))
    random = np.random.default_rng(seed)
    drawn = np.empty((lanes, len(rows)), order="F")
    drawn[:] = numerator
    for start in range(1, lanes, chunk):
        stop = min(lanes, start + chunk)
        counts = random.binomial(trials, chance,
                                 size=(stop - start, len(trials))).astype(np.float64)
        drawn[start:stop, groups] = counts[:, :len(groups)]
        drawn[start:stop, all_rows] = np.add.reduceat(counts[:, order], starts, axis=1)
    return Lanes(rows, drawn, denominator)


def lane_tables(lanes: Lanes, lane: int) -> TableSet:
    """One lane as a table eqlang settles: the observed rows with that lane's numerators
    (drawn ones are whole numbers, so their floats are exact)."""
    rows = [row if lane == 0 or value == float(row.numerator)
            else attrs.evolve(row, numerator=Decimal(int(value)))
            for row, value in zip(lanes.rows, lanes.numerators[lane], strict=True)]
    return with_rows(rows, f"lane-{lane}.csv")


@attrs.frozen(eq=False)
class LanePayouts:
    """The reference contract's outputs in every lane, in whole cents."""

    organizations: tuple[str, ...]
    measures: tuple[str, ...]
    measure_payout: np.ndarray = attrs.field(repr=False)  # (measures, lanes, orgs); -1 not scored
    payout: np.ndarray = attrs.field(repr=False)  # (lanes, orgs)

    def of_lane(self, lane: int) -> dict[str, dict]:
        """One lane's outputs as `eqlang eval --json` gives them."""
        return {org: {"measure_payout": {m: money(int(self.measure_payout[i, lane, o]))
                                         for i, m in enumerate(self.measures)},
                      "payout": money(int(self.payout[lane, o]))}
                for o, org in enumerate(self.organizations)}


def eqlang_lanes(contract: str | Path, lanes: Lanes) -> LanePayouts:
    """The contract over every lane by eqlang's columnar backend, in float64: its
    `measure_payout` and `payout` per lane and organization as ``LanePayouts`` (whole cents,
    -1 for not scored); bench/bench_eval.py checks them against the numpy yardstick lane by
    lane. The contract is read once per process, as the yardstick has its terms built in.
    """
    from eqlang.backends.columnar import Lanes as ColumnarLanes
    from eqlang.backends.columnar import evaluate

    program = _contract(str(contract))
    base = with_rows(lanes.rows)
    run = evaluate(program, base, lanes=ColumnarLanes.of_rows(base, lanes.rows,
                                                              lanes.numerators),
                   mode="float64")
    order = [base.organizations().index(org) for org in lanes.organizations]

    def cents(output: str, argument: str | None = None) -> np.ndarray:
        values, _ = run.magnitudes(output, argument)
        found = np.where(np.isnan(values), -1, np.rint(values * 100)).astype(np.int64)
        return found[:, order]

    measures = tuple(program.contract_measures)
    return LanePayouts(lanes.organizations, measures,
                       np.stack([cents("measure_payout", m) for m in measures]),
                       cents("payout"))


@functools.cache
def _contract(path: str) -> Any:
    from eqlang.api import load_contract

    return load_contract(path)


def lanes_differ(expected: LanePayouts, actual: LanePayouts, lanes: Sequence[int] | None = None
                 ) -> list[str]:
    """Where two settlements of the same lanes differ (at most ten places), else empty."""
    if (expected.organizations, expected.measures) != (actual.organizations, actual.measures):
        return ["the two settlements have different organizations or measures"]
    chosen = slice(None) if lanes is None else list(lanes)
    found = []
    for name, want, got in (("measure_payout", expected.measure_payout[:, chosen],
                             actual.measure_payout[:, chosen]),
                            ("payout", expected.payout[chosen], actual.payout[chosen])):
        for place in np.argwhere(want != got)[:10]:
            found.append(f"{name} at {tuple(int(i) for i in place)}: "
                         f"{int(want[tuple(place)])} against {int(got[tuple(place)])} cents")
    return found[:10]
