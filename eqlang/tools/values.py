"""Every value of a settlement as a table: takes trace sections (``eqlang.tools.sections``),
gives one record per organization, rule, arguments and value (outputs, definitions,
parameters, measure facts and table values alike), and writes them as CSV, Parquet or
Excel, or gives them as a pandas frame.

Values stay exact: a record's ``value`` is a ``Decimal`` in the unit as written in
contracts (35 for 35%), ``text`` the same digits as a string. Parquet stores ``value`` as
an Arrow decimal wide enough for every digit; Excel, whose numbers are binary floating
point, gets each value both as a number (for formulas) and as text (every digit).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from eqlang.core import program as p
from eqlang.outputs import write_atomic_bytes
from eqlang.tools.sections import Section
from eqlang.trace.writer import PEERS

#: The columns of every values table, in order.
COLUMNS = ("organization", "rule", "arguments", "kind", "value", "text", "unit", "scored",
           "reason", "note", "rounding", "source", "citation")

#: Extensions ``write_values`` knows, and the format each means.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel"}

_NUMERIC = frozenset({"money", "percent", "pp", "count", "number"})
_KINDS = ("output", "definition", "schedule", "parameter", "measure", "input")
_RULE_KINDS = frozenset({"output", "definition", "schedule"})


def records(section: Section, program: p.Program) -> list[dict[str, Any]]:
    """One record per value the organization's settlement reached, in a stable order:
    outputs, then definitions, parameters, measure facts and table values, each in the
    order the contract declares them."""
    found = []
    for node_id, node in section.nodes.items():
        found.append(_record(section.org, node_id, node))
    # Values the same for every organization that the contract's rules define (a peer
    # median) are the organization's values too; other organizations' are theirs.
    for used in _peer_uses(section):
        node = section.node(used)
        if node is not None and node["kind"] in _RULE_KINDS:
            found.append(_record(section.org, used[len(PEERS):], node))
    order = {name: index for index, name in enumerate(
        [*program.rules, *program.parameters])}
    places = argument_places(program)
    found.sort(key=lambda r: (_KINDS.index(r["kind"]) if r["kind"] in _KINDS else len(_KINDS),
                              order.get(r["rule"], len(order)),
                              tuple((places.get(a, len(places)), a)
                                    for a in r["arguments"].split(", "))))
    return found


def argument_places(program: p.Program) -> dict[str, int]:
    """Where each measure, group and period comes in the contract: arguments are listed in
    that order, not alphabetically."""
    names = [*program.contract_measures, *program.measures,
             *(g for strat in program.stratifications.values() for g in strat.groups),
             "ALL", *program.periods, *program.periods.values()]
    return {name: index for index, name in reversed(list(enumerate(names)))}


def _peer_uses(section: Section) -> list[str]:
    seen: dict[str, None] = {}
    for node in section.nodes.values():
        for used in node["uses"]:
            if used.startswith(PEERS) and "::" not in used[len(PEERS):]:
                seen[used] = None
    return list(seen)


def _record(org: str, node_id: str, node: dict[str, Any]) -> dict[str, Any]:
    encoded = node["value"]
    unit = encoded.get("type")
    scored = "not_scored" not in encoded
    text = encoded.get("value") if scored else None
    return {
        "organization": org,
        "rule": node["name"],
        "arguments": ", ".join(node["args"]),
        "kind": node["kind"],
        "value": Decimal(text) if scored and unit in _NUMERIC and text is not None else None,
        "text": text,
        "unit": unit,
        "scored": scored,
        "reason": None if scored else encoded["not_scored"],
        "note": encoded.get("note") or node.get("note"),
        "rounding": node.get("rounded"),
        "source": node.get("at"),
        "citation": node.get("citation"),
    }


def frame(rows: Sequence[dict[str, Any]]) -> Any:
    """The records as a pandas ``DataFrame``; ``value`` holds Python ``Decimal``s (object
    dtype), never floats."""
    import pandas as pd

    data = {column: [row[column] for row in rows] for column in COLUMNS}
    result = pd.DataFrame({column: pd.Series(values, dtype=_dtype(column))
                           for column, values in data.items()})
    return result


def _dtype(column: str) -> str:
    if column == "value":
        return "object"
    if column == "scored":
        return "bool"
    return "object"


def format_of(path: str | os.PathLike[str]) -> str | None:
    """``csv``, ``parquet`` or ``excel`` by the file's extension, or None."""
    return FORMATS.get(Path(path).suffix.lower())


def write_values(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]],
                 program: p.Program, protected: list[str | Path]) -> int:
    """Write the records to ``path`` in the format its extension names, atomically (nothing
    is left on failure, and no input is overwritten); gives the number of records."""
    kind = format_of(path)
    if kind is None:
        raise ValueError(f"{path}: name a file ending in .csv, .parquet or .xlsx")
    listed = list(rows)
    produce: Callable[[Any], None] = {
        "csv": lambda out: _csv(out, listed),
        "parquet": lambda out: _parquet(out, listed),
        "excel": lambda out: _excel(out, listed, program),
    }[kind]
    write_atomic_bytes(path, produce, protected)
    return len(listed)


def _csv(out: io.BufferedWriter, rows: list[dict[str, Any]]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    header = [c for c in COLUMNS if c != "value"]
    writer.writerow(["value" if c == "text" else c for c in header])
    for row in rows:
        writer.writerow(["" if row[c] is None else
                         ("yes" if row[c] else "no") if c == "scored" else row[c]
                         for c in header])
    text.flush()
    text.detach()


def decimal_type(values: Iterable[Decimal | None]) -> Any:
    """The narrowest Arrow decimal that holds every value exactly (text where none does)."""
    import pyarrow as pa

    scale = 0
    whole = 1
    for value in values:
        if value is None:
            continue
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        scale = max(scale, -exponent)
        whole = max(whole, value.adjusted() + 1)
    precision = max(1, whole + scale)
    if precision > 76:
        # Wider than any Arrow decimal: the digits go as text, never as a float.
        return pa.string()
    return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision,
                                                                                  scale)


def arrow_table(rows: Sequence[dict[str, Any]]) -> Any:
    """The records as an Arrow table, ``value`` an exact decimal column."""
    import pyarrow as pa

    values = [row["value"] for row in rows]
    columns = {}
    for column in COLUMNS:
        data = [row[column] for row in rows]
        if column == "value":
            kind = decimal_type(values)
            columns[column] = pa.array(values if kind != pa.string() else
                                       [row["text"] if v is not None else None
                                        for row, v in zip(rows, values, strict=True)],
                                       type=kind)
        elif column == "scored":
            columns[column] = pa.array(data, type=pa.bool_())
        else:
            columns[column] = pa.array(data, type=pa.string())
    return pa.table(columns)


def _parquet(out: io.BufferedWriter, rows: list[dict[str, Any]]) -> None:
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(rows), out)


def families(program: p.Program) -> dict[str, frozenset[str]]:
    """Each output with every rule it reaches through the rules it calls: its family."""
    calls = {name: frozenset(e.rule for part in _parts(rule) for e in p.walk(part)
                             if isinstance(e, p.Call))
             for name, rule in program.rules.items()}
    result = {}
    for output in program.outputs:
        reached = {output}
        stack = [output]
        while stack:
            for called in calls.get(stack.pop(), ()):
                if called not in reached:
                    reached.add(called)
                    stack.append(called)
        result[output] = frozenset(reached)
    return result


def _parts(rule: p.Rule) -> list[p.Expr]:
    return [x for x in (rule.body, *(e.value for e in rule.exceptions),
                        *(e.condition for e in rule.exceptions),
                        *(t.value for t in rule.tiers)) if x is not None]


def _excel(out: io.BufferedWriter, rows: list[dict[str, Any]], program: p.Program) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    header = ["organization", "rule", "arguments", "kind", "value", "value (exact text)",
              "unit", "scored", "reason", "note", "rounding", "source", "citation"]
    sheets: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        (name, lambda row, family=family: row["rule"] in family and row["kind"] in _RULE_KINDS)
        for name, family in families(program).items()]
    sheets.append(("inputs", lambda row: row["kind"] not in _RULE_KINDS))
    used: set[str] = set()
    for name, belongs in sheets:
        title = _sheet_title(name, used)
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            if belongs(row):
                sheet.append([_text_cell(sheet, cell) for cell in (
                    row["organization"], row["rule"], row["arguments"], row["kind"],
                    row["value"], row["text"], row["unit"], "yes" if row["scored"] else "no",
                    row["reason"], row["note"], row["rounding"], row["source"],
                    row["citation"])])
    buffer = io.BytesIO()
    book.save(buffer)
    out.write(_steady_zip(buffer.getvalue()))


#: The date a workbook is stamped with, so that the same values give the same bytes.
_STAMP = "1980-01-01T00:00:00Z"
_STAMPED = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _steady_zip(data: bytes) -> bytes:
    """The workbook with its save time taken out: openpyxl stamps the document and each
    zip entry with the time it was saved."""
    result = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _STAMPED.sub(rf"\g<1>{_STAMP}\g<2>",
                                       content.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return result.getvalue()


def _text_cell(sheet: Any, value: Any) -> Any:
    """A cell of text stored as text: openpyxl would store a name beginning with ``=`` as
    a formula, which a spreadsheet then runs."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _sheet_title(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters), unique in the workbook."""
    title = name[:31]
    number = 2
    while title.lower() in used:
        suffix = f" {number}"
        title = name[:31 - len(suffix)] + suffix
        number += 1
    used.add(title.lower())
    return title
