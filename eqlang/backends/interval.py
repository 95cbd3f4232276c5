"""Bounds: takes a checked contract, gives for each output the least and the greatest value
it can take on any valid measure table, by evaluating the contract over intervals.

Nothing here evaluates a contract: ``Evaluator`` does, unchanged, over ``IntervalArithmetic``
(an implementation of the arithmetic layer of ``eqlang.core.values`` whose numbers are
intervals) and ``AnyTables`` (a table of which every count may be anything a valid table
allows). A table read gives an interval (a rate anywhere from 0% to 100%, a count from 0
up), a value may be "a number or not scored", a comparison may be yes, no or either, an
``if`` whose condition may go either way gives what either branch gives, and an
aggregation over organizations ranges over a set of unknown size.

The bounds are sound: every settlement that completes gives a value within them (a
property test holds eqlang to this). They need not be tight: intervals forget that two
values move together, so ``weight / sum of weights`` is bounded as if the sum could be
small while the weight is large. An output no interval can describe (one that chooses
between two measures, say) is reported as such.
"""

from __future__ import annotations

import decimal
import functools
import textwrap
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from eqlang.backends.exact import EvaluationError, Evaluator, NotBoundable, PossibleStop
from eqlang.check.checker import Program
from eqlang.core.values import (
    SCALED_UNITS,
    ArithmeticError_,
    ExactArithmetic,
    Group,
    NotScored,
    Quantity,
    Truth,
    Value,
    display,
    shift,
    weighted_mean,
)
from eqlang.data.tables import Row, TableSet
from eqlang.diagnostics import Diagnostic
from eqlang.syntax.fmt import WIDTH
from eqlang.terminal import printable

NEG = Decimal("-Infinity")
POS = Decimal("Infinity")
ZERO = Decimal(0)
ONE = Decimal(1)
#: The organization every bound is computed for: any one, as all tables are possible.
ANY_ORGANIZATION = "any organization"


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


# ---- bounds of outputs ---------------------------------------------------------------------


@attrs.frozen
class Bound:
    """What one output (for one measure or group, if it takes one) can be."""

    output: str
    argument: str | None
    value: Value | None = None
    #: Why there is no bound: settlement always stops here, or no interval can say it.
    problem: Diagnostic | str | None = None
    #: Where settling this output stops on some tables (and the bound holds for the
    #: others): one diagnostic per place, in the order met.
    stops: tuple[Diagnostic, ...] = ()

    @property
    def label(self) -> str:
        return self.output if self.argument is None else f"{self.output}({self.argument})"


def output_bounds(program: Program) -> list[Bound]:
    """Bounds of every output of the contract over all valid measure tables."""
    evaluator = Evaluator(program, AnyTables(()), arithmetic=IntervalArithmetic())
    bounds = []
    for key in program.outputs:
        for argument in evaluator.output_arguments(key) or [None]:
            shown = None if argument is None else display(argument)
            try:
                value = evaluator.output(key, argument, ANY_ORGANIZATION)
            except EvaluationError as error:
                bounds.append(Bound(key, shown, problem=error.diagnostics[0]))
                continue
            except NotBoundable as reason:
                bounds.append(Bound(key, shown, problem=str(reason)))
                continue
            stops = evaluator.stops_of(key, argument, ANY_ORGANIZATION)
            bounds.append(Bound(key, shown, value, stops=_places(stops)))
    return bounds


def _places(stops: Iterable[PossibleStop]) -> tuple[Diagnostic, ...]:
    """One diagnostic per place and reason: the same division for three measures is one."""
    places: dict[tuple[str, str], Diagnostic] = {}
    for stop in stops:
        diagnostic = stop.diagnostic
        places.setdefault((diagnostic.location(), diagnostic.message), diagnostic)
    return tuple(places.values())


def stop_text(diagnostic: Diagnostic) -> str:
    """A possible stop in words: ``division by zero where `d` is 0, in `x / d`, at FILE:L:C``."""
    return f"{diagnostic.message}, at {diagnostic.location()} ({diagnostic.code})"


def contains(bound: Bound, value: Value) -> bool:
    """Whether a settled value lies within a bound."""
    if bound.value is None:
        return False
    limit = bound.value
    if isinstance(value, NotScored):
        return isinstance(limit, NotScored) or _may_be_unscored(limit)
    if isinstance(limit, NotScored):
        return False
    if isinstance(value, Quantity) and isinstance(limit, Quantity):
        interval = limit.magnitude
        assert isinstance(interval, Interval)
        return interval.low <= value.magnitude <= interval.high
    if isinstance(value, Truth) and isinstance(limit, Truth):
        return value.value in IntervalArithmetic().outcomes(limit.value)
    return limit == value or (isinstance(limit, Group) and limit.kind == "any")


def _may_be_unscored(value: Value) -> bool:
    if isinstance(value, Quantity):
        return bool(value.magnitude.unscored)
    if isinstance(value, Truth):
        return None in IntervalArithmetic().outcomes(value.value)
    return isinstance(value, Group) and value.kind == "any"


# ---- the report ------------------------------------------------------------------------------

#: Decimals shown for bounds that are not money; a bound is shortened outward.
DIGITS = 4


def _end(unit: str, x: Decimal, rounding: str) -> str:
    shown = shift(x, 2) if unit in SCALED_UNITS else x
    places = 2 if unit == "money" else DIGITS
    if shown.as_tuple().exponent < -places:  # type: ignore[operator]
        shown = shown.quantize(Decimal(1).scaleb(-places), rounding=rounding)
    return display(Quantity(unit, shift(shown, -2) if unit in SCALED_UNITS else shown))


def describe(bound: Bound) -> str:
    """A bound in words: ``$0.00 to $1,000,000.00``, ``0% or more, or not scored``."""
    if bound.problem is not None:
        if isinstance(bound.problem, Diagnostic):
            return f"no bound: every settlement stops here ({bound.problem.code}: " \
                f"{bound.problem.message})"
        return f"no bound: {bound.problem}"
    value = bound.value
    if isinstance(value, NotScored):
        return f"never scored ({value.reason})"
    perhaps = ", or not scored" if value is not None and _may_be_unscored(value) else ""
    if isinstance(value, Quantity):
        interval = value.magnitude
        unit = value.unit
        low = None if interval.low.is_infinite() else _end(unit, interval.low,
                                                           decimal.ROUND_FLOOR)
        high = None if interval.high.is_infinite() else _end(unit, interval.high,
                                                             decimal.ROUND_CEILING)
        if low is not None and low == high:
            text = f"always {low}"
        elif low is None and high is None:
            text = "unbounded: any amount"
        elif high is None:
            text = f"{low} or more (no upper bound)"
        elif low is None:
            text = f"{high} or less (no lower bound)"
        else:
            text = f"{low} to {high}"
        return text + perhaps
    if isinstance(value, Truth):
        answers = [a for a in IntervalArithmetic().outcomes(value.value) if a is not None]
        words = " or ".join("yes" if a else "no" for a in answers)
        return (f"always {words}" if len(answers) == 1 else words) + perhaps
    assert value is not None
    if isinstance(value, Group) and value.kind == "any":
        return "some group, depending on the table" + perhaps
    return f"always {display(value)}"


def render_bounds(path: str, bounds: Sequence[Bound]) -> str:
    width = max((len(b.label) for b in bounds), default=0)
    lines = [f"{path}: bounds of each output over every valid measure table"]
    for bound in bounds:
        lines.append(f"  {bound.label.ljust(width)}  {describe(bound)}")
        indent = " " * (width + 6)
        for stop in bound.stops:
            # Wrapped at spaces only, a quoted expression or a file:line:col staying whole, to
            # the width `eqlang fmt` gives contracts, so that the report reads like them.
            lines.extend(textwrap.wrap(
                f"may stop: {stop_text(stop)}", WIDTH, initial_indent=indent,
                subsequent_indent=indent + "  ", break_long_words=False,
                break_on_hyphens=False))
    if not bounds:
        lines.append("  (the contract has no outputs)")
    return printable("\n".join(lines) + "\n")


def bounds_json(bounds: Sequence[Bound]) -> dict[str, Any]:
    """Bounds as JSON data: decimals as strings in the unit as written, null for none."""
    result: dict[str, Any] = {}
    for bound in bounds:
        entry: dict[str, Any] = {"description": describe(bound)}
        if bound.problem is None:
            entry["may_stop"] = [{"code": d.code, "message": d.message,
                                  "location": d.location(),
                                  "context": [n.message for n in d.notes]}
                                 for d in bound.stops]
        value = bound.value
        if bound.problem is None and isinstance(value, Quantity):
            interval = value.magnitude
            scale = value.unit in SCALED_UNITS

            def text(x: Decimal, scale: bool = scale) -> str | None:
                return None if x.is_infinite() else format(shift(x, 2) if scale else x, "f")
            entry.update({"type": value.unit, "low": text(interval.low),
                          "high": text(interval.high), "may_be_not_scored": interval.unscored})
        elif bound.problem is None and value is not None:
            entry["may_be_not_scored"] = _may_be_unscored(value) or isinstance(value, NotScored)
        if bound.argument is None:
            result[bound.output] = entry
        else:
            result.setdefault(bound.output, {})[bound.argument] = entry
    return result
