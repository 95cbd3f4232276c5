"""Measure tables that are not plain CSV: takes the bytes of a gzip-compressed CSV, a Parquet
file or an Excel workbook, gives CSV text with one line per row, for ``eqlang.data.tables``
to check as it checks any table.

Numbers are taken exactly. A Parquet decimal or integer is written out in full; a
floating-point number (every number in an Excel workbook is one, and a Parquet DOUBLE) is
taken as the shortest decimal that reads back as the same binary number, which is what the
person who typed it wrote, and refused when that has more than 15 significant digits (Excel
keeps 15: more means the value was computed, and its decimals are an approximation). A
formula is taken by the value Excel saved with it, and refused when none was saved. Text
cells stay text. Line numbers of the text are row numbers of the source: a workbook's row 7
is line 7, and a Parquet file's first record, like a CSV file's, is line 2.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zlib
from decimal import Decimal
from typing import Any

import attrs

#: Excel keeps 15 significant digits of a number.
MAX_DIGITS = 15


@attrs.frozen
class CellProblem:
    """A cell that cannot be taken exactly, at its row (and column, where there is one)."""

    message: str
    hint: str
    row: int
    column: int | None = None


class Unreadable(Exception):
    """The file as a whole cannot be read; the message says why, ``hint`` what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def gunzip(data: bytes, limit: int) -> bytes:
    """The content of a gzip file, refused once it would exceed ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        content = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise Unreadable(f"the gzip file is damaged: {error}",
                         "compress the table again, or give it uncompressed") from None
    if len(content) > limit or inflater.unconsumed_tail:
        raise Unreadable(f"the table inside the gzip file is larger than {limit:,} bytes",
                         "split the table into several files (for example one per "
                         "period) and pass them all")
    if not inflater.eof:
        raise Unreadable("the gzip file is cut short", "copy or compress the table again")
    return content


def _number(value: float, row: int, column: int | None,
            problems: list[CellProblem]) -> str:
    text = repr(value)
    if text in ("nan", "inf", "-inf"):
        problems.append(CellProblem(f"the cell holds {text}, not a number", "fill in the count",
                                    row, column))
        return text
    exact = Decimal(text)
    digits = len(exact.normalize().as_tuple().digits)
    if digits > MAX_DIGITS:
        problems.append(CellProblem(
            f"the number {text} has {digits} significant digits; eqlang takes at most "
            f"{MAX_DIGITS} from a floating-point cell, as Excel keeps",
            "round the count to the decimals meant (for example =ROUND(A1, 3) and paste "
            "values), or store it as text", row, column))
    return _plain(exact)


def _plain(value: Decimal) -> str:
    plain = format(value, "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def _cell(value: Any, row: int, column: int | None, problems: list[CellProblem]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value, row, column, problems)
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else \
            value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        # An empty row stays an empty line, so that line numbers remain row numbers.
        if any(row):
            writer.writerow(row)
        else:
            out.write("\n")
    return out.getvalue()


def parquet_text(data: bytes) -> tuple[str, list[CellProblem]]:
    """A Parquet table as CSV text: the header, then one line per record."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as error:
        raise Unreadable(f"the Parquet file cannot be read: {error}",
                         "write the table again as Parquet, or export it as CSV") from None
    problems: list[CellProblem] = []
    columns = table.column_names
    rows = [list(columns)]
    for number, record in enumerate(table.to_pylist(), start=2):
        rows.append([_cell(record[name], number, None, problems) for name in columns])
    return _csv(rows), problems


def xlsx_text(data: bytes, limit: int, percents: bool = False
              ) -> tuple[str, list[CellProblem]]:
    """The first worksheet of an Excel workbook as CSV text, one line per sheet row. With
    ``percents``, a number in a cell formatted as a percent is written as one (``23.5%``,
    where Excel holds 0.235)."""
    import openpyxl

    stream = io.BytesIO(data)
    try:
        with zipfile.ZipFile(stream) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise Unreadable(f"the workbook is damaged: {error}",
                         "save it again from Excel, or export the table as CSV") from None
    if inflated > limit:
        # A workbook is a ZIP archive; this bounds what opening it can take.
        raise Unreadable(f"the workbook unpacks to {inflated:,} bytes, more than the "
                         f"{limit:,} eqlang reads", "export the table as CSV or Parquet")
    try:
        formulas = openpyxl.load_workbook(stream, read_only=True, data_only=False)
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise Unreadable(f"the workbook cannot be read: {error}",
                         "save it again from Excel, or export the table as CSV") from None
    problems: list[CellProblem] = []
    rows: list[list[str]] = []
    sheet = values.worksheets[0]
    written = formulas.worksheets[0]
    for number, (cells, sources) in enumerate(
            zip(sheet.iter_rows(values_only=not percents), written.iter_rows(values_only=True),
                strict=False), start=1):
        row = []
        for column, (cell, source) in enumerate(zip(cells, sources, strict=False), start=1):
            value = cell.value if percents else cell
            if value is None and isinstance(source, str) and source.startswith("="):
                problems.append(CellProblem(
                    f"the cell holds the formula {source[:40]} with no saved value",
                    "open the workbook in Excel and save it (Excel saves each formula's "
                    "value), or paste the values", number, column))
            text = _cell(value, number, column, problems)
            if percents and isinstance(value, int | float) and not isinstance(value, bool) \
                    and "%" in str(getattr(cell, "number_format", "")):
                text = _plain(Decimal(text) * 100) + "%"
            row.append(text)
        while row and not row[-1]:
            row.pop()
        rows.append(row)
    formulas.close()
    values.close()
    width = max((len(row) for row in rows), default=0)
    return _csv([row + [""] * (width - len(row)) if any(row) else [] for row in rows]), problems
