"""Evaluation: takes a checked ``Program`` and measure tables, gives each organization's
outputs and the derivation behind every value.

Every definition is pure, so each (organization, definition, arguments) is evaluated once and
remembered. Each evaluated definition, parameter and table value becomes a ``Node`` that
records its value, its source span, the nodes it used and the table rows it read; ``trace``
writes them out. Contracts have no recursion and no loops other than over finite domains,
and a step budget bounds even the largest nested aggregation, so evaluation always ends.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable as Fn
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs

from eqlang import syntax as s
from eqlang import types as t
from eqlang.check import Callable, Program, Ref, StratificationInfo, tier_interval
from eqlang.diagnostics import Diagnostic, EqlangError, Note
from eqlang.source import Span
from eqlang.tables import Row, TableSet
from eqlang.values import (
    Arithmetic,
    ArithmeticError_,
    DateValue,
    Entity,
    ExactArithmetic,
    Group,
    Mode,
    NotScored,
    Quantity,
    Text,
    Truth,
    Value,
    display,
    literal_quantity,
    shift,
)

#: Expression steps one run may take; far above any real contract, it bounds hostile ones.
DEFAULT_STEP_LIMIT = 200_000_000

#: What ``Node.seen`` holds for an expression evaluated more than once for one node (an
#: ``if`` inside a ``for each``, say): there is no single outcome to show.
VARIED = object()

#: Builtins whose results are nodes of their own; the others are recorded in ``Node.seen``.
_NODE_BUILTINS = frozenset({"rate", "numerator", "denominator", "weight", "min_denominator",
                            "higher_is_better"})


@attrs.define
class Node:
    """One evaluated value in the derivation: a definition call, parameter or table value."""

    id: str
    org: str
    kind: str
    name: str
    args: tuple[str, ...]
    value: Value | None = None
    span: Span | None = None
    uses: dict[str, None] = attrs.field(factory=dict)
    rows: list[Row] = attrs.field(factory=list)
    citation: str | None = None
    note: str | None = None
    #: Per expression (by ``id``) evaluated for this node: the branch an ``if`` took
    #: ("then", "else"), whether an ``otherwise`` fell back ("fallback", "value"), the tier
    #: a schedule chose ("tier"), an aggregation's or builtin's result, the id of the node
    #: a call gave. The trace uses it to show the rule as it was
    #: applied (the branch taken, with values) instead of the rule as written.
    seen: dict[int, Any] | None = None

    def record(self, expression: int, outcome: Any) -> None:
        if self.seen is None:
            self.seen = {expression: outcome}
        else:
            # Values are not compared: under interval or scenario arithmetic, equality of
            # magnitudes need not be a plain yes or no.
            self.seen[expression] = VARIED if expression in self.seen else outcome


class DecisionRecorder(Protocol):
    """Told which way each decision went: a branch of an ``if``, a tier, an exception, an
    ``otherwise``. ``site`` is the AST node decided at; ``node`` the value being derived."""

    def decided(self, site: object, outcome: str, node: Node | None) -> None: ...


@attrs.frozen
class Settlement:
    """One organization's outputs: a value, or per measure or group code a value."""

    org: str
    outputs: dict[str, Value | dict[str, Value]]
    output_nodes: dict[str, str | dict[str, str]]


class EvaluationError(EqlangError):
    pass


@attrs.define
class _Env:
    org: str
    local: dict[str, Value]
    node: Node | None


_EXPRESSION_CLASSES = (
    s.Literal, s.Name, s.Call, s.Binary, s.Compare, s.Negate, s.Not, s.And, s.Or, s.If,
    s.Otherwise, s.Because, s.NotScoredLiteral, s.IsScored, s.MemberOf, s.AtOrganization,
    s.WholePopulation, s.RoundingMode,
)


def _args_text(values: tuple[Value, ...]) -> tuple[str, ...]:
    return tuple(display(v) for v in values)


class Evaluator:
    """Evaluates one checked program over one set of tables."""

    def __init__(
        self,
        program: Program,
        tables: TableSet,
        *,
        arithmetic: Arithmetic | None = None,
        overrides: Mapping[str, s.Expr] | None = None,
        as_of: datetime.date | None = None,
        step_limit: int = DEFAULT_STEP_LIMIT,
        recorder: DecisionRecorder | None = None,
    ) -> None:
        self.program = program
        self.recorder = recorder
        self.tables = tables
        self.math: Arithmetic = arithmetic or ExactArithmetic()
        self.overrides = dict(overrides or {})
        self.as_of = as_of or program.settled_as_of or self._effective_end()
        self.steps_left = step_limit
        self.nodes: dict[tuple[str, str], Node] = {}
        self.memo: dict[tuple[str, str, tuple[Value, ...]], tuple[Value, str]] = {}
        self.parameter_values: dict[str, tuple[Value, Node]] = {}
        self.period_labels = dict(program.periods)
        self.contract_measures = tuple(
            code for code in program.measures if code in self._main_measure_codes()
        )
        # One bound method per expression class: evaluation visits about a million nodes
        # for a thousand organizations, and a name lookup per visit shows in the timings.
        self.dispatch: dict[type, Fn[[Any, _Env], Value]] = {
            cls: getattr(self, "_x_" + cls.__name__) for cls in _EXPRESSION_CLASSES
        }
        self.literals: dict[int, Value] = {}

    def _decided(self, site: object, outcome: str, env: _Env) -> None:
        # The node keeps the branches and tiers taken for its trace; exceptions show in
        # its span already.
        if env.node is not None and isinstance(site, s.If | s.Otherwise | s.Tier):
            env.node.record(id(site), outcome)
        if self.recorder is not None:
            self.recorder.decided(site, outcome, env.node)

    def value_of(self, org: str, key: str, args: tuple[Value, ...] = ()) -> tuple[Value, str]:
        """One rule's value for an organization, and the id of its node."""
        return self.call(self.program.callables[key], args, _Env(org, {}, None))

    def _main_measure_codes(self) -> set[str]:
        return {d.code for d in self.program.main.module.declarations
                if isinstance(d, s.Measure)}

    def _effective_end(self) -> datetime.date | None:
        header = self.program.header
        if header is None:
            return None
        for f in header.fields:
            if f.kind == "effective":
                end = f.values[1]
                assert isinstance(end, datetime.date)
                return end
        return None

    # ---- settlement ---------------------------------------------------------------------

    def settle(self, org: str) -> Settlement:
        outputs: dict[str, Value | dict[str, Value]] = {}
        output_nodes: dict[str, str | dict[str, str]] = {}
        for key in self.program.outputs:
            callable_ = self.program.callables[key]
            if not callable_.params:
                value, node_id = self.call(callable_, (), _Env(org, {}, None))
                outputs[key] = value
                output_nodes[key] = node_id
                continue
            per: dict[str, Value] = {}
            per_nodes: dict[str, str] = {}
            for argument in self._output_arguments(callable_.params[0]):
                value, node_id = self.call(callable_, (argument,), _Env(org, {}, None))
                label = display(argument)
                per[label] = value
                per_nodes[label] = node_id
            outputs[key] = per
            output_nodes[key] = per_nodes
        return Settlement(org, outputs, output_nodes)

    def _output_arguments(self, param: s.Param) -> list[Value]:
        if param.type == "measure":
            return [Entity("measure", code) for code in self.contract_measures]
        groups: list[Value] = []
        for strat in self.program.stratifications.values():
            groups.extend(Group("named", g) for g in strat.groups)
        return groups

    def reachable(self, org: str, roots: list[str]) -> dict[str, Node]:
        """The nodes an organization's outputs used, keyed by trace id."""
        found: dict[str, Node] = {}
        stack = [(org, r) for r in roots]
        while stack:
            key = stack.pop()
            node = self.nodes[key]
            trace_id = self.trace_id(org, node)
            if trace_id in found:
                continue
            found[trace_id] = node
            stack.extend(self._split(u) for u in node.uses)
        return found

    @staticmethod
    def _split(global_id: str) -> tuple[str, str]:
        org, _, local = global_id.partition("\x1f")
        return org, local

    @staticmethod
    def trace_id(viewer: str, node: Node) -> str:
        return node.id if node.org in (viewer, "") else f"{node.org}::{node.id}"

    # ---- errors ---------------------------------------------------------------------------

    def fail(self, code: str, message: str, span: Span | None, env: _Env,
             hint: str | None = None) -> EvaluationError:
        # Say which organization, measure, group and period, as a settlement analyst
        # would look them up in the table, then which rule was being evaluated.
        where = [f"organization {env.org}"] if env.org else []
        for value in env.local.values():
            if isinstance(value, Group):
                where.append(f"group {value.label}")
            elif isinstance(value, Entity) and value.kind == "period":
                label = self.period_labels.get(value.name, value.name)
                where.append(f"period {value.name}" + (f" ({label})" if label != value.name
                                                       else ""))
            elif isinstance(value, Entity) and value.kind == "measure":
                where.append(f"measure {value.name}")
        if env.node is not None:
            call = (f"{env.node.name}({', '.join(env.node.args)})" if env.node.args
                    else env.node.name)
            where.append(f"while evaluating {call}")
        notes = (Note(", ".join(where)),) if where else ()
        return EvaluationError(Diagnostic(code, message, span, hint=hint, notes=notes))

    def _out_of_steps(self, e: s.Expr, env: _Env) -> None:
        raise self.fail("E0406", "evaluation took too many steps", e.span, env,
                        hint="the contract nests aggregations over organizations too "
                        "deeply; name the inner values with `define` so they are reused")

    # ---- nodes and calls -----------------------------------------------------------------

    def _use(self, env: _Env, org: str, local_id: str) -> None:
        if env.node is not None:
            env.node.uses[f"{org}\x1f{local_id}"] = None

    def call(self, callable_: Callable, args: tuple[Value, ...], env: _Env
             ) -> tuple[Value, str]:
        memo_key = (env.org, callable_.key, args)
        if memo_key in self.memo:
            value, node_id = self.memo[memo_key]
            self._use(env, env.org, node_id)
            return value, node_id
        shown = _args_text(args)
        node_id = f"{callable_.key}({', '.join(shown)})" if callable_.params else callable_.key
        declaration = callable_.declaration
        kind = type(declaration).__name__.lower()
        node = Node(node_id, env.org, kind, callable_.key, shown, span=declaration.span,
                    citation=getattr(declaration, "citation", None))
        self.nodes[(env.org, node_id)] = node
        inner = _Env(env.org, {p.name: a for p, a in zip(callable_.params, args, strict=True)},
                     node)
        if isinstance(declaration, s.Schedule):
            value = self._schedule(declaration, args[0], inner)
        else:
            value = self._body(declaration, inner)
            if isinstance(declaration, s.Output):
                value = self._round_output(declaration, value, inner)
        if isinstance(value, Quantity) and value.note:
            self._annotate(inner, value.note)
        node.value = value
        self.memo[memo_key] = (value, node_id)
        self._use(env, env.org, node_id)
        return value, node_id

    def _body(self, d: s.Definition | s.Output, env: _Env) -> Value:
        applying = []
        for exception in d.exceptions:
            condition = self.eval(exception.condition, env)
            if isinstance(condition, NotScored):
                return NotScored(f"cannot tell whether an exception applies: {condition.reason}")
            assert isinstance(condition, Truth)
            if condition.value:
                applying.append(exception)
        if len(applying) > 1:
            first, second = applying[:2]
            raise EvaluationError(Diagnostic(
                "E0403", f"two exceptions of `{d.name}` apply at once", second.span,
                hint="exceptions may not overlap: narrow one of the conditions",
                notes=(Note("this exception applies too", first.span),
                       Note(f"organization {env.org}, arguments "
                            f"{', '.join(env.node.args) if env.node else ''}")),
            ))
        if applying:
            self._decided(applying[0], "applies", env)
            if env.node is not None:
                env.node.citation = applying[0].citation or env.node.citation
                env.node.span = applying[0].span
            return self.eval(applying[0].value, env)
        if d.exceptions:
            self._decided(d.body, "general", env)
        return self.eval(d.body, env)

    def _round_output(self, d: s.Output, value: Value, env: _Env) -> Value:
        rounding = d.rounding
        if rounding.places is None or not isinstance(value, Quantity):
            return value
        assert rounding.mode is not None
        return Quantity(value.unit, self._round(value, rounding.places, rounding.mode, env,
                                                rounding.span), value.note)

    def _round(self, value: Quantity, places: int, mode: str, env: _Env, span: Span) -> Any:
        scaled = places + 2 if value.unit in ("percent", "pp") else places
        try:
            return self.math.round(value.magnitude, scaled, mode)
        except ArithmeticError_ as exc:
            raise self.fail("E0405", f"cannot round: {exc}", span, env) from None

    def _schedule(self, d: s.Schedule, argument: Value, env: _Env) -> Value:
        if isinstance(argument, NotScored):
            return argument
        assert isinstance(argument, Quantity)
        x = argument.magnitude

        def inside(r: s.Range) -> bool:
            low, low_closed, high, high_closed = tier_interval(r)
            low, high = self._bound(low, d.param.type), self._bound(high, d.param.type)
            above = self.math.compare(x, low)
            below = self.math.compare(x, high)
            return (above > 0 or (above == 0 and low_closed)) and (
                below < 0 or (below == 0 and high_closed))

        for tier in d.tiers:
            if inside(tier.range):
                self._decided(tier, "tier", env)
                if env.node is not None:
                    env.node.note = f"tier {tier.range.span.text}"
                return self.eval(tier.value, env)
        raise self.fail("E0404", f"{display(argument)} is outside every tier of `{d.name}`",
                        d.span, env, hint="clamp the value before looking it up, or widen "
                        "the schedule's domain")

    def _bound(self, value: Decimal, unit: str) -> Any:
        if not value.is_finite():
            return value
        if unit in ("percent", "pp"):
            value = shift(value, -2)
        return self.math.literal(value)

    # ---- parameters ----------------------------------------------------------------------

    def parameter(self, key: str, env: _Env) -> Value:
        if key in self.parameter_values:
            value, node = self.parameter_values[key]
        else:
            info = self.program.parameters[key]
            d = info.declaration
            node = Node(key, "", "parameter", key, (), span=d.span, citation=d.citation)
            expr = d.value
            if key in self.overrides:
                expr = self.overrides[key]
                node.note = f"overridden with --set {key}={expr.span.text}"
                node.span = expr.span
                node.citation = None
            elif d.amendments:
                if self.as_of is None:
                    raise self.fail("E0407", f"`{key}` has amendments, but no settlement date "
                                    "says which one is in force", d.span, env,
                                    hint="add `settled as of YYYY-MM-DD` or `effective ... to "
                                    "...` to the header, or pass --as-of")
                as_of = self.as_of
                started = [a for a in d.amendments if a.effective <= as_of]
                if started:
                    # The latest that has started, in whatever order they are written; the
                    # checker refuses two that start on the same day.
                    amendment = max(started, key=lambda a: a.effective)
                    expr = amendment.value
                    node.span = amendment.span
                    node.citation = amendment.citation
                    node.note = f"amended from {amendment.effective}, in force on {as_of}"
            value = self.eval(expr, _Env("", {}, node))
            if isinstance(value, Quantity) and info.type in ("count", "number"):
                value = Quantity(info.type, value.magnitude)
            node.value = value
            self.nodes[("", key)] = node
            self.parameter_values[key] = (value, node)
        self._use(env, "", key)
        return value

    # ---- tables ---------------------------------------------------------------------------

    def _period_label(self, period: Value) -> str:
        assert isinstance(period, Entity)
        return self.period_labels.get(period.name, period.name)

    def _strat_of(self, group: str) -> StratificationInfo:
        return self.program.stratifications[self.program.group_strata[group]]

    def _spelling(self, group: str) -> str:
        return self._strat_of(group).spellings.get(group, group)

    def _row(self, org: str, measure: str, group: str, period: str) -> Row | None:
        return self.tables.lookup(org, measure, group, period)

    def _all_row(self, org: str, measure: str, period: str, env: _Env, span: Span) -> Row:
        row = self._row(org, measure, "ALL", period)
        if row is None:
            raise self.fail("E0402", f"the table has no ALL row for organization {org}, "
                            f"measure {measure}, period {period}", span, env,
                            hint="add the whole-population row (group ALL) for this measure "
                            "and period to the measure table")
        return row

    def counts(self, measure: str, group: Group, period: str, env: _Env, span: Span
               ) -> tuple[Decimal, Decimal, list[Row]]:
        """Numerator, denominator and the rows behind them; a missing group row counts 0."""
        org = env.org
        if group.kind == "all":
            row = self._all_row(org, measure, period, env, span)
            return row.numerator, row.denominator, [row]
        assert group.name is not None
        row = self._row(org, measure, self._spelling(group.name), period)
        if group.kind == "named":
            if row is None:
                return Decimal(0), Decimal(0), []
            return row.numerator, row.denominator, [row]
        whole = self._all_row(org, measure, period, env, span)
        rows = [whole] + ([row] if row is not None else [])
        numerator = whole.numerator - (row.numerator if row else 0)
        denominator = whole.denominator - (row.denominator if row else 0)
        if numerator < 0 or denominator < 0 or numerator > denominator:
            raise self.fail("E0408", f"the ALL row of {org}, {measure}, {period} is smaller than "
                            f"the {group.name} row, so the rest of the population is negative",
                            span, env, hint="check the ALL row: it counts the whole population")
        return numerator, denominator, rows

    def table_value(self, name: str, args: tuple[Value, ...], env: _Env, span: Span) -> Value:
        measure, group, period = args
        for a in args:
            if isinstance(a, NotScored):
                return a
        assert isinstance(measure, Entity) and isinstance(group, Group)
        label = self._period_label(period)
        assert isinstance(period, Entity)
        node_id = f"{name}({measure.name}, {group.label}, {period.name})"
        key = (env.org, node_id)
        if key in self.nodes:
            self._use(env, env.org, node_id)
            value = self.nodes[key].value
            assert value is not None
            return value
        numerator, denominator, rows = self.counts(measure.name, group, label, env, span)
        value: Value
        if name == "numerator":
            value = Quantity("count", self.math.literal(numerator))
        elif name == "denominator":
            value = Quantity("count", self.math.literal(denominator))
        elif denominator == 0:
            value = NotScored(f"{group.label} has no members in {measure.name} {label} "
                              "(denominator 0)")
        else:
            value = Quantity("percent", self.math.divide(self.math.literal(numerator),
                                                         self.math.literal(denominator)))
        node = Node(node_id, env.org, "input", name, (measure.name, group.label, period.name),
                    value=value, span=span, rows=rows)
        self.nodes[key] = node
        self._use(env, env.org, node_id)
        return value

    def reference(self, args: tuple[Value, ...], env: _Env, span: Span) -> Value:
        measure, group, period = args
        for a in args:
            if isinstance(a, NotScored):
                return a
        assert isinstance(measure, Entity) and isinstance(group, Group)
        if group.kind != "named" or group.name is None:
            raise self.fail("E0409", f"`{group.label}` belongs to no stratification, so it has "
                            "no reference group", span, env,
                            hint="call `reference` with a group of a stratification")
        strat = self._strat_of(group.name)
        ref = strat.reference
        if ref is None:
            raise self.fail("E0409", f"stratification `{strat.name}` declares no reference",
                            span, env, hint="add a `reference` line to the stratification")
        if ref.kind == "group":
            return Group("named", ref.group)
        if ref.kind == "whole":
            return Group("all")
        if ref.kind == "rest":
            return Group("rest", group.name)
        return self._best(measure, strat, period, env, span)

    def _best(self, measure: Entity, strat: StratificationInfo, period: Value, env: _Env,
              span: Span) -> Value:
        info = self.program.measures[measure.name]
        minimum = info.min_denominator if info.min_denominator is not None else Decimal(1)
        best: tuple[Any, str] | None = None
        for name in strat.groups:
            rate = self.table_value("rate", (measure, Group("named", name), period), env, span)
            denominator = self.table_value("denominator", (measure, Group("named", name),
                                                           period), env, span)
            if not isinstance(rate, Quantity) or not isinstance(denominator, Quantity):
                continue
            if denominator.magnitude < minimum:
                continue
            if best is None:
                best = (rate.magnitude, name)
                continue
            order = self.math.compare(rate.magnitude, best[0])
            if (order > 0 and info.higher_is_better) or (order < 0 and not info.higher_is_better):
                best = (rate.magnitude, name)
        if best is None:
            return NotScored(f"no group of {strat.name} has enough members in {measure.name} "
                             f"{self._period_label(period)} to be the best-performing group")
        return Group("named", best[1])

    def measure_attribute(self, name: str, measure: Value, env: _Env) -> Value:
        if isinstance(measure, NotScored):
            return measure
        assert isinstance(measure, Entity)
        info = self.program.measures[measure.name]
        node_id = f"{name}({measure.name})"
        value: Value
        if name == "weight":
            value = (Quantity("percent", self.math.literal(info.weight))
                     if info.weight is not None
                     else NotScored(f"measure {measure.name} has no weight"))
        elif name == "min_denominator":
            value = Quantity("count", self.math.literal(info.min_denominator or Decimal(0)))
        else:
            value = Truth(bool(info.higher_is_better))
        if ("", node_id) not in self.nodes:
            self.nodes[("", node_id)] = Node(node_id, "", "measure", name, (measure.name,),
                                             value=value, span=info.span)
        self._use(env, "", node_id)
        return value

    # ---- expressions ------------------------------------------------------------------------

    def eval(self, e: s.Expr, env: _Env) -> Value:
        self.steps_left -= 1
        if self.steps_left < 0:
            self._out_of_steps(e, env)
        return self.dispatch[type(e)](e, env)

    def _x_Literal(self, e: s.Literal, env: _Env) -> Value:
        cached = self.literals.get(id(e))
        if cached is None:
            cached = self.literals[id(e)] = self._literal(e)
        return cached

    def _literal(self, e: s.Literal) -> Value:
        if e.kind == "yesno":
            return Truth(bool(e.value))
        if e.kind == "date":
            assert isinstance(e.value, datetime.date)
            return DateValue(e.value)
        if e.kind == "text":
            return Text(str(e.value))
        assert isinstance(e.value, Decimal)
        quantity = literal_quantity(e.kind, e.value)
        return Quantity(quantity.unit, self.math.literal(quantity.magnitude))

    def _x_NotScoredLiteral(self, e: s.NotScoredLiteral, env: _Env) -> Value:
        return NotScored(e.reason)

    def _x_WholePopulation(self, e: s.WholePopulation, env: _Env) -> Value:
        return Group("all")

    def _x_RoundingMode(self, e: s.RoundingMode, env: _Env) -> Value:
        return Mode(e.mode)

    def _x_Because(self, e: s.Because, env: _Env) -> Value:
        value = self.eval(e.value, env)
        if isinstance(value, Quantity):
            return Quantity(value.unit, value.magnitude, e.reason)
        if env.node is not None:
            env.node.note = e.reason
        return value

    def _x_Name(self, e: s.Name, env: _Env) -> Value:
        ref = self.program.refs[id(e)]
        return self.resolve(ref, env)

    def resolve(self, ref: Ref, env: _Env) -> Value:
        if ref.kind == "local":
            return env.local[ref.key]
        if ref.kind == "parameter":
            return self.parameter(ref.key, env)
        if ref.kind == "measure":
            return Entity("measure", ref.key)
        if ref.kind == "group":
            return Group("named", ref.key)
        if ref.kind in ("period", "stratification"):
            return Entity(ref.kind, ref.key)
        return self.call(self.program.callables[ref.key], (), env)[0]

    def _x_Call(self, e: s.Call, env: _Env) -> Value:
        ref = self.program.refs[id(e)]
        if ref.kind == "aggregate":
            value = self._aggregate(e, env)
        else:
            args = tuple(self.eval(a, env) for a in e.args)
            if ref.kind != "builtin":
                value, node_id = self.call(self.program.callables[ref.key], args, env)
                if env.node is not None:
                    env.node.record(id(e), node_id)
                return value
            value = self._builtin(ref.key, args, e, env)
            if ref.key in _NODE_BUILTINS:
                return value
        if env.node is not None:
            env.node.record(id(e), value)
        return value

    def _builtin(self, name: str, args: tuple[Value, ...], e: s.Call, env: _Env) -> Value:
        if name in ("rate", "numerator", "denominator"):
            return self.table_value(name, args, env, e.span)
        if name == "reference":
            return self.reference(args, env, e.span)
        if name in ("weight", "min_denominator", "higher_is_better"):
            return self.measure_attribute(name, args[0], env)
        if name == "rest":
            group = args[0]
            if isinstance(group, NotScored):
                return group
            assert isinstance(group, Group)
            return Group("rest", group.name)
        missing = next((a for a in args if isinstance(a, NotScored)), None)
        if missing is not None:
            return missing
        quantities = [a for a in args if isinstance(a, Quantity)]
        if name in ("min", "max"):
            pick = quantities[0]
            for q in quantities[1:]:
                order = self.math.compare(q.magnitude, pick.magnitude)
                if (name == "min" and order < 0) or (name == "max" and order > 0):
                    pick = q
            return Quantity(self._unit(e, quantities), pick.magnitude)
        if name == "clamp":
            x, low, high = quantities
            if self.math.compare(low.magnitude, high.magnitude) > 0:
                raise self.fail("E0405", f"clamp's low bound {display(low)} is above its high "
                                f"bound {display(high)}", e.span, env, hint="swap the bounds")
            magnitude = x.magnitude
            if self.math.compare(magnitude, low.magnitude) < 0:
                magnitude = low.magnitude
            if self.math.compare(magnitude, high.magnitude) > 0:
                magnitude = high.magnitude
            return Quantity(self._unit(e, quantities), magnitude)
        if name == "abs":
            x = quantities[0]
            negative = self.math.compare(x.magnitude, self.math.literal(Decimal(0))) < 0
            return Quantity(x.unit, self.math.negate(x.magnitude) if negative else x.magnitude)
        if name == "round":
            x, places = quantities[0], quantities[1]
            mode = args[2]
            assert isinstance(mode, Mode)
            return Quantity(x.unit, self._round(x, int(places.magnitude), mode.mode, env,
                                                e.span))
        operation: Fn[[Any], Any] = self.math.sqrt if name == "sqrt" else self.math.ln
        try:
            return Quantity("number", operation(quantities[0].magnitude))
        except ArithmeticError_ as exc:
            raise self.fail("E0401", str(exc), e.span, env) from None

    def _unit(self, e: s.Expr, quantities: list[Quantity]) -> str:
        checked = self.program.types.get(id(e))
        if checked in t.NUMERIC:
            return checked
        return quantities[0].unit

    # ---- aggregations ---------------------------------------------------------------------

    def domain(self, d: s.Domain, env: _Env) -> list[Value] | NotScored:
        if isinstance(d, s.AllMeasures):
            return [Entity("measure", c) for c in self.contract_measures]
        if isinstance(d, s.AllOrganizations):
            return [Entity("organization", o) for o in self.tables.organizations()]
        if isinstance(d, s.FocusGroups | s.StratificationGroups):
            strat = self._strat_named(d, env)
            if isinstance(strat, NotScored):
                return strat
            names = strat.focus if isinstance(d, s.FocusGroups) else strat.groups
            return [Group("named", g) for g in names]
        return [self.eval(item, env) for item in d.items]

    def _strat_named(self, d: s.FocusGroups | s.StratificationGroups, env: _Env
                     ) -> StratificationInfo | NotScored:
        ref = self.program.refs[id(d)]
        if ref.kind == "stratification":
            return self.program.stratifications[ref.key]
        value = env.local[ref.key]
        if isinstance(value, NotScored):
            return value
        assert isinstance(value, Entity)
        return self.program.stratifications[value.name]

    def _bindings(self, for_each: s.ForEach, env: _Env
                  ) -> Iterator[dict[str, Value]] | NotScored:
        domains: list[tuple[str, list[Value]]] = []
        for binder in for_each.binders:
            values = self.domain(binder.domain, env)
            if isinstance(values, NotScored):
                return values
            domains.append((binder.name, values))
        return self._combinations(domains, env)

    @staticmethod
    def _combinations(domains: list[tuple[str, list[Value]]], env: _Env
                      ) -> Iterator[dict[str, Value]]:
        for combination in itertools.product(*(values for _, values in domains)):
            yield {**env.local, **{name: v for (name, _), v in zip(domains, combination,
                                                                     strict=True)}}

    def _aggregate(self, e: s.Call, env: _Env) -> Value:
        assert e.for_each is not None
        name = e.callee.dotted
        policy = e.for_each.not_scored or "propagate"
        items: list[tuple[Value, Value | None]] = []
        bindings = self._bindings(e.for_each, env)
        if isinstance(bindings, NotScored):
            return bindings
        for local in bindings:
            inner = _Env(env.org, local, env.node)
            if e.for_each.where is not None:
                keep = self.eval(e.for_each.where, inner)
                if isinstance(keep, NotScored):
                    if policy == "skip":
                        continue
                    return NotScored(f"a `where` filter is not scored: {keep.reason}")
                assert isinstance(keep, Truth)
                if not keep.value:
                    continue
            value = self.eval(e.args[-1], inner)
            weight = self.eval(e.weighted_by, inner) if e.weighted_by is not None else None
            items.append((value, weight))
        element_type = self.program.types.get(id(e.args[-1]), "number")
        unit = self.program.types.get(id(e), element_type)
        unscored = {i for i, (v, w) in enumerate(items)
                    if isinstance(v, NotScored) or isinstance(w, NotScored)}
        rescaling: tuple[str, Any] | None = None
        if unscored:
            first = next(x for i in sorted(unscored) for x in items[i] if isinstance(x, NotScored))
            summary = f"{len(unscored)} of {len(items)} items not scored; first: {first.reason}"
            if policy == "propagate":
                return NotScored(summary)
            if policy == "rescale":
                if len(unscored) == len(items):
                    return NotScored(f"none of the {len(items)} items is scored, so there is "
                                     f"no weight to rescale; first: {first.reason}")
                # The full weight is that of every item whose weight is known, scored or not.
                rescaling = (summary, self._total([w.magnitude for _, w in items
                                                   if isinstance(w, Quantity)]))
            if policy == "zero":
                zero = Quantity(element_type, self.math.literal(Decimal(0)))
                items = [(zero, w) if isinstance(v, NotScored) else (v, w) for v, w in items]
                items = [(v, w) for v, w in items if not isinstance(w, NotScored)]
            else:
                items = [pair for i, pair in enumerate(items) if i not in unscored]
        values = [v for v, _ in items]
        if name == "count":
            return Quantity("count", self.math.literal(Decimal(sum(
                1 for v in values if not isinstance(v, Truth) or v.value))))
        if name in ("all", "any"):
            truths = [v.value for v in values if isinstance(v, Truth)]
            return Truth(all(truths) if name == "all" else any(truths))
        quantities = [v for v in values if isinstance(v, Quantity)]
        if name == "sum" and e.weighted_by is not None:
            return self._weighted_sum(items, unit, rescaling, e, env)
        if name == "sum":
            return Quantity(unit, self._total([q.magnitude for q in quantities]))
        if not quantities:
            return NotScored(f"no items to take the {name} of")
        if name == "mean" and e.weighted_by is not None:
            return self._weighted_mean(items, unit, rescaling, e, env)
        if name == "mean":
            return Quantity(unit, self.math.divide(
                self._total([q.magnitude for q in quantities]),
                self.math.literal(Decimal(len(quantities)))))
        if name in ("min", "max"):
            pick = quantities[0].magnitude
            for q in quantities[1:]:
                order = self.math.compare(q.magnitude, pick)
                if (name == "min" and order < 0) or (name == "max" and order > 0):
                    pick = q.magnitude
            return Quantity(unit, pick)
        share = Decimal("0.5")
        if name == "percentile":
            p = self.eval(e.args[0], env)
            if isinstance(p, NotScored):
                return p
            assert isinstance(p, Quantity)
            share = p.magnitude
        return Quantity(unit, self._percentile([q.magnitude for q in quantities], share, e, env))

    def _total(self, magnitudes: list[Any]) -> Any:
        total = self.math.literal(Decimal(0))
        for magnitude in magnitudes:
            total = self.math.add(total, magnitude)
        return total

    def _weighted_totals(self, items: list[tuple[Value, Value | None]]) -> tuple[Any, Any]:
        """Σ value × weight and Σ weight, over items that are all scored."""
        products, weights = [], []
        for value, weight in items:
            assert isinstance(value, Quantity) and isinstance(weight, Quantity)
            products.append(self.math.multiply(value.magnitude, weight.magnitude))
            weights.append(weight.magnitude)
        return self._total(products), self._total(weights)

    def _weighted_sum(self, items: list[tuple[Value, Value | None]], unit: str,
                      rescaling: tuple[str, Any] | None, e: s.Call, env: _Env) -> Value:
        total, scored_weight = self._weighted_totals(items)
        if rescaling is None:
            return Quantity(unit, total)
        summary, full_weight = rescaling
        if self.math.compare(scored_weight, self.math.literal(Decimal(0))) == 0:
            return NotScored(f"{summary}; the weights of the scored items sum to zero, so "
                             "they cannot be rescaled")
        # Multiplied before dividing, so the one division is the only rounding.
        rescaled = self.math.divide(self.math.multiply(total, full_weight), scored_weight)
        factor = self.math.divide(full_weight, scored_weight)
        self._annotate(env, f"{summary}; the scored items' weights, "
                       f"{self._weight_text(scored_weight, e)} of "
                       f"{self._weight_text(full_weight, e)}, were scaled up by "
                       f"{display(Quantity('number', factor), 4)} to carry the full weight")
        return Quantity(unit, rescaled)

    def _weighted_mean(self, items: list[tuple[Value, Value | None]], unit: str,
                       rescaling: tuple[str, Any] | None, e: s.Call, env: _Env) -> Value:
        total, scored_weight = self._weighted_totals(items)
        try:
            mean = self.math.divide(total, scored_weight)
        except ArithmeticError_:
            return NotScored("the weights of the items sum to zero")
        if rescaling is not None:
            summary, full_weight = rescaling
            # Scaling every weight by one factor leaves a weighted mean as it is.
            self._annotate(env, f"{summary}; the mean is over the scored items' weights, "
                           f"{self._weight_text(scored_weight, e)} of "
                           f"{self._weight_text(full_weight, e)}, rescaled to carry the full "
                           "weight")
        return Quantity(unit, mean)

    def _weight_text(self, magnitude: Any, e: s.Call) -> str:
        assert e.weighted_by is not None
        unit = self.program.types.get(id(e.weighted_by), "number")
        return display(Quantity(unit, magnitude), 4)

    @staticmethod
    def _annotate(env: _Env, text: str) -> None:
        """Add a note to the value being computed, beside any it already has."""
        if env.node is not None:
            env.node.note = text if not env.node.note else f"{env.node.note}; {text}"

    def _percentile(self, values: list[Any], share: Any, e: s.Call, env: _Env) -> Any:
        """Linear interpolation between closest ranks (the ``inclusive`` method)."""
        if self.math.compare(share, Decimal(0)) < 0 or self.math.compare(share, Decimal(1)) > 0:
            raise self.fail("E0405", "a percentile must lie between 0% and 100%", e.span, env)
        ordered = sorted(values)
        position = self.math.multiply(share, self.math.literal(Decimal(len(ordered) - 1)))
        lower = int(position)
        fraction = self.math.subtract(position, self.math.literal(Decimal(lower)))
        if lower + 1 >= len(ordered):
            return ordered[-1]
        step = self.math.subtract(ordered[lower + 1], ordered[lower])
        return self.math.add(ordered[lower], self.math.multiply(step, fraction))

    # ---- operators ------------------------------------------------------------------------

    def _x_Binary(self, e: s.Binary, env: _Env) -> Value:
        left = self.eval(e.left, env)
        right = self.eval(e.right, env)
        for side in (left, right):
            if isinstance(side, NotScored):
                return side
        assert isinstance(left, Quantity) and isinstance(right, Quantity)
        unit = self.program.types.get(id(e), "number")
        operation = {"+": self.math.add, "-": self.math.subtract, "*": self.math.multiply,
                     "/": self.math.divide}[e.op]
        try:
            return Quantity(unit, operation(left.magnitude, right.magnitude))
        except ArithmeticError_ as exc:
            raise self.fail("E0401", f"{exc} in `{' '.join(e.span.text.split())}`", e.span, env,
                            hint="guard the division: `if x = 0 then not scored because "
                            "\"...\" else y / x`") from None

    def _x_Negate(self, e: s.Negate, env: _Env) -> Value:
        value = self.eval(e.operand, env)
        if isinstance(value, NotScored):
            return value
        assert isinstance(value, Quantity)
        return Quantity(value.unit, self.math.negate(value.magnitude))

    def _x_Compare(self, e: s.Compare, env: _Env) -> Value:
        left = self.eval(e.left, env)
        right = self.eval(e.right, env)
        for side in (left, right):
            if isinstance(side, NotScored):
                return side
        if isinstance(left, Quantity) and isinstance(right, Quantity):
            order = self.math.compare(left.magnitude, right.magnitude)
        elif isinstance(left, DateValue) and isinstance(right, DateValue):
            order = (left.value > right.value) - (left.value < right.value)
        else:
            equal = left == right
            return Truth(equal if e.op == "=" else not equal)
        return Truth({"=": order == 0, "!=": order != 0, "<": order < 0, "<=": order <= 0,
                      ">": order > 0, ">=": order >= 0}[e.op])

    def _truth(self, e: s.Expr, env: _Env) -> Truth | NotScored:
        value = self.eval(e, env)
        assert isinstance(value, Truth | NotScored)
        return value

    def _x_Not(self, e: s.Not, env: _Env) -> Value:
        value = self._truth(e.operand, env)
        return value if isinstance(value, NotScored) else Truth(not value.value)

    def _x_And(self, e: s.And, env: _Env) -> Value:
        left = self._truth(e.left, env)
        if isinstance(left, Truth) and not left.value:
            return left
        right = self._truth(e.right, env)
        if isinstance(right, Truth) and not right.value:
            return right
        return left if isinstance(left, NotScored) else right

    def _x_Or(self, e: s.Or, env: _Env) -> Value:
        left = self._truth(e.left, env)
        if isinstance(left, Truth) and left.value:
            return left
        right = self._truth(e.right, env)
        if isinstance(right, Truth) and right.value:
            return right
        return left if isinstance(left, NotScored) else right

    def _x_If(self, e: s.If, env: _Env) -> Value:
        condition = self._truth(e.condition, env)
        if isinstance(condition, NotScored):
            self._decided(e, "not scored", env)
            return NotScored(f"the condition is not scored: {condition.reason}")
        self._decided(e, "then" if condition.value else "else", env)
        return self.eval(e.then if condition.value else e.otherwise, env)

    def _x_Otherwise(self, e: s.Otherwise, env: _Env) -> Value:
        value = self.eval(e.value, env)
        self._decided(e, "fallback" if isinstance(value, NotScored) else "value", env)
        if isinstance(value, NotScored):
            return self.eval(e.fallback, env)
        return value

    def _x_IsScored(self, e: s.IsScored, env: _Env) -> Value:
        scored = not isinstance(self.eval(e.operand, env), NotScored)
        return Truth(scored != e.negated)

    def _x_MemberOf(self, e: s.MemberOf, env: _Env) -> Value:
        element = self.eval(e.element, env)
        if isinstance(element, NotScored):
            return element
        members = self.domain(e.domain, env)
        if isinstance(members, NotScored):
            return members
        return Truth(element in members)

    def _x_AtOrganization(self, e: s.AtOrganization, env: _Env) -> Value:
        org = self.eval(e.organization, env)
        if isinstance(org, NotScored):
            return org
        assert isinstance(org, Entity)
        return self.eval(e.value, _Env(org.name, env.local, env.node))
