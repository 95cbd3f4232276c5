"""Key cells spelled unlike the contract: takes the tables of a run and the measures, groups
and periods a contract reads, gives a diagnostic for each cell value that names one of them
in another case, spacing or punctuation (`white`, `Col`).

Rows whose keys the contract does not read are ignored, as they should be for groups such
as Other and Unknown. Ignoring a misspelled `White`, though, would leave the reference group
without members and settle every organization at nothing, without a word; so each such
spelling is an error, reported once, at its first row, with the number of rows written so.

The work is linear in the rows: the distinct values of a column (``MeasureTable.coded``,
which the lookalike check shares) are compared with the contract's names once each, and
each misspelling's first row and count come from one sort of the column's codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from eqlang.diagnostics import Collector, Diagnostic

if TYPE_CHECKING:
    from eqlang.data.tables import TableSet

E_SPELLING = "E0508"


def misspelled_keys(tables: TableSet, *, measures: Iterable[str], groups: Iterable[str],
                    periods: Iterable[str]) -> list[Diagnostic]:
    """Key cells that name a measure, group or period the contract reads, spelled
    differently; each distinct spelling once, at its first row."""
    read = {"measure": set(measures), "group": set(groups), "period": set(periods)}
    collector = Collector()
    for column, names in read.items():
        meant = {folded(name): name for name in names}
        found: set[str] = set()
        for table in tables.tables:
            found.update(table.coded(column)[0])
        wrong = {value: meant[key] for value in found - names
                 if (key := folded(value)) in meant}
        if not wrong:
            continue
        for value in sorted(wrong):
            places = [(table, *table.first_rows(column)[value]) for table in tables.tables
                      if value in table.first_rows(column)]
            table, position, _ = places[0]
            count = sum(count for _, _, count in places)
            path, line = table.place(position)
            name = wrong[value]
            shown = "this row" if count == 1 else f"these {count:,} rows"
            collector.add(Diagnostic(
                code=E_SPELLING,
                message=f"{column} `{value}` is not one the contract reads; did you mean "
                f"`{name}`?",
                span=table._cell_span(position, column), path=path, line=line,
                hint=f"write `{name}` in the {column} column (names are case-sensitive); as "
                f"written, the contract does not read {shown}"))
    return collector.finish("the input tables")


def folded(name: str) -> str:
    """A name without case, spaces or punctuation: what two spellings of it share."""
    return re.sub(r"[\W_]+", "", name).casefold()
