"""Readings: takes a rule and how one of its values was reached, gives the rule as it was
applied, for traces and ``explain``.

Parameters of the rule become its arguments, an ``if`` becomes the branch it took (its
condition, as it held, goes to ``since``), and every name or call that has a value gets a
slot for it, which the trace fills with the value or a link to its derivation. Aggregations
are kept whole: inside them, names stand for many values. A reading is built once per rule,
arguments and decisions (a ``Template``) and filled per value, so that a thousand
organizations format each rule only a few times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.core.values import Group
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_expr

#: Stands in a formatted expression for a spot that shows a value; see ``Reader``.
_SLOT = re.compile("\x00([0-9]+)\x00")

_FLIPPED = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}

#: Fields that hold sub-expressions, shared by a core expression and its syntax.
_FIELDS: dict[type, tuple[str, ...]] = {
    p.Arithmetic: ("left", "right"), p.Negate: ("operand",), p.Compare: ("left", "right"),
    p.Not: ("operand",), p.And: ("left", "right"), p.Or: ("left", "right"),
    p.If: ("condition", "then", "otherwise"), p.Otherwise: ("value", "fallback"),
    p.Because: ("value",), p.IsScored: ("operand",), p.At: ("value", "organization"),
    p.Call: ("args",), p.Builtin: ("args",),
}

Part = str | dict[str, Any]


@attrs.frozen
class Slot:
    """A spot in a reading that shows a value: the value a site holds in ``seen`` (a result,
    or the key of the value a call gave), or a derivation named by its id (a table value)."""

    text: str
    node: str | None = None
    seen: int | None = None


@attrs.frozen
class Template:
    """A reading with its slots unfilled."""

    reading: tuple[str | Slot, ...]
    since: tuple[tuple[str | Slot, ...], ...]


def rebuild(e: p.Expr, rewrite: Callable[[p.Expr], s.Expr]) -> s.Expr:
    """The syntax of ``e`` with each sub-expression replaced by ``rewrite`` of it."""
    syntax = e.syntax
    if isinstance(syntax, s.Name):
        return syntax
    if isinstance(e, p.Aggregate):
        assert syntax.for_each is not None
        args = tuple(rewrite(x) for x in (e.share, e.value) if x is not None)
        clause = syntax.for_each
        binders = tuple(
            attrs.evolve(b, domain=attrs.evolve(b.domain, items=tuple(
                rewrite(x) for x in ir.domain.items)))
            if isinstance(ir.domain, p.Listed) else b
            for b, ir in zip(clause.binders, e.binders, strict=True))
        where = rewrite(e.where) if e.where is not None else None
        return attrs.evolve(syntax, args=args,
                            weighted_by=rewrite(e.weight) if e.weight is not None else None,
                            for_each=attrs.evolve(clause, binders=binders, where=where))
    if isinstance(e, p.Simulated):
        core = {"level": e.level, "draws": e.draws, "seed": e.seed}
        options = tuple(attrs.evolve(o, value=rewrite(option))
                        for o in syntax.options if (option := core.get(o.name)) is not None)
        return attrs.evolve(syntax, value=rewrite(e.value), options=options)
    if isinstance(e, p.MemberOf):
        domain = syntax.domain
        if isinstance(e.domain, p.Listed):
            domain = attrs.evolve(domain, items=tuple(rewrite(x) for x in e.domain.items))
        return attrs.evolve(syntax, element=rewrite(e.element), domain=domain)
    changes: dict[str, Any] = {}
    for name in _FIELDS.get(type(e), ()):
        value = getattr(e, name)
        changes[name] = tuple(rewrite(v) for v in value) if isinstance(value, tuple) \
            else rewrite(value)
    return attrs.evolve(syntax, **changes) if changes else syntax


def substituted(e: p.Expr, local: dict[str, str], bound: frozenset[str] = frozenset(),
                slot: Callable[[p.Parameter], s.Expr] | None = None) -> s.Expr:
    """The syntax of ``e`` with the variables in ``local`` written as their values (those
    bound inside it left alone); with ``slot``, contract parameters become slots."""
    if isinstance(e, p.Local) and e.name in local and e.name not in bound:
        return s.Name((local[e.name],), span=e.span)
    if isinstance(e, p.Parameter) and slot is not None:
        return slot(e)
    if isinstance(e, p.Aggregate):
        inner = bound | {b.name for b in e.binders}
        call = rebuild(e, lambda x: substituted(x, local, inner, slot))
        assert isinstance(call, s.Call) and call.for_each is not None
        binders = tuple(_domain(b, ir, local, bound)
                        for b, ir in zip(call.for_each.binders, e.binders, strict=True))
        return attrs.evolve(call, for_each=attrs.evolve(call.for_each, binders=binders))
    return rebuild(e, lambda x: substituted(x, local, bound, slot))


def _domain(binder: s.Binder, ir: p.Binder, local: dict[str, str],
            bound: frozenset[str]) -> s.Binder:
    """``groups of s`` with the stratification the rule was given for ``s``."""
    domain = ir.domain
    if isinstance(domain, p.Groups) and domain.local in local and domain.local not in bound:
        assert isinstance(binder.domain, s.FocusGroups | s.StratificationGroups)
        return attrs.evolve(binder, domain=attrs.evolve(
            binder.domain, stratification=local[domain.local]))
    return binder


class Reader:
    """Rewrites a rule into the expression that was actually evaluated for one value."""

    def __init__(self, local: dict[str, str], seen: dict[int, Any]) -> None:
        self.local = local
        self.seen = seen
        self.slots: list[Slot] = []
        self.since: list[s.Expr | str] = []

    def template(self, expr: p.Expr) -> Template:
        reading = self._parts(format_expr(self.applied(expr, top=True)))
        since = tuple(self._parts(c if isinstance(c, str) else format_expr(c))
                      for c in self.since)
        return Template(reading, since)

    def _parts(self, text: str) -> tuple[str | Slot, ...]:
        pieces = _SLOT.split(text)
        parts: list[str | Slot] = []
        for index, piece in enumerate(pieces):
            if index % 2:
                parts.append(self.slots[int(piece)])
            elif piece:
                parts.append(piece)
        return tuple(parts)

    def _slot(self, slot: Slot, e: p.Expr) -> s.Name:
        self.slots.append(slot)
        return s.Name((f"\x00{len(self.slots) - 1}\x00",), span=e.span)

    def plain(self, e: p.Expr, constants: bool = False) -> s.Expr:
        """``e`` with the rule's parameters replaced by its arguments; with ``constants``,
        contract parameters get slots too (they have one value even inside a ``for each``)."""
        slot = (lambda x: self._slot(Slot(x.syntax.dotted, node=x.key), x)) \
            if constants else None
        return substituted(e, self.local, frozenset(), slot)

    def applied(self, e: p.Expr, top: bool = False) -> s.Expr:
        """``e`` as evaluated, with slots; ``top`` when its value is the derivation's own."""
        decided = self.seen.get(e.site)
        if isinstance(e, p.If) and decided in ("then", "else"):
            taken = decided == "then"
            self.since.append(self.held(e.condition, taken))
            return self.applied(e.then if taken else e.otherwise, top)
        if isinstance(e, p.Otherwise) and decided in ("fallback", "value"):
            if decided == "fallback":
                self.since.append(s.IsScored(self.plain(e.value), True, span=e.span))
                return self.applied(e.fallback, top)
            return self.applied(e.value, top)
        if isinstance(e, p.Local):
            return self.plain(e)
        if isinstance(e, p.Input):
            # An organization input links to the value read from the organization table.
            return e.syntax if top else self._slot(Slot(e.syntax.dotted, node=e.name), e)
        if isinstance(e, p.TheOrganization):
            return self._slot(Slot("organization", seen=e.site), e)
        if isinstance(e, p.Parameter) or (isinstance(e, p.Call) and isinstance(e.syntax, s.Name)):
            if top:
                return e.syntax
            key = e.key if isinstance(e, p.Parameter) else e.rule
            return self._slot(Slot(e.syntax.dotted, node=key, seen=e.site), e)
        if isinstance(e, p.Call | p.Builtin):
            return self._call(e, top)
        if isinstance(e, p.Aggregate):
            whole = self.plain(e, constants=True)
            return whole if top else self._slot(Slot(format_expr(self.plain(e)), seen=e.site), e)
        if isinstance(e, p.Simulated):
            # Its value is the simulation's, derived apart (its note says how).
            return self._slot(Slot(format_expr(self.plain(e)), seen=e.site), e)
        if isinstance(e, p.Arithmetic):
            return attrs.evolve(e.syntax, op="×" if e.op == "*" else e.op,
                                left=self.applied(e.left), right=self.applied(e.right))
        if isinstance(e, p.At):
            return self.plain(e)
        return rebuild(e, self.applied)

    def held(self, e: p.Expr, holds: bool) -> s.Expr | str:
        """The condition ``e`` stated the way it came out, so it reads as a reason."""
        if isinstance(e, p.Compare):
            return attrs.evolve(e.syntax, op=e.op if holds else _FLIPPED[e.op],
                                left=self.applied(e.left), right=self.applied(e.right))
        if isinstance(e, p.IsScored):
            return attrs.evolve(e.syntax, operand=self.plain(e.operand),
                                negated=e.negated if holds else not e.negated)
        if isinstance(e, p.Not):
            return self.held(e.operand, not holds)
        answer = "yes" if holds else "no"
        if isinstance(e.syntax, s.Name | s.Call) and not isinstance(e, p.Aggregate | p.Invalid):
            return f"{format_expr(self.plain(e))} is {answer}"
        return f"({format_expr(self.applied(e))}) is {answer}"

    def _call(self, e: p.Call | p.Builtin, top: bool) -> s.Expr:
        plain = self.plain(e)
        function = builtins.FUNCTIONS.get(e.name) if isinstance(e, p.Builtin) else None
        if function is not None and e.name in ("reference", "rest"):
            chosen = self.seen.get(e.site)
            return s.Name((chosen.label,), span=e.span) if isinstance(chosen, Group) else plain
        assert isinstance(plain, s.Call)
        if function is not None and not function.own_node:
            shown = attrs.evolve(e.syntax, args=tuple(self.applied(a) for a in e.args))
            return shown if top else self._slot(Slot(format_expr(plain), seen=e.site), e)
        if top:
            return plain
        # rate(m, reference(m, g, p), p) reads as the group the reference turned out to be.
        args = tuple(self.applied(original) if _is_group_choice(original) else a
                     for original, a in zip(e.args, plain.args, strict=True))
        text = format_expr(attrs.evolve(plain, args=args))
        if function is not None:
            return self._slot(Slot(text, node=text), e)
        return self._slot(Slot(text, seen=e.site), e)


def _is_group_choice(e: p.Expr) -> bool:
    return isinstance(e, p.Builtin) and e.name in ("reference", "rest")


def decisions(expr: p.Expr) -> list[int]:
    """Sites whose outcome decides how ``expr`` reads: each ``if`` and ``otherwise``, and
    each call that picks a group, outside aggregations and ``at``."""
    found: list[int] = []
    stack: list[p.Expr] = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, p.If | p.Otherwise) or _is_group_choice(e):
            found.append(e.site)
        elif isinstance(e, p.Aggregate | p.At | p.Simulated):
            continue
        stack.extend(p.children(e))
    return found
