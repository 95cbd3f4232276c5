"""Types and units: the third pass of checking. Takes the resolved rules, parameters and
invariants, gives them with every expression typed, or errors.

Every value has a type, and every number a unit (``eqlang.check.units``): money, percent,
percentage points, count, number. A rule without a declared type takes its body's, so rules
are typed in the order they are used, whatever order they are written in; a rule reached
again while it is being typed depends on itself, which is reported once per cycle. Each
type remembers the text that gave it, so that a conflict can say where both sides came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import attrs

from eqlang.check import units as t
from eqlang.check.names import Resolved, params_of
from eqlang.check.scope import Declarations, Pass
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.core.program import ERROR
from eqlang.core.values import Entity, Text, display
from eqlang.diagnostics import Note
from eqlang.syntax import ast as s
from eqlang.syntax.source import Span


@attrs.frozen
class Typed:
    """A type with the text that gave it, for messages about conflicts."""

    type: str
    origin: Span | None
    why: str


Local = dict[str, Typed]
#: The fields of an expression's node that typing changes (its typed parts).
Changes = dict[str, Any]


@attrs.frozen
class TypedProgram:
    """What the types pass gives: the parameters, rules and invariants, typed."""

    parameters: dict[str, p.ParameterRule]
    rules: dict[str, p.Rule]
    #: The contract's own invariants, in the order declared.
    invariants: tuple[p.Invariant, ...]
    #: The rules, each after every rule it calls.
    order: tuple[str, ...] = ()


class Types(Pass):
    def __init__(self, declared: Declarations, resolved: Resolved,
                 inputs: dict[str, p.InputInfo] | None = None) -> None:
        super().__init__(declared.diagnostics)
        self.declared = declared
        self.resolved = resolved
        self.inputs = inputs or {}
        self.inferred: dict[str, Typed] = {}
        self.cycle_reported: set[frozenset[str]] = set()
        self.parameters: dict[str, p.ParameterRule] = {}
        self.rules: dict[str, p.Rule] = {}

    def run(self) -> TypedProgram:
        order = self._order()
        for key in order:
            self._declaration(key)
        for duplicate in self.resolved.duplicates:
            # A declaration refused as a duplicate is never used, but its own mistakes are
            # independent errors and are reported with the rest.
            if isinstance(duplicate, p.ParameterRule):
                self._parameter(duplicate)
            else:
                self._rule(duplicate)
        invariants: tuple[p.Invariant, ...] = ()
        for key, found in self.resolved.invariants.items():
            typed = tuple(self._invariant(invariant) for invariant in found)
            if key == self.declared.main.key:
                invariants = typed
        for key, symbol in self.declared.symbols.items():
            if key in self.inferred:
                self.declared.symbols[key] = attrs.evolve(symbol, type=self.inferred[key].type)
        return TypedProgram(self.parameters, self.rules, invariants,
                            tuple(k for k in order if k in self.rules))

    # ---- declarations ---------------------------------------------------------------------

    def _declarations(self) -> list[str]:
        """The keys of the registered parameters and rules, module by module, in the order
        they are written."""
        keys = []
        for loaded in self.declared.modules:
            prefix = self.declared.scopes[loaded.key].prefix
            for d in loaded.module.declarations:
                if not isinstance(d, s.Parameter | s.Definition | s.Output | s.Schedule):
                    continue
                key = prefix + d.name
                found = self.resolved.parameters.get(key) or self.resolved.rules.get(key)
                if found is not None and found.declaration is d:
                    keys.append(key)
        return keys

    def _order(self) -> list[str]:
        """Every parameter and rule, each after everything it refers to, so that a rule
        without a declared type can take its body's.

        A depth-first search, with a stack of its own so that a long chain of definitions
        (each using the one before) does not exhaust Python's; a reference back to a
        declaration on the current path is a cycle, reported once (E0301) where it closes.
        """
        order: list[str] = []
        done: set[str] = set()
        for start in self._declarations():
            if start in done:
                continue
            path = [start]
            stack = [iter(self._references(start))]
            while stack:
                following = next(stack[-1], None)
                if following is None:
                    stack.pop()
                    finished = path.pop()
                    done.add(finished)
                    order.append(finished)
                    continue
                if following in done:
                    continue
                if following in path:
                    self._cycle([*path[path.index(following):], following])
                    continue
                path.append(following)
                stack.append(iter(self._references(following)))
        return order

    def _references(self, key: str) -> list[str]:
        """The parameters and rules a declaration refers to, in the order they are met."""
        parameter = self.resolved.parameters.get(key)
        if parameter is not None:
            parts = [parameter.value, *(a.value for a in parameter.amendments)]
        else:
            rule = self.resolved.rules[key]
            parts = [x for x in (rule.body,) if x is not None]
            for exception in rule.exceptions:
                parts.extend((exception.value, exception.condition))
            parts.extend(tier.value for tier in rule.tiers)
        found: list[str] = []
        for part in parts:
            for e in p.walk(part):
                if isinstance(e, p.Call):
                    found.append(e.rule)
                elif isinstance(e, p.Parameter):
                    found.append(e.key)
        parameters, rules = self.resolved.parameters, self.resolved.rules
        return [k for k in dict.fromkeys(found) if k in parameters or k in rules]

    def _cycle(self, cycle: list[str]) -> None:
        members = frozenset(cycle)
        if members in self.cycle_reported:
            return
        self.cycle_reported.add(members)
        key = cycle[0]
        parameter = self.resolved.parameters.get(key)
        declaration = parameter.declaration if parameter is not None else \
            self.resolved.rules[key].declaration
        hint = ("a parameter may use other parameters, but not one that leads back "
                "to it; write one of them as a plain value"
                if parameter is not None else
                "eqlang has no recursion, so every evaluation ends; compute the value "
                "from other definitions instead")
        self.error("E0301", f"`{key}` depends on itself: {' -> '.join(cycle)}",
                   declaration.span, hint=hint)

    def checked(self, key: str) -> Typed:
        """The type of a parameter or rule; one not typed yet closes a cycle."""
        typed = self.inferred.get(key)
        if typed is not None:
            return typed
        parameter = self.resolved.parameters.get(key)
        declaration = parameter.declaration if parameter is not None else \
            self.resolved.rules[key].declaration
        return Typed(ERROR, declaration.span, "a cycle")

    def _declaration(self, key: str) -> None:
        parameter = self.resolved.parameters.get(key)
        if parameter is not None:
            self.parameters[key] = self._parameter(parameter)
            typed = Typed(parameter.type, parameter.type_span,
                          f"parameter `{key}`, declared {t.describe(parameter.type)}")
        else:
            rule, typed = self._rule(self.resolved.rules[key])
            self.rules[key] = rule
        self.inferred[key] = typed

    def _parameter(self, parameter: p.ParameterRule) -> p.ParameterRule:
        d: s.Parameter = parameter.declaration
        values = []
        for value, written in zip((parameter.value, *(a.value for a in parameter.amendments)),
                                  (d.value, *(a.value for a in d.amendments)), strict=True):
            if isinstance(value, p.Invalid):
                values.append(value)
                continue
            typed, node = self.expr({}, value)
            values.append(node)
            self.expect(typed, d.type, written.span, f"parameter `{d.name}` is declared that "
                        "way", d.type_span)
            literal = t.signed_literal(written)
            if literal is not None and t.assignable(typed.type, d.type):
                problem = t.value_problem(d.name, d.type, literal)
                if problem is not None:
                    self.error("E0203", problem[0], written.span, hint=problem[1],
                               notes=(Note(f"`{d.name}` is declared {t.describe(d.type)}",
                                           d.type_span),))
        amendments = tuple(attrs.evolve(a, value=v)
                           for a, v in zip(parameter.amendments, values[1:], strict=True))
        return attrs.evolve(parameter, value=values[0], amendments=amendments)

    def _rule(self, rule: p.Rule) -> tuple[p.Rule, Typed]:
        d = rule.declaration
        local = {q.name: Typed(q.type, q.span, f"parameter `{q.name}`, declared "
                               f"{t.describe(q.type)}") for q in params_of(d)}
        if isinstance(d, s.Schedule):
            return self._schedule(rule, d, local)
        typed, body = self.expr(local, rule.body)
        declared = d.return_type
        result = typed
        if declared is not None:
            self.expect(typed, declared, d.body.span, f"`{d.name}` is declared that way",
                        d.span)
            result = Typed(declared, d.span, f"`{d.name}`, declared {t.describe(declared)}")
        elif typed.type == t.NOTHING:
            self.error("E0203", f"`{d.name}` is never scored, so its type is unknown",
                       d.body.span, hint=f"declare its type: `define {d.name}: number = ...`")
        exceptions = []
        for exception, written in zip(rule.exceptions, d.exceptions, strict=True):
            value_type, value = self.expr(local, exception.value)
            self.expect(value_type, result.type, written.value.span,
                        f"the general rule of `{d.name}` gives {t.describe(result.type)}",
                        d.body.span)
            condition_type, condition = self.expr(local, exception.condition)
            self.expect(condition_type, "yesno", written.condition.span, "an exception "
                        "applies when its condition is yes", None)
            exceptions.append(attrs.evolve(exception, value=value, condition=condition))
        final = result.type if result.type != t.NOTHING else ERROR
        typed_rule = attrs.evolve(rule, type=final, body=body, exceptions=tuple(exceptions))
        return typed_rule, Typed(final, result.origin,
                                 f"`{rule.key}` gives {t.describe(result.type)}")

    def _schedule(self, rule: p.Rule, d: s.Schedule, local: Local) -> tuple[p.Rule, Typed]:
        unit = d.param.type
        if unit not in t.NUMERIC:
            self.error("E0309", f"a schedule maps numbers to values; `{d.param.name}` is "
                       f"{t.describe(unit)}", d.param.span, hint="use a numeric type")
        bounds: list[s.Literal] = []
        for r in ([d.domain] if d.domain else []) + [tier.range for tier in d.tiers]:
            bounds.extend(b for b in (r.low, r.high) if b is not None)
        for bound in bounds:
            actual = t.literal_type(bound)
            if not t.assignable(actual, unit):
                self.error("E0309", f"tier bound is {t.describe(actual)} but `{d.param.name}` "
                           f"is {t.describe(unit)}", bound.span,
                           hint="write every bound in the unit of the schedule's input")
        tiers = []
        for tier, written in zip(rule.tiers, d.tiers, strict=True):
            typed, value = self.expr(local, tier.value)
            self.expect(typed, d.return_type, written.value.span,
                        f"schedule `{d.name}` is declared that way", d.span)
            tiers.append(attrs.evolve(tier, value=value))
        return attrs.evolve(rule, tiers=tuple(tiers)), Typed(
            d.return_type, d.span, f"schedule `{d.name}`, declared {t.describe(d.return_type)}")

    def binders(self, local: Local, binders: tuple[p.Binder, ...], chained: bool = False
                ) -> tuple[tuple[p.Binder, ...], Local]:
        """Typed ``for each`` variables, and the local names with them bound; each domain
        is typed where the variables before it are bound only if ``chained`` (an
        invariant's), not in an aggregation."""
        inner = dict(local)
        typed = []
        for binder in binders:
            kind, domain = self.domain(inner if chained else local, binder.domain)
            typed.append(attrs.evolve(binder, domain=domain, type=kind))
            inner[binder.name] = Typed(kind, binder.span, f"`{binder.name}` ranging over the "
                                       "domain")
        return tuple(typed), inner

    def _invariant(self, invariant: p.Invariant) -> p.Invariant:
        binders, local = self.binders({}, invariant.binders, chained=True)
        claim = invariant.claim
        if isinstance(claim, p.Always):
            value = self.boolean(local, claim.claim, "an `always` claim is a yes/no statement")
            condition = None if claim.condition is None else self.boolean(
                local, claim.condition, "a `when` condition is yes or no")
            return attrs.evolve(invariant, binders=binders, claim=p.Always(value, condition))
        typed, value = self.expr(local, claim.value)
        if typed.type not in t.NUMERIC and typed.type not in (ERROR, t.NOTHING):
            assert claim.value.span is not None
            self.error("E0310", f"only a number can {claim.change[:-1]}; "
                       f"`{t.clip(claim.value.span.text)}` gives {t.describe(typed.type)}",
                       claim.value.span,
                       hint="name an output or definition that gives money, a percent, points "
                       "or a number, such as `payout`")
        _, moved = self.expr(local, claim.moved)
        return attrs.evolve(invariant, binders=binders,
                            claim=attrs.evolve(claim, value=value, moved=moved))

    # ---- expressions ----------------------------------------------------------------------

    def expect(self, typed: Typed, wanted: str, span: Span | None, because: str,
               because_span: Span | None) -> None:
        if typed.type == ERROR or t.assignable(typed.type, wanted):
            return
        notes = []
        if typed.origin is not None and typed.origin != span:
            notes.append(Note(f"{t.describe(typed.type)} comes from {typed.why}", typed.origin))
        notes.append(Note(f"{t.describe(wanted)} is expected because {because}", because_span))
        hint = t.unit_hint(typed.type, wanted) or t.expected_hint(
            typed.type, wanted, because_span is not None)
        self.error("E0203", f"expected {t.describe(wanted)}, found {t.describe(typed.type)}",
                   span, hint=hint, notes=tuple(notes))

    def expr(self, local: Local, e: p.Expr) -> tuple[Typed, p.Expr]:
        # Each typer gives the type and the fields of the node that change (its typed
        # parts): the typed node is made once, its type with them.
        typed, changes = self._typers[type(e)](self, local, e)
        if changes or e.type != typed.type:
            return typed, attrs.evolve(e, type=typed.type, **changes)
        return typed, e

    def boolean(self, local: Local, e: p.Expr, role: str) -> p.Expr:
        typed, node = self.expr(local, e)
        self.expect(typed, "yesno", e.span, role, None)
        return node

    def _invalid(self, local: Local, e: p.Invalid) -> tuple[Typed, Changes]:
        parts = tuple(self.expr(local, part)[1] for part in e.parts)
        if e.not_callable is not None:
            typed, _ = self.expr(local, e.not_callable)
            if typed.type != ERROR:
                callee = e.syntax.callee
                self.error("E0104", f"`{callee.dotted}` is {t.describe(typed.type)}, not "
                           "something to call", callee.span,
                           hint=f"write `{callee.dotted}` without parentheses")
        return Typed(ERROR, e.span, ""), {"parts": parts, "not_callable": None}

    def _const(self, local: Local, e: p.Const | p.Unscored) -> tuple[Typed, Changes]:
        assert e.span is not None
        why = {t.NOTHING: "`not scored`", t.ROUNDING_MODE: "a rounding mode"}.get(e.type)
        if why is None:
            syntax = e.syntax
            if isinstance(syntax, s.WholePopulation):
                why = "`ALL`"
            elif isinstance(syntax, s.Name):
                why = f"the {e.type} `{display(e.value)}`"
            else:
                why = f"the literal `{e.span.text}`"
        return Typed(e.type, e.span, why), {}

    def _input(self, local: Local, e: p.Input) -> tuple[Typed, Changes]:
        info = self.inputs.get(e.name)
        if info is None:
            return Typed(ERROR, e.span, ""), {}  # its declaration has an error of its own
        return Typed(info.type, info.type_span, f"organization input `{e.name}`, declared "
                     f"{t.describe(info.type)}"), {}

    def _organization(self, local: Local, e: p.TheOrganization) -> tuple[Typed, Changes]:
        return Typed("organization", e.span, "`organization`"), {}

    def _local(self, local: Local, e: p.Local) -> tuple[Typed, Changes]:
        return local[e.name], {}

    def _parameter_ref(self, local: Local, e: p.Parameter) -> tuple[Typed, Changes]:
        return self.checked(e.key), {}

    def _call(self, local: Local, e: p.Call) -> tuple[Typed, Changes]:
        typed = self.checked(e.rule)
        if not e.args and isinstance(e.syntax, s.Name):
            return typed, {}
        declaration = self.resolved.rules[e.rule].declaration
        params = params_of(declaration)
        args = []
        for arg, q in zip(e.args, params, strict=False):
            arg_type, node = self.expr(local, arg)
            self.expect(arg_type, q.type, arg.span,
                        f"parameter `{q.name}` of `{e.syntax.callee.dotted}` is declared that "
                        "way", q.span)
            args.append(node)
        args.extend(self.expr(local, arg)[1] for arg in e.args[len(params):])
        return Typed(typed.type, e.span, f"`{e.syntax.callee.dotted}(...)`, which gives "
                     f"{t.describe(typed.type)}"), {"args": tuple(args)}

    def _builtin(self, local: Local, e: p.Builtin) -> tuple[Typed, Changes]:
        function = builtins.FUNCTIONS[e.name]
        typed_args = [self.expr(local, a) for a in e.args]
        node = {"args": tuple(n for _, n in typed_args)}
        args = [typed for typed, _ in typed_args]
        name = e.name
        if function.signature == builtins.FIXED:
            for arg, written, want in zip(args, e.args, function.params, strict=False):
                self.expect(arg, want, written.span, f"`{name}` takes {t.describe(want)} here",
                            None)
            assert function.result is not None
            return Typed(function.result, e.span, f"`{name}(...)`"), node
        if function.signature == builtins.SAME_UNIT:
            return self._same_unit(args, e, name), node
        if name == "round":
            value, places, mode = args
            self.expect(places, "count", e.args[1].span, "`round` takes a number of decimal "
                        "places here", None)
            if mode.type != t.ROUNDING_MODE and mode.type != ERROR:
                self.error("E0308", "the third argument of `round` is a rounding mode",
                           e.args[2].span, hint="one of: " + ", ".join(builtins.ROUNDING_MODES))
            args = [value]
        value = args[0]
        if value.type not in t.NUMERIC and value.type not in (ERROR, t.NOTHING):
            self.error("E0201", f"`{name}` needs a number, found {t.describe(value.type)}",
                       e.args[0].span, hint="apply it to money, a percent, points or a number",
                       notes=(Note(f"{t.describe(value.type)} comes from {value.why}",
                                   value.origin),))
            return Typed(ERROR, e.span, ""), node
        return Typed(value.type, e.span, f"`{name}(...)`"), node

    def _same_unit(self, args: list[Typed], e: p.Builtin, name: str) -> Typed:
        result = args[0]
        for arg, node in zip(args[1:], e.args[1:], strict=False):
            if ERROR in (arg.type, result.type):
                result = arg if result.type == ERROR else result
                continue
            joined = t.join(result.type, arg.type)
            if joined is None or joined not in t.NUMERIC:
                self.conflict("E0201", f"`{name}` compares values of one unit; found "
                              f"{t.describe(result.type)} and {t.describe(arg.type)}",
                              node.span, result, arg, t.unit_hint(arg.type, result.type))
                return Typed(ERROR, e.span, "")
            result = Typed(joined, result.origin, result.why)
        return Typed(result.type, e.span, f"`{name}(...)` of {t.describe(result.type)}")

    def conflict(self, code: str, message: str, span: Span | None, a: Typed, b: Typed,
                 hint: str | None) -> None:
        notes = tuple(
            Note(f"{t.describe(x.type)} comes from {x.why}", x.origin)
            for x in (a, b) if x.origin is not None and x.origin != span
        )
        self.error(code, message, span, hint=hint, notes=notes)

    def domain(self, local: Local, d: p.Domain) -> tuple[str, p.Domain]:
        if isinstance(d, p.Measures):
            return "measure", d
        if isinstance(d, p.Organizations):
            return "organization", d
        if isinstance(d, p.Groups):
            if d.local is not None:
                found = local[d.local]
                if found.type not in ("stratification", ERROR):
                    assert d.span is not None
                    named = d.span.source.span(d.span.end - len(d.local), d.span.end)
                    self.error("E0203", "expected a stratification, found "
                               f"{t.describe(found.type)}", named,
                               hint=f"declare the parameter `{d.local}: stratification`, or "
                               "name one of the contract's stratifications",
                               notes=(Note(f"`{d.local}` is {t.describe(found.type)}: "
                                           f"{found.why}", found.origin),))
            return "group", d
        kinds = set()
        items = []
        for item in d.items:
            typed, node = self.expr(local, item)
            kinds.add(typed.type)
            items.append(node)
        listed = attrs.evolve(d, items=tuple(items))
        kinds.discard(ERROR)
        if len(kinds) > 1:
            self.error("E0201", "a list holds things of one kind; this one mixes "
                       + " and ".join(sorted(t.describe(k) for k in kinds)), d.span,
                       hint="list only measures, only groups or only periods")
            return ERROR, listed
        return (kinds.pop() if kinds else ERROR), listed

    def _aggregate(self, local: Local, e: p.Aggregate) -> tuple[Typed, Changes]:
        binders, inner = self.binders(local, e.binders)
        where = None
        if e.where is not None:
            condition, where = self.expr(inner, e.where)
            self.expect(condition, "yesno", e.where.span, "a `where` filter is a "
                        "yes/no condition", None)
        share = None
        if e.share is not None:
            share_type, share = self.expr(local, e.share)
            self.expect(share_type, "percent", e.share.span, "`percentile` takes a percent "
                        "first", None)
        element, value = self.expr(inner, e.value)
        weight: Typed | None = None
        weight_node = None
        if e.weight is not None:
            weight, weight_node = self.expr(inner, e.weight)
            if weight.type not in t.NUMERIC and weight.type not in (ERROR, t.NOTHING):
                self.error("E0201", f"a weight must be a number, found "
                           f"{t.describe(weight.type)}", e.weight.span,
                           hint="weight by a percent, a count, a number or money",
                           notes=(Note(f"{t.describe(weight.type)} comes from {weight.why}",
                                       weight.origin),))
                weight = Typed(ERROR, e.weight.span, "")
        node = {"binders": binders, "where": where, "share": share, "value": value,
                "weight": weight_node}
        return self._aggregate_type(e, element, weight), node

    def _aggregate_type(self, e: p.Aggregate, element: Typed, weight: Typed | None) -> Typed:
        name = e.function
        syntax = e.syntax
        if e.policy == "zero" and element.type not in t.NUMERIC and element.type != ERROR:
            self.error("E0308", "`not scored: zero` needs numeric values", syntax.for_each.span,
                       hint="use `skip` or `propagate`")
        if element.type == ERROR or (weight is not None and weight.type == ERROR):
            return Typed(ERROR, e.span, "")
        if name in ("all", "any"):
            self.expect(element, "yesno", e.value.span, f"`{name}` checks yes/no answers", None)
            return Typed("yesno", e.span, f"`{name}(...)`")
        if name == "count":
            if element.type != "yesno" and element.type not in t.ENTITY:
                self.error("E0201", "`count` counts items or yes answers, found "
                           f"{t.describe(element.type)}", e.value.span,
                           hint="write `count(m for each m in measures where ...)`")
            return Typed("count", e.span, "`count(...)`")
        if element.type not in t.NUMERIC and element.type != t.NOTHING:
            self.error("E0201", f"`{name}` needs numbers, found {t.describe(element.type)}",
                       e.value.span, hint="aggregate money, percents, points or numbers",
                       notes=(Note(f"{t.describe(element.type)} comes from {element.why}",
                                   element.origin),))
            return Typed(ERROR, e.span, "")
        if name == "sum" and weight is not None:
            # A weighted sum is a sum of products, so it has the unit of `value * weight`.
            if t.NOTHING in (element.type, weight.type):
                product: str | None = weight.type if element.type == t.NOTHING else element.type
            else:
                product = t.multiply(element.type, weight.type)
            if product is None:
                self.conflict("E0201", f"cannot weight {t.describe(element.type)} by "
                              f"{t.describe(weight.type)}: their product has no unit",
                              e.span, element, weight,
                              t.arithmetic_hint("*", element.type, weight.type))
                return Typed(ERROR, e.span, "")
            return Typed(product, e.span, f"`{name}(...)` of {t.describe(element.type)} "
                         f"weighted by {t.describe(weight.type)}")
        result = "number" if element.type == "count" and name == "mean" else element.type
        return Typed(result, e.span, f"`{name}(...)` of {t.describe(element.type)}")

    def _arithmetic(self, local: Local, e: p.Arithmetic) -> tuple[Typed, Changes]:
        left, left_node = self.expr(local, e.left)
        right, right_node = self.expr(local, e.right)
        node = {"left": left_node, "right": right_node}
        if ERROR in (left.type, right.type):
            return Typed(ERROR, e.span, ""), node
        if t.NOTHING in (left.type, right.type):
            other = right if left.type == t.NOTHING else left
            return Typed(other.type, e.span, other.why), node
        rule = {"+": t.add, "-": t.subtract, "*": t.multiply, "/": t.divide}[e.op]
        result = rule(left.type, right.type)
        if result is None:
            verb = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}[e.op]
            self.conflict(
                "E0201",
                f"cannot {verb} {t.describe(left.type)} and {t.describe(right.type)}"
                if e.op in "+*" else
                f"cannot {verb} {t.describe(right.type)} from {t.describe(left.type)}"
                if e.op == "-" else
                f"cannot divide {t.describe(left.type)} by {t.describe(right.type)}",
                e.span, left, right, t.arithmetic_hint(e.op, left.type, right.type),
            )
            return Typed(ERROR, e.span, ""), node
        assert e.span is not None
        return Typed(result, e.span, f"`{t.clip(e.span.text)}`"), node

    def _negate(self, local: Local, e: p.Negate) -> tuple[Typed, Changes]:
        operand, node = self.expr(local, e.operand)
        if operand.type not in t.NUMERIC and operand.type not in (ERROR, t.NOTHING):
            self.error("E0201", f"cannot negate {t.describe(operand.type)}", e.span,
                       hint="only amounts, percents, points and numbers have a minus sign")
            return Typed(ERROR, e.span, ""), {"operand": node}
        return Typed(operand.type, e.span, operand.why), {"operand": node}

    def _compare(self, local: Local, e: p.Compare) -> tuple[Typed, Changes]:
        left, left_node = self.expr(local, e.left)
        right, right_node = self.expr(local, e.right)
        node = {"left": left_node, "right": right_node}
        if ERROR in (left.type, right.type):
            return Typed("yesno", e.span, "a comparison"), node
        if "organization" in (left.type, right.type) and "text" in (left.type, right.type):
            return self._named_organization(e, node, left, right)
        choices = self._choices(e, left_node, right_node)
        if choices is not None:
            return choices, node
        if not t.comparable(left.type, right.type):
            self.conflict("E0202", f"cannot compare {t.describe(left.type)} with "
                          f"{t.describe(right.type)}", e.span, left, right,
                          t.unit_hint(right.type, left.type))
        elif e.op not in ("=", "!=") and not (t.ordered(left.type) and t.ordered(right.type)):
            self.error("E0202", f"{t.describe(left.type)} has no order; only `=` and `!=` "
                       "apply", e.span, hint="compare with `=` or `!=`")
        return Typed("yesno", e.span, "a comparison"), node

    def _named_organization(self, e: p.Compare, node: Changes, left: Typed, right: Typed
                            ) -> tuple[Typed, Changes]:
        """``organization = "Harbor ACO"``: an organization compared with its name, written
        out; the name becomes the organization it names."""
        text_side = "left" if left.type == "text" else "right"
        written = node[text_side]
        if e.op not in ("=", "!=") or not (isinstance(written, p.Const)
                                           and isinstance(written.value, Text)):
            self.conflict("E0202", f"cannot compare {t.describe(left.type)} with "
                          f"{t.describe(right.type)}" if e.op in ("=", "!=") else
                          "an organization has no order; only `=` and `!=` apply", e.span,
                          left, right, "an organization is compared with another "
                          "(`o = organization`) or with its name written in quotes "
                          "(`organization = \"Harbor ACO\"`)")
            return Typed("yesno", e.span, "a comparison"), node
        named = attrs.evolve(written, value=Entity("organization", written.value.value),
                             type="organization")
        return Typed("yesno", e.span, "a comparison"), {**node, text_side: named}

    def _choices(self, e: p.Compare, left: p.Expr, right: p.Expr) -> Typed | None:
        """A text input compared with a text it can never take (`region = "Nrth"`)."""
        for one, other in ((left, right), (right, left)):
            info = self.inputs.get(one.name) if isinstance(one, p.Input) else None
            if info is None or not info.choices or not isinstance(other, p.Const) \
                    or not isinstance(other.value, Text) or other.value.value in info.choices:
                continue
            self.error("E0202", f"`{one.name}` is never \"{other.value.value}\": it is one "
                       "of " + ", ".join(f'"{c}"' for c in info.choices), e.span,
                       hint=self.suggest(other.value.value, info.choices)
                       or f"compare it with one of the values `{one.name}` is declared with",
                       notes=(Note(f"`{one.name}` is declared here", info.span),))
            return Typed("yesno", e.span, "a comparison")
        return None

    def _not(self, local: Local, e: p.Not) -> tuple[Typed, Changes]:
        operand = self.boolean(local, e.operand, "`not` applies to yes/no")
        return Typed("yesno", e.span, "`not`"), {"operand": operand}

    def _connective(self, local: Local, e: p.And | p.Or) -> tuple[Typed, Changes]:
        word = "and" if isinstance(e, p.And) else "or"
        left = self.boolean(local, e.left, f"`{word}` joins yes/no answers")
        right = self.boolean(local, e.right, f"`{word}` joins yes/no answers")
        return Typed("yesno", e.span, f"`{word}`"), {"left": left, "right": right}

    def _if(self, local: Local, e: p.If) -> tuple[Typed, Changes]:
        condition = self.boolean(local, e.condition, "an `if` condition is yes or no")
        then, then_node = self.expr(local, e.then)
        other, other_node = self.expr(local, e.otherwise)
        node = {"condition": condition, "then": then_node, "otherwise": other_node}
        return self._join(then, other, e, "the two branches of `if`"), node

    def _join(self, a: Typed, b: Typed, e: p.Expr, what: str) -> Typed:
        if ERROR in (a.type, b.type):
            return Typed(ERROR, e.span, "")
        joined = t.join(a.type, b.type)
        if joined is None:
            self.conflict("E0201", f"{what} give different types: {t.describe(a.type)} and "
                          f"{t.describe(b.type)}", e.span, a, b, t.unit_hint(b.type, a.type))
            return Typed(ERROR, e.span, "")
        origin = a if a.type != t.NOTHING else b
        return Typed(joined, origin.origin, origin.why)

    def _otherwise(self, local: Local, e: p.Otherwise) -> tuple[Typed, Changes]:
        value, value_node = self.expr(local, e.value)
        fallback, fallback_node = self.expr(local, e.fallback)
        node = {"value": value_node, "fallback": fallback_node}
        return self._join(value, fallback, e, "a value and its `otherwise` fallback"), node

    def _because(self, local: Local, e: p.Because) -> tuple[Typed, Changes]:
        typed, value = self.expr(local, e.value)
        return typed, {"value": value}

    def _is_scored(self, local: Local, e: p.IsScored) -> tuple[Typed, Changes]:
        _, operand = self.expr(local, e.operand)
        return Typed("yesno", e.span, "`is scored`"), {"operand": operand}

    def _member_of(self, local: Local, e: p.MemberOf) -> tuple[Typed, Changes]:
        element, element_node = self.expr(local, e.element)
        kind, domain = self.domain(local, e.domain)
        if ERROR not in (kind, element.type) and element.type != kind:
            self.error("E0202", f"cannot look for {t.describe(element.type)} among "
                       f"{t.describe_many(kind)}", e.span, hint="compare like with like")
        return Typed("yesno", e.span, "`in`"), {"element": element_node, "domain": domain}

    def _at(self, local: Local, e: p.At) -> tuple[Typed, Changes]:
        org, org_node = self.expr(local, e.organization)
        self.expect(org, "organization", e.organization.span, "`at` names an organization",
                    None)
        value, value_node = self.expr(local, e.value)
        return value, {"value": value_node, "organization": org_node}

    def _simulated(self, local: Local, e: p.Simulated) -> tuple[Typed, Changes]:
        value, value_node = self.expr(local, e.value)
        nodes = []
        for option, wanted, role in ((e.level, "percent", "a confidence level is a percent"),
                                     (e.draws, "count", "a number of draws is a count"),
                                     (e.seed, "number", "a seed is a whole number")):
            if option is None:
                nodes.append(None)
                continue
            typed, node = self.expr(local, option)
            self.expect(typed, wanted, option.span, role, None)
            nodes.append(node)
        level, draws, seed = nodes
        assert draws is not None and seed is not None
        node = {"value": value_node, "level": level, "draws": draws, "seed": seed}
        if value.type not in t.NUMERIC and value.type not in (ERROR, t.NOTHING):
            self.error("E0201", f"only a number has an interval, not {t.describe(value.type)}",
                       e.value.span, hint="simulate a number: money, a percent, points, a "
                       "count or a plain number", notes=(Note(
                           f"{t.describe(value.type)} comes from {value.why}", value.origin),))
            return Typed(ERROR, e.span, ""), node
        # The spread of rates is in points, as a difference of two rates is.
        unit = "pp" if e.bound == "standard error" and value.type == "percent" else value.type
        return Typed(unit, e.span, f"`simulated {e.bound}(...)`"), node

    _typers: ClassVar[dict[type, Callable[[Any, Local, Any], tuple[Typed, Changes]]]] = {
        p.Invalid: _invalid, p.Const: _const, p.Unscored: _const, p.Local: _local,
        p.Parameter: _parameter_ref, p.Call: _call, p.Builtin: _builtin,
        p.Aggregate: _aggregate, p.Arithmetic: _arithmetic, p.Negate: _negate,
        p.Compare: _compare, p.Not: _not, p.And: _connective, p.Or: _connective, p.If: _if,
        p.Otherwise: _otherwise, p.Because: _because, p.IsScored: _is_scored,
        p.MemberOf: _member_of, p.At: _at, p.Simulated: _simulated, p.Input: _input,
        p.TheOrganization: _organization,
    }

