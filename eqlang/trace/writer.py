"""Traces: takes an evaluated run, gives one canonical JSON document an auditor can follow.

The trace records what went in (the contract and every module with their SHA-256, each table
with its SHA-256 and row count, how a table made from member files was made, the
organization table, overrides and the settlement date) and, per organization,
every evaluated value: its source span and expression text, the values it used and the table
rows behind each input, and the rule as it was applied (``eqlang.trace.reading``). Values
that are the same for every organization (a peer median) and values of other organizations
that one organization's settlement read (a peer's rate) are written once, in ``peers``, which
the organizations' values refer to as ``peers::ID``. Keys are sorted, numbers are decimal
strings and ids are derived from names and arguments, so the same inputs always give the
same bytes. ``TraceWriter`` writes the document while the run settles, one organization at
a time, so memory does not grow with the trace.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

import attrs

from eqlang import __version__
from eqlang.backends.derivation import VARIED, Derivation, Key, Settlement
from eqlang.backends.exact import Evaluator
from eqlang.core import program as p
from eqlang.core.values import (
    DateValue,
    Entity,
    Group,
    Mode,
    NotScored,
    Quantity,
    Text,
    Truth,
    Value,
    display,
    exact_text,
)
from eqlang.data.tables import TableSet
from eqlang.outputs import refuse_inputs as refuse_inputs
from eqlang.outputs import write_atomic as write_atomic
from eqlang.outputs import write_atomic_stream as write_atomic_stream
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_expr
from eqlang.syntax.source import Span
from eqlang.trace.reading import Reader, Slot, Template, decisions, substituted

FORMAT = "eqlang-trace/2"
#: The formats ``verify`` and ``explain`` read: version 1 had no ``peers`` section.
READABLE = ("eqlang-trace/1", FORMAT)
#: How an organization's values refer to one in ``peers``.
PEERS = "peers::"
#: Values of the contract's measures that are the same for every organization.
_MEASURE_FACTS = frozenset({"weight", "min_denominator", "higher_is_better"})

Part = str | dict[str, Any]


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


def _one_line(span: Span | None) -> str:
    return " ".join(span.text.split()) if span is not None else ""


@attrs.frozen
class _Rule:
    """What every derivation of one rule (at one span) shares in the trace."""

    static: dict[str, Any]  # kind, name, params, expr, rounded, at
    params: tuple[str, ...]
    #: The expression evaluated and the conditions known to hold, or None for a schedule
    #: (whose tier is per value) or a value without a rule to read (a table value).
    applied: tuple[p.Expr, tuple[p.Expr | str, ...]] | None
    schedule: p.Rule | None = None


class Encoder:
    """Encodes derivations for one trace (or one report), working out what values of one
    rule share only once: ``Encoder(program).node(derivation, organization)``."""

    def __init__(self, program: p.Program) -> None:
        self.program = program
        self.rules: dict[tuple[str, str, int], _Rule] = {}
        self.decisions: dict[int, list[int]] = {}
        self.templates: dict[tuple[int, tuple[str, ...], tuple[Any, ...]], Template] = {}
        self.labels: dict[Key, str] = {}
        self.peer_sites = {e.site: e for rule in program.rules.values()
                           for part in _parts(rule) for e in p.walk(part)
                           if isinstance(e, p.Aggregate) and e.site in program.peer_aggregates}

    # ---- ids ------------------------------------------------------------------------------

    def shared(self, key: Key) -> bool:
        """Whether a value is a constant of the contract (a parameter, a measure's weight, a
        rule that reads no rows), written in every section that uses it."""
        program = self.program
        return not key.org and (key.name in program.parameters or key.name in _MEASURE_FACTS
                                or key.name in program.constant_rules)

    def peer_id(self, key: Key) -> str:
        """A value's id in ``peers``."""
        if key.org:
            return f"{key.org}::{key.id}"
        if key.name.startswith("@"):
            label = self.labels.get(key)
            if label is None:
                aggregate = self.peer_sites[int(key.name[1:])]
                names = self.program.peer_aggregates[aggregate.site]
                label = format_expr(substituted(aggregate, {
                    n: display(v) for n, v in zip(names, key.args[:len(names)], strict=True)}))
                shared = self.program.peer_inputs.get(aggregate.site)
                if shared is not None:
                    # One value for each value of the input the peers share.
                    label += f" [{shared} {display(key.args[-1])}]"
                self.labels[key] = label
            return label
        return key.id

    def id(self, key: Key, viewer: str | None) -> str:
        """How the section of ``viewer`` (an organization, or None for ``peers``) names a
        value."""
        if self.shared(key) or (viewer is not None and key.org == viewer):
            return key.id
        return self.peer_id(key) if viewer is None else PEERS + self.peer_id(key)

    def in_section(self, key: Key, viewer: str | None) -> bool:
        """Whether a value is written in the section of ``viewer``."""
        return viewer is None or self.shared(key) or key.org == viewer

    # ---- one value ------------------------------------------------------------------------

    def node(self, node: Derivation, viewer: str | None) -> dict[str, Any]:
        rule = self._rule(node)
        encoded = dict(rule.static)
        if node.key.name.startswith("@"):
            encoded["name"] = self.peer_id(node.key)
        encoded["args"] = [display(a) for a in node.key.args]
        encoded["value"] = encode_value(node.value)
        encoded["uses"] = [self.id(u, viewer) for u in node.uses]
        applied = rule.applied
        if rule.schedule is not None:
            applied = self._tier(rule.schedule, node)
        if applied is not None:
            self._reading(node, viewer, rule.params, applied, encoded)
        if node.rows:
            encoded["rows"] = [
                {"table": r.table, "line": r.line, "group": r.group, "period": r.period,
                 "numerator": format(r.numerator, "f"),
                 "denominator": format(r.denominator, "f")}
                for r in node.rows
            ]
        if node.cell is not None:
            encoded["cell"] = {"table": node.cell.table, "line": node.cell.line,
                               "column": node.cell.column}
        if node.citation:
            encoded["citation"] = node.citation
        if node.note:
            encoded["note"] = node.note
        if node.org and node.org != viewer:
            encoded["org"] = node.org
        return encoded

    def _rule(self, node: Derivation) -> _Rule:
        key = (node.kind, node.key.name, node.span.start if node.span is not None else -1)
        rule = self.rules.get(key)
        if rule is None:
            rule = self.rules[key] = self._new_rule(node)
        return rule

    def _new_rule(self, node: Derivation) -> _Rule:
        static: dict[str, Any] = {"kind": node.kind, "name": node.key.name}
        span = node.span
        if span is not None:
            static["at"] = span.location()
        if node.kind == "parameter":
            info = self.program.parameters[node.key.name]
            chosen = info.value if span == info.span else next(
                (a.value for a in info.amendments if a.span == span), None)
            static["expr"] = _one_line(chosen.span if chosen is not None else span)
            readable = chosen is not None and not isinstance(chosen.syntax,
                                                             s.Literal | s.Negate)
            return _Rule(static, (), (chosen, ()) if readable and chosen else None)
        if node.kind == "peers":
            aggregate = self.peer_sites[int(node.key.name[1:])]
            static["expr"] = _one_line(span)
            names = self.program.peer_aggregates[aggregate.site]
            return _Rule(static, names, (aggregate, ()))
        rule = self.program.rules.get(node.key.name)
        if node.kind in ("input", "measure", "organization input") or rule is None:
            static["expr"] = _one_line(span)
            return _Rule(static, (), None)
        params = tuple(q.name for q in rule.params)
        if params:
            static["params"] = list(params)
        if rule.kind == "schedule":
            static["expr"] = _one_line(rule.span)
            return _Rule(static, params, None, rule)
        if rule.rounding is not None and rule.rounding.places is not None:
            static["rounded"] = rule.rounding.span.text
        for exception in rule.exceptions:
            if span == exception.span:
                static["expr"] = _one_line(exception.span)
                return _Rule(static, params, (exception.value, (exception.condition,)))
        assert rule.body is not None
        text = _one_line(rule.body.span)
        if rule.rounding is not None:
            text += ", " + _one_line(rule.rounding.span)
        static["expr"] = text
        return _Rule(static, params, (rule.body, ()))

    @staticmethod
    def _tier(schedule: p.Rule, node: Derivation) -> tuple[p.Expr, tuple[str, ...]] | None:
        seen = node.seen or {}
        chosen = next((t for t in schedule.tiers if seen.get(t.site) == "tier"), None)
        if chosen is None:
            return None
        return chosen.value, (f"{display(node.key.args[0])} is {chosen.text}",)

    def _reading(self, node: Derivation, viewer: str | None, params: tuple[str, ...],
                 applied: tuple[p.Expr, tuple[p.Expr | str, ...]],
                 encoded: dict[str, Any]) -> None:
        """Add ``reading`` and ``since``: the rule as applied, with slots for values."""
        expr, conditions = applied
        found = self.decisions.get(expr.site)
        if found is None:
            found = self.decisions[expr.site] = decisions(expr)
        seen = node.seen or {}
        args = tuple(display(a) for a in node.key.args)
        key = (expr.site, args, tuple(seen.get(d) for d in found))
        template = self.templates.get(key)
        if template is None:
            reader = Reader(dict(zip(params, args, strict=False)), seen)
            reader.since.extend(c if isinstance(c, str) else reader.held(c, True)
                                for c in conditions)
            template = self.templates[key] = reader.template(expr)
        encoded["reading"] = self._fill(template.reading, node, viewer)
        if template.since:
            encoded["since"] = [self._fill(c, node, viewer) for c in template.since]

    def _fill(self, parts: tuple[str | Slot, ...], node: Derivation, viewer: str | None
              ) -> list[Part]:
        filled: list[Part] = []
        seen = node.seen or {}
        by_id: dict[str, Key] | None = None
        for part in parts:
            if isinstance(part, str):
                filled.append(part)
                continue
            link: str | None = None
            encoded: dict[str, Any] | None = None
            outcome = seen.get(part.seen) if part.seen is not None else None
            if isinstance(outcome, Key):
                link = self.id(outcome, viewer)
            elif outcome is not None and outcome is not VARIED and not isinstance(outcome, str):
                encoded = {"text": part.text, "value": encode_value(outcome)}
            elif part.node is not None:
                if by_id is None:
                    by_id = {u.id: u for u in node.uses if not u.org or u.org == node.org}
                used = by_id.get(part.node)
                if used is not None:
                    link = self.id(used, viewer)
            if link is not None:
                # The text is left out where it is the id itself: most slots, a third of
                # a large trace.
                encoded = {"node": link} if link == part.text else {"node": link,
                                                                    "text": part.text}
            filled.append(encoded if encoded is not None else part.text)
        return filled


def _parts(rule: p.Rule) -> Iterable[p.Expr]:
    if rule.body is not None:
        yield rule.body
    for exception in rule.exceptions:
        yield exception.value
        yield exception.condition
    for tier in rule.tiers:
        yield tier.value


# ---- the document ---------------------------------------------------------------------------


def _outputs(settlement: Settlement, encoder: Encoder) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in settlement.outputs.items():
        key = settlement.keys[name]
        if isinstance(value, dict):
            assert isinstance(key, dict)
            result[name] = {k: {"node": encoder.id(key[k], settlement.org),
                                "value": encode_value(v)} for k, v in value.items()}
        else:
            assert isinstance(key, Key)
            result[name] = {"node": encoder.id(key, settlement.org),
                            "value": encode_value(value)}
    return result


def _roots(settlement: Settlement) -> list[Key]:
    roots: list[Key] = []
    for key in settlement.keys.values():
        roots.extend(key.values() if isinstance(key, dict) else [key])
    return roots


class TraceWriter:
    """Writes the trace of a run while it settles: ``begin``, then ``add`` each
    organization's settlement in order, then ``end``. The evaluator must record derivations;
    each organization's are released once written."""

    def __init__(self, program: p.Program, tables: TableSet, evaluator: Evaluator,
                 overrides: dict[str, str], org_filter: tuple[str, ...] | None,
                 stream: IO[str], members: list[dict[str, Any]] | None = None,
                 organization_table: dict[str, Any] | None = None) -> None:
        self.program = program
        self.tables = tables
        self.evaluator = evaluator
        self.overrides = overrides
        self.org_filter = org_filter
        self.stream = stream
        #: How the tables made from member files were made (``eqlang.data.trace_members``);
        #: the section is left out of a run without them.
        self.members = members or []
        #: The organization table's path, SHA-256 and rows, when the contract reads one.
        self.organization_table = organization_table
        self.encoder = Encoder(program)
        self.peers: dict[str, dict[str, Any]] = {}
        self.first = True

    def header(self) -> dict[str, Any]:
        modules = [{"path": m.source.path, "sha256": m.source.sha256}
                   for m in self.program.modules[1:]]
        as_of = self.evaluator.as_of
        header: dict[str, Any] = {
            "format": FORMAT,
            "eqlang_version": __version__,
            "contract": {
                "path": self.program.main.source.path,
                "sha256": self.program.main.source.sha256,
                "modules": sorted(modules, key=lambda m: m["path"]),
            },
            "tables": [{"path": table.path, "sha256": table.sha256, "rows": len(table.rows)}
                       for table in self.tables.tables],
            "overrides": dict(sorted(self.overrides.items())),
            "as_of": as_of.isoformat() if as_of else None,
            "org_filter": list(self.org_filter) if self.org_filter is not None else None,
        }
        if self.members:
            header["members"] = self.members
        if self.organization_table is not None:
            header["organization_table"] = self.organization_table
        return header

    def begin(self) -> None:
        # Keys are written in sorted order, as `dumps` writes a whole document: those
        # before "organizations" first, the organizations as they settle, then the rest.
        header = self.header()
        for name in sorted(header.keys() - {"overrides", "tables"}):
            self.stream.write(("{" if name == "as_of" else ",") + _json(name) + ":"
                              + _json(header[name]))
        self.stream.write(',"organizations":{')

    def section(self, settlement: Settlement) -> dict[str, Any]:
        """One organization's section, and what it adds to ``peers``."""
        org = settlement.org
        derivations = self.evaluator.derivations
        encoder = self.encoder
        nodes: dict[str, Any] = {}
        peers: list[Key] = []
        stack = list(reversed(_roots(settlement)))
        seen: set[Key] = set()
        while stack:
            key = stack.pop()
            if key in seen:
                continue
            seen.add(key)
            if not encoder.in_section(key, org):
                peers.append(key)
                continue
            derivation = derivations[key]
            nodes[key.id] = encoder.node(derivation, org)
            stack.extend(reversed(list(derivation.uses)))
        self._peers(peers)
        return {"outputs": _outputs(settlement, encoder), "nodes": nodes}

    def _peers(self, roots: list[Key]) -> None:
        derivations = self.evaluator.derivations
        stack = list(reversed(roots))
        while stack:
            key = stack.pop()
            name = self.encoder.peer_id(key) if not self.encoder.shared(key) else key.id
            if name in self.peers:
                continue
            derivation = derivations[key]
            self.peers[name] = self.encoder.node(derivation, None)
            stack.extend(reversed(list(derivation.uses)))

    def add(self, settlement: Settlement) -> dict[str, Any]:
        """Write one organization's section, and give it (for reports built beside the
        trace, such as statements)."""
        section = self.section(settlement)
        self.stream.write(("" if self.first else ",") + _json(settlement.org) + ":"
                          + _json(section))
        self.first = False
        self.evaluator.release(settlement.org)
        return section

    def end(self) -> None:
        header = self.header()
        self.stream.write("}")
        self.stream.write(',"overrides":' + _json(header["overrides"]))
        self.stream.write(',"peers":' + _json(self.peers))
        self.stream.write(',"tables":' + _json(header["tables"]) + "}\n")


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def build(program: p.Program, tables: TableSet, evaluator: Evaluator,
          settlements: Iterable[Settlement], overrides: dict[str, str],
          org_filter: tuple[str, ...] | None = None,
          members: list[dict[str, Any]] | None = None,
          organization_table: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole trace of one run as plain JSON data (as ``TraceWriter`` writes it, for
    the Python API); ``org_filter`` is the organizations asked for by name, or None when
    every organization was settled; ``members`` the section on tables made from member
    files, if any; ``organization_table`` the organization table read, if any."""
    writer = TraceWriter(program, tables, evaluator, overrides, org_filter, Discard(),
                         members, organization_table)
    organizations = {st.org: writer.section(st) for st in settlements}
    return {**writer.header(), "organizations": organizations, "peers": writer.peers}


class Discard:
    """A stream that keeps nothing: a trace built only to be read."""

    def write(self, text: str) -> int:
        return len(text)


def dumps(trace: dict[str, Any]) -> str:
    """Canonical JSON text: sorted keys, no insignificant whitespace, UTF-8, final newline.

    Compact output also keeps large traces fast: indented output would go through the
    pure-Python encoder and take several times longer.
    """
    return json.dumps(trace, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
