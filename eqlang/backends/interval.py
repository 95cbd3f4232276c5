"""The interval backend: takes a checked ``Program``, gives what each output can be over every
valid measure table and organization table, by interpreting the program over intervals.

It extends the exact backend where a value known only within bounds changes the answer: a
table read gives an interval (a rate anywhere from 0% to 100%, a count from 0 up), an
organization input any value its declaration allows, a value may be "a number or not
scored", a comparison may be yes, no or either, an ``if`` whose condition may go either way
gives what either branch gives, an exception may or may not apply, and an aggregation over
organizations ranges over a set of unknown size. An
operation that fails on some tables but not all (a division by a count that may be 0) is a
``PossibleStop``: those settlements stop there, and the value is what the others give; a
stop that a guard (``if n = 0 then ... else x / n``) rules out is dropped.

The bounds are sound: every settlement that completes gives a value within them. They need
not be tight: intervals forget that two values move together.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from eqlang.backends.aggregations import Item
from eqlang.backends.derivation import E_STEPS, Env, EvaluationError, Key, one_line
from eqlang.backends.exact import Evaluator
from eqlang.backends.interval_arithmetic import (
    ANY_ORGANIZATION,
    ONE,
    POS,
    ZERO,
    AnyTables,
    AnyText,
    Interval,
    IntervalArithmetic,
)
from eqlang.core import program as p
from eqlang.core.values import Entity, Group, NotScored, Quantity, Truth, Value
from eqlang.core.values import display as shown
from eqlang.diagnostics import Diagnostic
from eqlang.syntax.source import Span


@attrs.frozen
class PossibleStop:
    """An operation that fails on some tables but not all: settling those tables stops
    here, the others go on past it.

    ``guard`` says what rules the stop out, for a stop that happens only where values are 0
    or below: each value's identity (see ``IntervalEvaluator.identity``) and what it must
    be, ``"nonzero"``, ``"positive"`` or ``"nonnegative"`` (a divisor ``2 * n`` is nonzero
    where ``n`` is). An ``if`` whose branch implies one (``else`` of ``if n = 0``, say) rules
    it out there; once all are, the stop is."""

    diagnostic: Diagnostic
    guard: tuple[tuple[Any, str], ...] = ()


class NotBoundable(Exception):
    """A value that no bound can stand for (a choice between two measures, say)."""


@attrs.define
class BoundEnv(Env):
    #: Identities of values known to be scored here, in the branch of an undecided ``if`` on
    #: ``x is scored``; not passed into calls, which are remembered whatever branch they
    #: were first evaluated in.
    scored: frozenset[Any] = frozenset()


_CONVERSE = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
_NEGATION = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}


def _comparisons(condition: p.Expr, holds: bool) -> Iterator[tuple[p.Expr, str, p.Expr]]:
    """Comparisons ``(a, op, b)`` that hold wherever ``condition`` is yes (``holds``) or no:
    ``a op b`` and ``b op' a`` for a comparison, through `not`, the parts of a true `and`
    and of a false `or`, and through `(a op b) otherwise no`, whose comparison holds as the
    whole does wherever its operands are scored (where they are not, neither is what is
    computed from them)."""
    if isinstance(condition, p.Not):
        yield from _comparisons(condition.operand, not holds)
    elif isinstance(condition, p.Otherwise) and isinstance(condition.fallback, p.Const) \
            and condition.fallback.value == Truth(False):
        yield from _comparisons(condition.value, holds)
    elif isinstance(condition, p.And | p.Or) and holds == isinstance(condition, p.And):
        yield from _comparisons(condition.left, holds)
        yield from _comparisons(condition.right, holds)
    elif isinstance(condition, p.Compare):
        op = condition.op if holds else _NEGATION[condition.op]
        yield condition.left, op, condition.right
        yield condition.right, _CONVERSE[op], condition.left


def _scored_in(condition: p.Expr, holds: bool) -> Iterator[p.Expr]:
    """Expressions that are scored wherever ``condition`` is yes (``holds``) or no."""
    if isinstance(condition, p.Not):
        yield from _scored_in(condition.operand, not holds)
    elif isinstance(condition, p.And | p.Or) and holds == isinstance(condition, p.And):
        yield from _scored_in(condition.left, holds)
        yield from _scored_in(condition.right, holds)
    elif isinstance(condition, p.IsScored) and holds != condition.negated:
        yield condition.operand


def _unshifted(e: p.Expr) -> p.Expr:
    """``x`` for ``x - 0%`` or ``x + 0``: contracts subtract a zero to change a unit."""
    while (isinstance(e, p.Arithmetic) and e.op in "+-" and isinstance(e.right, p.Const)
           and isinstance(e.right.value, Quantity) and e.right.value.magnitude == 0):
        e = e.left
    return e


#: The most draws a simulation takes, as a bound.
MAX = Decimal(p.MAX_DRAWS)


class IntervalEvaluator(Evaluator):
    """Evaluates a checked program over every valid measure table at once."""

    def __init__(self, program: p.Program) -> None:
        super().__init__(program, AnyTables(()), arithmetic=IntervalArithmetic())
        self.possible_stops: list[PossibleStop] = []
        self.call_stops: dict[Key, tuple[PossibleStop, ...]] = {}

    def stops_of(self, name: str, argument: Value | None) -> tuple[PossibleStop, ...]:
        """The possible stops of one output already evaluated (see ``output``)."""
        args = () if argument is None else (argument,)
        return self.call_stops.get(self.key_of(ANY_ORGANIZATION, name, args), ())

    def constant(self, value: Value) -> Value:
        if isinstance(value, Quantity):
            return Quantity(value.unit, self.math.literal(value.magnitude), value.note)
        return value

    def answers(self, op: str, a: Any, b: Any) -> tuple[bool | None, ...]:
        """The answers ``a op b`` may have."""
        return self.math.outcomes(self.math.test(op, a, b))

    def _zero(self) -> Any:
        return self.math.literal(Decimal(0))

    # ---- remembering the stops of each rule -------------------------------------------------

    def call(self, rule: p.Rule, args: tuple[Value, ...], env: Env) -> tuple[Value, Key]:
        key = self.key_of(env.org, rule.key, args)
        known = key in self.memo
        mark = len(self.possible_stops)
        value, key = super().call(rule, args, env)
        self._stops(key, known, mark)
        return value, key

    def parameter(self, key: str, env: Env) -> Value:
        known = Key("", key) in self.memo
        mark = len(self.possible_stops)
        value = super().parameter(key, env)
        self._stops(Key("", key), known, mark)
        return value

    def below_zero(self, magnitude: Any) -> bool:
        return True in self.answers("<", magnitude, self._zero())

    def _stops(self, key: Key, known: bool, mark: int) -> None:
        if known:
            self.possible_stops.extend(self.call_stops.get(key, ()))
        elif len(self.possible_stops) > mark:
            # The possible stops met since ``mark``, once each, are those of ``key``.
            own = tuple(dict.fromkeys(self.possible_stops[mark:]))
            del self.possible_stops[mark:]
            self.possible_stops.extend(own)
            self.call_stops[key] = own

    # ---- values that stand for several ------------------------------------------------------

    def join(self, values: list[Value]) -> Value:
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
            magnitude = functools.reduce(self.math.join, [v.magnitude for v in scored
                                                          if isinstance(v, Quantity)])
            return Quantity(first.unit, self.math.with_unscored(magnitude) if perhaps
                            else magnitude)
        if all(isinstance(v, Truth) for v in scored):
            answers = {a for v in scored if isinstance(v, Truth)
                       for a in self.math.outcomes(v.value)}
            return Truth(self.math.truth(answers | ({None} if perhaps else set())))
        if all(v == first for v in scored) and not perhaps:
            return first
        if all(isinstance(v, Group) for v in scored):
            return Group("any")
        raise NotBoundable(f"it chooses between {', '.join(shown(v) for v in scored)}")

    def scored(self, value: Value) -> tuple[Value | None, bool]:
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

    # ---- possible stops ---------------------------------------------------------------------

    def may_stop(self, code: str, message: str, span: Span | None, env: Env,
                 guard: tuple[p.Expr, str] | None = None, hint: str | None = None) -> None:
        diagnostic = self.fail(code, message, span, env, hint=hint).diagnostics[0]
        needs: tuple[tuple[Any, str], ...] = ()
        if guard is not None:
            operand, needed = guard
            parts = [_unshifted(operand)] if needed == "nonnegative" else \
                self._factors(operand, needed)
            needs = tuple((self.identity(part, env), needed) for part in parts
                          if not self._surely(part, needed, env))
        self.possible_stops.append(PossibleStop(diagnostic, needs))

    def _factors(self, e: p.Expr, needed: str) -> list[p.Expr]:
        """Expressions such that ``e`` is nonzero (or positive) where they all are: the
        factors of a product, the numerator of a quotient (positive: both its parts)."""
        e = _unshifted(e)
        if isinstance(e, p.Negate) and needed == "nonzero":
            return self._factors(e.operand, needed)
        if isinstance(e, p.Arithmetic) and e.op == "*":
            return self._factors(e.left, needed) + self._factors(e.right, needed)
        if isinstance(e, p.Arithmetic) and e.op == "/":
            return self._factors(e.left, needed) + (
                self._factors(e.right, needed) if needed == "positive" else [])
        return [e]

    def _surely(self, e: p.Expr, needed: str, env: Env) -> bool:
        """Whether ``e`` is nonzero, positive or nonnegative wherever it is scored (where it
        is not, neither is what is computed from it)."""
        value = self.eval(e, env)
        return isinstance(value, Quantity) and self._implies(
            "=", self.math.scored_part(value.magnitude), needed)

    def identity(self, e: p.Expr, env: Env) -> Any:
        """What ``e`` stands for, such that two expressions with one identity are the same
        number in every settlement: a call by its rule and arguments (a rule is a function
        of its arguments and the organization), a parameter by name, anything else by
        itself (two expressions written alike are alike) with the local variables it is
        evaluated with."""
        if isinstance(e, p.Parameter):
            return ("parameter", e.key)
        if isinstance(e, p.Call | p.Builtin):
            args = tuple(self.eval(a, env) for a in e.args)
            # Two arguments known only within the same bounds need not be the same number.
            if not any(isinstance(a, Quantity) for a in args):
                return ("call", env.org, e.rule if isinstance(e, p.Call) else e.name, args)
        return ("expression", env.org, e, tuple(env.local.items()))

    def under(self, conditions: list[tuple[p.Expr, bool]], e: p.Expr, env: Env) -> Value:
        """The value of ``e`` where each condition is known to be yes (or no): the possible
        stops it meets that the conditions rule out are dropped."""
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

    def check_domain(self, x: Any, failing: str, needed: str, operand: p.Expr, e: p.Expr,
                     env: Env) -> None:
        """Note a possible stop where ``x failing 0`` (a divisor = 0, say) may or may not hold;
        where it surely holds, the arithmetic itself refuses the operation."""
        answers = self.answers(failing, x, self._zero())
        if True in answers and False in answers:
            what = {"nonzero": "division by zero", "nonnegative": "square root of a negative "
                    "number", "positive": "logarithm of a number that is not positive"}[needed]
            where = {"nonzero": "is 0", "nonnegative": "is below 0",
                     "positive": "is 0 or below"}[needed]
            self.may_stop("E0401", f"{what} where `{one_line(operand)}` {where}, in "
                          f"`{one_line(e)}`", e.span, env, guard=(operand, needed),
                          hint=f"guard it: `if {one_line(operand)} {failing} 0 then not "
                          "scored because \"...\" else ...`")

    def _rules_out(self, condition: p.Expr, holds: bool, need: tuple[Any, str], env: Env
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
            return self.answers(test, bound, self._zero()) == (True,)
        if op == "=":
            return surely({"nonzero": "!=", "positive": ">", "nonnegative": ">="}[needed])
        if op in (">", ">="):
            return surely(">=") if op == ">" or needed == "nonnegative" else surely(">")
        if needed != "nonzero":
            return False
        if op == "!=":
            return surely("=")
        return surely("<=") if op == "<" else surely("<")

    # ---- rules --------------------------------------------------------------------------------

    def body(self, rule: p.Rule, env: Env) -> Value:
        applying = []
        undecided = []
        perhaps: list[Value] = []
        for exception in rule.exceptions:
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
            raise self.overlap(rule, applying[0], applying[1], env, surely=True)
        if not perhaps:
            if applying:
                return self._exception_value(applying[0], env, applies=True)
            if rule.exceptions:
                assert rule.body is not None
                self.decided(rule.body.site, "general", env)
            return self._general(rule, env)
        # An exception may or may not apply: the value is any of those that might.
        overlapping = applying + undecided
        if len(overlapping) > 1:
            self.possible_stops.append(PossibleStop(self.overlap(
                rule, overlapping[0], overlapping[1], env, surely=False).diagnostics[0]))
        sure = [self._exception_value(x, env) for x in applying] or [self._general(rule, env)]
        return self.join(sure + perhaps)

    def _exception_value(self, exception: p.Exception_, env: Env,
                         applies: bool = False) -> Value:
        if applies:
            self.decided(exception.site, "applies", env)
        return self.under([(exception.condition, True)], exception.value, env)

    def _general(self, rule: p.Rule, env: Env) -> Value:
        """The body of a rule, where none of its exceptions applies."""
        assert rule.body is not None
        return self.under([(x.condition, False) for x in rule.exceptions], rule.body, env)

    def schedule(self, rule: p.Rule, argument: Value, env: Env) -> Value:
        if isinstance(argument, NotScored):
            return argument
        assert isinstance(argument, Quantity)
        scored, maybe = self.scored(argument)
        if maybe:
            assert scored is not None
            return self.join([self.schedule(rule, scored, env),
                              NotScored("the schedule's input may be not scored")])
        x = argument.magnitude

        def inside(low: Decimal, low_closed: bool, high: Decimal, high_closed: bool
                   ) -> tuple[bool | None, ...]:
            return self.math.outcomes(self.math.truth(
                above and below
                for above in self.answers(">=" if low_closed else ">", x, self.math.literal(low))
                for below in self.answers("<=" if high_closed else "<", x,
                                          self.math.literal(high))))

        # The checker proves the tiers cover the domain (E0304): outside it, no tier.
        domain = rule.domain
        if domain is not None and self._may_leave(x, domain) and True in inside(
                domain.low, domain.low_closed, domain.high, domain.high_closed):
            self.may_stop("E0404", f"{shown(argument)} may lie outside every tier of "
                          f"`{rule.name}`", rule.span, env, hint="clamp the value before "
                          "looking it up, or widen the schedule's domain")
        chosen = []
        for tier in rule.tiers:
            answers = inside(tier.low, tier.low_closed, tier.high, tier.high_closed)
            if True in answers:
                chosen.append(tier)
            if False not in answers:
                break
        if len(chosen) == 1:
            return self.tier_chosen(chosen[0], env)
        if chosen:
            return self.join([self.eval(tier.value, env) for tier in chosen])
        raise self.out_of_tiers(rule, argument, env)

    def _may_leave(self, x: Any, domain: p.Range) -> bool:
        """Whether ``x`` may lie below or above a range (an infinite end never is)."""
        below = domain.low.is_finite() and True in self.answers(
            "<" if domain.low_closed else "<=", x, self.math.literal(domain.low))
        return below or (domain.high.is_finite() and True in self.answers(
            ">" if domain.high_closed else ">=", x, self.math.literal(domain.high)))

    # ---- tables ---------------------------------------------------------------------------

    def counts(self, measure: str, group: Group, period: str, env: Env, span: Span | None
               ) -> tuple[Any, Any, list[Any]]:
        if group.kind != "any":
            return super().counts(measure, group, period, env, span)
        # Every group's row is alike in every valid table.
        row = self.tables.lookup(env.org, measure, group.label, period)
        assert row is not None
        return self.math.literal(row.numerator), self.math.literal(row.denominator), [row]

    def input_read(self, name: str, env: Env, span: Span | None) -> tuple[Value, Any]:
        # Any value of the input's type that the contract allows, as a table count is any
        # count: the bounds hold whatever the organization table says.
        info = self.program.inputs[name]
        if info.type == "yesno":
            return Truth(self.math.truth((True, False))), None
        if info.type == "text":
            return AnyText(info.choices), None
        return Quantity(info.type, Interval(info.low, info.high)), None

    def peers_sharing(self, name: str, env: Env) -> list[str]:
        # Which organizations share the input is unknown: as many as any, at least one.
        return list(self.tables.organizations())

    def table_value(self, name: str, args: tuple[Value, ...], env: Env, span: Span | None
                    ) -> Value:
        value = super().table_value(name, args, env, span)
        group = args[1]
        if isinstance(group, Group) and group.kind == "any":
            return self.join([value, NotScored("the group may be not scored")])
        return value

    def table_quantity(self, name: str, numerator: Any, denominator: Any, measure: Entity,
                       group: Group, label: str) -> Value:
        if name != "rate":
            return super().table_quantity(name, numerator, denominator, measure, group, label)
        empty = self.answers("=", denominator, self._zero())
        unscored = NotScored(f"{group.label} has no members in {measure.name} {label} "
                             "(denominator 0)")
        rates = [] if empty == (True,) else [
            Quantity("percent", self.math.rate(numerator, denominator))]
        return self.join(rates + ([unscored] if True in empty else []))

    def position(self, group: Value) -> Value:
        if not (isinstance(group, Group) and group.kind == "any"):
            return super().position(group)
        # Some group that the tables choose: any place in any ordered stratification.
        places = [len(s.groups) for s in self.program.stratifications.values() if s.order]
        if not places:
            return NotScored("no stratification of the contract is ordered")
        return Quantity("count", Interval(Decimal(1), Decimal(max(places)), unscored=True))

    def best(self, measure: Entity, strat: p.StratificationInfo, period: Value, env: Env,
             span: Span | None) -> Value:
        info = self.program.measures[measure.name]
        minimum = self.math.literal(self.minimum(info))
        best: tuple[Any, str] | None = None
        # Which group is best may be undecided.
        undecided = False
        for name, rate, denominator in self.candidates(measure, strat, period, env, span):
            small = self.answers("<", denominator, minimum)
            if small == (True,):
                continue
            undecided = undecided or small != (False,)
            if best is None:
                best = (rate, name)
                continue
            better = self.answers(">" if info.higher_is_better else "<", rate, best[0])
            undecided = undecided or len(better) > 1
            if better == (True,):
                best = (rate, name)
        if undecided:
            return Group("any")
        if best is None:
            return self.no_best(measure, strat, period)
        return Group("named", best[1])

    # ---- expressions ------------------------------------------------------------------------

    def check_arguments(self, e: p.Builtin, quantities: list[Quantity], env: Env) -> None:
        if e.name == "clamp":
            _, low, high = quantities
            reversed_ = self.answers(">", low.magnitude, high.magnitude)
            message = self.reversed_clamp(low, high)
            if reversed_ == (True,):
                raise self.fail("E0405", message, e.span, env, hint="swap the bounds")
            if True in reversed_:
                self.may_stop("E0405", f"{message}, in `{one_line(e)}`", e.span, env,
                              hint="swap the bounds")
        elif e.name == "sqrt":
            self.check_domain(quantities[0].magnitude, "<", "nonnegative", e.args[0], e, env)
        elif e.name == "ln":
            self.check_domain(quantities[0].magnitude, "<=", "positive", e.args[0], e, env)

    def check_share(self, e: p.Aggregate, share: Any, env: Env) -> None:
        outside = [self.answers("<", share, self._zero()),
                   self.answers(">", share, self.math.literal(Decimal(1)))]
        message = "a percentile must lie between 0% and 100%"
        if (True,) in outside:
            raise self.fail("E0405", message, e.span, env)
        if any(True in answers for answers in outside):
            self.may_stop("E0405", f"{message}, in `{one_line(e)}`", e.span, env)

    def arithmetic(self, e: p.Arithmetic, a: Any, b: Any, env: Env) -> Any:
        if e.op == "/":
            self.check_domain(b, "=", "nonzero", e.right, e, env)
        if e.op == "*" and e.left == e.right:
            # The same expression in the same scope is the same number: an arithmetic over
            # bounds must know it is a square, or it would allow a negative product.
            return self.math.square(a)
        return super().arithmetic(e, a, b, env)

    def same(self, left: Value, right: Value, equal: bool) -> Any:
        answer = self.math.same(left, right)
        if equal:
            return answer
        return self.math.truth(None if a is None else not a for a in self.math.outcomes(answer))

    def _outcomes(self, value: Truth | NotScored) -> tuple[bool | None, ...]:
        return (None,) if isinstance(value, NotScored) else self.math.outcomes(value.value)

    def _x_Not(self, e: p.Not, env: Env) -> Value:
        value = self.truth(e.operand, env)
        if isinstance(value, NotScored):
            return value
        return Truth(self.math.truth(None if a is None else not a
                                     for a in self.math.outcomes(value.value)))

    def connective(self, left_expr: p.Expr, right_expr: p.Expr, decisive: bool, env: Env
                   ) -> Value:
        left = self.truth(left_expr, env)
        left_answers = self._outcomes(left)
        if left_answers == (decisive,):
            return left
        # The right side counts only where the left is not decisive: `d > 0 and x / d`.
        right = self.under([(left_expr, not decisive)], right_expr, env)
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

    def _x_If(self, e: p.If, env: Env) -> Value:
        condition = self.truth(e.condition, env)
        if isinstance(condition, NotScored):
            self.decided(e.site, "not scored", env)
            return NotScored(f"the condition is not scored: {condition.reason}")
        answers = self.math.outcomes(condition.value)
        if len(answers) == 1 and answers[0] is not None:
            self.decided(e.site, "then" if answers[0] else "else", env)
            return self._branch(e, answers[0], env)
        # Undecided: the value of either branch. A branch that always stops only makes
        # settlement possibly stop, where the other is taken.
        values: list[Value] = []
        stopped: EvaluationError | None = None
        for answer in answers:
            if answer is None:
                values.append(NotScored("the condition may be not scored"))
                continue
            mark = len(self.possible_stops)
            known = frozenset(self.identity(x, env) for x in _scored_in(e.condition, answer))
            scored = env.scored if isinstance(env, BoundEnv) else frozenset()
            inner = BoundEnv(env.org, env.local, env.node, env.key, scored | known) if known \
                else env
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
        return self.join(values)

    def _branch(self, e: p.If, answer: bool, env: Env) -> Value:
        return self.under([(e.condition, answer)], e.then if answer else e.otherwise, env)

    def _x_Otherwise(self, e: p.Otherwise, env: Env) -> Value:
        value = self.eval(e.value, env)
        self.decided(e.site, "fallback" if isinstance(value, NotScored) else "value", env)
        if isinstance(value, NotScored):
            return self.eval(e.fallback, env)
        scored, maybe = self.scored(value)
        if not maybe:
            return value
        fallback = self.eval(e.fallback, env)
        return fallback if scored is None else self.join([scored, fallback])

    def _x_IsScored(self, e: p.IsScored, env: Env) -> Value:
        if isinstance(env, BoundEnv) and self.identity(e.operand, env) in env.scored:
            return Truth(not e.negated)
        value = self.eval(e.operand, env)
        if isinstance(value, NotScored):
            return Truth(e.negated)
        scored, maybe = self.scored(value)
        answers = {not e.negated} if scored is not None else set()
        if maybe:
            answers.add(e.negated)
        return Truth(self.math.truth(answers))

    def _x_Simulated(self, e: p.Simulated, env: Env) -> Value:
        # Every draw is a valid table, so each drawn value lies within the value's bounds
        # over all tables, and so do the draws' percentiles; their standard deviation is at
        # most half the bounds' width times √(N / (N − 1)), below the whole width.
        perhaps_unscored = False
        for option, low, high in ((e.level, ZERO, ONE), (e.draws, Decimal(2), MAX),
                                  (e.seed, ZERO, POS)):
            if option is None:
                continue
            value = self.eval(option, env)
            if not isinstance(value, Quantity):
                return value
            x = value.magnitude
            perhaps_unscored = perhaps_unscored or x.unscored
            inside = (low < x.low and x.high < high) if option is e.level else \
                (low <= x.low and x.high <= high)
            if not inside:
                self.may_stop("E0405", f"the simulation's {one_line(option)} may be one it "
                              "cannot use", option.span, env)
        value = self.eval(e.value, env)
        if isinstance(value, Quantity) and e.bound == "standard error":
            x = value.magnitude
            width = POS if x.low.is_infinite() or x.high.is_infinite() else \
                self.math.up.subtract(x.high, x.low)
            unit = "pp" if value.unit == "percent" else value.unit
            value = Quantity(unit, Interval(ZERO, width, x.unscored))
        if perhaps_unscored and isinstance(value, Quantity):
            value = Quantity(value.unit, self.math.with_unscored(value.magnitude))
        return value

    def member(self, element: Value, members: list[Value]) -> Any:
        each = [self.math.outcomes(self.math.same(element, item)) for item in members]
        answers: set[bool | None] = set()
        if any(True in a for a in each):
            answers.add(True)
        if all(False in a for a in each):
            answers.add(False)
        if any(None in a for a in each) and all(False in a or None in a for a in each):
            answers.add(None)
        return self.math.truth(answers)

    # ---- aggregations -------------------------------------------------------------------------

    def peer(self, e: p.Aggregate, free: tuple[str, ...], env: Env) -> Value:
        # Not remembered: each use must meet the aggregation's possible stops again.
        return self.aggregate(e, env)

    def inner(self, env: Env, local: dict[str, Value]) -> Env:
        scored = env.scored if isinstance(env, BoundEnv) else frozenset()
        return BoundEnv(env.org, local, env.node, env.key, scored)

    def admitted(self, keep: Truth, policy: str) -> tuple[bool, bool, bool]:
        answers = self.math.outcomes(keep.value)
        perhaps = None in answers and policy != "skip"
        return True in answers, answers == (True,), perhaps

    def item(self, e: p.Aggregate, env: Env) -> tuple[Value, Value | None]:
        if e.where is None:
            return super().item(e, env)
        # Evaluated only where the filter holds: stops it rules out are not stops.
        where = [(e.where, True)]
        value = self.under(where, e.value, env)
        return value, None if e.weight is None else self.under(where, e.weight, env)

    def finish(self, e: p.Aggregate, items: list[Item], rescaling: tuple[str, Any] | None,
               perhaps_unscored: bool, env: Env) -> Value:
        items, unsure = self._perhaps_scored(items, e.policy, e.value.type)
        # The organizations are an unknown set: one item then stands for any number of
        # them, at least one.
        many = any(isinstance(b.domain, p.Organizations) for b in e.binders)
        result = self._combine(e, items, many, rescaling, env)
        if perhaps_unscored or unsure:
            return self.join([result, NotScored(f"the {e.function} may not be scored")])
        return result

    def _perhaps_scored(self, items: list[tuple[Value, Value | None, bool]], policy: str,
                        element_type: str) -> tuple[list[tuple[Value, Value | None, bool]],
                                                    bool]:
        """Items whose value or weight may be not scored, treated as the policy says; and
        whether that may leave the result not scored."""
        kept: list[tuple[Value, Value | None, bool]] = []
        unsure = perhaps_none_scored = False
        for value, weight, certain in items:
            scored, maybe = self.scored(value)
            scored_weight, weight_maybe = (weight, False) if weight is None else \
                self.scored(weight)
            if not (maybe or weight_maybe):
                kept.append((value, weight, certain))
                continue
            if policy == "zero" and scored is not None:
                zero = Quantity(element_type, self._zero())
                scored = self.join([scored, zero]) if maybe else scored
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

    def _combine(self, e: p.Aggregate, items: list[tuple[Value, Value | None, bool]],
                 many: bool, rescaling: tuple[str, Any] | None, env: Env) -> Value:
        """The aggregation of the items that count; uncertain ones may count or not."""
        name = e.function
        if name == "count":
            return Quantity("count", self._count(items, many))
        if name in ("all", "any"):
            return Truth(self._all_or_any(name, items))
        if many or not all(c for _, _, c in items):
            if name == "sum":
                return Quantity(e.type, self._uncertain_sum(items, many, rescaling))
            magnitudes = [v.magnitude for v, _, _ in items if isinstance(v, Quantity)]
            if not magnitudes:
                return NotScored(f"no items to take the {name} of")
            # Whichever items count, the mean, least, greatest or a percentile of them lies
            # between the least and the greatest of all.
            result = Quantity(e.type, functools.reduce(self.math.join, magnitudes))
            if not any(c for _, _, c in items):
                return self.join([result, NotScored(f"perhaps no items to take the {name} of")])
            return result
        return self.combine(e, [(v, w) for v, w, _ in items], rescaling, env)

    def weighted_sum(self, e: p.Aggregate, items: list[tuple[Value, Value | None]],
                     rescaling: tuple[str, Any] | None, env: Env) -> Value:
        total, scored_weight = self.weighted_totals(items)
        if rescaling is None:
            return Quantity(e.type, total)
        nothing = self.answers("=", scored_weight, self._zero())
        unrescalable = NotScored(f"{rescaling[0]}; the weights of the scored items sum to "
                                 "zero, so they cannot be rescaled")
        if nothing == (True,):
            return unrescalable
        result = self.rescaled(e, total, scored_weight, rescaling, env)
        return self.join([result, unrescalable]) if True in nothing else result

    def _uncertain_sum(self, items: list[tuple[Value, Value | None, bool]], many: bool,
                       rescaling: tuple[str, Any] | None) -> Any:
        """A sum (weighted, rescaled) where items may or may not count: each item adds 0 or
        itself, or itself any number of times for an unknown set of organizations."""
        total, scored_weight = self._zero(), self._zero()
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
        """What one item adds to a sum: itself, or 0 or it, or it any number of times for an
        unknown set of organizations."""
        if many:
            magnitude = self.math.multiply(magnitude, self.math.join(
                self.math.literal(Decimal(1)), self.math.literal(Decimal("Infinity"))))
        if not certain:
            magnitude = self.math.join(magnitude, self._zero())
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
