"""Values and the arithmetic behind them: takes magnitudes and units, gives results.

The evaluator never touches a ``Decimal`` directly; it asks an ``Arithmetic`` to add,
multiply, compare and round. ``ExactArithmetic`` is the one settlements use: decimal
arithmetic with 34 significant digits and no silent rounding. The same checked program can
be evaluated over another arithmetic (intervals for payout bounds, arrays of scenarios)
by supplying another implementation of this small interface.

Percent and percentage points are both stored as fractions (35% is 0.35, 2 pp is 0.02), so
a difference of two rates is already in points; they differ in unit, not in scale.
"""

from __future__ import annotations

import datetime
import decimal
import operator
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

import attrs

from eqlang.core import normal

ROUNDING = {
    "half up": decimal.ROUND_HALF_UP,
    "half even": decimal.ROUND_HALF_EVEN,
    "half down": decimal.ROUND_HALF_DOWN,
    "toward zero": decimal.ROUND_DOWN,
    "away from zero": decimal.ROUND_UP,
}
#: Units whose written number is a hundred times the stored fraction.
SCALED_UNITS = frozenset({"percent", "pp"})


class ArithmeticError_(Exception):
    """An operation with no defined result, such as a division by zero."""


class Arithmetic(Protocol):
    """The operations the evaluator needs on magnitudes.

    Besides numbers, an arithmetic decides the evaluator's questions: a comparison gives a
    *truth* (``test``), and ``outcomes`` says which answers a truth may stand for: one of
    yes and no for exact values; for values known only within bounds, possibly both, and
    ``None`` where the answer may be "not scored". Where several answers are possible the
    evaluator follows each and ``join`` combines what they give. A magnitude may likewise
    stand for "a number or not scored" (``may_be_unscored``).

    ``decisive`` says that every truth has exactly one answer, as with exact values: then no
    operation can fail for some of the values a magnitude stands for and not for others, and
    the evaluator skips its bookkeeping of places where settlement may stop.
    """

    decisive: bool

    def literal(self, value: Decimal) -> Any: ...
    def add(self, a: Any, b: Any) -> Any: ...
    def subtract(self, a: Any, b: Any) -> Any: ...
    def multiply(self, a: Any, b: Any) -> Any: ...
    def square(self, a: Any) -> Any: ...
    def divide(self, a: Any, b: Any) -> Any: ...
    def negate(self, a: Any) -> Any: ...
    def round(self, a: Any, places: int, mode: str) -> Any: ...
    def sqrt(self, a: Any) -> Any: ...
    def ln(self, a: Any) -> Any: ...
    def exp(self, a: Any) -> Any: ...
    def normal_quantile(self, a: Any) -> Any: ...
    def test(self, op: str, a: Any, b: Any) -> Any: ...
    def same(self, a: Value, b: Value) -> Any: ...
    def outcomes(self, truth: Any) -> tuple[bool | None, ...]: ...
    def truth(self, outcomes: Iterable[bool | None]) -> Any: ...
    def join(self, a: Any, b: Any) -> Any: ...
    def may_be_unscored(self, a: Any) -> bool: ...
    def scored_part(self, a: Any) -> Any: ...
    def with_unscored(self, a: Any) -> Any: ...
    def minimum(self, a: Any, b: Any) -> Any: ...
    def maximum(self, a: Any, b: Any) -> Any: ...
    def clamp(self, x: Any, low: Any, high: Any) -> Any: ...
    def absolute(self, a: Any) -> Any: ...
    def mean(self, values: list[Any], weights: list[Any] | None) -> Any: ...
    def percentile(self, values: list[Any], share: Any) -> Any: ...
    def rate(self, numerator: Any, denominator: Any) -> Any: ...
    def remainder(self, whole: tuple[Any, Any], part: tuple[Any, Any]
                  ) -> tuple[Any, Any] | None: ...


_TESTS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
          ">": operator.gt, ">=": operator.ge}


class ExactArithmetic:
    """Decimal arithmetic with 34 significant digits that refuses undefined results.

    ``rounding`` is how a result beyond 34 digits is rounded: to the nearest for settlement;
    interval bounds use it rounded down or up, so that they stay on the safe side.
    """

    decisive = True

    def __init__(self, precision: int = 34, rounding: str = decimal.ROUND_HALF_EVEN) -> None:
        self.context = decimal.Context(
            prec=precision,
            rounding=rounding,
            traps=[decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow],
        )

    def literal(self, value: Decimal) -> Decimal:
        return value

    def add(self, a: Decimal, b: Decimal) -> Decimal:
        return self._do(self.context.add, a, b)

    def subtract(self, a: Decimal, b: Decimal) -> Decimal:
        return self._do(self.context.subtract, a, b)

    def multiply(self, a: Decimal, b: Decimal) -> Decimal:
        return self._do(self.context.multiply, a, b)

    def square(self, a: Decimal) -> Decimal:
        return self.multiply(a, a)

    def divide(self, a: Decimal, b: Decimal) -> Decimal:
        if b == 0:
            raise ArithmeticError_(f"division by zero ({_brief(a)} / 0)")
        return self._do(self.context.divide, a, b)

    def negate(self, a: Decimal) -> Decimal:
        return self.context.minus(a)

    def round(self, a: Decimal, places: int, mode: str) -> Decimal:
        # The checker holds places to at most the precision (E0010), so the quantum is exact.
        exponent = Decimal(1).scaleb(-places, context=self.context)
        try:
            return a.quantize(exponent, rounding=ROUNDING[mode], context=self.context)
        except decimal.DecimalException:
            raise ArithmeticError_(
                f"cannot round {_brief(a)} to {places} decimals: the result would have more "
                f"than {self.context.prec} significant digits") from None

    def sqrt(self, a: Decimal) -> Decimal:
        if a < 0:
            raise ArithmeticError_(f"square root of a negative number ({_brief(a)})")
        return self.context.sqrt(a)

    def ln(self, a: Decimal) -> Decimal:
        if a <= 0:
            raise ArithmeticError_(f"logarithm of a number that is not positive ({_brief(a)})")
        return self.context.ln(a)

    def exp(self, a: Decimal) -> Decimal:
        try:
            return self.context.exp(a)
        except decimal.Overflow:
            raise ArithmeticError_(f"e to the power {_brief(a)} is too large") from None

    def normal_quantile(self, a: Decimal) -> Decimal:
        if not 0 < a < 1:
            raise ArithmeticError_(f"a normal quantile needs a share strictly between 0% and "
                                   f"100%, not {plain_number(a, scale=True)}%")
        return normal.quantile(a, self.context)

    # ---- the evaluator's decisions: an exact value always has exactly one answer ----------

    def test(self, op: str, a: Decimal, b: Decimal) -> bool:
        return _TESTS[op](a, b)

    def same(self, a: Value, b: Value) -> bool:
        return a == b

    def outcomes(self, truth: bool) -> tuple[bool | None, ...]:
        return (truth,)

    def truth(self, outcomes: Iterable[bool | None]) -> bool:
        (answer,) = set(outcomes)
        assert answer is not None, "an exact truth is yes or no"
        return answer

    def join(self, a: Any, b: Any) -> Any:
        raise AssertionError("exact values never need joining: every condition is decided")

    def may_be_unscored(self, a: Any) -> bool:
        return False

    def scored_part(self, a: Any) -> Any:
        return a

    def with_unscored(self, a: Any) -> Any:
        raise AssertionError("an exact value is scored or not, never perhaps")

    def minimum(self, a: Decimal, b: Decimal) -> Decimal:
        # On a tie the first stays, with its exponent: $0.00 and 0 print differently.
        return b if b < a else a

    def maximum(self, a: Decimal, b: Decimal) -> Decimal:
        return b if b > a else a

    def clamp(self, x: Decimal, low: Decimal, high: Decimal) -> Decimal:
        if x < low:
            x = low
        if x > high:
            x = high
        return x

    def absolute(self, a: Decimal) -> Decimal:
        return self.negate(a) if a < 0 else a

    def mean(self, values: list[Decimal], weights: list[Decimal] | None) -> Decimal:
        return weighted_mean(self, values, weights)

    def percentile(self, values: list[Decimal], share: Decimal) -> Decimal:
        """Linear interpolation between closest ranks (the ``inclusive`` method)."""
        ordered = sorted(values)
        position = self.multiply(share, self.literal(Decimal(len(ordered) - 1)))
        lower = int(position)
        fraction = self.subtract(position, self.literal(Decimal(lower)))
        if lower + 1 >= len(ordered):
            return ordered[-1]
        step = self.subtract(ordered[lower + 1], ordered[lower])
        return self.add(ordered[lower], self.multiply(step, fraction))

    def rate(self, numerator: Decimal, denominator: Decimal) -> Decimal:
        return self.divide(numerator, denominator)

    def remainder(self, whole: tuple[Decimal, Decimal], part: tuple[Decimal, Decimal]
                  ) -> tuple[Decimal, Decimal] | None:
        numerator, denominator = whole[0] - part[0], whole[1] - part[1]
        if numerator < 0 or denominator < 0 or numerator > denominator:
            return None
        return numerator, denominator

    @staticmethod
    def _do(op: Any, a: Decimal, b: Decimal) -> Decimal:
        try:
            return op(a, b)
        except decimal.DecimalException as exc:
            raise ArithmeticError_(f"{type(exc).__name__} on {_brief(a)} and {_brief(b)}") from None


def weighted_mean(arithmetic: Arithmetic, values: list[Any], weights: list[Any] | None
                  ) -> Any:
    """The mean of ``values`` (each weighted, if ``weights``), in ``arithmetic``'s numbers.

    Raises ``ArithmeticError_`` when the weights sum to zero.
    """
    total = arithmetic.literal(Decimal(0))
    if weights is None:
        for value in values:
            total = arithmetic.add(total, value)
        return arithmetic.divide(total, arithmetic.literal(Decimal(len(values))))
    weight_total = arithmetic.literal(Decimal(0))
    for value, weight in zip(values, weights, strict=True):
        total = arithmetic.add(total, arithmetic.multiply(value, weight))
        weight_total = arithmetic.add(weight_total, weight)
    return arithmetic.divide(total, weight_total)


# ---- values -------------------------------------------------------------------------------


@attrs.frozen
class Quantity:
    """A number with its unit; ``note`` is a reason a reader should see beside it."""

    unit: str
    magnitude: Any
    note: str | None = attrs.field(default=None, eq=False)


@attrs.frozen
class NotScored:
    """The first-class "not scored" outcome, with the reason for the trace."""

    reason: str


@attrs.frozen
class Truth:
    """A yes or no. Over values known only within bounds (the interval backend), the
    answers it may have: a set of yes, no and None (not scored), from ``Arithmetic.truth``."""

    value: bool | frozenset[bool | None]


@attrs.frozen
class Entity:
    """A measure, period or organization, by the name it has in tables."""

    kind: str
    name: str


@attrs.frozen
class Group:
    """A group: a named one, the whole population (``ALL``), or the rest beside a group.

    Kind ``any`` is for reasoning over all tables: one of several groups, or not scored,
    where the tables decide which (the best-performing group, say).
    """

    kind: str
    name: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "all":
            return "ALL"
        if self.kind == "any":
            return "some group"
        if self.kind == "rest":
            return f"rest of {self.name}"
        return str(self.name)


@attrs.frozen
class DateValue:
    value: datetime.date


@attrs.frozen
class Text:
    value: str


@attrs.frozen
class Mode:
    mode: str


Value = Quantity | NotScored | Truth | Entity | Group | DateValue | Text | Mode


def shift(value: Decimal, places: int) -> Decimal:
    """``value`` times ten to the ``places``, exactly.

    ``Decimal.scaleb`` would round to the ambient context's 28 digits and silently drop the
    last digits of a 34-digit result.
    """
    if not value.is_finite():
        return value
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    return Decimal((sign, digits, exponent + places))


def literal_quantity(kind: str, number: Decimal) -> Quantity:
    """A written literal as a quantity: ``35%`` becomes 0.35 percent."""
    unit = {"points": "pp", "percent": "percent", "money": "money", "number": "number"}[kind]
    magnitude = shift(number, -2) if unit in SCALED_UNITS else number
    return Quantity(unit, magnitude)


def _plain(value: Decimal) -> str:
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _brief(value: Decimal) -> str:
    # An operand in an error message is there to recognise, not to recompute: 34 digits of
    # 2.333... hide the point, so a long one is cut to ten and marked as cut.
    if not value.is_finite():
        return _plain(value)
    if value.adjusted() >= 15:
        # Dozens of integer digits are unreadable written out: 9.999999999E+42 is not.
        mantissa = value.scaleb(-value.adjusted(), context=decimal.Context(
            prec=len(value.as_tuple().digits)))
        cut = mantissa.quantize(Decimal("1E-9"), context=decimal.Context(
            prec=12, rounding=decimal.ROUND_DOWN))
        return (f"{_plain(cut)}E+{value.adjusted()}"
                + ("..." if cut != mantissa else ""))
    if len(value.as_tuple().digits) <= 12:
        return _plain(value)
    kept = max(0, 9 - value.adjusted())
    # A context as wide as the digits kept: the default one would refuse a long integer part.
    wide = decimal.Context(prec=max(value.adjusted(), 0) + kept + 2, rounding=decimal.ROUND_DOWN)
    cut = value.quantize(Decimal(1).scaleb(-kept), context=wide)
    return _plain(cut) + ("..." if cut != value else "")


def plain_number(value: Decimal, scale: bool = False) -> str:
    """A decimal written out in full, without exponent or trailing zeros."""
    return _plain(shift(value, 2) if scale else value)


def exact_text(value: Value) -> str:
    """The machine form of a value: a decimal string in the unit as written in contracts."""
    if isinstance(value, Quantity):
        if value.unit == "money":
            return format(value.magnitude, "f")
        if value.unit in SCALED_UNITS:
            return plain_number(value.magnitude, scale=True)
        return plain_number(value.magnitude)
    return display(value)


def display(value: Value, digits: int | None = None) -> str:
    """How a person reads the value: ``$1,000,000.00``, ``35%``, ``4.2 pp``, ``yes``."""
    if isinstance(value, Quantity):
        magnitude = value.magnitude
        if not isinstance(magnitude, Decimal):
            # A magnitude of another arithmetic (an interval of the interval backend) says
            # itself.
            return f"{magnitude} {value.unit}"
        if value.unit in SCALED_UNITS:
            magnitude = shift(magnitude, 2)
        if digits is not None and value.unit != "money":
            magnitude = _shorten(magnitude, digits)
        if value.unit == "money":
            return _money(magnitude, digits)
        text = _plain(magnitude)
        if value.unit == "percent":
            return text + "%"
        if value.unit == "pp":
            return text + " pp"
        return text
    if isinstance(value, NotScored):
        return f"not scored ({value.reason})"
    if isinstance(value, Truth):
        return "yes" if value.value else "no"
    if isinstance(value, Entity):
        return value.name
    if isinstance(value, Group):
        return value.label
    if isinstance(value, DateValue):
        return value.value.isoformat()
    if isinstance(value, Text):
        return value.value
    return value.mode


def _shorten(value: Decimal, digits: int) -> Decimal:
    """At most ``digits`` decimals, for reading; traces keep every digit."""
    if value.as_tuple().exponent >= -digits:  # type: ignore[operator]
        return value
    return value.quantize(Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_EVEN)


def _money(amount: Decimal, digits: int | None) -> str:
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if digits is not None and amount.as_tuple().exponent < -max(2, digits):  # type: ignore[operator]
        amount = _shorten(amount, max(2, digits))
    text = format(amount, "f")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}"
    return f"{sign}${grouped}.{fraction}" if fraction else f"{sign}${grouped}"
