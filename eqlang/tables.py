"""Measure tables: takes CSV files of counts, gives checked rows indexed for O(1) lookup.

A table has one header row naming (in any order) the columns ``org``, ``measure``, ``group``,
``period``, ``numerator`` and ``denominator``; other columns are ignored. Each further record
is one ``Row``: the four key cells (stripped of surrounding whitespace, never empty) and two
exact ``Decimal`` counts with ``numerator <= denominator``. The key is unique within a table
and, once ``load_tables`` merges several tables into a ``TableSet``, across all of them.

Every problem found becomes a ``Diagnostic`` whose span points at the offending cell, and all
of them (up to ``MAX_DIAGNOSTICS`` per table) are raised together in one ``EqlangError``, so a
person fixing an exported spreadsheet sees the whole list at once rather than one per run.

The CSV reader is our own small RFC 4180 reader rather than the ``csv`` module because
diagnostics need the character offset of every field, which ``csv`` does not give.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

import attrs

from eqlang.diagnostics import Diagnostic, EqlangError, Note, did_you_mean
from eqlang.source import SourceFile, Span

#: Tables larger than this are refused before reading, so that a wrong path (a disk image, a
#: database dump) fails at once instead of exhausting memory. Real measure tables are far
#: smaller: a row is under a hundred bytes.
MAX_TABLE_BYTES = 512 * 1024 * 1024

#: At most this many diagnostics are reported per table; one more then says how many were
#: left out. A systematically broken export (wrong delimiter, say) would otherwise bury the
#: first, most useful messages under thousands of copies.
MAX_DIAGNOSTICS = 50

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

# An unquoted field runs to the next comma, LF or CRLF. A lone CR is swallowed into the field
# (and reported there) so that it cannot end a record the line numbers never counted.
_UNQUOTED = re.compile(r"[^,\r\n]*(?:\r(?!\n)[^,\r\n]*)*")

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
    that indexing would cost as much as the parse itself.
    """

    def __init__(self, path: str, text: str, sha256: str) -> None:
        self.path = path
        self.text = text
        self.sha256 = sha256
        self._source: SourceFile | None = None

    def span(self, start: int, end: int) -> Span:
        if self._source is None:
            self._source = SourceFile(self.path, self.text, self.sha256)
        return self._source.span(start, end)


@attrs.frozen
class _Origin:
    """Where a loaded table's rows came from, kept so later merge errors can point at them."""

    source: _LazySource
    row_spans: tuple[tuple[int, int], ...]  # parallel to ``MeasureTable.rows``


@attrs.frozen(eq=False)
class MeasureTable:
    """The rows of one table file, indexed by key.

    Rows may be given directly (tests, generated data); ``origin`` is set only by
    ``load_table`` and lets diagnostics about a row show its text.
    """

    path: str
    sha256: str
    rows: tuple[Row, ...]
    _origin: _Origin | None = attrs.field(default=None, kw_only=True, repr=False)
    _index: dict[Key, int] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        index: dict[Key, int] = {}
        for position, row in enumerate(self.rows):
            if index.setdefault(row.key, position) != position:
                # load_table reports duplicates as diagnostics; reaching here means rows
                # were built by hand, which is a programming error.
                raise ValueError(f"duplicate key {row.key!r} in table {self.path}")
        object.__setattr__(self, "_index", index)

    def lookup(self, org: str, measure: str, group: str, period: str) -> Row | None:
        position = self._index.get((org, measure, group, period))
        return None if position is None else self.rows[position]

    def _row_span(self, position: int) -> Span | None:
        if self._origin is None:
            return None
        start, end = self._origin.row_spans[position]
        return self._origin.source.span(start, end)


@attrs.frozen(eq=False)
class TableSet:
    """All input tables of one run, merged.

    Construction checks that no key appears in two tables and raises ``EqlangError`` (E0505)
    if one does.
    """

    tables: tuple[MeasureTable, ...]
    _index: dict[Key, Row] = attrs.field(init=False, repr=False)
    _orgs: tuple[str, ...] = attrs.field(init=False, repr=False)
    _org_set: frozenset[str] = attrs.field(init=False, repr=False)
    _groups: dict[tuple[str, str, str], tuple[str, ...]] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        index, diagnostics = _merge(self.tables)
        if diagnostics:
            raise EqlangError(diagnostics)
        groups: dict[tuple[str, str, str], set[str]] = {}
        for org, measure, group, period in index:
            groups.setdefault((org, measure, period), set()).add(group)
        orgs = sorted({key[0] for key in index})
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_orgs", tuple(orgs))
        object.__setattr__(self, "_org_set", frozenset(orgs))
        object.__setattr__(self, "_groups", {k: tuple(sorted(v)) for k, v in groups.items()})

    def lookup(self, org: str, measure: str, group: str, period: str) -> Row | None:
        return self._index.get((org, measure, group, period))

    def organizations(self) -> tuple[str, ...]:
        """Every organization in any table, sorted, each once."""
        return self._orgs

    def has_org(self, org: str) -> bool:
        return org in self._org_set

    def groups(self, org: str, measure: str, period: str) -> tuple[str, ...]:
        """The groups with a row for this organization, measure and period, sorted."""
        return self._groups.get((org, measure, period), ())


# ---- loading ------------------------------------------------------------------------------


def load_table(path: str | os.PathLike[str], display: str | None = None) -> MeasureTable:
    """Read, parse and check one table file; raise ``EqlangError`` listing every problem."""
    shown = display if display is not None else os.fspath(path)
    table, diagnostics = _load(path, shown)
    if table is None:
        raise EqlangError(diagnostics)
    return table


def load_tables(paths: Sequence[str | os.PathLike[str]]) -> TableSet:
    """Load every table, then merge them; problems in all files are raised together."""
    if isinstance(paths, str | bytes):
        # A lone path string is a Sequence too, and would be read one character at a time.
        raise TypeError("load_tables takes a sequence of paths, not a single path")
    tables: list[MeasureTable] = []
    diagnostics: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for path in paths:
        shown = os.fspath(path)
        real = os.path.realpath(shown)
        if real in seen:
            # Loading it again would report every one of its rows as a duplicate key.
            diagnostics.append(
                Diagnostic(
                    code=E_DUPLICATE,
                    message=f"table `{shown}` is given more than once (first as `{seen[real]}`)",
                    path=shown,
                    hint="name each table file once",
                )
            )
            continue
        seen[real] = shown
        table, found = _load(path, shown)
        diagnostics.extend(found)
        if table is not None:
            tables.append(table)
    # Merge what did load as well, so cross-table duplicates show up in the same run.
    _, merge_problems = _merge(tables)
    diagnostics.extend(merge_problems)
    if diagnostics:
        raise EqlangError(diagnostics)
    return TableSet(tuple(tables))


def _merge(tables: Sequence[MeasureTable]) -> tuple[dict[Key, Row], list[Diagnostic]]:
    index: dict[Key, Row] = {}
    owner: dict[Key, tuple[MeasureTable, int]] = {}
    collector = _Collector()
    for table in tables:
        for position, row in enumerate(table.rows):
            key = row.key
            if key not in index:
                index[key] = row
                owner[key] = (table, position)
                continue
            first_table, first_position = owner[key]
            first = first_table.rows[first_position]
            first_span = first_table._row_span(first_position)
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
                            first_span,
                        ),
                    ),
                    hint="each (org, measure, group, period) may appear in only one table; "
                    "remove one of the rows",
                )
            )
    return index, collector.finish("the input tables")


def _load(path: str | os.PathLike[str], shown: str) -> tuple[MeasureTable | None, list[Diagnostic]]:
    data, problem = _read_bytes(path, shown)
    if problem is not None:
        return None, [problem]
    assert data is not None
    text, problem = _decode(data, shown)
    if problem is not None:
        return None, [problem]
    assert text is not None
    sha256 = hashlib.sha256(data).hexdigest()
    del data  # the text is all we need from here; let a large file's bytes go early
    source = _LazySource(shown, text, sha256)
    rows, spans, diagnostics = _Checker(source).run()
    if diagnostics:
        return None, diagnostics
    origin = _Origin(source, tuple(spans))
    return MeasureTable(shown, sha256, tuple(rows), origin=origin), []


def _unreadable(shown: str, message: str, hint: str, line: int | None = None) -> Diagnostic:
    return Diagnostic(code=E_UNREADABLE, message=message, path=shown, line=line, hint=hint)


def _read_bytes(path: str | os.PathLike[str], shown: str) -> tuple[bytes | None, Diagnostic | None]:
    too_big = "split the table into several files (for example one per period) and pass them all"
    try:
        size = os.stat(path).st_size
        if size > MAX_TABLE_BYTES:
            return None, _unreadable(
                shown,
                f"table file is {size:,} bytes; eqlang reads tables of at most "
                f"{MAX_TABLE_BYTES:,} bytes (512 MiB)",
                too_big,
            )
        with open(path, "rb") as handle:
            # Read one byte past the limit: the size from stat can be stale or meaningless
            # (pipes, growing files), and this bounds memory regardless.
            data = handle.read(MAX_TABLE_BYTES + 1)
    except FileNotFoundError:
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
            shown, f"table file is larger than {MAX_TABLE_BYTES:,} bytes (512 MiB)", too_big
        )
    return data, None


def _decode(data: bytes, shown: str) -> tuple[str | None, Diagnostic | None]:
    # Not eqlang.source.decode_source: that refuses anything over its 2 MB contract limit,
    # far below what a table may be, and its messages speak of contracts.
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, _unreadable(
            shown,
            f"file contains NUL bytes (first at byte {nul}): this looks like a binary file, "
            "such as a spreadsheet workbook, not a CSV table",
            "export the table as CSV (UTF-8)",
            line=data.count(b"\n", 0, nul) + 1,
        )
    try:
        # utf-8-sig drops one leading byte-order mark, which spreadsheet exports often add.
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, _unreadable(
            shown,
            f"table is not valid UTF-8 (byte {exc.start} is 0x{data[exc.start]:02x})",
            "save the table as CSV in UTF-8 encoding (spreadsheets call this `CSV UTF-8`)",
            line=data.count(b"\n", 0, exc.start) + 1,
        )


# ---- the CSV reader -------------------------------------------------------------------------


class _Field(NamedTuple):
    value: str  # unquoted text
    start: int  # offsets of the raw field, quotes included
    end: int
    quoted: bool


class _Record(NamedTuple):
    line: int
    start: int
    end: int  # before the line end
    fields: list[_Field]


ReportSyntax = Callable[[str, int, int, str], None]


def _read_records(text: str, report: ReportSyntax) -> Iterator[_Record]:
    """Split ``text`` into RFC 4180 records, in one pass.

    ``report(message, start, end, hint)`` receives each malformation; the reader recovers
    where it can (a stray quote stays part of its field) so later problems are found too.
    An unterminated quote swallows the rest of the file, so reading stops there.
    """
    length = len(text)
    pos = 0
    line = 1
    while pos < length:
        record_start = pos
        record_line = line
        fields: list[_Field] = []
        while True:
            if pos < length and text[pos] == '"':
                scan = pos + 1
                while True:
                    close = text.find('"', scan)
                    if close < 0:
                        report(
                            "unterminated quoted field: this quote is never closed",
                            pos,
                            pos + 1,
                            "add the closing quote; a quote inside a quoted field is written "
                            'twice ("")',
                        )
                        return
                    if close + 1 < length and text[close + 1] == '"':
                        scan = close + 2
                        continue
                    break
                value = text[pos + 1 : close].replace('""', '"')
                line += text.count("\n", pos, close)
                end = _UNQUOTED.match(text, close + 1).end()  # type: ignore[union-attr]
                if end > close + 1:
                    report(
                        "unexpected text after the closing quote of a quoted field",
                        close + 1,
                        end,
                        "put the whole field inside the quotes, and write a quote inside "
                        'them twice ("")',
                    )
                fields.append(_Field(value, pos, end, True))
            else:
                end = _UNQUOTED.match(text, pos).end()  # type: ignore[union-attr]
                value = text[pos:end]
                if '"' in value:
                    _report_stray_quote(value, pos, report)
                if "\r" in value:
                    bare = pos + value.index("\r")
                    report(
                        "carriage return without a line feed",
                        bare,
                        bare + 1,
                        "save the file with LF or CRLF line ends",
                    )
                fields.append(_Field(value, pos, end, False))
            pos = end
            if pos < length and text[pos] == ",":
                pos += 1
                continue
            break
        record_end = pos
        if pos < length:
            # The unquoted pattern stops only at a comma, LF or CRLF, so this is a line end.
            pos += 2 if text[pos] == "\r" else 1
            line += 1
        yield _Record(record_line, record_start, record_end, fields)


def _report_stray_quote(value: str, start: int, report: ReportSyntax) -> None:
    at = start + value.index('"')
    stripped = value.lstrip(" \t")
    if stripped.startswith('"') and len(stripped) != len(value):
        hint = "remove the spaces before the opening quote; a quoted field starts with the quote"
    else:
        fixed = '"' + value.replace('"', '""') + '"'
        hint = f"quote the whole field and write the quote twice: {_show(fixed)}"
    report("quote character inside an unquoted field", at, at + 1, hint)


# ---- checking -------------------------------------------------------------------------------


class _Collector:
    """Keeps the first MAX_DIAGNOSTICS diagnostics and counts the rest by code."""

    def __init__(self) -> None:
        self.shown: list[Diagnostic] = []
        self.suppressed: Counter[str] = Counter()
        self.first_suppressed: Diagnostic | None = None

    def add(self, diagnostic: Diagnostic) -> None:
        if len(self.shown) < MAX_DIAGNOSTICS:
            self.shown.append(diagnostic)
            return
        if self.first_suppressed is None:
            self.first_suppressed = diagnostic
        self.suppressed[diagnostic.code] += 1

    def __bool__(self) -> bool:
        return bool(self.shown)

    def finish(self, where: str) -> list[Diagnostic]:
        if self.first_suppressed is None:
            return list(self.shown)
        first = self.first_suppressed
        total = sum(self.suppressed.values())
        by_code = ", ".join(f"{code} x{count:,}" for code, count in sorted(self.suppressed.items()))
        summary = Diagnostic(
            code=self.suppressed.most_common(1)[0][0],
            message=f"{total:,} more problem{'s' if total != 1 else ''} in {where} "
            f"not shown ({by_code}), the first at {first.location()}",
            path=first.span.path if first.span is not None else first.path,
            line=first.span.line if first.span is not None else first.line,
            hint="fix the problems above and check again to see the rest",
        )
        return [*self.shown, summary]


class _Checker:
    """Turns the records of one decoded table into rows, collecting diagnostics."""

    def __init__(self, source: _LazySource) -> None:
        self.source = source
        self.path = source.path
        self.collector = _Collector()

    def error(
        self,
        code: str,
        message: str,
        start: int,
        end: int,
        hint: str,
        notes: tuple[Note, ...] = (),
    ) -> None:
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

    def run(self) -> tuple[list[Row], list[tuple[int, int]], list[Diagnostic]]:
        rows: list[Row] = []
        spans: list[tuple[int, int]] = []
        records = (
            record
            for record in _read_records(self.source.text, self.syntax_error)
            if not _is_blank(record)
        )
        header = next(records, None)
        if header is None:
            if not self.collector:
                self.collector.add(
                    _unreadable(
                        self.path,
                        "table is empty, expected a header row naming the columns "
                        + ", ".join(REQUIRED_COLUMNS),
                        f"start the file with the header row `{_HEADER_EXAMPLE}`",
                    )
                )
            return rows, spans, self.collector.finish("this table")
        columns = self.header(header)
        if columns is None:
            # Without every column the rows cannot be read; still scan the rest so that any
            # malformed records are reported in the same run.
            for _ in records:
                pass
            return rows, spans, self.collector.finish("this table")
        seen: dict[Key, _Record] = {}
        width = len(header.fields)
        for record in records:
            row = self.row(record, columns, width, seen)
            if row is not None:
                rows.append(row)
                spans.append((record.start, record.end))
        return rows, spans, self.collector.finish("this table")

    def header(self, record: _Record) -> dict[str, int] | None:
        """Map each required column to its field position, or report why that fails."""
        columns: dict[str, int] = {}
        extras: list[tuple[str, _Field]] = []
        problem = False
        for position, cell in enumerate(record.fields):
            name = cell.value.strip()
            if name not in REQUIRED_COLUMNS:
                extras.append((name, cell))
                continue
            if name in columns:
                first = record.fields[columns[name]]
                self.error(
                    E_COLUMN,
                    f"column `{name}` appears more than once in the header",
                    cell.start,
                    cell.end,
                    f"remove or rename one of them, so it is clear which column holds {name}",
                    (Note(f"first `{name}` column", self.source.span(first.start, first.end)),),
                )
                problem = True
                continue
            columns[name] = position
        for name in REQUIRED_COLUMNS:
            if name in columns:
                continue
            problem = True
            for index, (header_name, cell) in enumerate(extras):
                suggestion = did_you_mean(header_name, [name]) if header_name else None
                if suggestion is not None:
                    del extras[index]  # one near-miss header explains one missing column
                    self.error(
                        E_COLUMN,
                        f"missing required column `{name}`",
                        cell.start,
                        cell.end,
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

    def row(
        self, record: _Record, columns: dict[str, int], width: int, seen: dict[Key, _Record]
    ) -> Row | None:
        fields = record.fields
        if len(fields) != width:
            self.field_count(record, width)
            return None
        ok = True
        key: list[str] = []
        for name in KEY_COLUMNS:
            cell = fields[columns[name]]
            value = cell.value.strip()
            if not value:
                self.error(
                    E_EMPTY_KEY,
                    f"empty `{name}` cell",
                    cell.start,
                    cell.end,
                    f"every row needs a {name}; fill it in or delete the row",
                )
                ok = False
            key.append(value)
        org, measure, group, period = key
        numerator = self.count(fields[columns["numerator"]], "numerator")
        denominator = self.count(fields[columns["denominator"]], "denominator")
        if numerator is None or denominator is None:
            ok = False
        elif numerator > denominator:
            num_cell = fields[columns["numerator"]]
            den_cell = fields[columns["denominator"]]
            self.error(
                E_RATIO,
                f"numerator {num_cell.value} is greater than denominator {den_cell.value}",
                num_cell.start,
                num_cell.end,
                "the numerator counts members of the denominator, so it cannot be larger; "
                "check whether the two columns are swapped",
                (Note("the denominator is here", self.source.span(den_cell.start, den_cell.end)),),
            )
            ok = False
        if all(key):
            first = seen.setdefault((org, measure, group, period), record)
            if first is not record:
                self.error(
                    E_DUPLICATE,
                    f"duplicate row for {_describe((org, measure, group, period))} "
                    f"(first on line {first.line})",
                    record.start,
                    record.end,
                    "each (org, measure, group, period) may appear only once; remove one of "
                    "the rows",
                    (Note("first row with this key", self.source.span(first.start, first.end)),),
                )
                ok = False
        if not ok:
            return None
        assert numerator is not None and denominator is not None
        return Row(org, measure, group, period, numerator, denominator, self.path, record.line)

    def field_count(self, record: _Record, width: int) -> None:
        fields = record.fields
        count = len(fields)
        message = f"record has {count} field{'s' if count != 1 else ''} but the header has {width}"
        if count > width:
            self.error(
                E_RECORD,
                message,
                fields[width].start,
                fields[-1].end,
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

    def count(self, cell: _Field, name: str) -> Decimal | None:
        value = cell.value
        if _NUMBER.fullmatch(value):
            return Decimal(value)
        message, hint = _number_problem(name, value)
        self.error(E_NUMBER, message, cell.start, cell.end, hint)
        return None


def _is_blank(record: _Record) -> bool:
    # A line holding nothing (or only spaces) is layout, not a record; a lone "" is data.
    if len(record.fields) != 1:
        return False
    only = record.fields[0]
    return not only.quoted and not only.value.strip()


_PLAIN = "write a plain non-negative decimal such as `812` or `193.486`"
_NOT_NUMBERS = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "snan"}


def _number_problem(name: str, value: str) -> tuple[str, str]:
    """The message and hint for a cell that is not a plain decimal, as specific as we can."""
    shown = _show(value)
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


def _show(value: str, limit: int = 40) -> str:
    """A cell's text for a message: backquoted, control characters escaped, long text cut."""
    text = value if len(value) <= limit else value[: limit - 3] + "..."
    if any(ch < " " or ch == "\x7f" for ch in text):
        return repr(text)
    return f"`{text}`"


def _describe(key: Key) -> str:
    org, measure, group, period = key
    return f"org `{org}`, measure `{measure}`, group `{group}`, period `{period}`"
