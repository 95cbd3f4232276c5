"""Which programs the columnar backend follows: takes a checked ``Program``, gives nothing
or raises ``Unsupported`` naming the first construct it does not know, and where it is.

The columnar backend is checked against the exact backend construct by construct; a
construct added to the core program later (a new kind of expression or domain, a new
builtin or aggregation function, a new field set on a known node) is declined here, before
anything is settled, so that ``--backend auto`` settles such a contract with the exact
backend and ``--backend columnar`` refuses it, rather than giving an answer no test holds
to the exact backend's.
"""

from __future__ import annotations

from typing import Any

import attrs

from eqlang.backends.columnar_values import Unsupported
from eqlang.core import program as p

#: Each program class the backend follows, with the fields it reads: a field it does not
#: know, set to anything but its default, is a construct it does not follow.
KNOWN_FIELDS: dict[type, frozenset[str]] = {
    cls: frozenset(fields) for cls, fields in {
        p.Const: ("value",), p.Unscored: ("reason",), p.Local: ("name",),
        p.Parameter: ("key",), p.Call: ("rule", "args"), p.Builtin: ("name", "args"),
        p.Aggregate: ("function", "binders", "value", "where", "weight", "share", "policy"),
        p.Arithmetic: ("op", "left", "right"), p.Negate: ("operand",),
        p.Compare: ("op", "left", "right"), p.Not: ("operand",), p.And: ("left", "right"),
        p.Or: ("left", "right"), p.If: ("condition", "then", "otherwise"),
        p.Otherwise: ("value", "fallback"), p.Because: ("value", "reason"),
        p.IsScored: ("operand", "negated"), p.MemberOf: ("element", "domain"),
        p.At: ("value", "organization"), p.Input: ("name",), p.TheOrganization: (),
        p.Measures: (), p.Organizations: ("same",),
        p.Groups: ("stratification", "local", "focus"), p.Listed: ("items",),
        p.Binder: ("name", "domain"), p.Simulated: ("bound", "value", "level", "draws", "seed"),
    }.items()
}

#: The builtins the backend computes.
KNOWN_BUILTINS = frozenset({
    "rate", "numerator", "denominator", "reference", "rest", "weight", "min_denominator",
    "higher_is_better", "position", "round", "clamp", "min", "max", "abs", "sqrt", "ln",
    "exp", "normal_quantile"})

#: The aggregation functions the backend computes.
KNOWN_FUNCTIONS = frozenset({
    "sum", "count", "all", "any", "mean", "min", "max", "median", "percentile"})

#: Fields every node has that say where it is or what it is, not what it computes.
_META = frozenset({"type", "span", "site", "syntax"})

_NOT_NODES = ("eqlang.core.values", "eqlang.syntax.")


def refuse_unknown(program: p.Program, mode: str = "exact") -> None:
    """Raise ``Unsupported`` for the first construct the backend does not know (see the
    module docstring), or does not compute in ``mode`` (float64 draws no simulated
    interval: its draws are made in decimals), in the rules settling ``program`` reaches:
    its outputs and what they call. A standard library definition no output calls is never
    evaluated."""
    seen: set[int] = set()
    waiting = list(program.outputs)
    reached = set(waiting)
    while waiting:
        rule = program.rules[waiting.pop()]
        parts: list[Any] = [rule.body, *rule.exceptions, *rule.tiers]
        for called in _visit(parts, seen, mode):
            if called not in reached and called in program.rules:
                reached.add(called)
                waiting.append(called)


def _visit(start: Any, seen: set[int], mode: str) -> list[str]:
    """Check every node under ``start``; the names of the rules it calls."""
    calls: list[str] = []
    stack = [start]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(node)
            continue
        if not attrs.has(type(node)) or id(node) in seen:
            continue
        seen.add(id(node))
        cls = type(node)
        if cls.__module__.startswith(_NOT_NODES):
            continue  # a value (of a constant) or a piece of syntax
        if cls in (p.Exception_, p.Tier):
            stack.extend(getattr(node, f.name) for f in attrs.fields(cls)
                         if f.name not in _META)
            continue
        known = KNOWN_FIELDS.get(cls)
        if known is None:
            raise Unsupported(f"{_construct(cls.__name__)}{_where(node)}")
        for field in attrs.fields(cls):
            if field.name in known or field.name in _META:
                continue
            value = getattr(node, field.name)
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if value != default:
                raise Unsupported(f"{_construct(cls.__name__)} with `{field.name}`"
                                  f"{_where(node)}")
        if isinstance(node, p.Builtin) and node.name not in KNOWN_BUILTINS:
            raise Unsupported(f"the builtin `{node.name}`{_where(node)}")
        if isinstance(node, p.Aggregate) and node.function not in KNOWN_FUNCTIONS:
            raise Unsupported(f"the aggregation `{node.function}`{_where(node)}")
        if isinstance(node, p.Simulated) and mode != "exact":
            raise Unsupported(f"{_construct('Simulated')} in {mode} (its draws are made in "
                              f"decimals){_where(node)}")
        if isinstance(node, p.Call):
            calls.append(node.rule)
        stack.extend(getattr(node, name) for name in known)
    return calls


def _construct(name: str) -> str:
    return f"the construct `{name}`"


def _where(node: Any) -> str:
    span = getattr(node, "span", None)
    if span is None:
        return ""
    text = span.text.splitlines()[0] if span.text else ""
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f" (`{shown}` at {span.location()})"
