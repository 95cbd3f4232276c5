"""Traces: takes an evaluated run, gives one canonical JSON document an auditor can follow.

The trace records what went in (the contract and every module with their SHA-256, each table
with its SHA-256 and row count, overrides and the settlement date) and, per organization,
every evaluated value: its source span and expression text, the values it used and the table
rows behind each input. Keys are sorted, numbers are decimal strings and ids are derived from
names and arguments, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from eqlang import __version__
from eqlang import syntax as s
from eqlang.check import Program
from eqlang.evaluate import Evaluator, Node, Settlement
from eqlang.tables import TableSet
from eqlang.values import (
    DateValue,
    Entity,
    Group,
    Mode,
    NotScored,
    Quantity,
    Text,
    Truth,
    Value,
    exact_text,
)

FORMAT = "eqlang-trace/1"


def encode_value(value: Value | None) -> dict[str, str]:
    """A value as JSON: ``{"type": "money", "value": "350000.00"}`` or ``{"not_scored": ...}``."""
    if value is None:
        return {"not_scored": "not evaluated"}
    if isinstance(value, NotScored):
        return {"not_scored": value.reason}
    if isinstance(value, Quantity):
        encoded = {"type": value.unit, "value": exact_text(value)}
        if value.note:
            encoded["note"] = value.note
        return encoded
    if isinstance(value, Truth):
        return {"type": "yesno", "value": "yes" if value.value else "no"}
    if isinstance(value, Entity):
        return {"type": value.kind, "value": value.name}
    if isinstance(value, Group):
        return {"type": "group", "value": value.label}
    if isinstance(value, DateValue):
        return {"type": "date", "value": value.value.isoformat()}
    if isinstance(value, Text):
        return {"type": "text", "value": value.value}
    assert isinstance(value, Mode)
    return {"type": "rounding mode", "value": value.mode}


def _expression_text(node: Node) -> str:
    if node.span is None:
        return ""
    return " ".join(node.span.text.split())


def _definition_text(node: Node, program: Program) -> str:
    """The rule as written: the body (or the applied exception) rather than the whole header."""
    callable_ = program.callables.get(node.name)
    if node.kind in ("input", "measure") or callable_ is None:
        return _expression_text(node)
    declaration = callable_.declaration
    if isinstance(declaration, s.Schedule):
        return " ".join(declaration.span.text.split())
    if node.span is not None and node.span != declaration.span:
        return " ".join(node.span.text.split())
    text = " ".join(declaration.body.span.text.split())
    if isinstance(declaration, s.Output):
        text += ", " + " ".join(declaration.rounding.span.text.split())
    return text


class _Texts:
    """Rule texts and locations, computed once per rule rather than once per node."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rules: dict[tuple[str, int], str] = {}
        self.locations: dict[int, str] = {}

    def rule(self, node: Node) -> str:
        key = (node.name, id(node.span))
        text = self.rules.get(key)
        if text is None:
            text = self.rules[key] = (
                _parameter_text(node, self.program) if node.kind == "parameter"
                else _definition_text(node, self.program)
            )
        return text

    def location(self, node: Node) -> str:
        assert node.span is not None
        text = self.locations.get(id(node.span))
        if text is None:
            text = self.locations[id(node.span)] = node.span.location()
        return text


def encode_node(node: Node, viewer: str, program: Program,
                texts: _Texts | None = None) -> dict[str, Any]:
    texts = texts or _Texts(program)
    encoded: dict[str, Any] = {
        "kind": node.kind,
        "name": node.name,
        "args": list(node.args),
        "value": encode_value(node.value),
        "uses": [_use_id(u, viewer) for u in node.uses],
    }
    callable_ = program.callables.get(node.name)
    if callable_ is not None and callable_.params:
        encoded["params"] = [p.name for p in callable_.params]
    encoded["expr"] = texts.rule(node)
    if node.span is not None:
        encoded["at"] = texts.location(node)
    if node.rows:
        encoded["rows"] = [
            {"table": r.table, "line": r.line, "group": r.group, "period": r.period,
             "numerator": format(r.numerator, "f"), "denominator": format(r.denominator, "f")}
            for r in node.rows
        ]
    if node.citation:
        encoded["citation"] = node.citation
    if node.note:
        encoded["note"] = node.note
    if node.org not in ("", viewer):
        encoded["org"] = node.org
    return encoded


def _parameter_text(node: Node, program: Program) -> str:
    if node.span is None:
        return ""
    info = program.parameters[node.name]
    if node.span == info.declaration.span:
        return " ".join(info.declaration.value.span.text.split())
    return " ".join(node.span.text.split())


def _use_id(global_id: str, viewer: str) -> str:
    org, _, local = global_id.partition("\x1f")
    return local if org in ("", viewer) else f"{org}::{local}"


def _encode_outputs(settlement: Settlement) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in settlement.outputs.items():
        node = settlement.output_nodes[name]
        if isinstance(value, dict):
            assert isinstance(node, dict)
            result[name] = {k: {"node": node[k], "value": encode_value(v)}
                            for k, v in value.items()}
        else:
            assert isinstance(node, str)
            result[name] = {"node": node, "value": encode_value(value)}
    return result


def build(program: Program, tables: TableSet, evaluator: Evaluator,
          settlements: list[Settlement], overrides: dict[str, str]) -> dict[str, Any]:
    """The whole trace of one run as plain JSON data."""
    organizations: dict[str, Any] = {}
    texts = _Texts(program)
    for settlement in settlements:
        roots: list[str] = []
        for node in settlement.output_nodes.values():
            roots.extend(node.values() if isinstance(node, dict) else [node])
        nodes = evaluator.reachable(settlement.org, roots)
        organizations[settlement.org] = {
            "outputs": _encode_outputs(settlement),
            "nodes": {
                trace_id: encode_node(node, settlement.org, program, texts)
                for trace_id, node in nodes.items()
            },
        }
    modules = [
        {"path": m.source.path, "sha256": m.source.sha256}
        for m in program.modules[1:]
    ]
    return {
        "format": FORMAT,
        "eqlang_version": __version__,
        "contract": {
            "path": program.main.source.path,
            "sha256": program.main.source.sha256,
            "modules": sorted(modules, key=lambda m: m["path"]),
        },
        "tables": [
            {"path": table.path, "sha256": table.sha256, "rows": len(table.rows)}
            for table in tables.tables
        ],
        "overrides": dict(sorted(overrides.items())),
        "as_of": evaluator.as_of.isoformat() if evaluator.as_of else None,
        "organizations": organizations,
    }


def dumps(trace: dict[str, Any]) -> str:
    """Canonical JSON text: sorted keys, no insignificant whitespace, UTF-8, final newline.

    Compact output also keeps large traces fast: indented output would go through the
    pure-Python encoder and take several times longer.
    """
    return json.dumps(trace, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def write_atomic(path: str | Path, text: str, protected: list[str] | None = None) -> None:
    """Write through a temporary file and a rename, so a reader never sees half a file.

    ``protected`` lists input paths that must never be overwritten.
    """
    target = Path(path)
    for other in protected or []:
        if target.exists() and target.resolve() == Path(other).resolve():
            raise OSError(f"refusing to overwrite the input file {other}")
    # Through a link, the file it names is rewritten, and the link stays.
    target = target.resolve() if target.is_symlink() else target
    directory = target.parent if str(target.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            # mkstemp makes the file private; a rewritten file keeps its own permissions.
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
