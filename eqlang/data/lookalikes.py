"""Key cells that are not what they look like: takes measure tables and the names a contract
reads, gives a diagnostic for each key cell that mixes scripts in a word or looks the same as
another name but is not (UTS #39, as ``eqlang.syntax.lookalikes`` applies it to contracts).

A group typed `Blаck` with a Cyrillic `а` matches no group the contract reads, and its rows
would be ignored as rows of an unknown group are; two organizations whose names only look
alike would be settled as two. Each distinct cell of a key column is checked once, at its
first row, so the cost is one pass over the rows and one check per distinct name.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from eqlang.data.tables import KEY_COLUMNS, MeasureTable, TableSet
from eqlang.diagnostics import Collector, Diagnostic, Note
from eqlang.syntax.lookalikes import how_they_differ, mixed_word, skeleton, suggestion, why_mixed

E_LOOKALIKE_KEY = "E0509"


def lookalike_keys(tables: TableSet, *, read: dict[str, Iterable[str]]) -> list[Diagnostic]:
    """Problems with the key cells of ``tables``; ``read`` gives, per key column (org,
    measure, group, period), the names the contract reads in it."""
    collector = Collector()
    for column in KEY_COLUMNS:
        names = set(read.get(column, ()))
        known = {skeleton(name): name for name in names}
        # Each table's distinct names, in the order they first appear (shared with the
        # spelling check): a table may have millions of rows and a few hundred names.
        seen: dict[str, str] = {}
        for value in dict.fromkeys(chain.from_iterable(
                table.coded(column)[0] for table in tables.tables)):
            if value in names:
                continue
            problem = _problem(column, value, known, seen)
            if problem is None:
                continue
            message, hint, other = problem
            table, position = _first(tables, column, value)
            notes = ()
            if other is not None:
                other_table, other_position = _first(tables, column, other)
                notes = (Note(f"{column} `{other}` is here",
                              other_table._cell_span(other_position, column)),)
            path, line = table.place(position)
            collector.add(Diagnostic(E_LOOKALIKE_KEY, message,
                                     table._cell_span(position, column), path=path,
                                     line=line, hint=hint, notes=notes))
    return collector.finish("the input tables")


def _first(tables: TableSet, column: str, value: str) -> tuple[MeasureTable, int]:
    """The table and row where ``value`` first stands in a column."""
    table = next(t for t in tables.tables if value in t.first_rows(column))
    return table, table.first_rows(column)[value][0]


def _problem(column: str, value: str, known: dict[str, str], seen: dict[str, str]
             ) -> tuple[str, str, str | None] | None:
    """What is wrong with one key cell: the message, the hint, and the cell it looks like
    (None when that is a name of the contract, or when there is none)."""
    word = mixed_word(value)
    if word is not None:
        meant = suggestion(value)
        return (f"{column} `{value}` mixes scripts in one word: {why_mixed(word)}",
                (f"did you mean `{meant}`? " if meant else "") + "write each word in a "
                "single script: a name that mixes them matches nothing typed in one", None)
    plain = skeleton(value)
    if plain in known:
        name = known[plain]
        return (f"{column} `{value}` is not one the contract reads, though it looks the same "
                f"as `{name}`: {how_they_differ(value, name)}",
                f"write `{name}` in the {column} column; as written, the contract does not "
                "read this row", None)
    other = seen.setdefault(plain, value)
    if other != value:
        return (f"{column} `{value}` looks the same as {column} `{other}` but is not: "
                f"{how_they_differ(value, other)}",
                f"write both the same way if they are one {column}; otherwise rename one "
                "so that a reader can tell them apart", other)
    return None
