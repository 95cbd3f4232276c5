"""Names: the second pass of checking. Takes the declarations, gives every parameter, rule
and invariant as core expressions whose names are resolved (their types come next), the
uses of every name for the symbol index, or errors.

A name becomes what it refers to: a ``Local`` (a rule's parameter or a loop variable), a
``Parameter``, a ``Call`` of a rule (with no arguments for a name used alone), a constant
for a measure, group, period or stratification. A call of a builtin becomes a ``Builtin``
or an ``Aggregate``. What cannot be resolved becomes an ``Invalid`` node that keeps the
parts that could, so that their own errors are found as well.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import attrs

from eqlang.check import units as t
from eqlang.check.scope import Declarations, ModuleScope, Pass, Ref, symbol_key
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.core.values import (
    DateValue,
    Entity,
    Group,
    Mode,
    Text,
    Truth,
    Value,
    literal_quantity,
    shift,
)
from eqlang.diagnostics import Note, counted
from eqlang.syntax import ast as s
from eqlang.syntax.parse import MAX_DECIMAL_PLACES
from eqlang.syntax.source import Span

_RULE_KINDS = ("definition", "output", "schedule")

_NEG_INF = Decimal("-Infinity")
_POS_INF = Decimal("Infinity")


def tier_interval(r: s.Range) -> tuple[Decimal, bool, Decimal, bool]:
    """Low, low-closed, high, high-closed of a range, as written (35 for `35%`)."""
    def v(bound: s.Literal | None) -> Decimal:
        assert bound is not None and isinstance(bound.value, Decimal)
        return bound.value
    return {
        "below": lambda: (_NEG_INF, False, v(r.high), False),
        "up_to": lambda: (_NEG_INF, False, v(r.high), True),
        "above": lambda: (v(r.low), False, _POS_INF, False),
        "from": lambda: (v(r.low), True, _POS_INF, False),
        "from_to": lambda: (v(r.low), True, v(r.high), False),
        "from_through": lambda: (v(r.low), True, v(r.high), True),
    }[r.kind]()


def literal_value(literal: s.Literal) -> Value:
    """The value a literal stands for: ``35%`` is 0.35 percent."""
    if literal.kind == "yesno":
        return Truth(bool(literal.value))
    if literal.kind == "date":
        assert not isinstance(literal.value, Decimal | str | bool)
        return DateValue(literal.value)
    if literal.kind == "text":
        return Text(str(literal.value))
    assert isinstance(literal.value, Decimal)
    return literal_quantity(literal.kind, literal.value)


def params_of(d: s.Definition | s.Output | s.Schedule) -> tuple[s.Param, ...]:
    """The parameters of a rule; a schedule has exactly one."""
    return (d.param,) if isinstance(d, s.Schedule) else (d.params or ())


def signature_hint(name: str, params: tuple[s.Param, ...] | None) -> str:
    """How to call a builtin, or a rule with these parameters."""
    if params is not None:
        return f"call it as `{name}({', '.join(f'{q.name}: {q.type}' for q in params)})`"
    function = builtins.FUNCTIONS.get(name)
    if function is not None and function.signature == builtins.FIXED:
        return f"call it as `{name}({', '.join(function.params)})`"
    if name == "round":
        return "call it as `round(value, places, half up)`"
    if name == "clamp":
        return "call it as `clamp(value, low, high)`"
    if name == "abs":
        return "call it as `abs(value)`"
    return "check the declaration for the arguments it takes"


def _domain_words(d: s.FocusGroups | s.StratificationGroups) -> str:
    return "focus groups" if isinstance(d, s.FocusGroups) else "groups"


@attrs.frozen
class Resolved:
    """What the names pass gives: rules and parameters with resolved, untyped bodies."""

    parameters: dict[str, p.ParameterRule]
    rules: dict[str, p.Rule]
    #: Declarations refused as duplicates, resolved so that their own errors are found.
    duplicates: tuple[p.ParameterRule | p.Rule, ...]
    #: Each module's invariants, by module key, duplicates left out.
    invariants: dict[str, tuple[p.Invariant, ...]]
    uses: tuple[p.Use, ...]


class Names(Pass):
    def __init__(self, declared: Declarations) -> None:
        super().__init__(declared.diagnostics)
        self.declared = declared
        self.sites = itertools.count(1)
        self.uses: list[p.Use] = list(declared.uses)
        #: The rule whose body is being resolved, for the keys of its parameters' symbols.
        self.owner = ""

    def run(self) -> Resolved:
        d = self.declared
        parameters: dict[str, p.ParameterRule] = {}
        rules: dict[str, p.Rule] = {}
        duplicates: list[p.ParameterRule | p.Rule] = []
        invariants: dict[str, tuple[p.Invariant, ...]] = {}
        for loaded in d.modules:
            scope = d.scopes[loaded.key]
            for declaration in loaded.module.declarations:
                if not isinstance(declaration, s.Parameter | s.Definition | s.Output
                                  | s.Schedule):
                    continue
                key = scope.prefix + declaration.name
                resolved: p.ParameterRule | p.Rule
                if isinstance(declaration, s.Parameter):
                    registered = d.parameters.get(key, (None, ""))[0] is declaration
                    resolved = self.parameter(scope, key, declaration)
                else:
                    registered = d.bodies.get(key, (None, ""))[0] is declaration
                    resolved = self.rule(scope, key, declaration)
                if not registered:
                    duplicates.append(resolved)
                elif isinstance(resolved, p.ParameterRule):
                    parameters[key] = resolved
                else:
                    rules[key] = resolved
            invariants[loaded.key] = self.invariants(scope)
        return Resolved(parameters, rules, tuple(duplicates), invariants, tuple(self.uses))

    # ---- declarations ---------------------------------------------------------------------

    def parameter(self, scope: ModuleScope, key: str, d: s.Parameter) -> p.ParameterRule:
        self.owner = key
        value = self.constant(scope, d.value)
        amendments = tuple(
            p.Amendment(self.constant(scope, a.value), a.effective, a.citation, span=a.span)
            for a in d.amendments)
        return p.ParameterRule(key, d.name, d.type, value, amendments, d.citation,
                               module=scope.loaded.key, span=d.span, type_span=d.type_span,
                               declaration=d)

    def constant(self, scope: ModuleScope, expr: s.Expr) -> p.Expr:
        """A parameter's value, which must be a constant; ``Invalid``, with an error, if not.

        A parameter is fixed when the contract is signed, so its value may use literals and
        other parameters, but nothing that is computed when the contract is settled.
        """
        for node in _walk(expr):
            if isinstance(node, s.Call | s.AtOrganization | s.WholePopulation
                          | s.ThisOrganization):
                self.error("E0306", "a parameter's value must be a constant", node.span,
                           hint="use `define` for a value computed from the measure table"
                           + (" or for each organization"
                              if isinstance(node, s.ThisOrganization) else ""))
                return p.Invalid(span=expr.span, syntax=expr)
            if isinstance(node, s.Name):
                found = self._lookup(scope, node)
                kind = found[0].kind if found is not None else None
                if kind == "input" or kind in _RULE_KINDS:
                    what, fix = (
                        ("an organization input, read for each organization",
                         f": `define ... = ... {node.dotted} ...`") if kind == "input" else
                        (f"a {kind}, computed when the contract is settled",
                         f", or write the value itself in place of `{node.dotted}`"))
                    self.error("E0306", f"a parameter's value must be a constant; "
                               f"`{node.dotted}` is {what}", node.span,
                               hint=f"declare it with `define` instead of `parameter`{fix}")
                    return p.Invalid(span=expr.span, syntax=expr)
        return self.expr(scope, {}, expr)

    def rule(self, scope: ModuleScope, key: str,
             d: s.Definition | s.Output | s.Schedule) -> p.Rule:
        self.owner = key
        params = params_of(d)
        seen: set[str] = set()
        for q in params:
            if q.name in seen:
                self.error("E0102", f"parameter `{q.name}` is named twice", q.span,
                           hint="give each parameter its own name")
            seen.add(q.name)
            self.declared.symbols.setdefault(f"{key}#{q.name}", p.Symbol(
                f"{key}#{q.name}", q.name, "parameter of a rule", q.span, q.type))
        local = {q.name: q.span for q in params}
        ir_params = tuple(p.Param(q.name, q.type, span=q.span) for q in params)
        kind = {s.Definition: "definition", s.Output: "output", s.Schedule: "schedule"}[type(d)]
        module = scope.loaded.key
        if isinstance(d, s.Schedule):
            tiers = tuple(self.tier(scope, local, tier, d.param.type) for tier in d.tiers)
            domain = None
            if d.domain is not None:
                low, low_closed, high, high_closed = _magnitudes(d.domain, d.param.type)
                domain = p.Range(low, low_closed, high, high_closed, span=d.domain.span)
            return p.Rule(key, d.name, kind, ir_params, d.return_type, None, tiers=tiers,
                          domain=domain, module=module, span=d.span, declaration=d)
        body = self.expr(scope, local, d.body)
        exceptions = tuple(
            p.Exception_(self.expr(scope, local, x.value), self.expr(scope, local, x.condition),
                         x.citation, span=x.span, site=next(self.sites))
            for x in d.exceptions)
        rounding = d.rounding if isinstance(d, s.Output) else None
        return p.Rule(key, d.name, kind, ir_params, d.return_type or p.UNTYPED, body,
                      exceptions, rounding, citation=d.citation, module=module, span=d.span,
                      declaration=d)

    def tier(self, scope: ModuleScope, local: dict[str, Span | None], tier: s.Tier,
             unit: str) -> p.Tier:
        low, low_closed, high, high_closed = _magnitudes(tier.range, unit)
        return p.Tier(low, low_closed, high, high_closed, self.expr(scope, local, tier.value),
                      tier.range.span.text, span=tier.span, site=next(self.sites))

    def invariants(self, scope: ModuleScope) -> tuple[p.Invariant, ...]:
        found: list[p.Invariant] = []
        seen: dict[str, s.Invariant] = {}
        for d in scope.loaded.module.declarations:
            if not isinstance(d, s.Invariant):
                continue
            if d.title in seen:
                self.error("E0102", f"invariant \"{d.title}\" is declared twice", d.span,
                           hint="give each invariant its own title",
                           notes=(Note("first declared here", seen[d.title].span),))
                continue
            seen[d.title] = d
            self.owner = f"invariant {d.title}"
            local: dict[str, Span | None] = {}
            binders = []
            for binder in d.binders:
                if binder.name in local:
                    self.error("E0102", f"`{binder.name}` is already bound here", binder.span,
                               hint="choose another name for the variable")
                binders.append(p.Binder(binder.name, self.domain(scope, local, binder.domain),
                                        span=binder.span))
                local[binder.name] = binder.span
            claim: p.Always | p.Never
            if isinstance(d.claim, s.Always):
                condition = d.claim.condition
                claim = p.Always(self.expr(scope, local, d.claim.claim),
                                 self.expr(scope, local, condition) if condition else None)
            else:
                claim = p.Never(self.expr(scope, local, d.claim.value), d.claim.change,
                                self.expr(scope, local, d.claim.moved), d.claim.motion)
            found.append(p.Invariant(d.title, claim, tuple(binders), span=d.span, declaration=d))
        return tuple(found)

    # ---- names ------------------------------------------------------------------------------

    def _target(self, scope: ModuleScope, name: s.Name) -> tuple[ModuleScope, str] | None:
        """The module a top-level name is declared in, and its name there."""
        parts = name.parts
        if len(parts) == 1:
            return scope, parts[0]
        if len(parts) == 2 and parts[0] in scope.loaded.imports:
            return self.declared.scopes[scope.loaded.imports[parts[0]].key], parts[1]
        return None

    def _lookup(self, scope: ModuleScope, name: s.Name) -> tuple[Ref, Span] | None:
        """What a top-level name refers to, if anything, without reporting."""
        target = self._target(scope, name)
        return target[0].names.get(target[1]) if target is not None else None

    def resolve(self, scope: ModuleScope, local: dict[str, Span | None], name: s.Name,
                called: bool = False) -> Ref | None:
        """What a name refers to (a local as kind ``local``); None, with an error, if it
        refers to nothing. A name that is ``called`` may also be a misspelt builtin."""
        first = name.parts[0]
        if len(name.parts) == 1 and first in local:
            self.uses.append(p.Use(name.span, f"{self.owner}#{first}"))
            return Ref("local", first)
        target = self._target(scope, name)
        if target is None:
            if first in scope.loaded.imports:
                self.error("E0101", f"`{name.dotted}` names something inside a module's "
                           "module", name.span, hint=f"a module's declarations are named "
                           f"`{first}.NAME`; import the inner module to use its names")
            else:
                self.error("E0101", f"`{first}` is not an imported module", name.span,
                           hint=self.suggest(first, scope.loaded.imports)
                           or f"add `import {first}` at the top of the file")
            return None
        target_scope, part = target
        entry = target_scope.names.get(part)
        if entry is None:
            candidates: list[str] = []
            if not self.diagnostics.full:
                candidates.extend(target_scope.names)
                if target_scope is scope:
                    candidates.extend(local)
                    if called:
                        candidates.extend(builtins.NAMES)
            if not self.diagnostics.full and target_scope is scope:
                candidates.append("organization")
            self.error("E0101", f"`{name.dotted}` is not defined", name.span,
                       hint=self.suggest(part, candidates)
                       or "declare it with `define`, `parameter`, `measure`, in a "
                       "stratification's `groups` line or, for a period, in the contract "
                       "header: `period baseline is \"2022\"`")
            return None
        ref = entry[0]
        if len(name.parts) == 2:
            self.uses.append(p.Use(name.span.source.span(name.span.start, name.span.start
                                                         + len(first)),
                                   f"module:{scope.prefix}{first}"))
        if len(name.parts) == 2 and ref.kind != "module":
            self.uses.append(p.Use(_last_part(name), symbol_key(ref, target_scope)))
        elif ref.kind != "module":
            self.uses.append(p.Use(name.span, symbol_key(ref, scope)))
        return ref

    def _not_a_value(self, ref: Ref, name: s.Name, role: str) -> bool:
        """Report a module or stratification template used as a value, or a module or
        stratification called; true if it was. A contract's own stratification is a value
        of type stratification, passed to functions that range over its groups."""
        if ref.kind not in ("module", "stratification"):
            return False
        if ref.kind == "module":
            hint = (f"call a definition inside it: `{name.dotted}.NAME(...)`"
                    if role == "something to call"
                    else f"name something inside it, like `{name.dotted}.NAME`")
        elif ref.key not in self.declared.stratifications:
            self.error("E0104", f"`{name.dotted}` is a module's stratification template, not "
                       "a stratification of the contract", name.span,
                       hint=f"take it in the contract with `stratification NAME from "
                       f"{name.dotted}`, then use NAME")
            return True
        elif role == "a value":
            return False
        else:
            hint = f"write `groups of {name.dotted}` or `focus groups of {name.dotted}`"
        self.error("E0104", f"`{name.dotted}` is a {ref.kind}, not {role}", name.span,
                   hint=hint)
        return True

    def _params_of(self, key: str) -> tuple[s.Param, ...]:
        return params_of(self.declared.bodies[key][0])

    def _reference(self, ref: Ref, e: s.Name) -> p.Expr:
        """The node for a resolved name used as a value."""
        meta: dict[str, Any] = {"span": e.span, "site": next(self.sites), "syntax": e}
        if ref.kind == "local":
            return p.Local(ref.key, **meta)
        if ref.kind == "parameter":
            return p.Parameter(ref.key, **meta)
        if ref.kind == "input":
            return p.Input(ref.key, **meta)
        if ref.kind in _RULE_KINDS:
            return p.Call(ref.key, (), **meta)
        if ref.kind == "group":
            return p.Const(Group("named", ref.key), type="group", **meta)
        return p.Const(Entity(ref.kind, ref.key), type=ref.kind, **meta)

    # ---- expressions ----------------------------------------------------------------------

    def expr(self, scope: ModuleScope, local: dict[str, Span | None], e: s.Expr) -> p.Expr:
        return getattr(self, "_x_" + type(e).__name__)(scope, local, e)

    def _meta(self, e: s.Expr) -> dict[str, Any]:
        return {"span": e.span, "site": next(self.sites), "syntax": e}

    def _x_Literal(self, scope: ModuleScope, local: dict[str, Span | None],
                   e: s.Literal) -> p.Expr:
        return p.Const(literal_value(e), type=t.literal_type(e), **self._meta(e))

    def _x_NotScoredLiteral(self, scope: ModuleScope, local: dict[str, Span | None],
                            e: s.NotScoredLiteral) -> p.Expr:
        return p.Unscored(e.reason, type=t.NOTHING, **self._meta(e))

    def _x_WholePopulation(self, scope: ModuleScope, local: dict[str, Span | None],
                           e: s.WholePopulation) -> p.Expr:
        return p.Const(Group("all"), type="group", **self._meta(e))

    def _x_ThisOrganization(self, scope: ModuleScope, local: dict[str, Span | None],
                            e: s.ThisOrganization) -> p.Expr:
        return p.TheOrganization(type="organization", **self._meta(e))

    def _x_RoundingMode(self, scope: ModuleScope, local: dict[str, Span | None],
                        e: s.RoundingMode) -> p.Expr:
        return p.Const(Mode(e.mode), type=t.ROUNDING_MODE, **self._meta(e))

    def _x_Name(self, scope: ModuleScope, local: dict[str, Span | None], e: s.Name) -> p.Expr:
        ref = self.resolve(scope, local, e)
        if ref is None or self._not_a_value(ref, e, "a value"):
            return p.Invalid(span=e.span, syntax=e)
        if ref.kind == "group" and ref.key not in self.declared.group_strata \
                and scope.loaded is not self.declared.main:
            # Settlement reads a group through the contract's stratifications; a module's
            # own are templates, read by nothing until the contract takes one.
            self.error("E0106", f"group `{ref.key}` is in none of the contract's "
                       "stratifications", e.span,
                       hint="take the module's stratification into the contract with "
                       "`stratification NAME from MODULE.TEMPLATE`, or pass the group to the "
                       "definition as an argument")
            return p.Invalid(span=e.span, syntax=e)
        if ref.kind in _RULE_KINDS:
            params = self._params_of(ref.key)
            if params:
                self.error("E0104", f"`{e.dotted}` takes {counted(len(params), 'argument')}",
                           e.span,
                           hint=f"call it: `{e.dotted}({', '.join(q.name for q in params)})`")
                return p.Invalid(span=e.span, syntax=e)
        return self._reference(ref, e)

    def _x_Call(self, scope: ModuleScope, local: dict[str, Span | None], e: s.Call) -> p.Expr:
        name = e.callee.dotted
        if builtins.is_aggregate_call(name, e.for_each is not None):
            return self._aggregate(scope, local, e)
        if e.weighted_by is not None:
            self.error("E0308", "`weighted by` belongs to an aggregation", e.weighted_by.span,
                       hint="write `sum(x weighted by w for each m in measures)` or `mean(...)`")
        args = tuple(self.expr(scope, local, a) for a in e.args)
        function = builtins.FUNCTIONS.get(name)
        if function is not None:
            return self._builtin(function, args, e)
        ref = self.resolve(scope, local, e.callee, called=True)
        if ref is None or ref.kind not in _RULE_KINDS:
            not_callable = None
            if ref is not None and not self._not_a_value(ref, e.callee, "something to call"):
                not_callable = self._reference(ref, e.callee)
            return p.Invalid(args, not_callable, span=e.span, syntax=e)
        params = self._params_of(ref.key)
        self._arity(e, len(params), params)
        return p.Call(ref.key, args, **self._meta(e))

    def _arity(self, e: s.Call, count: int, params: tuple[s.Param, ...] | None = None) -> bool:
        if len(e.args) == count:
            return True
        self.error("E0103", f"`{e.callee.dotted}` takes {counted(count, 'argument')}, "
                   f"but {len(e.args)} {'were' if len(e.args) != 1 else 'was'} given", e.span,
                   hint=signature_hint(e.callee.dotted, params))
        return False

    def _builtin(self, function: builtins.Function, args: tuple[p.Expr, ...],
                 e: s.Call) -> p.Expr:
        name = function.name
        if function.arity is None:
            if len(args) < 2:
                self.error("E0103", f"`{name}` of values takes at least 2 arguments", e.span,
                           hint=f"for a {name} over a set, write "
                           f"`{name}(x for each m in measures)`")
                return p.Invalid(args, span=e.span, syntax=e)
        elif not self._arity(e, function.arity) and function.signature != builtins.FIXED:
            return p.Invalid(args, span=e.span, syntax=e)
        if name == "round":
            self._places(e.args[1])
        return p.Builtin(name, args, **self._meta(e))

    def _places(self, written: s.Expr) -> None:
        """The number of decimal places of ``round``: written out, a whole number that exact
        arithmetic can keep."""
        if not isinstance(written, s.Literal):
            self.error("E0308", "the number of decimal places must be written out",
                       written.span, hint="for example `round(x, 2, half up)`")
            return
        value = written.value
        if isinstance(value, Decimal) and value == value.to_integral_value() \
                and 0 <= value <= MAX_DECIMAL_PLACES:
            return
        text = written.span.text
        shown = text if len(text) <= 20 else f"{text[:17]}... ({len(text):,} characters)"
        self.error("E0010", f"cannot round to {shown} decimals: exact arithmetic keeps "
                   f"{MAX_DECIMAL_PLACES} significant digits, so a whole number of decimal "
                   f"places from 0 to {MAX_DECIMAL_PLACES} can be kept", written.span,
                   hint=f"round to at most {MAX_DECIMAL_PLACES} decimals, for example "
                   "`round(x, 2, half up)`")

    def _groups_of(self, local: dict[str, Span | None],
                   d: s.FocusGroups | s.StratificationGroups) -> p.Groups:
        """The stratification of `groups of NAME`: a parameter of type stratification, or
        one of the contract's stratifications."""
        focus = isinstance(d, s.FocusGroups)
        name = d.stratification
        if name is not None and name in local:
            self.uses.append(p.Use(_last_words(d, name), f"{self.owner}#{name}"))
            return p.Groups(None, name, focus, span=d.span)
        declared = self.declared
        if name is None:
            # A module's definitions are settled with the contract's stratifications, so the
            # same rule holds for them. Counted as declared, so that a stratification with
            # its own error does not make this one look wrong too.
            written = [x.name for x in declared.main.module.declarations
                       if isinstance(x, s.Stratification)]
            if not written:
                self.error("E0106", "the contract declares no stratification, so there "
                           "are no groups to range over", d.span,
                           hint="declare one with `stratification NAME ... end`")
                return p.Groups(None, None, focus, span=d.span)
            if len(written) > 1:
                self.error("E0106", "the contract has more than one stratification; say "
                           "which", d.span, hint=f"write `{_domain_words(d)} of "
                           f"{written[0]}`, for example, or take the stratification as a "
                           "parameter `s: stratification`")
                return p.Groups(None, None, focus, span=d.span)
            name = written[0]
        elif name not in declared.stratifications:
            self.error("E0101", f"`{name}` is not a stratification", _last_words(d, name),
                       hint=self.suggest(name, [*declared.stratifications, *local])
                       or "declare it with `stratification`, or take it as a parameter "
                       "`s: stratification`")
            return p.Groups(None, None, focus, span=d.span)
        else:
            self.uses.append(p.Use(_last_words(d, name), f"stratification:{name}"))
        if name in declared.stratifications:
            return p.Groups(name, None, focus, span=d.span)
        return p.Groups(None, None, focus, span=d.span)

    def domain(self, scope: ModuleScope, local: dict[str, Span | None],
               d: s.Domain) -> p.Domain:
        if isinstance(d, s.AllMeasures):
            return p.Measures(span=d.span)
        if isinstance(d, s.AllOrganizations):
            return p.Organizations(self._shared(scope, d.same), span=d.span)
        if isinstance(d, s.FocusGroups | s.StratificationGroups):
            return self._groups_of(local, d)
        return p.Listed(tuple(self.expr(scope, local, item) for item in d.items), span=d.span)

    def _shared(self, scope: ModuleScope, same: s.Name | None) -> str | None:
        """The organization input of ``organizations with the same NAME``; None, with an
        error, when NAME is not one."""
        if same is None:
            return None
        found = self._lookup(scope, same) if scope.loaded is self.declared.main else None
        if found is not None and found[0].kind == "input":
            self.uses.append(p.Use(same.span, found[0].key))
            return found[0].key
        inputs = [n for n, (ref, _) in self.declared.scopes[self.declared.main.key]
                  .names.items() if ref.kind == "input"]
        what = (f"is {'a' if found[0].kind[0] not in 'aeiou' else 'an'} {found[0].kind}"
                if found is not None else "is not declared")
        self.error("E0104" if found is not None else "E0101",
                   f"`{same.dotted}` {what}; peers are those with the same value of an "
                   "organization input", same.span,
                   hint=self.suggest(same.dotted, inputs)
                   or ("declare it with `input NAME: TYPE`, such as `input region: text`; "
                       "inputs are declared in the contract" if not inputs
                       else "the contract's inputs are: " + ", ".join(inputs)))
        return None

    def _aggregate(self, scope: ModuleScope, local: dict[str, Span | None],
                   e: s.Call) -> p.Expr:
        name = e.callee.dotted
        if name not in builtins.AGGREGATES:
            self.error("E0104", f"`{name}` is not an aggregation", e.callee.span,
                       hint=self.suggest(name, builtins.AGGREGATES)
                       or "aggregations are: " + ", ".join(sorted(builtins.AGGREGATES)))
            return p.Invalid(span=e.span, syntax=e)
        if e.for_each is None:
            self.error("E0308", f"`{name}` needs a `for each` clause", e.span,
                       hint=f"write `{name}(x for each m in measures)`")
            return p.Invalid(span=e.span, syntax=e)
        inner = dict(local)
        binders = []
        for binder in e.for_each.binders:
            if binder.name in inner:
                self.error("E0102", f"`{binder.name}` is already bound here", binder.span,
                           hint="choose another name for the loop variable")
            binders.append(p.Binder(binder.name, self.domain(scope, local, binder.domain),
                                    span=binder.span))
            inner[binder.name] = binder.span
        where = self.expr(scope, inner, e.for_each.where) if e.for_each.where else None
        expected_args = 2 if name == "percentile" else 1
        if len(e.args) != expected_args:
            self.error("E0103", f"`{name}` takes {counted(expected_args, 'value')} "
                       "before `for each`, found "
                       f"{len(e.args)}", e.span,
                       hint="write `percentile(67%, x for each o in organizations)`"
                       if name == "percentile" else f"write `{name}(x for each ...)`")
            parts = tuple(i for b in binders for i in p.domain_items(b.domain))
            return p.Invalid((*parts, *([where] if where else [])), span=e.span, syntax=e)
        share = None
        if name == "percentile":
            share = self.expr(scope, local, e.args[0])
            written = e.args[0]
            if isinstance(written, s.Literal) and isinstance(written.value, Decimal) \
                    and written.kind == "percent" and not 0 <= written.value <= 100:
                self.error("E0308", f"a percentile lies between 0% and 100%, not "
                           f"{written.span.text}", written.span,
                           hint="the 67th percentile is `percentile(67%, ...)`")
        value = self.expr(scope, inner, e.args[-1])
        weight = self.expr(scope, inner, e.weighted_by) if e.weighted_by is not None else None
        if weight is not None and not builtins.AGGREGATES[name].weighted:
            assert e.weighted_by is not None
            self.error("E0308", f"`{name}` cannot be weighted; only `sum` and `mean` can",
                       e.weighted_by.span,
                       hint="remove `weighted by`, or write `sum(x weighted by w ...)` or "
                       "`mean(x weighted by w ...)`")
            weight = None
        policy = e.for_each.not_scored or "propagate"
        if policy == "rescale" and e.weighted_by is None:
            self.error("E0308", "`not scored: rescale` scales up the weights of the scored "
                       f"items, but this `{name}` has no weights", e.for_each.span,
                       hint=f"weight the items: `{name}(x weighted by w for each ...)`; or "
                       "leave the not-scored items out with `not scored: skip`")
        return p.Aggregate(name, tuple(binders), value, where, weight, share, policy,
                           **self._meta(e))

    def _x_Binary(self, scope: ModuleScope, local: dict[str, Span | None],
                  e: s.Binary) -> p.Expr:
        return p.Arithmetic(e.op, self.expr(scope, local, e.left),
                            self.expr(scope, local, e.right), **self._meta(e))

    def _x_Negate(self, scope: ModuleScope, local: dict[str, Span | None],
                  e: s.Negate) -> p.Expr:
        return p.Negate(self.expr(scope, local, e.operand), **self._meta(e))

    def _x_Compare(self, scope: ModuleScope, local: dict[str, Span | None],
                   e: s.Compare) -> p.Expr:
        sides = (e.left, e.right)
        if any(isinstance(x, s.ThisOrganization) for x in sides):
            # `organization = Harbor`: an organization's name is text, written in quotes.
            for side in sides:
                if isinstance(side, s.Name) and len(side.parts) == 1 \
                        and side.parts[0] not in local and self._lookup(scope, side) is None:
                    self.error("E0101", f"`{side.dotted}` is not defined", side.span,
                               hint="to compare the organization with its name, write the "
                               f"name in quotes, as the tables spell it: `organization "
                               f"{e.op} \"{side.dotted}\"`")
                    return p.Invalid(span=e.span, syntax=e)
        return p.Compare(e.op, self.expr(scope, local, e.left),
                         self.expr(scope, local, e.right), **self._meta(e))

    def _x_Not(self, scope: ModuleScope, local: dict[str, Span | None], e: s.Not) -> p.Expr:
        return p.Not(self.expr(scope, local, e.operand), **self._meta(e))

    def _x_And(self, scope: ModuleScope, local: dict[str, Span | None], e: s.And) -> p.Expr:
        return p.And(self.expr(scope, local, e.left), self.expr(scope, local, e.right),
                     **self._meta(e))

    def _x_Or(self, scope: ModuleScope, local: dict[str, Span | None], e: s.Or) -> p.Expr:
        return p.Or(self.expr(scope, local, e.left), self.expr(scope, local, e.right),
                    **self._meta(e))

    def _x_If(self, scope: ModuleScope, local: dict[str, Span | None], e: s.If) -> p.Expr:
        return p.If(self.expr(scope, local, e.condition), self.expr(scope, local, e.then),
                    self.expr(scope, local, e.otherwise), **self._meta(e))

    def _x_Otherwise(self, scope: ModuleScope, local: dict[str, Span | None],
                     e: s.Otherwise) -> p.Expr:
        return p.Otherwise(self.expr(scope, local, e.value),
                           self.expr(scope, local, e.fallback), **self._meta(e))

    def _x_Because(self, scope: ModuleScope, local: dict[str, Span | None],
                   e: s.Because) -> p.Expr:
        return p.Because(self.expr(scope, local, e.value), e.reason, **self._meta(e))

    def _x_IsScored(self, scope: ModuleScope, local: dict[str, Span | None],
                    e: s.IsScored) -> p.Expr:
        return p.IsScored(self.expr(scope, local, e.operand), e.negated, **self._meta(e))

    def _x_MemberOf(self, scope: ModuleScope, local: dict[str, Span | None],
                    e: s.MemberOf) -> p.Expr:
        return p.MemberOf(self.expr(scope, local, e.element),
                          self.domain(scope, local, e.domain), **self._meta(e))

    def _x_AtOrganization(self, scope: ModuleScope, local: dict[str, Span | None],
                          e: s.AtOrganization) -> p.Expr:
        return p.At(self.expr(scope, local, e.value), self.expr(scope, local, e.organization),
                    **self._meta(e))


def _magnitudes(r: s.Range, unit: str) -> tuple[Decimal, bool, Decimal, bool]:
    """A range's ends as magnitudes: percent and points as fractions. A bound that is not
    a number (an error the types pass reports) stands for no bound."""
    if not all(isinstance(b.value, Decimal) for b in (r.low, r.high) if b is not None):
        return _NEG_INF, False, _POS_INF, False
    low, low_closed, high, high_closed = tier_interval(r)
    if unit in ("percent", "pp"):
        low, high = shift(low, -2), shift(high, -2)
    return low, low_closed, high, high_closed


def _last_part(name: s.Name) -> Span:
    """The span of the last part of a dotted name: `COL` in `hedis.COL`."""
    return name.span.source.span(name.span.end - len(name.parts[-1]), name.span.end)


def _last_words(d: s.FocusGroups | s.StratificationGroups, name: str) -> Span:
    """`groups of NAME` ends with the name: that is what the carets stand under."""
    return d.span.source.span(d.span.end - len(name), d.span.end)


def _walk(node: Any) -> list[Any]:
    """Every syntax node below and including ``node``."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        if attrs.has(type(current)):
            for field in attrs.fields(type(current)):
                if field.name == "span":
                    continue
                value = getattr(current, field.name)
                if attrs.has(type(value)):
                    stack.append(value)
                elif isinstance(value, tuple):
                    stack.extend(v for v in value if attrs.has(type(v)))
    return found
