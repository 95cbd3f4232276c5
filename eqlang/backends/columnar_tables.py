"""Scenario lanes and the measure tables as columns: takes a ``TableSet`` (the base tables)
and ``Lanes`` (what each scenario changes), gives each cell's numerators, denominators and
presence for every lane and organization, as the columnar backend reads them.

A *cell* is a (measure, group, period) key as the measure tables spell it: the group as
the table writes it (``ALL`` for the whole population) and the period by its label
(``"2024"``). A lane is one scenario: the base tables with some cells' counts replaced and
some parameters given other values. Rows of the columnar backend are lanes ×
organizations; the organizations are the base tables', in ``TableSet.organizations()``
order, and every lane has all of them.

    lanes = Lanes(
        count=3,
        parameters={"pool": [Quantity("money", Decimal(v)) for v in ("1e6", "2e6", "3e6")]},
        cells={("CBP", "Black", "2024"): CellLanes(numerator=numerators)},  # (3, orgs)
    )

``CellLanes`` gives a cell's numerators, denominators and presence (whether the row exists)
as arrays of shape (lanes, organizations), or (organizations,) for the same in every lane;
what it leaves out (None) is the base table's. Numbers are ``Decimal`` (or whole numbers) in
exact mode and anything numeric in float64 mode. ``Lanes.of_tables`` makes one lane of
each of several whole tables (of the base tables' organizations); ``Lanes.of_rows`` gives
rows of the base tables other counts in each lane (numerators drawn for a simulation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from eqlang.backends.columnar_values import Numbers
from eqlang.core.values import Value
from eqlang.data.tables import MeasureTable, Row, TableSet

#: (measure, group as the tables spell it, period label).
Cell = tuple[str, str, str]


@attrs.frozen(eq=False)
class CellLanes:
    """One cell's counts in every lane (see the module docstring); None keeps the base's."""

    numerator: Any = None
    denominator: Any = None
    present: Any = None


@attrs.frozen(eq=False)
class Lanes:
    """Scenarios evaluated together: ``count`` lanes, each with the base tables changed by
    ``cells`` and the parameters given by ``parameters`` (a parameter's key, as in
    ``--set``, to one value per lane; None in a lane keeps the contract's value)."""

    count: int = 1
    parameters: Mapping[str, Sequence[Value]] = attrs.Factory(dict)
    cells: Mapping[Cell, CellLanes] = attrs.Factory(dict)

    def __attrs_post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("there must be at least one lane")
        for key, values in self.parameters.items():
            if len(values) != self.count:
                raise ValueError(f"parameter `{key}` has {len(values)} values for "
                                 f"{self.count} lanes")

    @classmethod
    def of_tables(cls, base: TableSet, tables: Sequence[TableSet]) -> Lanes:
        """One lane per table: each a whole set of tables of the base's organizations."""
        orgs = base.organizations()
        place = {org: i for i, org in enumerate(orgs)}
        keys: set[Cell] = set()
        for table_set in (base, *tables):
            for table in table_set.tables:
                keys.update((r.measure, r.group, r.period) for r in table.rows)
        shape = (len(tables), len(orgs))
        cells = {key: CellLanes(np.zeros(shape, dtype=object), np.zeros(shape, dtype=object),
                                np.zeros(shape, dtype=bool)) for key in keys}
        for lane, table_set in enumerate(tables):
            for table in table_set.tables:
                for row in table.rows:
                    org = place.get(row.org)
                    if org is None:
                        raise ValueError(f"lane {lane}: organization {row.org!r} is not in "
                                         "the base tables")
                    cell = cells[row.measure, row.group, row.period]
                    cell.numerator[lane, org] = row.numerator
                    cell.denominator[lane, org] = row.denominator
                    cell.present[lane, org] = True
        return cls(len(tables), {}, cells)


    @classmethod
    def of_rows(cls, base: TableSet, rows: Sequence[Row], numerators: Any,
                denominators: Any = None) -> Lanes:
        """Lanes that give rows of the base tables other counts: ``numerators`` (and
        ``denominators``, if given) of shape (lanes, rows), column ``i`` for ``rows[i]``;
        as a simulation draws numerators for the observed denominators."""
        orgs = base.organizations()
        place = {org: i for i, org in enumerate(orgs)}
        numerators = np.asarray(numerators)
        count = numerators.shape[0]
        by_cell: dict[Cell, list[tuple[int, int]]] = {}
        for column, row in enumerate(rows):
            by_cell.setdefault((row.measure, row.group, row.period), []).append(
                (place[row.org], column))
        cells = {}
        for cell, pairs in by_cell.items():
            where = np.array([org for org, _ in pairs])
            columns = np.array([column for _, column in pairs])
            cells[cell] = CellLanes(
                Spread(numerators, len(orgs), where, columns),
                None if denominators is None else Spread(
                    np.asarray(denominators), len(orgs), where, columns))
        return cls(count, {}, cells)


def _cells(table: MeasureTable) -> tuple[list[Cell], np.ndarray]:
    """A table's distinct cells and each row's place among them."""
    measures, measure = table.coded("measure")
    groups, group = table.coded("group")
    periods, period = table.coded("period")
    # At most 2,000,000 names a column (a table's rows): the product stays within 64 bits.
    combined = (measure.astype(np.int64) * len(groups) + group) * len(periods) + period
    used, rows = np.unique(combined, return_inverse=True)
    found, period_of = np.divmod(used, len(periods))
    measure_of, group_of = np.divmod(found, len(groups))
    return [(measures[m], groups[g], periods[p]) for m, g, p in zip(
        measure_of.tolist(), group_of.tolist(), period_of.tolist(), strict=True)], rows


@attrs.frozen(eq=False)
class Spread:
    """One cell's counts per (lane, organization), read from counts per (lane, row) of a
    table's rows (``Lanes.of_rows``) a range of lanes at a time, as the backend reads
    them: only one range of lanes is ever laid out by organization, not every lane."""

    values: np.ndarray = attrs.field(repr=False)  # (lanes, rows)
    size: int  # organizations
    where: np.ndarray  # the organization of each of the cell's rows
    columns: np.ndarray  # each of the cell's rows among ``values``' columns

    @property
    def shape(self) -> tuple[int, int]:
        return (self.values.shape[0], self.size)

    def lanes(self, lanes: slice) -> np.ndarray:
        """The counts of ``lanes``, (lanes, organizations); 0 where there is no row."""
        # Laid out organization by organization: each row's lanes lie together in a table
        # of lanes in Fortran order (as a simulation draws them), so the copy moves runs.
        found = self.values.T[self.columns, lanes]
        if len(self.where) == self.size and (self.where == np.arange(self.size)).all():
            return found.T  # every organization has a row, in order
        out = np.zeros((self.size, found.shape[1]), dtype=self.values.dtype)
        out[self.where] = found
        return out.T


class Counts:
    """The base tables by cell, and each cell's counts for a range of lanes."""

    def __init__(self, tables: TableSet, lanes: Lanes, numbers: Numbers) -> None:
        self.organizations = tables.organizations()
        self.numbers = numbers
        self.lanes = lanes
        place = {org: i for i, org in enumerate(self.organizations)}
        # Each row's cell and organization as small integers, from the codes the tables
        # keep of their key columns; then one pass of numpy per cell.
        index: dict[Cell, int] = {}
        cells, orgs, numerators, denominators = [], [], [], []
        for table in tables.tables:
            cell_names, cell_codes = _cells(table)
            number = np.array([index.setdefault(cell, len(index)) for cell in cell_names],
                              dtype=np.int64)
            cells.append(number[cell_codes])
            names, codes = table.coded("org")
            orgs.append(np.array([place[org] for org in names], dtype=np.int64)[codes])
            numerator, denominator = table.counts()
            numerators.append(numerator)
            denominators.append(denominator)
        cell_of = np.concatenate(cells) if cells else np.zeros(0, dtype=np.int64)
        org_of = np.concatenate(orgs) if orgs else np.zeros(0, dtype=np.int64)
        numerators = numbers.counts(np.concatenate(numerators) if numerators else [])
        denominators = numbers.counts(np.concatenate(denominators) if denominators else [])
        order = np.argsort(cell_of, kind="stable")
        bounds = np.searchsorted(cell_of[order], np.arange(len(index) + 1))
        self.base: dict[Cell, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        size = len(self.organizations)
        for cell, number in index.items():
            chosen = order[bounds[number]:bounds[number + 1]]
            where = org_of[chosen]
            numerator = self._blank(size)
            denominator = self._blank(size)
            present = np.zeros((1, size), dtype=bool)
            numerator[0, where] = numerators[chosen]
            denominator[0, where] = denominators[chosen]
            present[0, where] = True
            self.base[cell] = (numerator, denominator, present)
        self.blank = (self._blank(size), self._blank(size), np.zeros((1, size), dtype=bool))
        #: The last range of lanes read and its cells: a cell is read once per group and
        #: builtin that reads it, the same counts each time.
        self._read: tuple[slice | None, dict[Cell, tuple[Any, Any, Any]]] = (None, {})

    def _blank(self, size: int) -> np.ndarray:
        if self.numbers.exact:
            return np.full((1, size), self.numbers.zero, dtype=object)
        return np.zeros((1, size))

    def cell(self, cell: Cell, lanes: slice) -> tuple[Any, Any, Any]:
        """Numerators, denominators and presence of one cell in ``lanes``: arrays of shape
        (lanes, organizations), or (1, organizations) where every lane has the same; the
        counts are 0 where the row is missing."""
        read_lanes, read = self._read
        if read_lanes != lanes:
            read = {}
            self._read = (lanes, read)
        found = read.get(cell)
        if found is None:
            found = read[cell] = self._cell(cell, lanes)
        return found

    def _cell(self, cell: Cell, lanes: slice) -> tuple[Any, Any, Any]:
        numerator, denominator, present = self.base.get(cell, self.blank)
        change = self.lanes.cells.get(cell)
        if change is None:
            return numerator, denominator, present
        if change.present is not None:
            present = self._shaped(np.asarray(change.present, dtype=bool), lanes, cell,
                                   "presence")
        counts = [self._lane_counts(given, base, lanes, cell, what) for given, base, what in (
            (change.numerator, numerator, "numerators"),
            (change.denominator, denominator, "denominators"))]
        if not present.all():
            # The base's counts are 0 already where its row is missing: kept as they are,
            # they stay one row for every lane (denominators a simulation does not draw).
            counts = [c if c is kept and change.present is None else _zero_where_missing(
                c, present, self.numbers.zero)
                for c, kept in zip(counts, (numerator, denominator), strict=True)]
        return counts[0], counts[1], present

    def _lane_counts(self, given: Any, base: np.ndarray, lanes: slice, cell: Cell,
                     what: str) -> Any:
        if given is None:
            return base
        array = given.lanes(lanes) if isinstance(given, Spread) else self._shaped(
            np.asarray(given), lanes, cell, what)
        if self.numbers.exact:
            return _as_decimals(array, cell, what)
        return array.astype(np.float64, copy=False)

    def _shaped(self, array: np.ndarray, lanes: slice, cell: Cell, what: str) -> np.ndarray:
        size = len(self.organizations)
        if array.shape == (size,):
            return array.reshape(1, size)
        if array.shape != (self.lanes.count, size):
            raise ValueError(f"the {what} of cell {cell} have shape {array.shape}; give "
                             f"({self.lanes.count}, {size}) or ({size},)")
        return array[lanes]


def _zero_where_missing(counts: np.ndarray, present: np.ndarray, zero: Any) -> np.ndarray:
    """``counts`` with 0 where the row is missing; a presence the same in every lane is
    checked over the organizations missing only (drawn lanes hold 0 there already)."""
    if present.shape[0] == 1 and counts.dtype != object:
        missing = np.logical_not(present[0])
        if not counts[:, missing].any():
            return counts
    return np.where(present, counts, zero)


def _as_decimals(array: np.ndarray, cell: Cell, what: str) -> np.ndarray:
    """Counts as decimals, exactly: decimals and whole numbers only."""
    out = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        if isinstance(value, Decimal):
            out[index] = value
        elif isinstance(value, int | np.integer) or (
                isinstance(value, float | np.floating) and float(value).is_integer()):
            out[index] = Decimal(int(value))
        else:
            raise ValueError(f"the {what} of cell {cell} must be decimals or whole numbers "
                             f"in exact mode; found {value!r}")
    return out
