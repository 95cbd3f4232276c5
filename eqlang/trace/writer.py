"""Traces: takes an evaluated run, gives one canonical JSON document an auditor can follow.

The trace records what went in (the contract and every module with their SHA-256, each table
with its SHA-256 and row count, overrides and the settlement date) and, per organization,
every evaluated value: its source span and expression text, the values it used and the table
rows behind each input. Keys are sorted, numbers are decimal strings and ids are derived from
names and arguments, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs

from eqlang import __version__
from eqlang.backends.exact import VARIED, Evaluator, Node, Settlement
from eqlang.check.checker import Program
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
    exact_text,
)
from eqlang.data.tables import TableSet
from eqlang.outputs import refuse_inputs as refuse_inputs
from eqlang.outputs import write_atomic as write_atomic
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_expr
from eqlang.syntax.source import Span

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


# ---- readings: the rule as it was applied, for explain -------------------------------------

#: Stands in a formatted expression for a spot that shows a value; see ``_Reader``.
_SLOT = re.compile("\x00([0-9]+)\x00")

_FLIPPED = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}

#: Builtins whose result is itself a node; their calls link to it rather than repeat it.
_TABLE_BUILTINS = frozenset({"rate", "numerator", "denominator", "weight", "min_denominator",
                             "higher_is_better"})

Part = str | dict[str, Any]


@attrs.frozen
class _Slot:
    """A spot in a reading that shows a value: a node's, or a result ``Node.seen`` holds."""

    text: str
    node: str | None = None  # the node's local id, when it is known from the text alone
    seen: int | None = None  # the expression whose recorded result this is


@attrs.frozen
class _Template:
    """A reading with its slots unfilled: shared by every node with the same rule, arguments
    and branches, so that a thousand organizations format each rule only a few times."""

    reading: tuple[str | _Slot, ...]
    since: tuple[tuple[str | _Slot, ...], ...]


class _Reader:
    """Rewrites a rule into the expression that was actually evaluated for one node.

    Parameters become their arguments, an ``if`` becomes the branch it took (its condition,
    as it held, goes to ``since``), and every name or call that has a value gets a slot for
    it. Aggregations are kept whole: inside them, names stand for many values.
    """

    def __init__(self, program: Program, local: dict[str, str], seen: dict[int, Any]) -> None:
        self.program = program
        self.local = local
        self.seen = seen
        self.slots: list[_Slot] = []
        self.since: list[s.Expr | str] = []

    def template(self, expr: s.Expr) -> _Template:
        reading = self._parts(format_expr(self.applied(expr, top=True)))
        since = tuple(self._parts(c if isinstance(c, str) else format_expr(c))
                      for c in self.since)
        return _Template(reading, since)

    def _parts(self, text: str) -> tuple[str | _Slot, ...]:
        pieces = _SLOT.split(text)
        parts: list[str | _Slot] = []
        for index, piece in enumerate(pieces):
            if index % 2:
                parts.append(self.slots[int(piece)])
            elif piece:
                parts.append(piece)
        return tuple(parts)

    def _slot(self, slot: _Slot, span: Any) -> s.Name:
        self.slots.append(slot)
        return s.Name((f"\x00{len(self.slots) - 1}\x00",), span=span)

    def applied(self, e: s.Expr, top: bool = False) -> s.Expr:
        """``e`` as evaluated, with slots; ``top`` when its value is the node's own."""
        match e:
            case s.If(condition, then, otherwise) if self.seen.get(id(e)) in ("then", "else"):
                taken = self.seen[id(e)] == "then"
                self.since.append(self.held(condition, taken))
                return self.applied(then if taken else otherwise, top)
            case s.Otherwise(value, fallback) if self.seen.get(id(e)) in ("fallback", "value"):
                if self.seen[id(e)] == "fallback":
                    self.since.append(s.IsScored(self.plain(value), True, span=e.span))
                    return self.applied(fallback, top)
                return self.applied(value, top)
            case s.Name():
                return self._name(e, top)
            case s.Call():
                return self._call(e, top)
            case s.Binary(op, left, right):
                return attrs.evolve(e, op="×" if op == "*" else op, left=self.applied(left),
                                    right=self.applied(right))
            case s.AtOrganization():
                return self.plain(e)
        return self._children(e, self.applied)

    def held(self, e: s.Expr, holds: bool) -> s.Expr | str:
        """The condition ``e`` stated the way it came out, so it reads as a reason."""
        match e:
            case s.Compare(op, left, right):
                return attrs.evolve(e, op=op if holds else _FLIPPED[op],
                                    left=self.applied(left), right=self.applied(right))
            case s.IsScored(operand, negated):
                return attrs.evolve(e, operand=self.plain(operand),
                                    negated=negated if holds else not negated)
            case s.Not(operand):
                return self.held(operand, not holds)
        answer = "yes" if holds else "no"
        if isinstance(e, s.Name | s.Call) and self.program.refs.get(id(e)) is not None and (
                self.program.refs[id(e)].kind != "aggregate"):
            return f"{format_expr(self.plain(e))} is {answer}"
        return f"({format_expr(self.applied(e))}) is {answer}"

    def plain(self, e: s.Expr, bound: frozenset[str] = frozenset(),
              constants: bool = False) -> s.Expr:
        """``e`` with the rule's parameters replaced by its arguments; with ``constants``,
        contract parameters get slots too (they have one value even inside a ``for each``)."""
        match e:
            case s.Name(parts) if len(parts) == 1 and parts[0] not in bound:
                ref = self.program.refs.get(id(e))
                if ref is not None and ref.kind == "local" and ref.key in self.local:
                    return s.Name((self.local[ref.key],), span=e.span)
                if constants and ref is not None and ref.kind == "parameter":
                    return self._slot(_Slot(e.dotted, node=ref.key), e.span)
                return e
            case s.Call(for_each=s.ForEach() as clause):
                inner = bound | {b.name for b in clause.binders}
                call = self._children(e, lambda x: self.plain(x, inner, constants))
                return attrs.evolve(call, for_each=attrs.evolve(
                    call.for_each, binders=tuple(self._domain(b, bound)
                                                 for b in call.for_each.binders)))
        return self._children(e, lambda x: self.plain(x, bound, constants))

    def _domain(self, binder: s.Binder, bound: frozenset[str]) -> s.Binder:
        """``groups of s`` with the stratification the rule was given for ``s``, as the
        rule's other parameters are replaced by their arguments."""
        domain = binder.domain
        if (isinstance(domain, s.StratificationGroups | s.FocusGroups)
                and domain.stratification in self.local and domain.stratification not in bound):
            return attrs.evolve(binder, domain=attrs.evolve(
                domain, stratification=self.local[domain.stratification]))
        return binder

    def _name(self, e: s.Name, top: bool) -> s.Expr:
        ref = self.program.refs.get(id(e))
        if ref is None or ref.kind in ("measure", "group", "period"):
            return e
        if ref.kind == "local":
            return self.plain(e)
        if top:
            return e
        return self._slot(_Slot(e.dotted, node=ref.key), e.span)

    def _call(self, e: s.Call, top: bool) -> s.Expr:
        ref = self.program.refs.get(id(e))
        plain = self.plain(e)
        if ref is None:
            return plain
        if ref.kind == "aggregate":
            whole = self.plain(e, constants=True)
            return whole if top else self._slot(_Slot(format_expr(plain), seen=id(e)), e.span)
        if ref.kind == "builtin" and ref.key in ("reference", "rest"):
            chosen = self.seen.get(id(e))
            if isinstance(chosen, Group):
                return s.Name((chosen.label,), span=e.span)
            return plain
        assert isinstance(plain, s.Call)
        if ref.kind == "builtin" and ref.key not in _TABLE_BUILTINS:
            shown = attrs.evolve(e, args=tuple(self.applied(a) for a in e.args))
            return shown if top else self._slot(_Slot(format_expr(plain), seen=id(e)), e.span)
        if top:
            return plain
        # rate(m, reference(m, g, p), p) reads as the group the reference turned out to be.
        args = tuple(self.applied(original) if self._is_group_choice(original) else a
                     for original, a in zip(e.args, plain.args, strict=True))
        text = format_expr(attrs.evolve(plain, args=args))
        if ref.kind == "builtin":
            return self._slot(_Slot(text, node=text), e.span)
        return self._slot(_Slot(text, node=None, seen=id(e)), e.span)

    def _is_group_choice(self, e: s.Expr) -> bool:
        ref = self.program.refs.get(id(e)) if isinstance(e, s.Call) else None
        return ref is not None and ref.kind == "builtin" and ref.key in ("reference", "rest")

    @staticmethod
    def _children(e: s.Expr, rewrite: Any) -> s.Expr:
        """``e`` with each sub-expression rewritten, listed domains included."""
        changes: dict[str, Any] = {}
        for field in attrs.fields(type(e)):
            value = getattr(e, field.name)
            if field.name == "callee" or value is None:
                continue
            if isinstance(value, s.Expr):
                changes[field.name] = rewrite(value)
            elif isinstance(value, tuple) and value and isinstance(value[0], s.Expr):
                changes[field.name] = tuple(rewrite(v) for v in value)
            elif isinstance(value, s.Listed):
                changes[field.name] = attrs.evolve(value, items=tuple(map(rewrite, value.items)))
            elif isinstance(value, s.ForEach):
                binders = tuple(
                    attrs.evolve(b, domain=attrs.evolve(
                        b.domain, items=tuple(map(rewrite, b.domain.items))))
                    if isinstance(b.domain, s.Listed) else b
                    for b in value.binders
                )
                where = rewrite(value.where) if value.where is not None else None
                changes[field.name] = attrs.evolve(value, binders=binders, where=where)
        return attrs.evolve(e, **changes) if changes else e


def _one_line(span: Span) -> str:
    return " ".join(span.text.split())


def _decisions(expr: s.Expr) -> list[int]:
    """Ids of the expressions whose outcome decides how ``expr`` reads: each ``if`` and
    ``otherwise``, and each call that picks a group, outside aggregations."""
    found: list[int] = []
    stack: list[Any] = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, s.If | s.Otherwise):
            found.append(id(e))
        elif isinstance(e, s.Call):
            if e.for_each is not None:
                continue
            if e.callee.dotted in ("reference", "rest"):
                found.append(id(e))
        elif isinstance(e, s.AtOrganization):
            continue
        stack.extend(v for v in attrs.astuple(e, recurse=False) if isinstance(v, s.Expr))
        stack.extend(v for value in attrs.astuple(e, recurse=False) if isinstance(value, tuple)
                     for v in value if isinstance(v, s.Expr))
    return found


@attrs.frozen
class _Rule:
    """What every node of one rule (at one span) shares in the trace."""

    static: dict[str, Any]  # kind, name, params, expr, rounded, at
    params: tuple[str, ...]
    #: The expression evaluated and the conditions known to hold, or None for a schedule
    #: (whose tier is per node) or a node without a rule to read (a table value).
    applied: tuple[s.Expr, tuple[s.Expr | str, ...]] | None
    schedule: s.Schedule | None = None


class Encoder:
    """Encodes nodes for one trace (or one report), working out what nodes of one rule
    share only once: ``Encoder(program).node(node, organization)``."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rules: dict[tuple[str, str, int], _Rule] = {}
        self.decisions: dict[int, list[int]] = {}
        self.templates: dict[tuple[int, tuple[str, ...], tuple[Any, ...]], _Template] = {}

    def node(self, node: Node, viewer: str) -> dict[str, Any]:
        rule = self._rule(node)
        encoded = dict(rule.static)
        encoded["args"] = list(node.args)
        encoded["value"] = encode_value(node.value)
        encoded["uses"] = _local_ids(node.uses, viewer)
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
        if node.citation:
            encoded["citation"] = node.citation
        if node.note:
            encoded["note"] = node.note
        if node.org not in ("", viewer):
            encoded["org"] = node.org
        return encoded

    def _rule(self, node: Node) -> _Rule:
        key = (node.kind, node.name, id(node.span))
        rule = self.rules.get(key)
        if rule is None:
            rule = self.rules[key] = self._new_rule(node)
        return rule

    def _new_rule(self, node: Node) -> _Rule:
        static: dict[str, Any] = {"kind": node.kind, "name": node.name}
        if node.span is not None:
            static["at"] = node.span.location()
        span = node.span
        if node.kind == "parameter":
            declaration = self.program.parameters[node.name].declaration
            chosen = declaration.value if span == declaration.span else next(
                (a.value for a in declaration.amendments if a.span == span), None)
            static["expr"] = _one_line(chosen.span if chosen is not None else span)
            readable = chosen is not None and not isinstance(chosen, s.Literal | s.Negate)
            return _Rule(static, (), (chosen, ()) if readable and chosen else None)
        callable_ = self.program.callables.get(node.name)
        if node.kind in ("input", "measure") or callable_ is None:
            static["expr"] = _one_line(span) if span is not None else ""
            return _Rule(static, (), None)
        params = tuple(p.name for p in callable_.params)
        if params:
            static["params"] = list(params)
        declaration = callable_.declaration
        if isinstance(declaration, s.Schedule):
            static["expr"] = _one_line(declaration.span)
            return _Rule(static, params, None, declaration)
        if isinstance(declaration, s.Output) and declaration.rounding.places is not None:
            static["rounded"] = declaration.rounding.span.text
        for exception in declaration.exceptions:
            if span == exception.span:
                static["expr"] = _one_line(exception.span)
                return _Rule(static, params, (exception.value, (exception.condition,)))
        text = _one_line(declaration.body.span)
        if isinstance(declaration, s.Output):
            text += ", " + _one_line(declaration.rounding.span)
        static["expr"] = text
        return _Rule(static, params, (declaration.body, ()))

    @staticmethod
    def _tier(schedule: s.Schedule, node: Node) -> tuple[s.Expr, tuple[str, ...]] | None:
        seen = node.seen or {}
        chosen = next((t for t in schedule.tiers if seen.get(id(t)) == "tier"), None)
        if chosen is None:
            return None
        return chosen.value, (f"{node.args[0]} is {chosen.range.span.text}",)

    def _reading(self, node: Node, viewer: str, params: tuple[str, ...],
                 applied: tuple[s.Expr, tuple[s.Expr | str, ...]],
                 encoded: dict[str, Any]) -> None:
        """Add ``reading`` and ``since``: the rule as applied, with slots for values."""
        expr, conditions = applied
        decisions = self.decisions.get(id(expr))
        if decisions is None:
            decisions = self.decisions[id(expr)] = _decisions(expr)
        seen = node.seen or {}
        key = (id(expr), node.args, tuple(seen.get(d) for d in decisions))
        template = self.templates.get(key)
        if template is None:
            reader = _Reader(self.program, dict(zip(params, node.args, strict=False)), seen)
            reader.since.extend(c if isinstance(c, str) else reader.held(c, True)
                                for c in conditions)
            template = self.templates[key] = reader.template(expr)
        encoded["reading"] = self._fill(template.reading, node, viewer)
        if template.since:
            encoded["since"] = [self._fill(c, node, viewer) for c in template.since]

    @staticmethod
    def _fill(parts: tuple[str | _Slot, ...], node: Node, viewer: str) -> list[Part]:
        filled: list[Part] = []
        seen = node.seen or {}
        for part in parts:
            if isinstance(part, str):
                filled.append(part)
                continue
            link: str | None = None
            encoded: dict[str, Any] | None = None
            if part.seen is not None:
                outcome = seen.get(part.seen)
                if isinstance(outcome, str):
                    link = _local_id(f"{node.org}\x1f{outcome}", viewer)
                elif outcome is not None and outcome is not VARIED:
                    encoded = {"text": part.text, "value": encode_value(outcome)}
            elif part.node is not None:
                for candidate in (f"{node.org}\x1f{part.node}", f"\x1f{part.node}"):
                    if candidate in node.uses:
                        link = _local_id(candidate, viewer)
                        break
            if link is not None:
                # The text is left out where it is the id itself: most slots, a third of
                # a large trace.
                encoded = {"node": link} if link == part.text else {"node": link,
                                                                    "text": part.text}
            filled.append(encoded if encoded is not None else part.text)
        return filled


def _local_ids(uses: dict[str, None], viewer: str) -> list[str]:
    """Use ids as the viewer's trace names them: its own and shared nodes by local id."""
    own = viewer + "\x1f"
    cut = len(own)
    return [u[cut:] if u.startswith(own) else u[1:] if u.startswith("\x1f")
            else u.replace("\x1f", "::", 1) for u in uses]


def _local_id(global_id: str, viewer: str) -> str:
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
          settlements: list[Settlement], overrides: dict[str, str],
          org_filter: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The whole trace of one run as plain JSON data; ``org_filter`` is the organizations
    asked for by name, or None when every organization was settled."""
    organizations: dict[str, Any] = {}
    encoder = Encoder(program)
    for settlement in settlements:
        roots: list[str] = []
        for node in settlement.output_nodes.values():
            roots.extend(node.values() if isinstance(node, dict) else [node])
        nodes = evaluator.reachable(settlement.org, roots)
        organizations[settlement.org] = {
            "outputs": _encode_outputs(settlement),
            "nodes": {
                trace_id: encoder.node(node, settlement.org)
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
        "org_filter": list(org_filter) if org_filter is not None else None,
        "organizations": organizations,
    }


def dumps(trace: dict[str, Any]) -> str:
    """Canonical JSON text: sorted keys, no insignificant whitespace, UTF-8, final newline.

    Compact output also keeps large traces fast: indented output would go through the
    pure-Python encoder and take several times longer.
    """
    return json.dumps(trace, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
