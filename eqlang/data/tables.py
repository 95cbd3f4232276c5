"""Measure tables: takes files of counts, gives checked rows indexed for O(1) lookup.

A table is CSV text, perhaps gzip-compressed, or a Parquet file or Excel workbook, which
``eqlang.data.workbooks`` turns into CSV text with one line per row, taking numbers exactly;
the kind is told by the file's first bytes (``eqlang.data.formats``).

A table has one header row naming (in any order) the columns ``org``, ``measure``, ``group``,
``period``, ``numerator`` and ``denominator``; other columns are ignored. Each further record
is one ``Row``: the four key cells (stripped of surrounding whitespace, in Unicode normal form
NFC, never empty) and two exact ``Decimal`` counts with ``numerator <= denominator``. The
key is unique within a table and, once ``load_tables`` merges several tables into a
``TableSet``, across all of them.

Every problem found becomes a ``Diagnostic`` whose span points at the offending cell, and all
of them (up to ``diagnostics.MAX_DIAGNOSTICS`` per table) are raised together in one
``EqlangError``, so a person fixing an exported spreadsheet sees the whole list at once
rather than one per run.

The CSV reader (``eqlang.data.csv_records``) is our own small RFC 4180 reader rather than the
``csv`` module because diagnostics need the character offset of every field.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import stat
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from eqlang.data import formats, workbooks
from eqlang.data.csv_records import Record, read_records, show_cell
from eqlang.data.fhir_map import FhirMap
from eqlang.data.spelling import misspelled_keys as misspelled_keys
from eqlang.diagnostics import Collector, Diagnostic, EqlangError, Note, counted, did_you_mean
from eqlang.syntax.source import SourceFile, Span, names_stdin, normal_text

if TYPE_CHECKING:
    from eqlang.data.table_columns import LineSpans, TableColumns

#: Tables larger than this are refused before reading, so that a wrong path (a disk image, a
#: database dump) fails at once instead of exhausting memory. Real measure tables are far
#: smaller: a row takes tens of bytes.
MAX_TABLE_BYTES = 128 * 1024 * 1024
#: A loaded row takes about 500 bytes; with this many at most, reading the largest table
#: takes about 1.5 GiB whatever its rows' length (docs/settlement.md). A thousand
#: organizations with 48 measures, ten groups and three periods come to 1.44 million.
MAX_TABLE_ROWS = 2_000_000

KEY_COLUMNS = ("org", "measure", "group", "period")
COUNT_COLUMNS = ("numerator", "denominator")
REQUIRED_COLUMNS = KEY_COLUMNS + COUNT_COLUMNS

E_UNREADABLE = "E0501"
E_COLUMN = "E0502"
E_NUMBER = "E0503"
E_RATIO = "E0504"
E_DUPLICATE = "E0505"
E_RECORD = "E0506"
E_EMPTY_KEY = "E0507"

# ASCII digits only: ``\d`` would also accept other scripts' digits, which Decimal parses but
# no person would expect in a count. fullmatch, because ``$`` would allow a trailing newline.
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")

_HEADER_EXAMPLE = ",".join(REQUIRED_COLUMNS)

Key = tuple[str, str, str, str]


@attrs.frozen
class Row:
    """One record of a measure table."""

    org: str
    measure: str
    group: str
    period: str
    numerator: Decimal
    denominator: Decimal
    table: str
    line: int

    @property
    def key(self) -> Key:
        return (self.org, self.measure, self.group, self.period)


class _LazySource:
    """The decoded text of a table, turned into a ``SourceFile`` only when a span is needed.

    Building a ``SourceFile`` indexes every line start; a clean table never needs one, and
    that indexing would add a quarter to the time it takes to load one.
    """

    def __init__(self, path: str, text: str, sha256: str) -> None:
        self.path = path
        self.text = text
        self.sha256 = sha256
        self._source: SourceFile | None = None

    @classmethod
    def of(cls, source: SourceFile) -> _LazySource:
        """The text of a source already indexed, such as the contract a table is written in."""
        lazy = cls(source.path, source.text, source.sha256)
        lazy._source = source
        return lazy

    def span(self, start: int, end: int) -> Span:
        if self._source is None:
            self._source = SourceFile(self.path, self.text, self.sha256)
        return self._source.span(start, end)


class _Spans:
    """Start and end offsets of rows, two machine integers each: a tuple of tuples would take
    a hundred bytes a row, a fifth of what a loaded row costs."""

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts = array("q")
        self._ends = array("q")

    def append(self, span: tuple[int, int]) -> None:
        self._starts.append(span[0])
        self._ends.append(span[1])

    def __getitem__(self, position: int) -> tuple[int, int]:
        return self._starts[position], self._ends[position]

    def __len__(self) -> int:
        return len(self._starts)


@attrs.frozen
class _Origin:
    """Where a loaded table's rows came from, kept so later merge errors can point at them."""

    source: _LazySource
    row_spans: _Spans | LineSpans  # parallel to ``MeasureTable.rows``
    #: Each required column's field position, for a file; None for rows written in a
    #: contract, which have no columns.
    columns: dict[str, int] | None = None


@attrs.frozen(eq=False)
class MeasureTable:
    """The rows of one table file, indexed by key.

    Rows may be given directly (tests, generated data); ``origin`` is set only by
    ``load_table`` and lets diagnostics about a row show its text. A table read as columns
    (``eqlang.data.table_columns``) makes its ``Row`` objects and its index by key only when
    they are first asked for: the columnar backend and the key checks read the columns.
    """

    path: str
    sha256: str
    _given_rows: tuple[Row, ...] | None = attrs.field(default=None, alias="rows", repr=False)
    _origin: _Origin | None = attrs.field(default=None, kw_only=True, repr=False)
    #: The index ``load_table`` built while checking for duplicates, taken as it is.
    _checked_index: dict[Key, int] | None = attrs.field(default=None, kw_only=True,
                                                         repr=False, alias="index")
    _columns: TableColumns | None = attrs.field(default=None, kw_only=True, repr=False,
                                                alias="columns")
    _made: dict[str, Any] = attrs.field(init=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        if self._given_rows is None and self._columns is None:
            raise ValueError("a table is made of rows or of columns")
        if self._checked_index is not None:
            self._made["index"] = self._checked_index
            object.__setattr__(self, "_checked_index", None)
        elif self._columns is None:
            self._index  # noqa: B018 - rows built by hand are checked for duplicates now

    @property
    def rows(self) -> tuple[Row, ...]:
        if self._given_rows is None:
            assert self._columns is not None
            object.__setattr__(self, "_given_rows", self._columns.rows(Row, self.path))
        assert self._given_rows is not None
        return self._given_rows

    @property
    def size(self) -> int:
        """How many rows the table has."""
        return len(self._columns) if self._given_rows is None else len(self._given_rows)

    @property
    def _index(self) -> dict[Key, int]:
        index = self._made.get("index")
        if index is not None:
            return index
        index = {}
        if self._columns is not None:
            # Read as columns, the keys were found unique already.
            index = dict(zip(self._columns.keys(), range(len(self._columns)), strict=True))
        for position, row in enumerate(() if self._columns is not None else self.rows):
            if index.setdefault(row.key, position) != position:
                # load_table reports duplicates as diagnostics; reaching here means rows
                # were built by hand, which is a programming error.
                raise ValueError(f"duplicate key {row.key!r} in table {self.path}")
        self._made["index"] = index
        return index

    def coded(self, column: str) -> tuple[tuple[str, ...], Any]:
        """One key column as its distinct values, in the order they first appear, and a
        numpy array of each row's place among them."""
        if self._columns is not None:
            return self._columns.names[column], self._columns.codes[column]
        made = self._made.get(column)
        if made is None:
            from eqlang.data.table_columns import coded
            made = self._made[column] = coded([getattr(row, column) for row in self.rows])
        return made

    def counts(self) -> tuple[Any, Any]:
        """Every row's numerator and denominator, as two numpy arrays of ``Decimal``."""
        if self._columns is not None:
            return self._columns.numerator, self._columns.denominator
        import numpy as np
        rows = self.rows
        return (np.array([row.numerator for row in rows], dtype=object),
                np.array([row.denominator for row in rows], dtype=object))

    def place(self, position: int) -> tuple[str, int]:
        """The file and line one row was read from."""
        if self._given_rows is None and self._columns is not None:
            return self.path, int(self._columns.lines[position])
        row = self.rows[position]
        return row.table, row.line

    def first_rows(self, column: str) -> dict[str, tuple[int, int]]:
        """Each distinct value of a key column: its first row's position and how many rows
        have it."""
        made = self._made.get(("first", column))
        if made is None:
            from eqlang.data.table_columns import first_rows
            made = self._made["first", column] = first_rows(*self.coded(column))
        return made

    def lookup(self, org: str, measure: str, group: str, period: str) -> Row | None:
        position = self._index.get((org, measure, group, period))
        return None if position is None else self.rows[position]

    def _row_span(self, position: int) -> Span | None:
        if self._origin is None:
            return None
        start, end = self._origin.row_spans[position]
        return self._origin.source.span(start, end)

    def _cell_span(self, position: int, column: str) -> Span | None:
        """The raw cell of one column in one row (the whole row where there are no cells)."""
        origin = self._origin
        if origin is None or origin.columns is None:
            return self._row_span(position)
        start, end = origin.row_spans[position]
        record = Record(origin.source.text, self.place(position)[1], start, end, [])
        return origin.source.span(*record.cell(origin.columns[column]))


@attrs.frozen(eq=False)
class TableSet:
    """All input tables of one run, merged.

    Construction checks that no key appears in two tables and raises ``EqlangError`` (E0505)
    if one does.
    """

    tables: tuple[MeasureTable, ...]
    #: Whether the organizations listed are all there are: always, for real tables.
    open_ended = False
    #: Rows by key across the tables; None for a single table, whose own index serves.
    _index: dict[Key, Row] | None = attrs.field(init=False, repr=False)
    _orgs: tuple[str, ...] = attrs.field(init=False, repr=False)
    _org_set: frozenset[str] = attrs.field(init=False, repr=False)
    _made: dict[str, Any] = attrs.field(init=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        merged = None
        if len(self.tables) != 1:
            merged, diagnostics = _merge(self.tables)
            if diagnostics:
                raise EqlangError(diagnostics)
        orgs = frozenset(name for table in self.tables for name in table.coded("org")[0])
        object.__setattr__(self, "_index", merged)
        object.__setattr__(self, "_orgs", tuple(sorted(orgs)))
        object.__setattr__(self, "_org_set", orgs)

    def lookup(self, org: str, measure: str, group: str, period: str) -> Row | None:
        if self._index is None:
            return self.tables[0].lookup(org, measure, group, period)
        return self._index.get((org, measure, group, period))

    def organizations(self) -> tuple[str, ...]:
        """Every organization in any table, sorted, each once."""
        return self._orgs

    def has_org(self, org: str) -> bool:
        return org in self._org_set

    def groups(self, org: str, measure: str, period: str) -> tuple[str, ...]:
        """The groups with a row for this organization, measure and period, sorted."""
        groups = self._made.get("groups")
        if groups is None:
            keys: Iterable[Key] = self.tables[0]._index if self._index is None else self._index
            found: defaultdict[tuple[str, str, str], list[str]] = defaultdict(list)
            for key_org, key_measure, group, key_period in keys:
                found[key_org, key_measure, key_period].append(group)  # keys are unique
            groups = self._made["groups"] = {k: tuple(sorted(v)) for k, v in found.items()}
        return groups.get((org, measure, period), ())


def key_text(cell: str) -> str:
    """A key cell as compared: without the spaces around it, in Unicode normal form NFC."""
    return normal_text(cell.strip())


# ---- loading ---------------------------------------------------------------------------------


def load_table(path: str | os.PathLike[str], display: str | None = None, *,
               fhir_map: FhirMap | None = None) -> MeasureTable:
    """Read, parse and check one table file (CSV or FHIR); raise ``EqlangError`` if bad."""
    shown = display if display is not None else os.fspath(path)
    table, diagnostics = _load(path, shown, fhir_map)
    if table is None:
        raise EqlangError(diagnostics)
    return table


def load_tables(paths: Sequence[str | os.PathLike[str]], *,
                fhir_map: FhirMap | None = None) -> TableSet:
    """Load every table (a folder: its FHIR files), then merge; problems are raised together."""
    if isinstance(paths, str | bytes):
        # A lone path string is a Sequence too, and would be read one character at a time.
        raise TypeError("load_tables takes a sequence of paths, not a single path")
    from eqlang.data.fhir import table_paths  # it builds this module's rows: imported late
    tables: list[MeasureTable] = []
    files, diagnostics = table_paths(paths)
    seen: dict[str, str] = {}
    for path in files:
        shown = os.fspath(path)
        real = os.path.realpath(shown)
        if real in seen:
            # Loading it again would report every one of its rows as a duplicate key.
            diagnostics.append(Diagnostic(
                code=E_DUPLICATE, path=shown, hint="name each table file once",
                message=f"table `{shown}` is given more than once (first as `{seen[real]}`)"))
            continue
        seen[real] = shown
        table, found = _load(path, shown, fhir_map)
        diagnostics.extend(found)
        if table is not None:
            tables.append(table)
    if diagnostics:
        # Merge what did load as well, so cross-table duplicates show up in the same run.
        diagnostics.extend(_merge(tables)[1])
        raise EqlangError(diagnostics)
    return TableSet(tuple(tables))  # raises on keys repeated across tables


def _merge(tables: Sequence[MeasureTable]) -> tuple[dict[Key, Row], list[Diagnostic]]:
    index: dict[Key, Row] = {}
    collector = Collector()
    for number, table in enumerate(tables):
        clashes = table._index.keys() & index.keys()
        if not clashes:
            # The usual case, done in bulk: a table's index lists its keys in row order.
            index.update(zip(table._index, table.rows, strict=True))
            continue
        for position, row in enumerate(table.rows):
            key = row.key
            if key not in clashes:
                index[key] = row
                continue
            first = index[key]
            earlier = next(t for t in tables[:number] if key in t._index)
            collector.add(
                Diagnostic(
                    code=E_DUPLICATE,
                    message=f"duplicate row for {_describe(key)}: also in `{first.table}` "
                    f"line {first.line}",
                    span=table._row_span(position),
                    path=row.table,
                    line=row.line,
                    notes=(
                        Note(
                            f"first row with this key, in `{first.table}` line {first.line}",
                            earlier._row_span(earlier._index[key]),
                        ),
                    ),
                    hint="each (org, measure, group, period) may appear in only one table; "
                    "remove one of the rows" + _accents_note(key),
                )
            )
    return index, collector.finish("the input tables")


def table_text(path: str | os.PathLike[str], shown: str, *, percents: bool = False
               ) -> tuple[str | None, str, list[Diagnostic]]:
    """A table file of any kind read as CSV text, with its SHA-256; or None and why it
    cannot be read (E0501), and any cell that cannot be taken exactly (E0503). With
    ``percents``, a workbook's cells formatted as percents read as written (``23.5%``).
    Tables of other shapes (the organization table) are read through it too."""
    data, problem = _read_bytes(path, shown)
    if problem is not None:
        return None, "", [problem]
    assert data is not None
    sha256 = hashlib.sha256(data).hexdigest()
    text, problems = text_of(data, shown, percents)
    return text, sha256, problems


def _load(path: str | os.PathLike[str], shown: str, fhir_map: FhirMap | None = None
          ) -> tuple[MeasureTable | None, list[Diagnostic]]:
    text, sha256, problems = table_text(path, shown)
    return _from_read(text, problems, shown, sha256, fhir_map)


def _from_read(text: str | None, problems: list[Diagnostic], shown: str, sha256: str,
               fhir_map: FhirMap | None) -> tuple[MeasureTable | None, list[Diagnostic]]:
    """A table from the text a file was read as, with the problems of reading it."""
    if text is None:
        return None, problems
    if not problems:
        return _from_decoded(text, shown, sha256, fhir_map)
    diagnostics = _from_text(text, shown, sha256)[1]
    # A cell that could not be taken is reported once, for why, not again for its text.
    taken = {d.line for d in problems}
    return None, problems + [d for d in diagnostics if d.span is None or d.span.line not in taken]


def _from_decoded(text: str, shown: str, sha256: str, fhir_map: FhirMap | None
                  ) -> tuple[MeasureTable | None, list[Diagnostic]]:
    """A table from its text: CSV, or FHIR MeasureReports. A FHIR resource is told from CSV
    by its text, so a gzip-compressed Bundle reads too; Parquet and workbooks are rows,
    never JSON."""
    from eqlang.data.fhir import looks_like_json, read_fhir_table
    if looks_like_json(text):
        return read_fhir_table(text, shown, sha256, fhir_map)
    return _from_text(text, shown, sha256)


def text_of(data: bytes, shown: str, percents: bool = False
            ) -> tuple[str | None, list[Diagnostic]]:
    """A table file's rows as CSV text, whatever kind of file it is (``formats``), and any
    cell that cannot be taken exactly; None and why for a file that cannot be read."""
    kind = formats.sniff(io.BytesIO(data), data[:16])
    cells: list[workbooks.CellProblem] = []
    try:
        if isinstance(kind, formats.Refusal):
            return None, [_unreadable(shown, kind.message, kind.hint)]
        if kind == formats.PARQUET:
            text, cells = workbooks.parquet_text(data)
        elif kind == formats.XLSX:
            text, cells = workbooks.xlsx_text(data, MAX_TABLE_BYTES, percents)
        else:
            raw = workbooks.gunzip(data, MAX_TABLE_BYTES) if kind == formats.GZIP else data
            decoded, problem = _decode(raw, shown)
            return decoded, [problem] if problem is not None else []
    except workbooks.Unreadable as error:
        return None, [_unreadable(shown, error.message, error.hint)]
    return text, [Diagnostic(E_NUMBER, cell.message, path=shown, line=cell.row,
                             column=cell.column, hint=cell.hint) for cell in cells]


def table_from_bytes(data: bytes, display: str) -> MeasureTable:
    """Check a table's bytes as if read from a file named ``display``: for a reader that
    has the bytes already (``eqlang verify`` hashes what it reads, and reads it once)."""
    text, problems = text_of(data, display)
    table, diagnostics = _from_read(text, problems, display, hashlib.sha256(data).hexdigest(),
                                    None)
    if table is None:
        raise EqlangError(diagnostics)
    return table


def table_from_text(text: str, display: str) -> MeasureTable:
    """Check CSV text as if it were read from a file named ``display``.

    Generated and rendered tables (``eqlang.tools.testing``, counterexamples) go through exactly
    the checks a file does; the digest is that of the text's UTF-8 bytes.
    """
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    table, diagnostics = _from_text(text, display, sha256)
    if table is None:
        raise EqlangError(diagnostics)
    return table


def _from_text(text: str, shown: str, sha256: str
               ) -> tuple[MeasureTable | None, list[Diagnostic]]:
    source = _LazySource(shown, text, sha256)
    from eqlang.data.table_columns import LineSpans, read_plain
    plain = read_plain(text, MAX_TABLE_ROWS)
    if plain is not None:
        columns, positions = plain
        origin = _Origin(source, LineSpans(text, columns.lines), positions)
        return MeasureTable(shown, sha256, origin=origin, columns=columns), []
    checker = _Checker(source)
    rows, spans, diagnostics = checker.run()
    if diagnostics:
        return None, diagnostics
    origin = _Origin(source, spans, checker.columns)
    return MeasureTable(shown, sha256, tuple(rows), origin=origin, index=checker.index), []


@attrs.frozen
class WrittenRow:
    """A row written in a contract (a worked example's table), with where each part stands."""

    row: Row
    span: Span
    numerator: Span
    denominator: Span


def inline_table(source: SourceFile, written: Sequence[WrittenRow]) -> MeasureTable:
    """Rows written in a contract, checked by the rules and messages of a table file.

    Raises ``EqlangError`` listing every problem; spans point into the contract.
    """
    collector = Collector()
    rows: list[Row] = []
    spans = _Spans()
    seen: dict[Key, Span] = {}
    for item in written:
        row = item.row
        if row.numerator > row.denominator:
            message, hint = _ratio_problem(row.numerator, row.denominator)
            collector.add(Diagnostic(E_RATIO, message, item.numerator, hint=hint,
                                     notes=(Note("the denominator is here", item.denominator),)))
            continue
        first = seen.get(row.key)
        if first is not None:
            message, hint = _duplicate_problem(row.key, first.line)
            collector.add(Diagnostic(E_DUPLICATE, message, item.span, hint=hint,
                                     notes=(Note("first row with this key", first),)))
            continue
        seen[row.key] = item.span
        rows.append(row)
        spans.append((item.span.start, item.span.end))
    diagnostics = collector.finish("these rows")
    if diagnostics:
        raise EqlangError(diagnostics)
    origin = _Origin(_LazySource.of(source), spans)
    return MeasureTable(source.path, source.sha256, tuple(rows), origin=origin)


def _unreadable(shown: str, message: str, hint: str, line: int | None = None,
                column: int | None = None) -> Diagnostic:
    return Diagnostic(code=E_UNREADABLE, message=message, path=shown, line=line, column=column,
                      hint=hint)


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """Line and character column of a byte the text cannot be decoded at (or a NUL)."""
    start = data.rfind(b"\n", 0, offset) + 1
    before = data[start:offset].decode("utf-8", errors="replace").lstrip("\ufeff")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def _read_bytes(path: str | os.PathLike[str], shown: str) -> tuple[bytes | None, Diagnostic | None]:
    too_big = "split the table into several files (for example one per period) and pass them all"
    try:
        info = os.stat(path)
        refusal = None if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode) else \
            formats.regular_file_problem(path, "table")
        if refusal is not None:
            # A named pipe or a device would block the read, or never end it.
            return None, _unreadable(shown, refusal.message, refusal.hint)
        size = info.st_size
        if size > MAX_TABLE_BYTES:
            return None, _unreadable(
                shown,
                f"table file is {size:,} bytes; eqlang reads tables of at most "
                f"{MAX_TABLE_BYTES:,} bytes ({MAX_TABLE_BYTES >> 20} MiB)",
                too_big,
            )
        with open(path, "rb") as handle:
            # Read one byte past the limit: the size from stat can be stale or meaningless
            # (pipes, growing files), and this bounds memory regardless.
            data = handle.read(MAX_TABLE_BYTES + 1)
    except FileNotFoundError:
        if names_stdin(path):
            # A trace names the files it read so that `verify` can read them again.
            return None, _unreadable(
                shown, "cannot read a table from `-` (standard input)",
                "save the table to a file and name it: the trace records the file, so that "
                "`eqlang verify` can read it again")
        return None, _unreadable(
            shown, "cannot read table: no such file", "check the path and spelling"
        )
    except IsADirectoryError:
        return None, _unreadable(
            shown, "cannot read table: this is a directory, not a file", "name a .csv file"
        )
    except OSError as exc:
        return None, _unreadable(
            shown, f"cannot read table: {exc.strerror or exc}", "check the path and its permissions"
        )
    if len(data) > MAX_TABLE_BYTES:
        return None, _unreadable(
            shown, f"table file is larger than {MAX_TABLE_BYTES:,} bytes "
            f"({MAX_TABLE_BYTES >> 20} MiB)", too_big
        )
    return data, None


def _decode(data: bytes, shown: str) -> tuple[str | None, Diagnostic | None]:
    # Not eqlang.syntax.source.decode_source: that refuses anything over its 500 kB contract limit,
    # far below what a table may be, and its messages speak of contracts.
    nul = data.find(b"\x00")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Spreadsheets' "Unicode text" export is UTF-16, full of NUL bytes; say so plainly.
        return None, _unreadable(
            shown,
            "table is UTF-16 text, not UTF-8",
            "save the table as CSV in UTF-8 encoding (spreadsheets call this `CSV UTF-8`)",
        )
    if nul >= 0:
        return None, _unreadable(
            shown,
            f"file contains NUL bytes (first at byte {nul}): this is a binary file of a "
            "kind eqlang does not read, not a CSV table",
            "give the table as CSV (UTF-8, perhaps gzip-compressed), Parquet or an Excel "
            ".xlsx workbook",
            *_line_and_column(data, nul),
        )
    # One leading byte-order mark is dropped: spreadsheet exports often add it. (Decoding
    # with utf-8-sig would report error offsets counted from after the mark.)
    mark = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return str(memoryview(data)[mark:], "utf-8"), None
    except UnicodeDecodeError as exc:
        offset = mark + exc.start
        return None, _unreadable(
            shown,
            f"table is not valid UTF-8 (byte {offset} is 0x{data[offset]:02x})",
            "save the table as CSV in UTF-8 encoding (spreadsheets call this `CSV UTF-8`)",
            *_line_and_column(data, offset),
        )


# ---- checking --------------------------------------------------------------------------------


class _Checker:
    """Turns the records of one decoded table into rows, collecting diagnostics."""

    def __init__(self, source: _LazySource) -> None:
        self.source = source
        self.path = source.path
        self.collector = Collector()
        #: The header's required columns and their positions, once read.
        self.columns: dict[str, int] | None = None
        #: Each key's row: its position among the rows read, or for a key first seen on a
        #: row with problems, -1 - its position in ``refused``.
        self.index: dict[Key, int] = {}
        self.refused = _Spans()

    def error(self, code: str, message: str, start: int, end: int, hint: str,
              notes: tuple[Note, ...] = ()) -> None:
        self.collector.add(
            Diagnostic(
                code=code,
                message=message,
                span=self.source.span(start, end),
                hint=hint,
                notes=notes,
            )
        )

    def syntax_error(self, message: str, start: int, end: int, hint: str) -> None:
        self.error(E_RECORD, message, start, end, hint)

    def run(self) -> tuple[list[Row], _Spans, list[Diagnostic]]:
        rows: list[Row] = []
        spans = self.spans = _Spans()
        records = read_records(self.source.text, self.syntax_error)
        header = next(records, None)
        if header is None:
            if not self.collector:
                self.collector.add(
                    _unreadable(
                        self.path,
                        "table is empty, expected a header row naming the columns "
                        + ", ".join(REQUIRED_COLUMNS),
                        f"start the file with the header row `{_HEADER_EXAMPLE}`",
                        line=1, column=1,
                    )
                )
            return rows, spans, self.collector.finish("this table")
        columns = self.columns = self.header(header)
        if columns is None:
            # Without every column the rows cannot be read; still scan the rest so that any
            # malformed records are reported in the same run.
            for _ in records:
                pass
            return rows, spans, self.collector.finish("this table")
        width = len(header.values)
        org_at, measure_at, group_at, period_at, numerator_at, denominator_at = (
            columns[name] for name in REQUIRED_COLUMNS
        )
        number = _NUMBER.fullmatch
        header_names = [value.strip() for value in header.values]
        # Only the first row's position is kept per key, not the record: far less memory.
        seen = self.index
        path = self.path
        # Names repeat on every row: one string each, not one per cell. Whole counts repeat
        # too; a Decimal is a hundred bytes.
        intern = sys.intern
        counts: dict[str, Decimal] = {}
        for record in records:
            values = record.values
            if len(rows) >= MAX_TABLE_ROWS:
                self.error(E_UNREADABLE, f"the table has more than {MAX_TABLE_ROWS:,} rows, "
                           "the most eqlang reads from one table", record.start, record.end,
                           "split the table into several files (for example one per period) "
                           "and pass them all")
                break
            if len(values) != width:
                self.field_count(record, width)
                continue
            org = intern(key_text(values[org_at]))
            measure = intern(key_text(values[measure_at]))
            group = intern(key_text(values[group_at]))
            period = intern(key_text(values[period_at]))
            numerator_text = values[numerator_at]
            denominator_text = values[denominator_at]
            key = (org, measure, group, period)
            if (
                org
                and measure
                and group
                and period
                and number(numerator_text)
                and number(denominator_text)
                and key not in seen
            ):
                numerator = counts.get(numerator_text)
                if numerator is None:
                    numerator = Decimal(numerator_text)
                    if "." not in numerator_text:
                        counts[numerator_text] = numerator
                denominator = counts.get(denominator_text)
                if denominator is None:
                    denominator = Decimal(denominator_text)
                    if "." not in denominator_text:
                        counts[denominator_text] = denominator
                if numerator <= denominator:
                    seen[key] = len(rows)
                    rows.append(
                        Row(org, measure, group, period, numerator, denominator, path, record.line)
                    )
                    spans.append((record.start, record.end))
                    continue
            # The fast test above failed somewhere: find and report every reason.
            if [value.strip() for value in values] == header_names:
                self.repeated_header(record)
                continue
            self.bad_row(record, key, columns)
        return rows, spans, self.collector.finish("this table")

    def header(self, record: Record) -> dict[str, int] | None:
        """Map each required column to its field position, or report why that fails."""
        columns: dict[str, int] = {}
        extras: list[tuple[str, int]] = []
        problem = False
        only = record.values[0] if len(record.values) == 1 else ""
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in only:
                # One message instead of six "missing column" ones that miss the point.
                self.error(
                    E_COLUMN,
                    f"the header is a single column; this table seems separated by {name}",
                    record.start,
                    record.end,
                    "eqlang tables are comma-separated: export the table as CSV with commas "
                    f"(header `{_HEADER_EXAMPLE}`)",
                )
                return None
        for position, cell in enumerate(record.values):
            name = cell.strip()
            if name not in REQUIRED_COLUMNS:
                extras.append((name, position))
                continue
            if name in columns:
                self.error(
                    E_COLUMN,
                    f"column `{name}` appears more than once in the header",
                    *record.cell(position),
                    f"remove or rename one of them, so it is clear which column holds {name}",
                    (Note(f"first `{name}` column", self.span(record, columns[name])),),
                )
                problem = True
                continue
            columns[name] = position
        for name in REQUIRED_COLUMNS:
            if name in columns:
                continue
            problem = True
            for index, (header_name, position) in enumerate(extras):
                suggestion = did_you_mean(header_name, [name]) if header_name else None
                if suggestion is not None:
                    del extras[index]  # one near-miss header explains one missing column
                    self.error(
                        E_COLUMN,
                        f"missing required column `{name}`",
                        *record.cell(position),
                        f"the header has `{header_name}`: {suggestion} "
                        f"Rename the column to `{name}`",
                    )
                    break
            else:
                self.error(
                    E_COLUMN,
                    f"missing required column `{name}`",
                    record.start,
                    record.end,
                    f"add a `{name}` column; the header must name {', '.join(REQUIRED_COLUMNS)}"
                    " (in any order; other columns are ignored)",
                )
        return None if problem else columns

    def span(self, record: Record, index: int) -> Span:
        return self.source.span(*record.cell(index))

    def bad_row(self, record: Record, key: Key, columns: dict[str, int]) -> None:
        for name, value in zip(KEY_COLUMNS, key, strict=True):
            if not value:
                self.error(
                    E_EMPTY_KEY,
                    f"empty `{name}` cell",
                    *record.cell(columns[name]),
                    f"every row needs a value in `{name}`; fill it in or delete the row",
                )
        numerator = self.count(record, columns["numerator"], "numerator")
        denominator = self.count(record, columns["denominator"], "denominator")
        if numerator is not None and denominator is not None and numerator > denominator:
            message, hint = _ratio_problem(numerator, denominator)
            self.error(
                E_RATIO,
                message,
                *record.cell(columns["numerator"]),
                hint,
                (Note("the denominator is here", self.span(record, columns["denominator"])),),
            )
        if all(key):
            first = self.index.get(key)
            if first is None:
                self.index[key] = -1 - len(self.refused)
                self.refused.append((record.start, record.end))
            else:
                where = self.spans[first] if first >= 0 else self.refused[-1 - first]
                first_span = self.source.span(*where)
                message, hint = _duplicate_problem(key, first_span.line)
                self.error(
                    E_DUPLICATE,
                    message,
                    record.start,
                    record.end,
                    hint,
                    (Note("first row with this key", first_span),),
                )

    def repeated_header(self, record: Record) -> None:
        self.error(
            E_RECORD,
            f"the header row appears again, on line {record.line}",
            record.start,
            record.end,
            "two tables seem joined end to end: delete this line, or keep the tables in "
            "separate files and pass each with --table",
        )

    def field_count(self, record: Record, width: int) -> None:
        count = len(record.values)
        message = (f"record has {counted(count, 'field')} but the header has "
                   f"{width}")
        if count > width:
            self.error(
                E_RECORD,
                message,
                record.cell(width)[0],
                record.cell(count - 1)[1],
                "remove the extra fields, or quote a value that contains a comma "
                '(for example "Smith, J")',
            )
        else:
            self.error(
                E_RECORD,
                message,
                record.start,
                record.end,
                "give a value for every column of the header (an empty value still needs "
                "its comma), and quote values that contain line breaks",
            )

    def count(self, record: Record, index: int, name: str) -> Decimal | None:
        value = record.values[index]
        if _NUMBER.fullmatch(value):
            return Decimal(value)
        message, hint = _number_problem(name, value)
        self.error(E_NUMBER, message, *record.cell(index), hint)
        return None


_PLAIN = "write a plain non-negative decimal such as `812` or `193.486`"
_NOT_NUMBERS = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "snan"}


def _number_problem(name: str, value: str) -> tuple[str, str]:
    """The message and hint for a cell that is not a plain decimal, as specific as we can."""
    shown = show_cell(value)
    bad = f"`{name}` is not a valid number: {shown}"
    stripped = value.strip()
    if not stripped:
        return f"empty `{name}` cell", "fill in the count (write 0 if there were none)"
    if _NUMBER.fullmatch(stripped):
        return (
            f"`{name}` has spaces around the number: {shown}",
            f"remove the spaces: write `{stripped}`",
        )
    lowered = stripped.lower()
    if lowered in _NOT_NUMBERS:
        return bad, "counts must be actual numbers; fill in the count or remove the row"
    if stripped[0] in "+-" and _NUMBER.fullmatch(stripped[1:]):
        if stripped[0] == "-":
            return f"`{name}` is negative: {shown}", "counts cannot be negative"
        return bad, f"remove the sign: write `{stripped[1:]}`"
    if lowered.startswith(("0x", "0o", "0b")):
        return bad, f"{_PLAIN}, in base 10"
    if "_" in stripped or "," in stripped:
        digits = stripped.replace("_", "").replace(",", "")
        if _NUMBER.fullmatch(digits):
            return bad, f"remove digit separators: write `{digits}`"
    if "e" in lowered and re.fullmatch(r"[0-9.]+e[+-]?[0-9]+", lowered):
        return bad, f"{_PLAIN}; write the number out in full, without an exponent"
    if stripped.startswith(".") and _NUMBER.fullmatch("0" + stripped):
        return bad, f"write a digit before the decimal point: `0{stripped}`"
    if stripped.endswith(".") and _NUMBER.fullmatch(stripped[:-1]):
        return bad, f"drop the trailing decimal point: `{stripped[:-1]}`"
    return bad, _PLAIN


def _ratio_problem(numerator: Decimal, denominator: Decimal) -> tuple[str, str]:
    return (
        f"numerator {numerator} is greater than denominator {denominator}",
        "the numerator counts members of the denominator, so it cannot be larger; "
        "check whether the two columns are swapped",
    )


def _duplicate_problem(key: Key, first_line: int) -> tuple[str, str]:
    return (
        f"duplicate row for {_describe(key)} (first on line {first_line})",
        "each (org, measure, group, period) may appear only once; remove one of the rows"
        + _accents_note(key),
    )


def _accents_note(key: Key) -> str:
    # Two rows whose names differ only in how an accent was encoded look identical on
    # screen; without this, the user is told of a duplicate they cannot see.
    if all(part.isascii() for part in key):
        return ""
    return (" (names are compared in Unicode normal form NFC, so an accent typed as one "
            "character or as a letter and a combining mark is the same name)")


def _describe(key: Key) -> str:
    org, measure, group, period = key
    return f"org `{org}`, measure `{measure}`, group `{group}`, period `{period}`"
