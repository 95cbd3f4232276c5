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
import functools
import itertools
from collections.abc import Callable as Fn
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs

from eqlang.check import units as t
from eqlang.check.checker import Callable, Program, Ref, StratificationInfo, tier_interval
from eqlang.core.values import (
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
from eqlang.data.tables import Row, TableSet, misspelled_keys
from eqlang.diagnostics import Diagnostic, EqlangError, Note
from eqlang.syntax import ast as s
from eqlang.syntax.source import Span

#: Expression steps one run may take; far above any real contract, it bounds hostile ones.
DEFAULT_STEP_LIMIT = 200_000_000

#: The error of a run that used up its step budget.
E_STEPS = "E0406"

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


@attrs.frozen
class PossibleStop:
    """Over tables known only within bounds, an operation that fails on some of them but
    not all: settling those tables stops here, the others go on past it.

    ``guard`` says what rules the stop out, for a stop that happens only where values are 0
    or below: each value's identity (see ``Evaluator.identity``) and what it must be,
    ``"nonzero"``, ``"positive"`` or ``"nonnegative"`` (a divisor ``2 * n`` is nonzero
    where ``n`` is). An ``if`` whose branch implies one (``else`` of ``if n = 0``, say) rules
    it out there; once all are, the stop is."""

    diagnostic: Diagnostic
    guard: tuple[tuple[Any, str], ...] = ()


class NotBoundable(Exception):
    """Over tables known within bounds, a value that no bound can stand for (a choice
    between two measures, say)."""


@attrs.define
class _Env:
    org: str
    local: dict[str, Value]
    node: Node | None
    #: Identities (see ``Evaluator.identity``) of values known to be scored here, in the
    #: branch of an undecided ``if`` on ``x is scored``; not passed into calls, which are
    #: remembered whatever branch they were first evaluated in.
    scored: frozenset[Any] = frozenset()


_EXPRESSION_CLASSES = (
    s.Literal, s.Name, s.Call, s.Binary, s.Compare, s.Negate, s.Not, s.And, s.Or, s.If,
    s.Otherwise, s.Because, s.NotScoredLiteral, s.IsScored, s.MemberOf, s.AtOrganization,
    s.WholePopulation, s.RoundingMode,
)


_CONVERSE = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
_NEGATION = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}


def _comparisons(condition: s.Expr, holds: bool
                 ) -> Iterator[tuple[s.Expr, str, s.Expr]]:
    """Comparisons ``(a, op, b)`` that hold wherever ``condition`` is yes (``holds``) or no:
    ``a op b`` and ``b op' a`` for a comparison, through `not`, the parts of a true `and`
    and of a false `or`."""
    if isinstance(condition, s.Not):
        yield from _comparisons(condition.operand, not holds)
    elif isinstance(condition, s.And | s.Or) and holds == isinstance(condition, s.And):
        yield from _comparisons(condition.left, holds)
        yield from _comparisons(condition.right, holds)
    elif isinstance(condition, s.Compare):
        op = condition.op if holds else _NEGATION[condition.op]
        yield condition.left, op, condition.right
        yield condition.right, _CONVERSE[op], condition.left


def _scored_in(condition: s.Expr, holds: bool) -> Iterator[s.Expr]:
    """Expressions that are scored wherever ``condition`` is yes (``holds``) or no."""
    if isinstance(condition, s.Not):
        yield from _scored_in(condition.operand, not holds)
    elif isinstance(condition, s.And | s.Or) and holds == isinstance(condition, s.And):
        yield from _scored_in(condition.left, holds)
        yield from _scored_in(condition.right, holds)
    elif isinstance(condition, s.IsScored) and holds != condition.negated:
        yield condition.operand


def _unshifted(e: s.Expr) -> s.Expr:
    """``x`` for ``x - 0%`` or ``x + 0``: contracts subtract a zero to change a unit."""
    while (isinstance(e, s.Binary) and e.op in "+-" and isinstance(e.right, s.Literal)
           and e.right.value == 0):
        e = e.left
    return e


def _one_line(e: s.Expr) -> str:
    return " ".join(e.span.text.split())


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
        self.as_of = as_of or program.settled_as_of or (
            program.effective[1] if program.effective else None)
        self.steps_left = step_limit
        self.nodes: dict[tuple[str, str], Node] = {}
        self.memo: dict[tuple[str, str, tuple[Value, ...]], tuple[Value, str]] = {}
        self.parameter_values: dict[str, tuple[Value, Node]] = {}
        self.period_labels = dict(program.periods)
        self.contract_measures = program.contract_measures
        # One bound method per expression class: evaluation visits about a million nodes
        # for a thousand organizations, and a name lookup per visit shows in the timings.
        self.dispatch: dict[type, Fn[[Any, _Env], Value]] = {
            cls: getattr(self, "_x_" + cls.__name__) for cls in _EXPRESSION_CLASSES
        }
        self.literals: dict[int, Value] = {}
        # Operations that stop some settlements but not all, met while evaluating what is
        # being evaluated now; each call and parameter keeps its own (with its callees').
        # Only values known within bounds (eqlang.backends.interval) ever add one.
        self.possible_stops: list[PossibleStop] = []
        self.call_stops: dict[tuple[Any, ...], tuple[PossibleStop, ...]] = {}
        misspelled = misspelled_keys(
            tables, measures=program.measures, periods=program.periods.values(),
            groups=["ALL", *(self._spelling(group) for group in program.group_strata)])
        if misspelled:
            raise EvaluationError(misspelled)

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

    def output(self, key: str, argument: Value | None, org: str) -> Value:
        """One output of one organization, for one measure or group if it takes one."""
        args = () if argument is None else (argument,)
        return self.call(self.program.callables[key], args, _Env(org, {}, None))[0]

    def output_arguments(self, key: str) -> list[Value]:
        """The measures or groups an output is settled for; empty if it takes none."""
        params = self.program.callables[key].params
        return self._output_arguments(params[0]) if params else []

    def _output_arguments(self, param: s.Param) -> list[Value]:
        if param.type == "measure":
            return [Entity("measure", code) for code in self.contract_measures]
        groups: list[Value] = []
        for strat in self.program.stratifications.values():
            groups.extend(Group("named", g) for g in strat.groups)
        return groups

    def scope(self, binders: tuple[s.Binder, ...], org: str) -> list[dict[str, Value]]:
        """Every combination of values of ``for each`` variables, as for an aggregation."""
        clause = s.ForEach(binders, None, None)
        return list(self._bindings(clause, _Env(org, {}, None)))

    def claim(self, expr: s.Expr, org: str, bindings: Mapping[str, Value], label: str
              ) -> tuple[Value, Node]:
        """An invariant's expression for one organization; the node lists what it used."""
        node = Node(label, org, "invariant", label, _args_text(tuple(bindings.values())),
                    span=expr.span)
        node.value = self.eval(expr, _Env(org, dict(bindings), node))
        return node.value, node

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
        raise self.fail(E_STEPS, "evaluation took too many steps", e.span, env,
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
            if self.call_stops:
                self.possible_stops.extend(self.call_stops.get(memo_key, ()))
            self._use(env, env.org, node_id)
            return value, node_id
        mark = len(self.possible_stops)
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
        if len(self.possible_stops) > mark:
            self._keep_stops(memo_key, mark)
        self._use(env, env.org, node_id)
        return value, node_id

    def _keep_stops(self, key: tuple[Any, ...], mark: int) -> None:
        """Remember the possible stops met since ``mark`` as those of ``key``, once each."""
        own = tuple(dict.fromkeys(self.possible_stops[mark:]))
        del self.possible_stops[mark:]
        self.possible_stops.extend(own)
        self.call_stops[key] = own

    def stops_of(self, key: str, argument: Value | None, org: str) -> tuple[PossibleStop, ...]:
        """The possible stops of one output already evaluated (see ``output``)."""
        args = () if argument is None else (argument,)
        return self.call_stops.get((org, key, args), ())

    def _body(self, d: s.Definition | s.Output, env: _Env) -> Value:
        applying = []
        undecided = []
        perhaps: list[Value] = []
        for exception in d.exceptions:
            condition = self.eval(exception.condition, env)
            if isinstance(condition, NotScored):
                return NotScored(f"cannot tell whether an exception applies: {condition.reason}")
            assert isinstance(condition, Truth)
            answers = self.math.outcomes(condition.value)
            if answers == (True,):
                applying.append(exception)
            elif True in answers:
                undecided.append(exception)
                perhaps.append(self._exception_value(exception, env))
            if None in answers:
                perhaps.append(NotScored("cannot tell whether an exception applies"))
        if len(applying) > 1:
            first, second = applying[:2]
            raise self._overlap(d, first, second, env, surely=True)
        if perhaps:
            # Only where the tables are known within bounds: an exception may or may not
            # apply, so the value is any of those that might.
            overlapping = applying + undecided
            if len(overlapping) > 1:
                first, second = overlapping[:2]
                self.possible_stops.append(PossibleStop(
                    self._overlap(d, first, second, env, surely=False).diagnostics[0]))
            sure = [self._exception_value(x, env) for x in applying] or \
                [self._general(d, env)]
            return self._join(sure + perhaps)
        if applying:
            self._decided(applying[0], "applies", env)
            if env.node is not None:
                env.node.citation = applying[0].citation or env.node.citation
                env.node.span = applying[0].span
            return self._exception_value(applying[0], env)
        if not d.exceptions:
            return self.eval(d.body, env)
        self._decided(d.body, "general", env)
        return self._general(d, env)

    def _overlap(self, d: s.Definition | s.Output, first: s.Exception_, second: s.Exception_,
                 env: _Env, surely: bool) -> EvaluationError:
        """Two exceptions of ``d`` that apply (``surely``) or may apply at once."""
        apply = "apply" if surely else "may apply"
        return EvaluationError(Diagnostic(
            "E0403", f"two exceptions of `{d.name}` {apply} at once", second.span,
            hint="exceptions may not overlap: narrow one of the conditions",
            notes=(Note(f"this exception {apply.replace('apply', 'applies')} too", first.span),
                   Note(f"organization {env.org}, arguments "
                        f"{', '.join(env.node.args) if env.node else ''}")),
        ))

    def _exception_value(self, exception: s.Exception_, env: _Env) -> Value:
        return self._under([(exception.condition, True)], exception.value, env)

    def _general(self, d: s.Definition | s.Output, env: _Env) -> Value:
        """The body of a rule, where none of its exceptions applies."""
        return self._under([(x.condition, False) for x in d.exceptions], d.body, env)

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
            raise self.fail("E0405", str(exc), span, env,
                            hint="an amount this large usually means a rule multiplies where "
                            "it should divide, or a table holds an impossible count") from None

    def _schedule(self, d: s.Schedule, argument: Value, env: _Env) -> Value:
        if isinstance(argument, NotScored):
            return argument
        assert isinstance(argument, Quantity)
        scored, maybe = self._scored(argument)
        if maybe:
            # Within bounds only: the input may be not scored, and then so is the result.
            assert scored is not None
            return self._join([self._schedule(d, scored, env),
                               NotScored("the schedule's input may be not scored")])
        x = argument.magnitude

        def inside(r: s.Range) -> tuple[bool | None, ...]:
            low, low_closed, high, high_closed = tier_interval(r)
            return self.math.outcomes(self.math.truth(
                above and below
                for above in self._answers(">=" if low_closed else ">", x,
                                           self._bound(low, d.param.type))
                for below in self._answers("<=" if high_closed else "<", x,
                                           self._bound(high, d.param.type))))

        # The checker proves the tiers cover the domain (E0304): outside it, no tier.
        if (not self.math.decisive and d.domain is not None
                and self._may_leave(x, d.domain, d.param.type) and True in inside(d.domain)):
            self._may_stop("E0404", f"{display(argument)} may lie outside every tier of "
                           f"`{d.name}`", d.span, env, hint="clamp the value before "
                           "looking it up, or widen the schedule's domain")
        chosen = []
        for tier in d.tiers:
            answers = inside(tier.range)
            if True in answers:
                chosen.append(tier)
            if False not in answers:
                break
        if len(chosen) == 1:
            self._decided(chosen[0], "tier", env)
            if env.node is not None:
                env.node.note = f"tier {chosen[0].range.span.text}"
            return self.eval(chosen[0].value, env)
        if chosen:
            return self._join([self.eval(tier.value, env) for tier in chosen])
        raise self.fail("E0404", f"{display(argument)} is outside every tier of `{d.name}`",
                        d.span, env, hint="clamp the value before looking it up, or widen "
                        "the schedule's domain")

    def _may_leave(self, x: Any, domain: s.Range, unit: str) -> bool:
        """Whether ``x`` may lie below or above a range (an infinite end never is)."""
        low, low_closed, high, high_closed = tier_interval(domain)
        below = low.is_finite() and True in self._answers(
            "<" if low_closed else "<=", x, self._bound(low, unit))
        return below or (high.is_finite() and True in self._answers(
            ">" if high_closed else ">=", x, self._bound(high, unit)))

    def _bound(self, value: Decimal, unit: str) -> Any:
        if value.is_finite() and unit in ("percent", "pp"):
            value = shift(value, -2)
        return self.math.literal(value)

    def _answers(self, op: str, a: Any, b: Any) -> tuple[bool | None, ...]:
        """The answers ``a op b`` may have: one for exact values."""
        return self.math.outcomes(self.math.test(op, a, b))

    # ---- values known only within bounds ------------------------------------------------
    # An exact settlement never reaches these with more than one possibility; evaluated over
    # an arithmetic of bounds (eqlang.backends.interval), a condition may go either way, and a value
    # may stand for "a number, or not scored".

    def _join(self, values: list[Value]) -> Value:
        """A value standing for any of ``values``."""
        if len(values) == 1:
            return values[0]
        scored = [v for v in values if not isinstance(v, NotScored)]
        if not scored:
            return values[0]
        perhaps = len(scored) < len(values)
        first = scored[0]
        if all(isinstance(v, Quantity) for v in scored):
            assert isinstance(first, Quantity)
            magnitude = functools.reduce(self.math.join, [v.magnitude for v in scored])
            return Quantity(first.unit, self.math.with_unscored(magnitude) if perhaps
                            else magnitude)
        if all(isinstance(v, Truth) for v in scored):
            answers = {a for v in scored for a in self.math.outcomes(v.value)}
            return Truth(self.math.truth(answers | ({None} if perhaps else set())))
        if all(v == first for v in scored) and not perhaps:
            return first
        if all(isinstance(v, Group) for v in scored):
            return Group("any")
        raise NotBoundable(f"it chooses between {', '.join(display(v) for v in scored)}")

    def _scored(self, value: Value) -> tuple[Value | None, bool]:
        """The scored part of a value (None if there is none), and whether it may also be
        not scored."""
        if isinstance(value, NotScored):
            return None, True
        if isinstance(value, Quantity):
            if self.math.may_be_unscored(value.magnitude):
                return Quantity(value.unit, self.math.scored_part(value.magnitude)), True
            return value, False
        if isinstance(value, Truth):
            answers = self.math.outcomes(value.value)
            if None in answers:
                rest = [a for a in answers if a is not None]
                return (Truth(self.math.truth(rest)) if rest else None), True
            return value, False
        return value, isinstance(value, Group) and value.kind == "any"

    # ---- parameters ----------------------------------------------------------------------

    def parameter(self, key: str, env: _Env) -> Value:
        if key in self.parameter_values:
            value, node = self.parameter_values[key]
            self.possible_stops.extend(self.call_stops.get(("parameter", key), ()))
        else:
            mark = len(self.possible_stops)
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
            env_of_value = _Env("", {}, node)
            value = self.eval(expr, env_of_value)
            if isinstance(value, Quantity) and info.type in ("count", "number"):
                value = Quantity(info.type, value.magnitude)
            if isinstance(value, Quantity) and info.type in t.NON_NEGATIVE and True in \
                    self.math.outcomes(self.math.test("<", value.magnitude,
                                                      self.math.literal(Decimal(0)))):
                # A literal is refused when the contract is checked; a computed value (a
                # constant: parameters read no table) only shows here.
                raise self.fail("E0405", f"parameter `{key}` is {t.describe(info.type)}, which "
                                f"cannot be negative, but its value is {display(value)}",
                                expr.span, env_of_value,
                                hint="compute it so that it stays at zero or above, for "
                                "example with `max(0, ...)`")
            node.value = value
            self.nodes[("", key)] = node
            self.parameter_values[key] = (value, node)
            if len(self.possible_stops) > mark:
                self._keep_stops(("parameter", key), mark)
        self._use(env, "", key)
        return value

    # ---- possible stops -----------------------------------------------------------------
    # Over tables known within bounds an operation may fail on some tables only: those
    # settlements stop, and the value is what the others give. Each such place is recorded
    # so that a bound can say that settlement may stop there.

    def _may_stop(self, code: str, message: str, span: Span, env: _Env,
                  guard: tuple[s.Expr, str] | None = None, hint: str | None = None) -> None:
        diagnostic = self.fail(code, message, span, env, hint=hint).diagnostics[0]
        needs: tuple[tuple[Any, str], ...] = ()
        if guard is not None:
            operand, needed = guard
            parts = [_unshifted(operand)] if needed == "nonnegative" else \
                self._factors(operand, needed)
            needs = tuple((self.identity(part, env), needed) for part in parts
                          if not self._surely(part, needed, env))
        self.possible_stops.append(PossibleStop(diagnostic, needs))

    def _factors(self, e: s.Expr, needed: str) -> list[s.Expr]:
        """Expressions such that ``e`` is nonzero (or positive) where they all are: the
        factors of a product, the numerator of a quotient (positive: both its parts)."""
        e = _unshifted(e)
        if isinstance(e, s.Negate) and needed == "nonzero":
            return self._factors(e.operand, needed)
        if isinstance(e, s.Binary) and e.op == "*":
            return self._factors(e.left, needed) + self._factors(e.right, needed)
        if isinstance(e, s.Binary) and e.op == "/":
            return self._factors(e.left, needed) + (
                self._factors(e.right, needed) if needed == "positive" else [])
        return [e]

    def _surely(self, e: s.Expr, needed: str, env: _Env) -> bool:
        """Whether ``e`` is nonzero, positive or nonnegative wherever it is scored (where it
        is not, neither is what is computed from it)."""
        value = self.eval(e, env)
        return isinstance(value, Quantity) and self._implies(
            "=", self.math.scored_part(value.magnitude), needed)

    def identity(self, e: s.Expr, env: _Env) -> Any:
        """What ``e`` stands for, such that two expressions with one identity are the same
        number in every settlement: a call by its rule and arguments (a rule is a function
        of its arguments and the organization), a parameter by name, anything else by itself
        within one evaluation of the rule it is in, with its local variables."""
        ref = self.program.refs.get(id(e))
        if isinstance(e, s.Name) and ref is not None and ref.kind == "parameter":
            return ("parameter", ref.key)
        if isinstance(e, s.Name) and ref is not None and ref.kind in ("definition", "output"):
            return ("call", env.org, ref.key, ())
        if isinstance(e, s.Call) and ref is not None and ref.kind != "aggregate":
            args = tuple(self.eval(a, env) for a in e.args)
            # Two arguments known only within the same bounds need not be the same number.
            if not any(isinstance(a, Quantity) for a in args):
                return ("call", env.org, ref.key, args)
        return ("expression", env.org, id(env.node), e, tuple(env.local.items()))

    def _under(self, conditions: list[tuple[s.Expr, bool]], e: s.Expr, env: _Env) -> Value:
        """The value of ``e`` where each condition is known to be yes (or no): the possible
        stops it meets that the conditions rule out are dropped."""
        if self.math.decisive:
            return self.eval(e, env)
        mark = len(self.possible_stops)
        value = self.eval(e, env)
        if len(self.possible_stops) > mark:
            kept = []
            for stop in self.possible_stops[mark:]:
                needs = tuple(need for need in stop.guard if not any(
                    self._rules_out(c, holds, need, env) for c, holds in conditions))
                if needs or not stop.guard:
                    kept.append(attrs.evolve(stop, guard=needs))
            del self.possible_stops[mark:]
            self.possible_stops.extend(dict.fromkeys(kept))
        return value

    def _check_domain(self, x: Any, failing: str, needed: str, operand: s.Expr, e: s.Expr,
                      env: _Env) -> None:
        """Note a possible stop where ``x failing 0`` (a divisor = 0, say) may or may not hold;
        where it surely holds, the arithmetic itself refuses the operation."""
        if self.math.decisive:
            return
        answers = self._answers(failing, x, self.math.literal(Decimal(0)))
        if True in answers and False in answers:
            what = {"nonzero": "division by zero", "nonnegative": "square root of a negative "
                    "number", "positive": "logarithm of a number that is not positive"}[needed]
            where = {"nonzero": "is 0", "nonnegative": "is below 0",
                     "positive": "is 0 or below"}[needed]
            self._may_stop("E0401", f"{what} where `{_one_line(operand)}` {where}, in "
                           f"`{_one_line(e)}`", e.span, env, guard=(operand, needed),
                           hint=f"guard it: `if {_one_line(operand)} {failing} 0 then not "
                           "scored because \"...\" else ...`")

    def _rules_out(self, condition: s.Expr, holds: bool, need: tuple[Any, str], env: _Env
                   ) -> bool:
        identity, needed = need
        for value_expr, op, other in _comparisons(condition, holds):
            try:
                if self.identity(_unshifted(value_expr), env) != identity:
                    continue
                bound = self.eval(other, env)
            except EvaluationError:
                continue
            if isinstance(bound, Quantity) and self._implies(op, bound.magnitude, needed):
                return True
            # A rate is never negative, so where it is not 0 it is positive.
            if (needed == "positive" and isinstance(bound, Quantity)
                    and self._implies(op, bound.magnitude, "nonzero")
                    and self._surely(value_expr, "nonnegative", env)):
                return True
        return False

    def _implies(self, op: str, bound: Any, needed: str) -> bool:
        """Whether every x with ``x op bound`` is nonzero, positive or nonnegative."""
        def surely(test: str) -> bool:
            return self._answers(test, bound, self.math.literal(Decimal(0))) == (True,)
        if op == "=":
            return surely({"nonzero": "!=", "positive": ">", "nonnegative": ">="}[needed])
        if op in (">", ">="):
            return surely(">=") if op == ">" or needed == "nonnegative" else surely(">")
        if needed != "nonzero":
            return False
        if op == "!=":
            return surely("=")
        return surely("<=") if op == "<" else surely("<")

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
               ) -> tuple[Any, Any, list[Row]]:
        """Numerator, denominator and the rows behind them; a missing group row counts 0."""
        org = env.org
        literal = self.math.literal
        if group.kind == "all":
            row = self._all_row(org, measure, period, env, span)
            return literal(row.numerator), literal(row.denominator), [row]
        if group.kind == "any":
            # Only over tables known within bounds, where every group's row is alike.
            row = self._row(org, measure, group.label, period)
            assert row is not None
            return literal(row.numerator), literal(row.denominator), [row]
        assert group.name is not None
        row = self._row(org, measure, self._spelling(group.name), period)
        if group.kind == "named":
            if row is None:
                return literal(Decimal(0)), literal(Decimal(0)), []
            return literal(row.numerator), literal(row.denominator), [row]
        whole = self._all_row(org, measure, period, env, span)
        rows = [whole] + ([row] if row is not None else [])
        part = (row.numerator, row.denominator) if row else (Decimal(0), Decimal(0))
        rest = self.math.remainder((literal(whole.numerator), literal(whole.denominator)),
                                   (literal(part[0]), literal(part[1])))
        if rest is None:
            raise self.fail("E0408", f"the ALL row of {org}, {measure}, {period} is smaller than "
                            f"the {group.name} row, so the rest of the population is negative",
                            span, env, hint="check the ALL row: it counts the whole population")
        return rest[0], rest[1], rows

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
            value = Quantity("count", numerator)
        elif name == "denominator":
            value = Quantity("count", denominator)
        else:
            empty = self._answers("=", denominator, self.math.literal(Decimal(0)))
            unscored = NotScored(f"{group.label} has no members in {measure.name} {label} "
                                 "(denominator 0)")
            rates = [] if empty == (True,) else [
                Quantity("percent", self.math.rate(numerator, denominator))]
            value = self._join(rates + ([unscored] if True in empty else []))
        if self._scored(group)[1]:
            value = self._join([value, NotScored("the group may be not scored")])
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
        # Over tables known only within bounds, which group is best may be undecided.
        undecided = False
        for name in strat.groups:
            rate = self.table_value("rate", (measure, Group("named", name), period), env, span)
            denominator = self.table_value("denominator", (measure, Group("named", name),
                                                           period), env, span)
            if not isinstance(rate, Quantity) or not isinstance(denominator, Quantity):
                continue
            small = self._answers("<", denominator.magnitude, self.math.literal(minimum))
            if small == (True,):
                continue
            undecided = undecided or small != (False,)
            if best is None:
                best = (rate.magnitude, name)
                continue
            better = self._answers(">" if info.higher_is_better else "<", rate.magnitude,
                                   best[0])
            undecided = undecided or len(better) > 1
            if better == (True,):
                best = (rate.magnitude, name)
        if undecided:
            return Group("any")
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
            pick = self.math.minimum if name == "min" else self.math.maximum
            magnitude = quantities[0].magnitude
            for q in quantities[1:]:
                magnitude = pick(magnitude, q.magnitude)
            return Quantity(self._unit(e, quantities), magnitude)
        if name == "clamp":
            x, low, high = quantities
            reversed_ = self._answers(">", low.magnitude, high.magnitude)
            message = f"clamp's low bound {display(low)} is above its high bound {display(high)}"
            if reversed_ == (True,):
                raise self.fail("E0405", message, e.span, env, hint="swap the bounds")
            if True in reversed_:
                self._may_stop("E0405", f"{message}, in `{_one_line(e)}`", e.span, env,
                               hint="swap the bounds")
            return Quantity(self._unit(e, quantities),
                            self.math.clamp(x.magnitude, low.magnitude, high.magnitude))
        if name == "abs":
            x = quantities[0]
            return Quantity(x.unit, self.math.absolute(x.magnitude))
        if name == "round":
            x, places, mode = quantities[0], e.args[1], args[2]
            # The checker holds the places to a written whole number (E0308).
            assert isinstance(mode, Mode) and isinstance(places, s.Literal)
            assert isinstance(places.value, Decimal)
            return Quantity(x.unit, self._round(x, int(places.value), mode.mode, env, e.span))
        operation: Fn[[Any], Any] = self.math.sqrt if name == "sqrt" else self.math.ln
        if name == "sqrt":
            self._check_domain(quantities[0].magnitude, "<", "nonnegative", e.args[0], e, env)
        else:
            self._check_domain(quantities[0].magnitude, "<=", "positive", e.args[0], e, env)
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
        # Over tables known only within bounds, the organizations are an unknown set: one
        # item then stands for any number of them, at least one.
        many = self.tables.open_ended and any(
            isinstance(b.domain, s.AllOrganizations) for b in e.for_each.binders)
        # (value, weight, certain): an item is uncertain where it may or may not count,
        # which only happens for values known within bounds.
        items: list[tuple[Value, Value | None, bool]] = []
        perhaps_unscored = False
        bindings = self._bindings(e.for_each, env)
        if isinstance(bindings, NotScored):
            return bindings
        for local in bindings:
            inner = _Env(env.org, local, env.node, env.scored)
            certain = True
            if e.for_each.where is not None:
                keep = self.eval(e.for_each.where, inner)
                if isinstance(keep, NotScored):
                    if policy == "skip":
                        continue
                    return NotScored(f"a `where` filter is not scored: {keep.reason}")
                assert isinstance(keep, Truth)
                answers = self.math.outcomes(keep.value)
                if True not in answers:
                    if None in answers and policy != "skip":
                        perhaps_unscored = True
                    continue
                if answers != (True,):
                    certain = False
                    perhaps_unscored = perhaps_unscored or (None in answers and policy != "skip")
            value, weight = self._item(e, inner)
            items.append((value, weight, certain))
        element_type = self.program.types.get(id(e.args[-1]), "number")
        unit = self.program.types.get(id(e), element_type)
        unscored = {i for i, (v, w, _) in enumerate(items)
                    if isinstance(v, NotScored) or isinstance(w, NotScored)}
        rescaling: tuple[str, Any] | None = None
        if unscored:
            first = next(x for i in sorted(unscored) for x in items[i][:2]
                         if isinstance(x, NotScored))
            summary = f"{len(unscored)} of {len(items)} items not scored; first: {first.reason}"
            if policy == "propagate":
                if any(items[i][2] for i in unscored):
                    return NotScored(summary)
                perhaps_unscored = True
            if policy == "rescale":
                if len(unscored) == len(items):
                    return NotScored(f"none of the {len(items)} items is scored, so there is "
                                     f"no weight to rescale; first: {first.reason}")
                # The full weight is that of every item whose weight is known, scored or not.
                rescaling = (summary, self._total([w.magnitude for _, w, _ in items
                                                   if isinstance(w, Quantity)]))
            if policy == "zero":
                zero = Quantity(element_type, self.math.literal(Decimal(0)))
                items = [(zero, w, c) if isinstance(v, NotScored) else (v, w, c)
                         for v, w, c in items]
                items = [(v, w, c) for v, w, c in items if not isinstance(w, NotScored)]
            else:
                items = [item for i, item in enumerate(items) if i not in unscored]
        items, unsure = self._perhaps_scored(items, policy, element_type)
        result = self._combine(name, items, many, unit, rescaling, e, env)
        if perhaps_unscored or unsure:
            return self._join([result, NotScored(f"the {name} may not be scored")])
        return result

    def _item(self, e: s.Call, env: _Env) -> tuple[Value, Value | None]:
        """An aggregation's item and its weight, where its `where` filter holds."""
        assert e.for_each is not None
        if self.math.decisive or e.for_each.where is None:
            weight = None if e.weighted_by is None else self.eval(e.weighted_by, env)
            return self.eval(e.args[-1], env), weight
        where = [(e.for_each.where, True)]
        value = self._under(where, e.args[-1], env)
        if e.weighted_by is None:
            return value, None
        return value, self._under(where, e.weighted_by, env)

    def _perhaps_scored(self, items: list[tuple[Value, Value | None, bool]], policy: str,
                        element_type: str) -> tuple[list[tuple[Value, Value | None, bool]],
                                                    bool]:
        """Items whose value or weight may be not scored, treated as the policy says; and
        whether that may leave the result not scored (values known within bounds only)."""
        kept: list[tuple[Value, Value | None, bool]] = []
        unsure = perhaps_none_scored = False
        for value, weight, certain in items:
            scored, maybe = self._scored(value)
            scored_weight, weight_maybe = (weight, False) if weight is None else \
                self._scored(weight)
            if not (maybe or weight_maybe):
                kept.append((value, weight, certain))
                continue
            if policy == "zero" and scored is not None:
                zero = Quantity(element_type, self.math.literal(Decimal(0)))
                scored = self._join([scored, zero]) if maybe else scored
                maybe = False
            unsure = unsure or policy == "propagate"
            perhaps_none_scored = perhaps_none_scored or maybe or weight_maybe
            if scored is not None and (weight is None or scored_weight is not None):
                kept.append((scored, scored_weight,
                             certain and (policy == "propagate" or not (maybe or weight_maybe))))
        # Rescaling when perhaps no item is scored: a settlement may find none, and then
        # there is no weight to rescale and the result is not scored.
        if policy == "rescale" and perhaps_none_scored and not any(c for _, _, c in kept):
            unsure = True
        return kept, unsure

    def _combine(self, name: str, items: list[tuple[Value, Value | None, bool]], many: bool,
                 unit: str, rescaling: tuple[str, Any] | None, e: s.Call, env: _Env) -> Value:
        """The aggregation of the items that count; uncertain ones may count or not."""
        if name == "count":
            return Quantity("count", self._count(items, many))
        if name in ("all", "any"):
            return Truth(self._all_or_any(name, items))
        exact = not many and all(c for _, _, c in items)
        pairs = [(v, w) for v, w, _ in items]
        magnitudes = [v.magnitude for v, _, _ in items if isinstance(v, Quantity)]
        if name == "sum" and not exact:
            return Quantity(unit, self._uncertain_sum(items, many, rescaling))
        if name == "sum" and e.weighted_by is not None:
            return self._weighted_sum(pairs, unit, rescaling, e, env)
        if name == "sum":
            return Quantity(unit, self._total(magnitudes))
        if not magnitudes:
            return NotScored(f"no items to take the {name} of")
        if not exact:
            # Whichever items count, the mean, least, greatest or a percentile of them lies
            # between the least and the greatest of all.
            result = Quantity(unit, functools.reduce(self.math.join, magnitudes))
            if not any(c for _, _, c in items):
                return self._join([result, NotScored(f"perhaps no items to take the {name} of")])
            return result
        if name == "mean" and e.weighted_by is not None:
            return self._weighted_mean(pairs, unit, rescaling, e, env)
        if name == "mean":
            return Quantity(unit, self.math.mean(magnitudes, None))
        if name in ("min", "max"):
            pick = self.math.minimum if name == "min" else self.math.maximum
            return Quantity(unit, functools.reduce(pick, magnitudes))
        share = self.math.literal(Decimal("0.5"))
        if name == "percentile":
            p = self.eval(e.args[0], env)
            if isinstance(p, NotScored):
                return p
            assert isinstance(p, Quantity)
            share = p.magnitude
        outside = [self._answers("<", share, self.math.literal(Decimal(0))),
                   self._answers(">", share, self.math.literal(Decimal(1)))]
        message = "a percentile must lie between 0% and 100%"
        if (True,) in outside:
            raise self.fail("E0405", message, e.span, env)
        if any(True in answers for answers in outside):
            self._may_stop("E0405", f"{message}, in `{_one_line(e)}`", e.span, env)
        return Quantity(unit, self.math.percentile(magnitudes, share))

    def _uncertain_sum(self, items: list[tuple[Value, Value | None, bool]], many: bool,
                       rescaling: tuple[str, Any] | None) -> Any:
        """A sum (weighted, rescaled) where items may or may not count: each item adds 0 or
        itself, or itself any number of times for an unknown set of organizations."""
        total, scored_weight = self.math.literal(Decimal(0)), self.math.literal(Decimal(0))
        for value, weight, certain in items:
            assert isinstance(value, Quantity)
            magnitude = value.magnitude
            if isinstance(weight, Quantity):
                magnitude = self.math.multiply(magnitude, weight.magnitude)
                scored_weight = self.math.add(scored_weight,
                                              self._share(weight.magnitude, certain, many))
            total = self.math.add(total, self._share(magnitude, certain, many))
        if rescaling is not None:
            total = self.math.divide(self.math.multiply(total, rescaling[1]), scored_weight)
        return total

    def _share(self, magnitude: Any, certain: bool, many: bool) -> Any:
        """What one item adds to a sum: itself, or (within bounds) 0 or it, or it any number
        of times for an unknown set of organizations."""
        if many:
            magnitude = self.math.multiply(magnitude, self.math.join(
                self.math.literal(Decimal(1)), self.math.literal(Decimal("Infinity"))))
        if not certain:
            magnitude = self.math.join(magnitude, self.math.literal(Decimal(0)))
        return magnitude

    def _count(self, items: list[tuple[Value, Value | None, bool]], many: bool) -> Any:
        low = high = 0
        for value, _, certain in items:
            answers = self.math.outcomes(value.value) if isinstance(value, Truth) else (True,)
            high += True in answers
            low += answers == (True,) and certain
        if low == high and not many:
            return self.math.literal(Decimal(low))
        top = Decimal("Infinity") if many and high else Decimal(high)
        return self.math.join(self.math.literal(Decimal(low)), self.math.literal(top))

    def _all_or_any(self, name: str, items: list[tuple[Value, Value | None, bool]]) -> Any:
        # `all` is no when some item may be no; yes when every item that surely counts may
        # be yes. `any` is the same with yes and no swapped.
        decisive = name == "any"
        answers: set[bool | None] = set()
        every = True
        for value, _, certain in items:
            if not isinstance(value, Truth):
                continue
            these = self.math.outcomes(value.value)
            if decisive in these:
                answers.add(decisive)
            if certain and (not decisive) not in these:
                every = False
        if every:
            answers.add(not decisive)
        return self.math.truth(answers)

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
        nothing = self._answers("=", scored_weight, self.math.literal(Decimal(0)))
        unrescalable = NotScored(f"{summary}; the weights of the scored items sum to zero, "
                                 "so they cannot be rescaled")
        if nothing == (True,):
            return unrescalable
        # Multiplied before dividing, so the one division is the only rounding.
        rescaled = self.math.divide(self.math.multiply(total, full_weight), scored_weight)
        factor = self.math.divide(full_weight, scored_weight)
        self._annotate(env, f"{summary}; the scored items' weights, "
                       f"{self._weight_text(scored_weight, e)} of "
                       f"{self._weight_text(full_weight, e)}, were scaled up by "
                       f"{display(Quantity('number', factor), 4)} to carry the full weight")
        result = Quantity(unit, rescaled)
        return self._join([result, unrescalable]) if True in nothing else result

    def _weighted_mean(self, items: list[tuple[Value, Value | None]], unit: str,
                       rescaling: tuple[str, Any] | None, e: s.Call, env: _Env) -> Value:
        values = [v.magnitude for v, _ in items if isinstance(v, Quantity)]
        weights = [w.magnitude for _, w in items if isinstance(w, Quantity)]
        try:
            mean = self.math.mean(values, weights)
        except ArithmeticError_:
            return NotScored("the weights of the items sum to zero")
        if rescaling is not None:
            summary, full_weight = rescaling
            scored_weight = self._total(weights)
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
        if e.op == "/":
            self._check_domain(right.magnitude, "=", "nonzero", e.right, e, env)
        try:
            if e.op == "*" and e.left == e.right:
                # The same expression in the same scope is the same number: an arithmetic
                # over bounds must know it is a square, or it would allow a negative product.
                return Quantity(unit, self.math.square(left.magnitude))
            return Quantity(unit, operation(left.magnitude, right.magnitude))
        except ArithmeticError_ as exc:
            raise self.fail("E0401", f"{exc} in `{_one_line(e)}`", e.span, env,
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
            return Truth(self.math.test(e.op, left.magnitude, right.magnitude))
        if isinstance(left, DateValue) and isinstance(right, DateValue):
            order = (left.value > right.value) - (left.value < right.value)
            return Truth({"=": order == 0, "!=": order != 0, "<": order < 0, "<=": order <= 0,
                          ">": order > 0, ">=": order >= 0}[e.op])
        equal = self.math.same(left, right)
        if e.op == "=":
            return Truth(equal)
        return Truth(self.math.truth(None if a is None else not a
                                     for a in self.math.outcomes(equal)))

    def _truth(self, e: s.Expr, env: _Env) -> Truth | NotScored:
        value = self.eval(e, env)
        assert isinstance(value, Truth | NotScored)
        return value

    def _outcomes(self, value: Truth | NotScored) -> tuple[bool | None, ...]:
        return (None,) if isinstance(value, NotScored) else self.math.outcomes(value.value)

    def _x_Not(self, e: s.Not, env: _Env) -> Value:
        value = self._truth(e.operand, env)
        if isinstance(value, NotScored):
            return value
        return Truth(self.math.truth(None if a is None else not a
                                     for a in self.math.outcomes(value.value)))

    def _x_And(self, e: s.And, env: _Env) -> Value:
        return self._connective(e.left, e.right, False, env)

    def _x_Or(self, e: s.Or, env: _Env) -> Value:
        return self._connective(e.left, e.right, True, env)

    def _connective(self, left_expr: s.Expr, right_expr: s.Expr, decisive: bool, env: _Env
                    ) -> Value:
        """``and`` (decisive answer no) or ``or`` (decisive answer yes): a decisive answer on
        either side decides, even when the other side is not scored."""
        left = self._truth(left_expr, env)
        left_answers = self._outcomes(left)
        if left_answers == (decisive,):
            return left
        # The right side counts only where the left is not decisive: `d > 0 and x / d`.
        right = self._truth(right_expr, env) if self.math.decisive else \
            self._under([(left_expr, not decisive)], right_expr, env)
        assert isinstance(right, Truth | NotScored)
        right_answers = self._outcomes(right)
        if right_answers == (decisive,):
            return right
        if len(left_answers) == 1 and len(right_answers) == 1:
            return left if isinstance(left, NotScored) else right
        answers = {decisive if decisive in (a, b) else None if None in (a, b) else a
                   for a in left_answers for b in right_answers}
        if answers == {None}:
            return left if isinstance(left, NotScored) else right
        return Truth(self.math.truth(answers))

    def _x_If(self, e: s.If, env: _Env) -> Value:
        condition = self._truth(e.condition, env)
        if isinstance(condition, NotScored):
            self._decided(e, "not scored", env)
            return NotScored(f"the condition is not scored: {condition.reason}")
        answers = self.math.outcomes(condition.value)
        if len(answers) == 1 and answers[0] is not None:
            self._decided(e, "then" if answers[0] else "else", env)
            if self.math.decisive:
                return self.eval(e.then if answers[0] else e.otherwise, env)
            return self._branch(e, answers[0], env)
        # Undecided (over tables known within bounds): the value of either branch. A branch
        # that always stops only makes settlement possibly stop, where the other is taken.
        values: list[Value] = []
        stopped: EvaluationError | None = None
        for answer in answers:
            if answer is None:
                values.append(NotScored("the condition may be not scored"))
                continue
            mark = len(self.possible_stops)
            known = frozenset(self.identity(x, env) for x in _scored_in(e.condition, answer))
            inner = _Env(env.org, env.local, env.node, env.scored | known) if known else env
            try:
                values.append(self._branch(e, answer, inner))
            except EvaluationError as error:
                if error.diagnostics[0].code == E_STEPS:
                    raise
                del self.possible_stops[mark:]
                stopped = stopped or error
        if stopped is not None:
            if not values:
                raise stopped
            self.possible_stops.append(PossibleStop(stopped.diagnostics[0]))
        return self._join(values)

    def _branch(self, e: s.If, answer: bool, env: _Env) -> Value:
        return self._under([(e.condition, answer)], e.then if answer else e.otherwise, env)

    def _x_Otherwise(self, e: s.Otherwise, env: _Env) -> Value:
        value = self.eval(e.value, env)
        self._decided(e, "fallback" if isinstance(value, NotScored) else "value", env)
        if isinstance(value, NotScored):
            return self.eval(e.fallback, env)
        scored, maybe = self._scored(value)
        if not maybe:
            return value
        fallback = self.eval(e.fallback, env)
        return fallback if scored is None else self._join([scored, fallback])

    def _x_IsScored(self, e: s.IsScored, env: _Env) -> Value:
        if env.scored and self.identity(e.operand, env) in env.scored:
            return Truth(not e.negated)
        value = self.eval(e.operand, env)
        if isinstance(value, NotScored):
            return Truth(e.negated)
        scored, maybe = self._scored(value)
        answers = {not e.negated} if scored is not None else set()
        if maybe:
            answers.add(e.negated)
        return Truth(self.math.truth(answers))

    def _x_MemberOf(self, e: s.MemberOf, env: _Env) -> Value:
        element = self.eval(e.element, env)
        if isinstance(element, NotScored):
            return element
        members = self.domain(e.domain, env)
        if isinstance(members, NotScored):
            return members
        each = [self.math.outcomes(self.math.same(element, item)) for item in members]
        answers: set[bool | None] = set()
        if any(True in a for a in each):
            answers.add(True)
        if all(False in a for a in each):
            answers.add(False)
        if any(None in a for a in each) and all(False in a or None in a for a in each):
            answers.add(None)
        return Truth(self.math.truth(answers))

    def _x_AtOrganization(self, e: s.AtOrganization, env: _Env) -> Value:
        org = self.eval(e.organization, env)
        if isinstance(org, NotScored):
            return org
        assert isinstance(org, Entity)
        return self.eval(e.value, _Env(org.name, env.local, env.node))
