"""Interval arithmetic: the numbers of the interval backend.

An ``Interval`` is every number from ``low`` to ``high`` (infinite where unbounded) and,
perhaps, "not scored" as well; an ``AnyText`` is any of the texts an input may take.
``IntervalArithmetic`` implements the arithmetic layer of
``eqlang.core.values`` over intervals, each bound rounded away from the inside, so that
every exact result lies within the interval computed. A comparison of intervals may be
yes, no or either (a set of answers). ``AnyTables`` is every valid measure table at once.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from eqlang.core import normal
from eqlang.core.values import (
    ArithmeticError_,
    Entity,
    ExactArithmetic,
    Group,
    Text,
    Value,
    weighted_mean,
)
from eqlang.data.tables import Row, TableSet

NEG = Decimal("-Infinity")
POS = Decimal("Infinity")
ZERO = Decimal(0)
ONE = Decimal(1)
#: The organization every bound is computed for: any one, as all tables are possible.
ANY_ORGANIZATION = "any organization"


@attrs.frozen
class AnyText:
    """A text organization input of any organization: any of ``choices`` (any text when
    there are none)."""

    choices: tuple[str, ...]


@attrs.frozen
class Interval:
    """Every number from ``low`` to ``high`` (infinite where unbounded), and, if
    ``unscored``, "not scored" as well."""

    low: Decimal
    high: Decimal
    unscored: bool = False

    def __str__(self) -> str:
        text = f"[{self.low}, {self.high}]"
        return text + " or not scored" if self.unscored else text


ANY_COUNT = Interval(ZERO, POS)
_ORDER = (True, False, None)


def _context(rounding: str) -> decimal.Context:
    # No traps: infinities are bounds here. Every operation that could give NaN (infinity
    # minus infinity, zero times infinity) is decided before it is asked.
    return decimal.Context(prec=34, rounding=rounding, traps=[])


class IntervalArithmetic:
    """The arithmetic layer over intervals, each bound rounded away from the inside."""

    decisive = False

    def __init__(self) -> None:
        self.down = _context(decimal.ROUND_FLOOR)
        self.up = _context(decimal.ROUND_CEILING)

    # ---- numbers ----------------------------------------------------------------------------

    def literal(self, value: Decimal | Interval) -> Interval:
        return value if isinstance(value, Interval) else Interval(value, value)

    def add(self, a: Interval, b: Interval) -> Interval:
        return Interval(self._sum(a.low, b.low, self.down, NEG),
                        self._sum(a.high, b.high, self.up, POS), a.unscored or b.unscored)

    @staticmethod
    def _sum(x: Decimal, y: Decimal, context: decimal.Context, clash: Decimal) -> Decimal:
        if x.is_infinite() and y.is_infinite() and x != y:
            return clash
        return context.add(x, y)

    def subtract(self, a: Interval, b: Interval) -> Interval:
        return self.add(a, self.negate(b))

    def negate(self, a: Interval) -> Interval:
        return Interval(-a.high, -a.low, a.unscored)

    def multiply(self, a: Interval, b: Interval) -> Interval:
        pairs = [(x, y) for x in (a.low, a.high) for y in (b.low, b.high)]
        return Interval(min(self._product(x, y, self.down) for x, y in pairs),
                        max(self._product(x, y, self.up) for x, y in pairs),
                        a.unscored or b.unscored)

    def square(self, a: Interval) -> Interval:
        # A number times itself is never negative: squaring [-2, 3] gives [0, 9], where
        # multiplying two independent numbers from it could give -6.
        magnitude = self.absolute(a)
        return self.multiply(magnitude, magnitude)

    @staticmethod
    def _product(x: Decimal, y: Decimal, context: decimal.Context) -> Decimal:
        # A bound of 0 times an unbounded one is 0: the product of the numbers is 0.
        if x == 0 or y == 0:
            return ZERO
        return context.multiply(x, y)

    def divide(self, a: Interval, b: Interval) -> Interval:
        if b.low == 0 and b.high == 0:
            raise ArithmeticError_("division by zero (the divisor is always 0)")
        if b.low < 0 < b.high:
            # Division by zero stops a settlement, so only settlements that divide by
            # something else count; close to zero on both sides, that is anything.
            if a.low == 0 and a.high == 0:
                return Interval(ZERO, ZERO, a.unscored or b.unscored)
            return Interval(NEG, POS, a.unscored or b.unscored)
        # 1 / [l, h] is [1/h, 1/l] on either side of zero; a bound at zero goes infinite.
        if b.low >= 0:
            low, high = self.down.divide(ONE, b.high), POS if b.low == 0 else \
                self.up.divide(ONE, b.low)
        else:
            low, high = NEG if b.high == 0 else self.down.divide(ONE, b.high), \
                self.up.divide(ONE, b.low)
        return self.multiply(a, Interval(low, high, b.unscored))

    def round(self, a: Interval, places: int, mode: str) -> Interval:
        exact = ExactArithmetic()
        # Every rounding mode is monotone, so the rounded bounds bound the rounded values.
        return Interval(self._rounded(exact, a.low, places, mode, NEG),
                        self._rounded(exact, a.high, places, mode, POS), a.unscored)

    @staticmethod
    def _rounded(exact: ExactArithmetic, x: Decimal, places: int, mode: str,
                 fallback: Decimal) -> Decimal:
        if x.is_infinite():
            return x
        try:
            return exact.round(x, places, mode)
        except ArithmeticError_:
            return fallback

    def sqrt(self, a: Interval) -> Interval:
        if a.high < 0:
            raise ArithmeticError_("square root of a negative number (always)")
        low = self.down.next_minus(self.down.sqrt(max(a.low, ZERO)))
        return Interval(max(low, ZERO), self.up.next_plus(self.up.sqrt(a.high)), a.unscored)

    def ln(self, a: Interval) -> Interval:
        if a.high <= 0:
            raise ArithmeticError_("logarithm of a number that is not positive (always)")
        low = NEG if a.low <= 0 else self.down.next_minus(self.down.ln(a.low))
        return Interval(low, self.up.next_plus(self.up.ln(a.high)), a.unscored)

    def exp(self, a: Interval) -> Interval:
        # Increasing: the bounds' powers, each a step outward (exp is correctly rounded to
        # the nearest, so one step is enough); an overflow is beyond any bound.
        def power(x: Decimal, context: decimal.Context, step: str) -> Decimal:
            if x.is_infinite():
                return ZERO if x < 0 else POS
            value = context.exp(x)
            if value.is_infinite():
                return POS
            return getattr(context, step)(value)
        low = max(ZERO, power(a.low, self.down, "next_minus"))
        return Interval(low, power(a.high, self.up, "next_plus"), a.unscored)

    def normal_quantile(self, a: Interval) -> Interval:
        # Increasing on (0, 1), unbounded at its ends; shares outside stop those
        # settlements, so only the shares inside count. The quantile is within a unit in
        # the last place, so two steps outward bound it.
        if a.high <= 0 or a.low >= 1:
            raise ArithmeticError_("a normal quantile needs a share strictly between 0% and "
                                   "100% (never so here)")
        low = NEG if a.low <= 0 else self.down.next_minus(self.down.next_minus(
            normal.quantile(a.low, self.down)))
        high = POS if a.high >= 1 else self.up.next_plus(self.up.next_plus(
            normal.quantile(a.high, self.up)))
        return Interval(low, high, a.unscored)

    # ---- decisions --------------------------------------------------------------------------

    def test(self, op: str, a: Interval, b: Interval) -> bool | frozenset[bool | None]:
        if op in (">", ">="):
            a, b, op = b, a, "<" if op == ">" else "<="
        answers: set[bool | None] = set()
        if op == "<":
            answers.update(x for x, possible in ((True, a.low < b.high), (False, a.high >= b.low))
                           if possible)
        elif op == "<=":
            answers.update(x for x, possible in ((True, a.low <= b.high), (False, a.high > b.low))
                           if possible)
        else:
            overlap = a.low <= b.high and b.low <= a.high
            single = a.low == a.high == b.low == b.high
            equal = {x for x, possible in ((True, overlap), (False, not single)) if possible}
            answers.update(equal if op == "=" else {not x for x in equal})
        if a.unscored or b.unscored:
            answers.add(None)
        return self.truth(answers)

    def same(self, a: Value, b: Value) -> bool | frozenset[bool | None]:
        if any(isinstance(v, Group) and v.kind == "any" for v in (a, b)):
            return frozenset(_ORDER)
        if any(isinstance(v, Entity) and v.name == ANY_ORGANIZATION for v in (a, b)):
            # Any organization may or may not be the one named, or another.
            return a == b or frozenset((True, False))
        for one, other in ((a, b), (b, a)):
            if isinstance(one, AnyText):
                may = isinstance(other, AnyText) or (
                    isinstance(other, Text) and (not one.choices or other.value in one.choices))
                return frozenset((True, False)) if may else False
        return a == b

    def outcomes(self, truth: bool | frozenset[bool | None]) -> tuple[bool | None, ...]:
        if isinstance(truth, bool):
            return (truth,)
        return tuple(x for x in _ORDER if x in truth)

    def truth(self, outcomes: Iterable[bool | None]) -> bool | frozenset[bool | None]:
        answers = frozenset(outcomes)
        if len(answers) == 1 and None not in answers:
            return next(iter(answers))  # type: ignore[return-value]
        return answers

    def join(self, a: Any, b: Any) -> Any:
        if isinstance(a, Interval) and isinstance(b, Interval):
            return Interval(min(a.low, b.low), max(a.high, b.high), a.unscored or b.unscored)
        return self.truth(set(self.outcomes(a)) | set(self.outcomes(b)))

    def may_be_unscored(self, a: Any) -> bool:
        return a.unscored if isinstance(a, Interval) else None in self.outcomes(a)

    def scored_part(self, a: Any) -> Any:
        if isinstance(a, Interval):
            return attrs.evolve(a, unscored=False)
        return self.truth(x for x in self.outcomes(a) if x is not None)

    def with_unscored(self, a: Any) -> Any:
        if isinstance(a, Interval):
            return attrs.evolve(a, unscored=True)
        return self.truth({*self.outcomes(a), None})

    # ---- monotone functions -----------------------------------------------------------------

    def minimum(self, a: Interval, b: Interval) -> Interval:
        return Interval(min(a.low, b.low), min(a.high, b.high), a.unscored or b.unscored)

    def maximum(self, a: Interval, b: Interval) -> Interval:
        return Interval(max(a.low, b.low), max(a.high, b.high), a.unscored or b.unscored)

    def clamp(self, x: Interval, low: Interval, high: Interval) -> Interval:
        return self.minimum(self.maximum(x, low), high)

    def absolute(self, a: Interval) -> Interval:
        if a.low >= 0:
            return a
        if a.high <= 0:
            return self.negate(a)
        return Interval(ZERO, max(-a.low, a.high), a.unscored)

    def mean(self, values: list[Interval], weights: list[Interval] | None) -> Interval:
        # A mean lies between the least and the greatest of the values; unweighted, the sum
        # over the count is often tighter, and both hold.
        hull = functools.reduce(self.join, values)
        if weights is None:
            computed = weighted_mean(self, values, None)
            return Interval(max(hull.low, computed.low), min(hull.high, computed.high),
                            hull.unscored)
        total = functools.reduce(self.add, weights)
        if total.low == 0 and total.high == 0:
            raise ArithmeticError_("the weights always sum to zero")
        return attrs.evolve(hull, unscored=hull.unscored or total.unscored or total.low <= 0)

    def percentile(self, values: list[Interval], share: Interval) -> Interval:
        # A percentile grows with every value and with the share: the one of the lower
        # bounds at the smallest share bounds it from below, and so on.
        low_share, high_share = max(share.low, ZERO), min(share.high, ONE)
        lows, highs = [v.low for v in values], [v.high for v in values]
        low = NEG if any(x.is_infinite() for x in lows) else ExactArithmetic(
            rounding=decimal.ROUND_FLOOR).percentile(lows, low_share)
        high = POS if any(x.is_infinite() for x in highs) else ExactArithmetic(
            rounding=decimal.ROUND_CEILING).percentile(highs, high_share)
        return Interval(low, high, any(v.unscored for v in values) or share.unscored)

    def rate(self, numerator: Interval, denominator: Interval) -> Interval:
        # A valid table has 0 <= numerator <= denominator, so a rate lies in 0%..100%.
        low = ZERO if denominator.high.is_infinite() or numerator.low == 0 else \
            self.down.divide(numerator.low, denominator.high)
        high = ONE if denominator.low == 0 or numerator.high.is_infinite() else \
            min(ONE, self.up.divide(numerator.high, denominator.low))
        return Interval(max(ZERO, min(low, ONE)), max(ZERO, high),
                        numerator.unscored or denominator.unscored)

    def remainder(self, whole: tuple[Interval, Interval], part: tuple[Interval, Interval]
                  ) -> tuple[Interval, Interval]:
        def rest(w: Interval, p: Interval) -> Interval:
            return Interval(max(ZERO, self._sum(w.low, -p.high, self.down, NEG)),
                            max(ZERO, self._sum(w.high, -p.low, self.up, POS)))
        return rest(whole[0], part[0]), rest(whole[1], part[1])


@attrs.frozen(eq=False)
class AnyTables(TableSet):
    """Every valid measure table at once: any row may hold any counts a valid row holds,
    and the organizations are one or more, of any names."""

    open_ended = True

    def lookup(self, org: str, measure: str, group: str, period: str) -> Row:
        return Row(org, measure, group, period, ANY_COUNT, ANY_COUNT,  # type: ignore[arg-type]
                   "any valid table", 0)

    def organizations(self) -> tuple[str, ...]:
        return (ANY_ORGANIZATION,)

    def has_org(self, org: str) -> bool:
        return True
