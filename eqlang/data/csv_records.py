"""The CSV reader of measure tables: takes decoded text, gives RFC 4180 records with the
offset of every field, which diagnostics need and Python's ``csv`` module does not give.

Malformed records are reported through a callback with their offsets, and the reader
recovers where it can (a stray quote stays part of its field) so that later problems are
found in the same run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# An unquoted field runs to the next comma, LF or CRLF. A lone CR is swallowed into the field
# (and reported there) so that it cannot end a record the line numbers never counted.
_UNQUOTED = re.compile(r"[^,\r\n]*+(?:\r(?!\n)[^,\r\n]*+)*+")

# A well-formed field and record. The quantifiers are possessive: inside quotes a `""` is
# always an escaped quote, so the longest run is the only correct reading, and refusing to
# backtrack keeps a failed match linear instead of exponential.
_FIELD = r'(?:"(?:[^"]++|"")*+"|[^,"\r\n]*+)'
_FIELD_AT = re.compile(_FIELD)
_CLEAN_RECORD = re.compile(rf"{_FIELD}(?:,{_FIELD})*+(?=\r?\n|\Z)")
_CELLS = re.compile(r'(?:^|,)(?:"((?:[^"]++|"")*+)"|([^,"\r\n]*+))')


def show_cell(value: str, limit: int = 40) -> str:
    """A cell's text for a message: backquoted, control characters escaped, long text cut."""
    text = value if len(value) <= limit else value[: limit - 3] + "..."
    if any(ch < " " or ch == "\x7f" for ch in text):
        return repr(text)
    return f"`{text}`"


class Record:
    """One CSV record: its cell values, and where each raw cell (quotes included) lies."""

    __slots__ = ("_bounds", "end", "line", "start", "text", "values")

    def __init__(
        self,
        text: str,
        line: int,
        start: int,
        end: int,
        values: list[str],
        bounds: list[tuple[int, int]] | None = None,
    ) -> None:
        self.text = text
        self.line = line
        self.start = start
        self.end = end  # before the line end
        self.values = values
        self._bounds = bounds

    def cell(self, index: int) -> tuple[int, int]:
        """Start and end offsets of one raw cell."""
        if self._bounds is None:
            # Well-formed records are split without noting offsets; they are worked out
            # here, on the error path, which most records never take.
            bounds = []
            pos = self.start
            while True:
                end = _FIELD_AT.match(self.text, pos).end()  # type: ignore[union-attr]
                bounds.append((pos, end))
                if end >= self.end or self.text[end] != ",":
                    break
                pos = end + 1  # past the comma
            self._bounds = bounds
        return self._bounds[index]


ReportSyntax = Callable[[str, int, int, str], None]


def read_records(text: str, report: ReportSyntax) -> Iterator[Record]:
    """Split ``text`` into RFC 4180 records, in one pass, leaving out blank lines.

    ``report(message, start, end, hint)`` receives each malformation; the reader recovers
    where it can (a stray quote stays part of its field) so later problems are found too.
    An unterminated quote swallows the rest of the file, so reading stops there.
    """
    length = len(text)
    find = text.find
    pos = 0
    line = 1
    while pos < length:
        newline = find("\n", pos)
        stop = length if newline < 0 else newline
        end = stop - 1 if newline > pos and text[newline - 1] == "\r" else stop
        raw = text[pos:end]
        if '"' not in raw and "\r" not in raw:
            # The common case, a line without quotes: str.split is several times faster than
            # the regular expressions below.
            if raw.strip():
                yield Record(text, line, pos, end, raw.split(","))
            pos = stop + 1
            line += 1
            continue
        clean = _CLEAN_RECORD.match(text, pos)
        if clean is not None:
            # Well-formed quoting (many exports quote every text cell): one regex pass in C.
            end = clean.end()
            values = [
                quoted.replace('""', '"') if quoted else plain
                for quoted, plain in _CELLS.findall(text[pos:end])
            ]
            record = Record(text, line, pos, end, values)
            line += text.count("\n", pos, end)
            if end < length:
                end += 2 if text[end] == "\r" else 1
                line += 1
            pos = end
            yield record
            continue
        result = _read_quoted_record(text, pos, line, report)
        if result is None:
            return
        record, pos, line = result
        if len(record.values) > 1 or record.values[0].strip() or text[record.start] == '"':
            yield record


def _read_quoted_record(
    text: str, pos: int, line: int, report: ReportSyntax
) -> tuple[Record, int, int] | None:
    """Read one record that may hold quotes, from ``pos``; give it, the next position and
    the next record's line, or None after reporting a quote that is never closed."""
    length = len(text)
    start = pos
    first_line = line
    values: list[str] = []
    bounds: list[tuple[int, int]] = []
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
                    return None
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
                    "put the whole field inside the quotes, and write a quote inside them "
                    'twice ("")',
                )
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
        values.append(value)
        bounds.append((pos, end))
        pos = end
        if pos < length and text[pos] == ",":
            pos += 1
            continue
        break
    record = Record(text, first_line, start, pos, values, bounds)
    if pos < length:
        # The unquoted pattern stops only at a comma, LF or CRLF, so this is a line end.
        pos += 2 if text[pos] == "\r" else 1
        line += 1
    return record, pos, line


def _report_stray_quote(value: str, start: int, report: ReportSyntax) -> None:
    at = start + value.index('"')
    stripped = value.lstrip(" \t")
    if stripped.startswith('"') and len(stripped) != len(value):
        hint = "remove the spaces before the opening quote; a quoted field starts with the quote"
    else:
        fixed = '"' + value.replace('"', '""') + '"'
        hint = f"quote the whole field and write the quote twice: {show_cell(fixed)}"
    report("quote character inside an unquoted field", at, at + 1, hint)
