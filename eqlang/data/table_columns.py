"""Measure tables as columns: takes the decoded text of a plain CSV table, gives its rows as
columns (each key column's distinct names and a code per row, each count column's exact
``Decimal``s), read by pyarrow's CSV reader in C++; or None, and the caller reads the text
with eqlang's own reader (``eqlang.data.tables``), which reports every problem.

*Plain* is the shape of nearly every export: no quote character, no carriage return, no
blank line, so that row ``i`` stands on line ``i + 2``; every record as wide as the header;
key cells that are not blank; counts that are plain decimals with ``numerator <=
denominator``; each key once. Anything else, and the slower reader takes over, so a table
read here is exactly the table that reader would give, without a diagnostic to make.

Every cell is read as a string (numbers never pass through a float); a key cell is taken
as ``tables.key_text`` takes it, once per distinct spelling, and a count is parsed once per
distinct text. The ``Row`` objects of the table are made only when something asks for
them (the exact backend, a trace, a diagnostic about a row).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:
    from eqlang.data.tables import Key, Row

KEY_COLUMNS = ("org", "measure", "group", "period")
# An anchored copy of tables._NUMBER for RE2: `$` there is the end of the text only.
_NUMBER = r"^[0-9]+(?:\.[0-9]+)?$"
#: How many distinct counts are made Python strings at once.
_SLICE = 1 << 14


@attrs.frozen(eq=False)
class TableColumns:
    """The rows of one table, column by column, in file order.

    ``names[column]`` lists a key column's distinct values in the order they first appear,
    and ``codes[column][i]`` is row ``i``'s place in it; ``numerator`` and ``denominator``
    are object arrays of ``Decimal``; ``lines[i]`` is row ``i``'s line in the file.
    """

    names: dict[str, tuple[str, ...]]
    codes: dict[str, np.ndarray]
    numerator: np.ndarray
    denominator: np.ndarray
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.lines)

    def values(self, column: str) -> list[str]:
        """One key column's value in every row."""
        return np.array(self.names[column], dtype=object)[self.codes[column]].tolist()

    def keys(self) -> Iterator[Key]:
        """Every row's key, in row order."""
        return zip(*(self.values(column) for column in KEY_COLUMNS), strict=True)

    def rows(self, make: Callable[..., Row], path: str) -> tuple[Row, ...]:
        """The rows as ``Row`` objects, made by ``make`` (the ``Row`` class)."""
        count = len(self)
        return tuple(map(make, *(self.values(column) for column in KEY_COLUMNS),
                         self.numerator.tolist(), self.denominator.tolist(),
                         [path] * count, self.lines.tolist()))


class LineSpans:
    """Start and end offsets of the rows of a table read as columns, each on its own line
    and none with a carriage return: worked out from the text the first time a diagnostic
    asks, which a clean table never does."""

    __slots__ = ("_lines", "_starts", "_text")

    def __init__(self, text: str, lines: Any) -> None:
        self._text = text
        self._lines = lines
        self._starts: list[int] | None = None

    def __getitem__(self, position: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0, *(match.end() for match in re.finditer("\n", self._text))]
        line = int(self._lines[position])
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self._text)
        return start, end

    def __len__(self) -> int:
        return len(self._lines)


def read_plain(text: str, limit: int) -> tuple[TableColumns, dict[str, int]] | None:
    """A plain table (see the module docstring) of at most ``limit`` rows as columns, with
    each required column's field position; None for any other text."""
    newline = text.find("\n")
    if newline <= 0 or '"' in text or "\r" in text:
        return None
    header = [cell.strip() for cell in text[:newline].split(",")]
    required = (*KEY_COLUMNS, "numerator", "denominator")
    positions = {name: header.index(name) for name in required if header.count(name) == 1}
    if len(positions) != len(required):
        return None
    import pyarrow as pa

    try:
        parsed = _parse(text, positions, len(header))
        if not 0 < len(parsed["org"]) <= limit:
            return None
        columns = _columns(parsed)
    except ValueError:  # pyarrow.ArrowInvalid: text it will not take goes to the full reader
        return None
    finally:
        # pyarrow's allocator keeps what it freed for later; nothing later asks for it.
        parsed = {}
        pa.default_memory_pool().release_unused()
    return (columns, positions) if columns is not None else None


def _parse(text: str, positions: dict[str, int], width: int) -> dict[str, Any]:
    """The rows after the header, the required columns only, every cell a string: each
    column (a pyarrow ``ChunkedArray``) by name."""
    import pyarrow as pa
    import pyarrow.csv as csv

    names = [f"c{i}" for i in range(width)]
    wanted = {name: names[at] for name, at in positions.items()}
    table = csv.read_csv(
        pa.py_buffer(text.encode("utf-8")),
        read_options=csv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
        # A blank line would be a record of one field, so a table with one is refused here
        # and read (and its line numbers counted) by the full reader.
        parse_options=csv.ParseOptions(quote_char=False, newlines_in_values=False,
                                       ignore_empty_lines=False),
        convert_options=csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), include_columns=list(wanted.values()),
            strings_can_be_null=False, quoted_strings_can_be_null=False))
    # include_columns gives the columns in its own order: the order of ``wanted``.
    return dict(zip(wanted, table.columns, strict=True))


def _columns(parsed: dict[str, Any]) -> TableColumns | None:
    """The table as columns, from the columns ``_parse`` gives; each key column is taken
    out of ``parsed`` once coded, so that it is let go before the counts are read."""
    import pyarrow as pa

    from eqlang.data.tables import key_text

    names: dict[str, tuple[str, ...]] = {}
    codes: dict[str, np.ndarray] = {}
    for column in KEY_COLUMNS:
        coded = parsed.pop(column).combine_chunks().dictionary_encode()
        spelled = [sys.intern(key_text(value)) for value in coded.dictionary.to_pylist()]
        if not all(spelled):
            return None
        # Two spellings may be one name once stripped and normalized: one code each name.
        distinct = list(dict.fromkeys(spelled))
        place = {name: i for i, name in enumerate(distinct)}
        remap = np.fromiter(map(place.__getitem__, spelled), dtype=np.int32, count=len(spelled))
        names[column] = tuple(distinct)
        codes[column] = remap[_array(coded.indices, np.int32)]
    # As below: the hash tables of encoding the key columns, given back before the counts
    # are encoded.
    pa.default_memory_pool().release_unused()
    counts = _counts(parsed["numerator"], parsed["denominator"])
    if counts is None:
        return None
    numerator, rough_numerator, denominator, rough_denominator = counts
    # A float is never more than the exact count it comes from rounded, so where the floats
    # say numerator < denominator so do the counts; only the rest are compared exactly.
    close = np.flatnonzero(rough_numerator >= rough_denominator)
    if any(numerator[close] > denominator[close]):
        return None
    if not _unique_keys([codes[column] for column in KEY_COLUMNS],
                        [len(names[column]) for column in KEY_COLUMNS]):
        return None
    # int32: at most 2,000,000 rows (MAX_TABLE_ROWS), and half the memory of int64.
    lines = np.arange(2, len(codes["org"]) + 2, dtype=np.int32)
    return TableColumns(names, codes, numerator, denominator, lines)


def _counts(numerators: Any, denominators: Any
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The count columns' exact values and their floats, row by row (numerators, their
    floats, denominators, theirs); None if a cell is not a plain decimal. A text in both
    columns is one ``Decimal``, shared, not two equal ones (a fifth fewer at 10,000
    organizations)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pool = pa.default_memory_pool()
    columns = []
    for column in (numerators, denominators):
        columns.append(column.combine_chunks().dictionary_encode())
        # Encoding leaves pyarrow's allocator holding its hash tables, some 20 MiB a column
        # at 10,000 organizations: given back before the next is encoded, the peak of
        # reading is lower.
        pool.release_unused()
    top_texts, bottom_texts = (column.dictionary for column in columns)
    if not all(pc.all(pc.match_substring_regex(texts, _NUMBER)).as_py()
               for texts in (top_texts, bottom_texts)):
        return None
    # The denominators' texts that are numerators' texts too share their Decimals; the
    # rest follow the numerators'. (Encoding the two dictionaries together would take a
    # hash table of both, 50 MiB more at the peak of reading; looking one up in the other
    # takes a table of one.)
    found = pc.index_in(bottom_texts, value_set=top_texts)
    # (No Python value goes into pyarrow here: converting one imports pandas, 20 MiB.)
    missing = pc.is_null(found)
    own = _array(pc.cast(missing, pa.int8()), np.int8).astype(bool)
    bottom_places = _array(found, np.int32, nulls=True).copy()
    bottom_places[own] = np.arange(len(top_texts), len(top_texts) + int(own.sum()),
                                   dtype=np.int32)
    texts = pa.concat_arrays([top_texts, bottom_texts.filter(missing)])
    pool.release_unused()
    # A slice at a time, so that the texts as Python strings never all exist at once.
    exact = np.empty(len(texts), dtype=object)
    for start in range(0, len(texts), _SLICE):
        exact[start:start + _SLICE] = list(map(Decimal, texts.slice(start, _SLICE).to_pylist()))
    rough = _array(pc.cast(texts, pa.float64()), np.float64)
    top = _array(columns[0].indices, np.int32)
    bottom = bottom_places[_array(columns[1].indices, np.int32)]
    return exact[top], rough[top], exact[bottom], rough[bottom]


def _array(values: Any, dtype: type, *, nulls: bool = False) -> np.ndarray:
    """A pyarrow array without nulls (or, with ``nulls``, whatever its buffer holds at
    its nulls) as a numpy array, read from its buffer: its ``to_numpy`` would import
    pandas, a third of a second."""
    assert nulls or values.null_count == 0
    return np.frombuffer(values.buffers()[1], dtype=dtype, count=len(values),
                         offset=values.offset * np.dtype(dtype).itemsize)


def _unique_keys(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> bool:
    """Whether no two rows have the same codes in every key column (``sizes``: how many
    names each column has)."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    span = 1
    for column, size in zip(codes, sizes, strict=True):
        if span * size >= 2**62:
            # Renumbered, so that the product stays within 64 bits (rare: many names).
            used, combined = np.unique(combined, return_inverse=True)
            span = len(used)
        combined = combined * size + column
        span *= size
    combined.sort()
    return not (combined[1:] == combined[:-1]).any()


def coded(values: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Values as their distinct values, in the order they first appear, and each one's
    place among them."""
    place: dict[str, int] = {}
    codes = np.fromiter((place.setdefault(value, len(place)) for value in values),
                        dtype=np.int32, count=len(values))
    return tuple(place), codes


def first_rows(names: Sequence[str], codes: np.ndarray) -> dict[str, tuple[int, int]]:
    """Each name's first row and how many rows have it, from ``coded``'s two parts."""
    used, first, counts = np.unique(codes, return_index=True, return_counts=True)
    return {names[code]: (int(at), int(count))
            for code, at, count in zip(used.tolist(), first.tolist(), counts.tolist(),
                                       strict=True)}
