"""The organization table: takes a file (CSV, perhaps gzip-compressed, Parquet or an Excel
workbook) and the contract's organization inputs, gives each organization's inputs as
values, checked, with the row and column each was read from.

The header names ``org`` and one column per input the contract declares (``input NAME:
TYPE``), in any order. Each further record is one organization: its name (compared as
measure tables compare it) and a value per input, written as in a contract: a count or a
number plain (``12000``, ``1.25``), money with or without a dollar sign (``$4.00``, ``4.00``),
a percent with its sign (``23.5%``; a plain 0.235 could be 23.5% or 0.235%, and is refused),
points with ``pp``, yes/no as ``yes`` or ``no`` (a workbook's TRUE and FALSE too), text as it
is. A workbook's cells formatted as percents read as percents. A value must lie in the
input's range (a count is never negative, a percent 0% to 100% unless the contract says
otherwise) or be one of its texts. A missing or doubled column, a column that is not an input,
an empty or doubled organization, a value of the wrong unit or outside its range, and (once
the measure tables are known) an organization of the measure tables without a row, are each
reported at the file, line and column, all together.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from decimal import Decimal

import attrs

from eqlang.core.program import InputInfo, Program
from eqlang.core.values import Quantity, Text, Truth, Value, display, shift
from eqlang.data.csv_records import Record, read_records, show_cell
from eqlang.data.tables import MAX_TABLE_ROWS, key_text, table_text, text_of
from eqlang.diagnostics import Collector, Diagnostic, EqlangError, did_you_mean, listed
from eqlang.syntax.source import SourceFile

E_UNREADABLE = "E0540"
E_COLUMN = "E0541"
E_VALUE = "E0542"
E_ORGANIZATION = "E0543"
E_NEEDED = "E0544"

_NUMBER = r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_PLAIN = re.compile(_NUMBER)
_PERCENT = re.compile(rf"({_NUMBER}) ?%")
_POINTS = re.compile(rf"({_NUMBER}) ?pp")
_MONEY = re.compile(rf"(-?)\$({_NUMBER[2:]})")
_YES = ("yes", "true")
_NO = ("no", "false")


@attrs.frozen
class InputCell:
    """Where an input's value was read: the table, its line (the header is line 1) and the
    column."""

    table: str
    line: int
    column: str


@attrs.frozen(eq=False)
class OrganizationTable:
    """Each organization's inputs, as read from one table (or a worked example)."""

    path: str
    sha256: str
    #: Each organization's line and its inputs' values, in the order of the table.
    entries: dict[str, tuple[int, dict[str, Value]]]

    @property
    def rows(self) -> int:
        return len(self.entries)

    def organizations(self) -> tuple[str, ...]:
        return tuple(self.entries)

    def value(self, org: str, name: str) -> tuple[Value, InputCell] | None:
        """An organization's input and where it was read; None when the table has no row
        for the organization."""
        entry = self.entries.get(org)
        if entry is None:
            return None
        line, values = entry
        return values[name], InputCell(self.path, line, name)

    def trace_fragment(self) -> dict[str, object]:
        """What a trace records of the table (see docs/trace.schema.json)."""
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows}


def load_organization_table(path: str | os.PathLike[str], program: Program,
                            display: str | None = None) -> OrganizationTable:
    """Read and check an organization table against the contract's inputs; raise
    ``EqlangError`` with every problem found."""
    shown = display if display is not None else os.fspath(path)
    if not program.inputs:
        raise EqlangError(Diagnostic(
            E_NEEDED, "the contract declares no organization inputs, so it reads no "
            "organization table", None, path=shown,
            hint="drop --organizations, or declare the inputs the table holds in the "
            "contract: `input member_months: count`"))
    text, sha256, problems = table_text(path, shown, percents=True)
    return _read(program, text, sha256, problems, shown)


def organization_table_from_bytes(data: bytes, program: Program, display: str
                                  ) -> OrganizationTable:
    """An organization table from its bytes, read already (``eqlang verify`` hashes what
    it reads, and reads it once), checked as ``load_organization_table`` checks a file."""
    text, problems = text_of(data, display, percents=True)
    return _read(program, text, hashlib.sha256(data).hexdigest(), problems, display)


def _read(program: Program, text: str | None, sha256: str, problems: list[Diagnostic],
          shown: str) -> OrganizationTable:
    if text is None or problems:
        raise EqlangError([attrs.evolve(d, code=E_UNREADABLE if d.code == "E0501"
                                        else E_VALUE) for d in problems])
    return _Reader(program.inputs, SourceFile(shown, text, sha256)).read()


class _Reader:
    def __init__(self, inputs: dict[str, InputInfo], source: SourceFile) -> None:
        self.inputs = inputs
        self.source = source
        self.collector = Collector()

    def error(self, code: str, message: str, start: int, end: int, hint: str) -> None:
        self.collector.add(Diagnostic(code, message, self.source.span(start, end), hint=hint))

    def read(self) -> OrganizationTable:
        source = self.source
        records = read_records(source.text, lambda message, start, end, hint: self.error(
            E_UNREADABLE, message, start, end, hint))
        header = next(records, None)
        columns = self.header(header) if header is not None else None
        if header is None:
            self.collector.add(Diagnostic(
                E_COLUMN, "the organization table is empty", None, path=source.path,
                hint="write a header, `org," + ",".join(self.inputs) + "`, then a row per "
                "organization"))
        entries: dict[str, tuple[int, dict[str, Value]]] = {}
        for count, record in enumerate(records if columns is not None else (), start=1):
            if count > MAX_TABLE_ROWS:
                self.error(E_UNREADABLE, f"the organization table has more than "
                           f"{MAX_TABLE_ROWS:,} rows", record.start, record.end,
                           "give one row per organization")
                break
            assert columns is not None
            self.row(record, columns, entries)
        problems = self.collector.finish(f"the organization table {source.path}")
        if problems:
            raise EqlangError(problems)
        return OrganizationTable(source.path, source.sha256, entries)

    def header(self, record: Record) -> dict[str, int] | None:
        names = [key_text(v) for v in record.values]
        columns: dict[str, int] = {}
        ok = True
        for index, name in enumerate(names):
            start, end = record.cell(index)
            if name in columns:
                self.error(E_COLUMN, f"column `{name}` appears twice in the header", start,
                           end, "keep one")
                ok = False
            elif name != "org" and name not in self.inputs:
                self.error(E_COLUMN, f"column `{name}` is not an organization input of the "
                           "contract", start, end,
                           did_you_mean(name, self.inputs) or "the contract's inputs are: "
                           + listed(list(self.inputs)) + "; remove the column, or declare "
                           f"it: `input {name}: TYPE`")
                ok = False
            columns[name] = index
        missing = [n for n in ("org", *self.inputs) if n not in columns]
        if missing:
            self.error(E_COLUMN, "the header has no column " + ", ".join(
                f"`{n}`" for n in missing), record.start, record.end,
                "the header names `org` and every input the contract declares: `org,"
                + ",".join(self.inputs) + "`")
            ok = False
        return columns if ok else None

    def row(self, record: Record, columns: dict[str, int],
            entries: dict[str, tuple[int, dict[str, Value]]]) -> None:
        values_text = record.values
        line = record.line
        cell = record.cell

        def text_at(index: int) -> str:
            return values_text[index] if index < len(values_text) else ""

        org_index = columns["org"]
        org = key_text(text_at(org_index))
        start, end = cell(min(org_index, len(values_text) - 1))
        if not org:
            self.error(E_ORGANIZATION, "the organization's name is empty", start, end,
                       "write the organization's name as the measure tables spell it")
            return
        if org in entries:
            self.error(E_ORGANIZATION, f"organization \"{org}\" has two rows (the first on "
                       f"line {entries[org][0]})", start, end,
                       "give each organization one row")
            return
        values: dict[str, Value] = {}
        for name, info in self.inputs.items():
            index = columns[name]
            raw = text_at(index)
            start, end = cell(min(index, len(values_text) - 1))
            found = input_value(info, raw)
            if isinstance(found, tuple):
                message, hint = found
                self.error(E_VALUE, f"{org}: {message}", start, end, hint)
                continue
            values[name] = found
        if len(values) == len(self.inputs):
            entries[org] = (line, values)


def input_value(info: InputInfo, raw: str) -> Value | tuple[str, str]:
    """The value a cell (or a worked example) gives an input, or why it cannot: a message
    and a hint."""
    text = raw.strip()
    name = info.name
    if not text:
        return (f"`{name}` has no value", f"write {_example(info)}")
    if info.type == "yesno":
        if text.lower() in _YES or text.lower() in _NO:
            return Truth(text.lower() in _YES)
        return (f"`{name}` is yes or no, not {show_cell(text)}", "write yes or no")
    if info.type == "text":
        value = key_text(text)
        if info.choices and value not in info.choices:
            return (f"`{name}` is one of " + ", ".join(f'"{c}"' for c in info.choices)
                    + f", not {show_cell(value)}",
                    did_you_mean(value, info.choices) or "write one of the values the "
                    "contract declares, spelled as it spells them")
        return Text(value)
    # Imported here: eqlang.check reads worked examples' inputs through this module.
    from eqlang.check import units as t

    written, magnitude = _quantity(text)
    if written is None or magnitude is None:
        return (f"`{name}` is {t.describe(info.type)}, and {show_cell(text)} is not a number",
                f"write {_example(info)}")
    if info.type == "money" and written == "number":
        written = "money"
    if written != info.type and not (written == "number" and info.type in ("count", "number")):
        hint = t.unit_hint(written, info.type) or f"write {_example(info)}"
        if written == "number" and info.type == "percent":
            hint = (f"write the share with its sign, {_example(info)}: a plain {text} could "
                    f"mean {text}% or {_times_100(text)}% (a Parquet column of percents is "
                    "text, such as \"23.5%\")")
        return (f"`{name}` is {t.describe(info.type)}, but {show_cell(text)} is "
                f"{t.describe(written)}", hint)
    quantity = Quantity(info.type, magnitude)
    return quantity if info.admits(magnitude) else (
        f"`{name}` is {display(quantity)}, outside its range {_range(info)}",
        "check the value; the contract's declaration says which values an input may take")


def range_problem(info: InputInfo, value: Value) -> tuple[str, str] | None:
    """Why a value given another way (a worked example) is not one the input may take."""
    if isinstance(value, Quantity) and not info.admits(value.magnitude):
        return (f"`{info.name}` is {display(value)}, outside its range {_range(info)}",
                "give a value within the range the contract declares")
    if isinstance(value, Text) and info.choices and value.value not in info.choices:
        return (f"`{info.name}` is one of " + ", ".join(f'"{c}"' for c in info.choices)
                + f", not \"{value.value}\"", did_you_mean(value.value, info.choices)
                or "write one of the values the contract declares")
    return None


def missing_organizations(table: OrganizationTable, organizations: Iterable[str],
                          where: str) -> list[Diagnostic]:
    """An error for each organization of the measure tables (named ``where``) that the
    organization table has no row for."""
    missing = [org for org in organizations if org not in table.entries]
    known = table.organizations()
    return [Diagnostic(
        E_ORGANIZATION, f"organization \"{org}\" is in the measure tables ({where}) but has no "
        "row in the organization table", None, path=table.path,
        hint=did_you_mean(org, known) or "add its row: every organization settled, and every "
        "peer it is compared with, needs its inputs") for org in missing]


def _quantity(text: str) -> tuple[str | None, Decimal | None]:
    """The unit a number is written in and its magnitude (a percent as a fraction)."""
    for pattern, unit in ((_PERCENT, "percent"), (_POINTS, "pp")):
        match = pattern.fullmatch(text)
        if match is not None:
            return unit, shift(Decimal(match.group(1).replace(",", "")), -2)
    match = _MONEY.fullmatch(text)
    if match is not None:
        return "money", Decimal(match.group(1) + match.group(2).replace(",", ""))
    if _PLAIN.fullmatch(text):
        return "number", Decimal(text.replace(",", ""))
    return None, None


def _times_100(text: str) -> str:
    shown = format(Decimal(text.replace(",", "")) * 100, "f")
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def _example(info: InputInfo) -> str:
    if info.choices:
        return "one of " + ", ".join(info.choices)
    return {"money": "an amount such as $4.00", "percent": "a percent such as 23.5%",
            "pp": "points such as 1.5 pp", "count": "a count such as 12000",
            "number": "a number such as 1.25", "yesno": "yes or no",
            "text": "text"}[info.type]


def _range(info: InputInfo) -> str:
    def shown(magnitude: Decimal) -> str:
        return display(Quantity(info.type, magnitude))
    low = f"{'from' if info.low_closed else 'above'} {shown(info.low)}" \
        if info.low.is_finite() else ""
    high = f"{'through' if info.high_closed else 'below'} {shown(info.high)}" \
        if info.high.is_finite() else ""
    return " ".join(x for x in (low, high) if x)


def inputs_for_run(program: Program, table: OrganizationTable | str | os.PathLike[str] | None,
                   organizations: Iterable[str], where: str) -> OrganizationTable | None:
    """The organization table a run reads (a path is loaded), checked against the
    organizations of its measure tables (named ``where``): None for a contract without
    inputs; an error when the contract and the run disagree about having one."""
    if table is not None and not isinstance(table, OrganizationTable):
        table = load_organization_table(table, program)
    if not program.inputs:
        if table is not None:
            raise EqlangError(Diagnostic(
                E_NEEDED, "the contract declares no organization inputs, so it reads no "
                "organization table", None, path=table.path,
                hint="drop --organizations, or declare the inputs the table holds in the "
                "contract: `input member_months: count`"))
        return None
    if table is None:
        raise EqlangError(Diagnostic(
            E_NEEDED, "the contract reads organization inputs ("
            + listed(list(program.inputs)) + "), but no organization table was given", None,
            path=program.main.source.path,
            hint="give each organization's inputs in a table with a column `org` and one "
            "per input: `--organizations organizations.csv`"))
    problems = missing_organizations(table, organizations, where)
    if problems:
        raise EqlangError(problems)
    return table
