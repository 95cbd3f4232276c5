"""Columns and their numbers: what the columnar backend computes with.

Takes magnitudes for many rows at once (numpy arrays broadcastable to (lanes,
organizations), or one scalar standing for every row) and gives results together with the
rows where an operation has no result. A ``Column`` is one expression's value in every row:
its data, the reason it is not scored (a small integer code into the run's ``Strings``, -1
where scored), its unit and note (numbers), and the rows where evaluating it fails (the
exact backend would stop there with an error).

Two number modes implement the same small interface:

- ``ExactNumbers``: ``decimal.Decimal`` magnitudes in numpy object arrays, computed under a
  context identical to ``ExactArithmetic``'s (34 digits, half even, traps), operation by
  operation as the exact backend computes them, so that every result is the same decimal,
  digit and exponent. An operation that traps for some rows is done again row by row to
  find them.
- ``FloatNumbers``: float64 arrays, for simulation over many scenario lanes only; never
  the settlement of record.
"""

from __future__ import annotations

import decimal
import math
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from eqlang.core.builtins import Function
from eqlang.core.values import ROUNDING, SCALED_UNITS, ArithmeticError_, ExactArithmetic

#: Kinds of column: numbers (``Quantity``), yes/no (``Truth``), and any other value (a
#: measure, group, period, organization, date, text or rounding mode), one object per row.
NUM, TRUTH, VALUE = "number", "truth", "value"

#: The reason code of a scored row.
SCORED = -1


class Unsupported(Exception):
    """A program or run the columnar backend declines; the caller settles with the exact
    backend instead."""


class Strings:
    """The run's table of reasons and notes: each text once, by a small integer code."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.codes: dict[str, int] = {}

    def code(self, text: str) -> int:
        found = self.codes.get(text)
        if found is None:
            found = self.codes[text] = len(self.texts)
            self.texts.append(text)
        return found

    def mapped(self, codes: Any, change: Callable[[str], str]) -> Any:
        """``codes`` with every text other than SCORED replaced by ``change(text)``."""
        if not isinstance(codes, np.ndarray):
            return codes if codes < 0 else self.code(change(self.texts[codes]))
        table = np.full(len(self.texts) + 1, SCORED, dtype=np.int32)
        for found in np.unique(codes):
            if found >= 0:
                table[found + 1] = self.code(change(self.texts[found]))
        return table[codes + 1]


@attrs.define(slots=True, eq=False)
class Column:
    """One expression's value in every row (see the module docstring).

    ``own`` marks the column of each row's own organization, which ``x at o`` reads without
    moving to other rows.
    """

    kind: str
    data: Any
    ns: Any = SCORED
    unit: Any = None
    note: Any = SCORED
    err: Any = False
    own: bool = False

    @property
    def uniform(self) -> bool:
        return not any(isinstance(x, np.ndarray) for x in (self.data, self.ns, self.unit,
                                                            self.note, self.err))

    @property
    def dead(self) -> bool:
        """Whether no row is scored."""
        return not isinstance(self.ns, np.ndarray) and self.ns >= 0

    @property
    def empty(self) -> bool:
        """Whether no row holds a value to compute with: none is scored, or the data is a
        placeholder (a merge of columns none of which is scored)."""
        return self.data is None or self.dead

    def unscored(self) -> Any:
        """The rows that are not scored."""
        return self.ns >= 0 if isinstance(self.ns, np.ndarray) else bool(self.ns >= 0)

    def with_err(self, err: Any) -> Column:
        if err is False or err is self.err:
            return self
        return attrs.evolve(self, err=either(self.err, err))


#: The columns of the locals in scope, by name.
Env = dict[str, Column]


# ---- masks and choices --------------------------------------------------------------------


def is_false(mask: Any) -> bool:
    return mask is False or (not isinstance(mask, np.ndarray) and not mask) or (
        isinstance(mask, np.ndarray) and not mask.any())


def is_true(mask: Any) -> bool:
    return mask is True or (not isinstance(mask, np.ndarray) and bool(mask)) or (
        isinstance(mask, np.ndarray) and bool(mask.all()))


def either(a: Any, b: Any) -> Any:
    """``a or b`` for masks (False, True or bool arrays)."""
    if is_false(a):
        return b if isinstance(b, np.ndarray) else bool(b)
    if is_false(b):
        return a if isinstance(a, np.ndarray) else bool(a)
    if a is True or b is True:
        return True
    return np.logical_or(a, b)


def both(a: Any, b: Any) -> Any:
    """``a and b`` for masks."""
    if is_false(a) or is_false(b):
        return False
    if a is True or (not isinstance(a, np.ndarray) and a):
        return b if isinstance(b, np.ndarray) else bool(b)
    if b is True or (not isinstance(b, np.ndarray) and b):
        return a
    found = np.logical_and(a, b)
    # No rows at all as False: every later step then sees so without looking at rows.
    return found if found.any() else False


def negated(a: Any) -> Any:
    return np.logical_not(a) if isinstance(a, np.ndarray) else not a


def where(mask: Any, a: Any, b: Any) -> Any:
    """``a`` where ``mask``, else ``b``; scalars stay scalars where they can."""
    if a is b:
        return a
    if not isinstance(mask, np.ndarray):
        return a if mask else b
    if _same_scalar(a, b):
        return a
    if not mask.any():
        return b
    if mask.all() and np.ndim(a) >= np.ndim(b):
        return a
    if _blendable(a, b):
        # Two numbers (then 1 else 0): b + (a - b) × mask gives each exactly, as the test
        # in _blendable makes sure, in two passes without a branch per row; numpy's where
        # with a mask that changes row by row is many times slower.
        return np.multiply(mask, a - b) + b
    dtype = _dtype(a, b)
    if mask.ndim == 2 and mask.shape[0] > 1 and np.ndim(a) + np.ndim(b) and \
            np.shape(a)[:1] in ((), (1,)) and np.shape(b)[:1] in ((), (1,)):
        same = _lane_choice(mask, a, b)
        if same is not None:
            return same if isinstance(same, np.ndarray) else np.where(
                same[0], _array(a, dtype), _array(b, dtype))
    return np.where(mask, _array(a, dtype), _array(b, dtype))


def _blendable(a: Any, b: Any) -> bool:
    """Whether ``b + (a - b) × m`` is exactly ``a`` for m = 1 and ``b`` for m = 0: two
    finite floats, neither a negative zero, with a - b + b rounding back to ``a``."""
    return (type(a) is float or type(a) is np.float64) and (
        type(b) is float or type(b) is np.float64) and math.isfinite(a) and math.isfinite(
        b) and not (a == 0 and math.copysign(1, a) < 0) and not (
        b == 0 and math.copysign(1, b) < 0) and (a - b) + b == a


def _lane_choice(mask: np.ndarray, a: Any, b: Any) -> Any:
    """``where(mask, a, b)`` for ``a`` and ``b`` the same in every lane, when so is the
    result (reasons, units, notes: they seldom differ by lane even where the branch taken
    does): the result itself where ``a`` and ``b`` are equal, or a one-element tuple
    holding the mask of one lane where the mask is the same in every lane wherever they
    differ; else None (the caller chooses row by row)."""
    differ = np.broadcast_to(np.not_equal(a, b), (1, mask.shape[1]))[0]
    if not differ.any():
        return a if np.ndim(a) >= np.ndim(b) else b
    rows = mask[:, differ] if not differ.all() else mask
    if np.logical_or(rows.all(axis=0), np.logical_not(rows.any(axis=0))).all():
        return (mask[:1],)
    return None


def _same_scalar(a: Any, b: Any) -> bool:
    return (not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray)
            and type(a) is type(b) and isinstance(a, int | str | bool | float) and a == b)


def _dtype(a: Any, b: Any) -> Any:
    kinds = {getattr(x, "dtype", None) for x in (a, b)}
    if np.dtype(object) in kinds or any(
            not isinstance(x, np.ndarray | bool | int | float | np.generic) for x in (a, b)):
        return object
    return None


def _array(x: Any, dtype: Any) -> Any:
    if dtype is object and not (isinstance(x, np.ndarray) and x.dtype == object):
        if isinstance(x, np.ndarray):
            return x.astype(object)
        holder = np.empty((), dtype=object)
        holder[()] = x
        return holder
    return x


def merged(mask: Any, a: Column, b: Column) -> Column:
    """``a`` where ``mask``, else ``b``; ``err`` is left to the caller."""
    if not isinstance(mask, np.ndarray):
        return a if mask else b
    if a is b:
        return a
    ns = _settled(where(mask, a.ns, b.ns), a.ns, b.ns)
    if a.empty and b.empty:
        kept = a if a.kind != VALUE else b
        return Column(kept.kind, kept.data, ns, kept.unit)
    if a.empty or b.empty:
        live = b if a.empty else a
        return Column(live.kind, live.data, ns, live.unit, where(mask, a.note, b.note),
                      own=live.own)
    return Column(a.kind, where(mask, a.data, b.data), ns, where(mask, a.unit, b.unit),
                  where(mask, a.note, b.note), own=a.own and b.own)


def _settled(ns: Any, a: Any, b: Any) -> Any:
    """Reasons chosen from ``a`` and ``b``, as one lane where they are the same in every
    lane: a choice between reasons that differ by lane often ends in ones that do not (an
    inner branch's, overruled in every lane by an outer one), and every step after reads
    one lane rather than all."""
    if isinstance(ns, np.ndarray) and ns.ndim == 2 and ns.shape[0] > 1 and any(
            isinstance(x, np.ndarray) and x.shape[0] > 1 for x in (a, b)) and bool(
            (ns == ns[:1]).all()):
        return ns[:1]
    return ns


def chosen(options: list[tuple[Any, Column]]) -> Column:
    """Each row's value from the first option whose rows hold it; the options' rows are
    disjoint and cover every row (the last option's are not looked at)."""
    result = options[-1][1]
    for rows, column in reversed(options[:-1]):
        if not is_false(rows):
            result = merged(rows, column, result)
    return result


def chosen_err(options: list[tuple[Any, Column]]) -> Any:
    err: Any = False
    for rows, column in options:
        err = either(err, both(rows, column.err))
    return err


def rest(rows: Any, part: Any) -> Any:
    """The rows of ``rows`` not in ``part`` (a part of them), in one pass."""
    if isinstance(part, np.ndarray):
        return np.logical_xor(rows, part)
    return both(rows, not part)


def first_unscored(columns: Sequence[Column]) -> Any:
    """Per row, the reason of the first column not scored there (SCORED if none)."""
    ns: Any = SCORED
    for column in reversed(columns):
        if column.ns is SCORED or (not isinstance(column.ns, np.ndarray) and column.ns < 0):
            continue
        ns = column.ns if ns is SCORED else where(column.ns >= 0, column.ns, ns)
    return ns


def broadcast(x: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``x`` as an array of ``shape`` (object for anything that is not a number or bool)."""
    if isinstance(x, np.ndarray):
        return np.broadcast_to(x, shape)
    if isinstance(x, bool | np.bool_):
        return np.full(shape, bool(x))
    if isinstance(x, int | np.integer):
        return np.full(shape, int(x), dtype=np.int32)
    if isinstance(x, float):
        return np.full(shape, x)
    out = np.empty(shape, dtype=object)
    out.fill(x)
    return out


def scalar(x: Any) -> Any:
    """A (1, 1) array as the scalar it holds; anything else as it is."""
    if isinstance(x, np.ndarray) and x.size == 1:
        item = x.reshape(-1)[0]
        if x.dtype == bool:
            return bool(item)
        if x.dtype.kind == "i":
            return int(item)
        return item
    return x


def objects(values: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray:
    """An object array of ``shape`` holding ``values`` in order."""
    # fromiter: assigning a list to an object array looks into every element, ten times
    # slower.
    return np.fromiter(values, dtype=object, count=len(values)).reshape(shape)


# ---- numbers ----------------------------------------------------------------------------

_TESTS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
          ">": operator.gt, ">=": operator.ge}
_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul}


class _Ordering:
    """Comparisons, and what is chosen by them, as the exact backend chooses: on a tie the
    first value stays (with its exponent: $0.00 and 0 print differently)."""

    def test(self, op: str, a: Any, b: Any) -> Any:
        result = _TESTS[op](a, b)
        return result if isinstance(result, np.ndarray) else bool(result)

    def minimum(self, a: Any, b: Any) -> Any:
        return where(self.test("<", b, a), b, a)

    def maximum(self, a: Any, b: Any) -> Any:
        return where(self.test(">", b, a), b, a)

    def clamp(self, x: Any, low: Any, high: Any) -> Any:
        x = where(self.test("<", x, low), low, x)
        return where(self.test(">", x, high), high, x)


class ExactNumbers(_Ordering):
    """Decimal magnitudes, computed exactly as ``ExactArithmetic`` computes them."""

    exact = True
    name = "exact"

    def __init__(self) -> None:
        self.context = ExactArithmetic().context
        # The exact backend subtracts counts for "the rest of the population" in the ambient
        # context of the caller, not in its own: so does this.
        self.ambient = decimal.getcontext().copy()
        self.zero = Decimal(0)
        self.one = Decimal(1)
        self.arithmetic = ExactArithmetic()

    def scope(self) -> Any:
        """The decimal context every operation of this mode runs in."""
        return decimal.localcontext(self.context)

    def literal(self, value: Decimal) -> Any:
        return value

    def counts(self, values: Sequence[Decimal]) -> np.ndarray:
        if isinstance(values, np.ndarray) and values.dtype == object:
            return values  # the tables' own arrays, read and never written
        return np.fromiter(values, dtype=object, count=len(values))

    def whole(self, counts: Any) -> Any:
        """Whole numbers (counts of items) as magnitudes."""
        if isinstance(counts, np.ndarray):
            return _DECIMAL(counts.astype(object))
        return Decimal(int(counts))

    def binary(self, op: str, a: Any, b: Any) -> tuple[Any, Any]:
        """``a op b`` (``+ - * /``) and the rows where it has no result."""
        if op == "/":
            return self.divide(a, b)
        return self._apply(_BINARY[op], a, b)

    def divide(self, a: Any, b: Any) -> tuple[Any, Any]:
        zero = _equal_zero(b)
        if not is_false(zero):
            b = where(zero, self.one, b)
        result, failed = self._apply(operator.truediv, a, b)
        return result, either(failed, zero)

    def remainder(self, a: Any, b: Any) -> Any:
        """``a - b`` in the caller's ambient context, as the exact backend subtracts counts."""
        with decimal.localcontext(self.ambient):
            return self._apply(operator.sub, a, b)

    def negate(self, a: Any) -> Any:
        return -a

    def absolute(self, a: Any) -> Any:
        return where(_less_zero(a), -a, a)

    def round(self, a: Any, unit: str, places: int, mode: str) -> tuple[Any, Any]:
        places = places + 2 if unit in SCALED_UNITS else places
        exponent = Decimal(1).scaleb(-places, context=self.context)
        rounding = ROUNDING[mode]
        context = self.context
        return self._apply(lambda x, _: x.quantize(exponent, rounding=rounding,
                                                   context=context), a, None, each=True)

    def function(self, function: Function, a: Any) -> tuple[Any, Any]:
        """A builtin of one number (``sqrt``, ``ln``, ``exp``, ``normal_quantile``) in
        every row, by its one implementation (``core.builtins``) over ``ExactArithmetic``,
        and the rows where it has no result (where the exact backend stops, E0401)."""
        compute = function.compute
        assert compute is not None
        arithmetic = self.arithmetic
        return self._apply(lambda x, _: compute(arithmetic, x), a, None, each=True)

    def percentile(self, values: list[Any], share: Any) -> Any:
        return self.arithmetic.percentile(values, share)

    def to_magnitude(self, x: Any) -> Decimal:
        return x

    def _apply(self, op: Callable[[Any, Any], Any], a: Any, b: Any, each: bool = False
               ) -> tuple[Any, Any]:
        """``op`` over every row; where it traps, row by row, with the rows that trapped."""
        arrays = [x for x in (a, b) if isinstance(x, np.ndarray)]
        if not arrays:
            try:
                return op(a, b), False
            except _TRAPS:
                return self.zero, True
        if not each:
            try:
                return op(a, b), False
            except decimal.DecimalException:
                pass
        shape = np.broadcast_shapes(*(x.shape for x in arrays))
        left = broadcast(a, shape)
        right = broadcast(b, shape) if b is not None else None
        out = np.empty(shape, dtype=object)
        failed = np.zeros(shape, dtype=bool)
        for index in np.ndindex(shape):
            try:
                out[index] = op(left[index], None if right is None else right[index])
            except _TRAPS:
                out[index] = self.zero
                failed[index] = True
        return out, failed if failed.any() else False


#: What an exact operation raises for a row without a result: a trap of the context, or
#: ``ExactArithmetic`` refusing (a logarithm of 0, a normal quantile of 100%).
_TRAPS = (decimal.DecimalException, ArithmeticError_)

_DECIMAL = np.frompyfunc(Decimal, 1, 1)


#: Compared with a decimal, a decimal 0 is several times quicker than the integer 0.
_ZERO = Decimal(0)


def _equal_zero(x: Any) -> Any:
    result = x == (_ZERO if _holds_decimals(x) else 0)
    return result if isinstance(result, np.ndarray) else bool(result)


def _holds_decimals(x: Any) -> bool:
    return isinstance(x, Decimal) or (isinstance(x, np.ndarray) and x.dtype == object)


def _less_zero(x: Any) -> Any:
    result = x < (_ZERO if _holds_decimals(x) else 0)
    return result if isinstance(result, np.ndarray) else bool(result)


#: Against a single number, "a op b or near" (or "and not near") as a test against a
#: threshold moved by the tolerance: how far, and the test.
_SHIFTED = {"<=": (1, np.less_equal), ">=": (-1, np.greater_equal), "<": (-1, np.less),
            ">": (1, np.greater)}

#: How near two float64 values must be to compare as equal: far below any difference a
#: contract draws (a cent, a hundredth of a point), far above float64's rounding.
TIE = 1e-9


class FloatNumbers(_Ordering):
    """float64 magnitudes, for simulation: close to the exact values, not equal to them."""

    def minimum(self, a: Any, b: Any) -> Any:
        return np.minimum(a, b) if isinstance(a, np.ndarray) or isinstance(
            b, np.ndarray) else min(a, b)

    def maximum(self, a: Any, b: Any) -> Any:
        return np.maximum(a, b) if isinstance(a, np.ndarray) or isinstance(
            b, np.ndarray) else max(a, b)

    def clamp(self, x: Any, low: Any, high: Any) -> Any:
        if isinstance(x, np.ndarray) or isinstance(low, np.ndarray) or isinstance(
                high, np.ndarray):
            return np.clip(x, low, high)  # max, then min, in one pass
        return self.minimum(self.maximum(x, low), high)

    exact = False
    name = "float64"
    zero = 0.0
    one = 1.0

    def test(self, op: str, a: Any, b: Any) -> Any:
        # Numbers a contract compares often meet exactly (a gap of exactly 2 pp at a 2 pp
        # threshold): the exact backend sees a tie where floats, rounded on different
        # paths, land either side of it. Values within TIE of each other compare as equal,
        # so float64 decides such ties as the settlement of record does.
        if np.isinf(b).any() if isinstance(b, np.ndarray) else math.isinf(b):
            near = np.isclose(a, b, rtol=TIE, atol=TIE)
            if op in ("=", "<=", ">="):
                result = np.logical_or(near, _TESTS[op](a, b))
            elif op == "!=":
                result = np.logical_not(near)
            else:
                result = np.logical_and(np.logical_not(near), _TESTS[op](a, b))
            return result if isinstance(result, np.ndarray) else bool(result)
        # The same nearness as ``np.isclose(a, b, rtol=TIE, atol=TIE)`` (|a - b| within
        # TIE + TIE × |b|) in one or two passes over the rows rather than ten: "a ≤ b or
        # near" is a - b within the tolerance, and so on (an infinite b is taken above).
        tolerance = TIE + TIE * abs(b)
        if not isinstance(b, np.ndarray) and op in _SHIFTED:
            # Against one number, the tolerance moves the threshold: one pass.
            shift, test = _SHIFTED[op]
            result = test(a, b + shift * tolerance)
        elif op == "<=":
            result = np.less_equal(np.subtract(a, b), tolerance)
        elif op == ">=":
            result = np.less_equal(np.subtract(b, a), tolerance)
        elif op == "<":
            result = np.greater(np.subtract(b, a), tolerance)
        elif op == ">":
            result = np.greater(np.subtract(a, b), tolerance)
        else:
            result = np.less_equal(np.abs(np.subtract(a, b)), tolerance)
            if op == "!=":
                result = np.logical_not(result)
        return result if isinstance(result, np.ndarray) else bool(result)

    def scope(self) -> Any:
        return np.errstate(all="ignore")

    def literal(self, value: Decimal) -> Any:
        return float(value)

    def counts(self, values: Sequence[Decimal]) -> np.ndarray:
        return np.fromiter(map(float, values), dtype=np.float64, count=len(values))

    def whole(self, counts: Any) -> Any:
        return counts.astype(np.float64) if isinstance(counts, np.ndarray) else float(counts)

    def binary(self, op: str, a: Any, b: Any) -> tuple[Any, Any]:
        if op == "/":
            return self.divide(a, b)
        return _BINARY[op](a, b), False

    def divide(self, a: Any, b: Any) -> tuple[Any, Any]:
        # Where b is 0 the result is inf or NaN, which no row reads: the row is not scored
        # or fails.
        # np.divide: two plain floats would raise ZeroDivisionError rather than give inf.
        quotient = np.divide(a, b)
        return (quotient if isinstance(quotient, np.ndarray) else float(quotient)), \
            _equal_zero(b)

    def remainder(self, a: Any, b: Any) -> tuple[Any, Any]:
        return a - b, False

    def negate(self, a: Any) -> Any:
        return -a

    def absolute(self, a: Any) -> Any:
        return np.abs(a) if isinstance(a, np.ndarray) else abs(a)

    def round(self, a: Any, unit: str, places: int, mode: str) -> tuple[Any, Any]:
        scale = 10.0 ** (places + 2 if unit in SCALED_UNITS else places)
        # As an array even for one value, so that each step can write in place.
        x = np.multiply(np.atleast_1d(a), scale, dtype=np.float64)
        if mode == "half even":
            rounded = np.round(x)
        elif mode == "toward zero":
            rounded = np.trunc(x)
        else:
            # A float's decimal places are approximate: a tie is taken as such within a few
            # units of the last place (``slack``), as the decimal it stands for would be.
            size = np.abs(x)
            slack = np.spacing(np.maximum(1.0, size))
            slack *= 4
            if mode == "up":
                magnitude = np.ceil(np.subtract(size, slack, out=slack))
            else:
                whole = np.floor(size)
                fraction = np.subtract(size, whole, out=size)
                # Half up: a tie or above it goes up; half down: above it only.
                up = np.greater_equal(fraction, 0.5 - slack) if mode == "half up" else \
                    np.greater(fraction, np.add(slack, 0.5, out=slack))
                magnitude = np.add(whole, up, out=whole)
            rounded = np.copysign(magnitude, x, out=magnitude)
        result = np.divide(rounded, scale, out=rounded)
        return (result if isinstance(a, np.ndarray) else float(result[0])), False

    def sqrt(self, a: Any) -> tuple[Any, Any]:
        negative = _less_zero(a)
        return np.sqrt(np.maximum(a, 0.0)) if isinstance(a, np.ndarray) else math.sqrt(
            max(a, 0.0)), negative

    def ln(self, a: Any) -> tuple[Any, Any]:
        bad = either(_less_zero(a), _equal_zero(a))
        safe = where(bad, 1.0, a)
        return (np.log(safe) if isinstance(safe, np.ndarray) else math.log(safe)), bad

    def function(self, function: Function, a: Any) -> tuple[Any, Any]:
        """A builtin of one number in every row, and the rows where it has no result (a
        lane with such a row is settled by the exact backend, which says why, or, for an
        ``exp`` beyond float64's range, computes it)."""
        if function.name == "sqrt":
            return self.sqrt(a)
        if function.name == "ln":
            return self.ln(a)
        if function.name == "exp":
            result = np.exp(a)
            failed = np.logical_not(np.isfinite(result))
            if isinstance(a, np.ndarray):
                return result, failed if failed.any() else False
            return float(result), bool(failed)
        return _through_decimals(function, a)

    def percentile(self, values: list[Any], share: Any) -> Any:
        ordered = sorted(values)
        position = share * (len(ordered) - 1)
        lower = int(position)
        if lower + 1 >= len(ordered):
            return ordered[-1]
        return ordered[lower] + (ordered[lower + 1] - ordered[lower]) * (position - lower)

    def to_magnitude(self, x: Any) -> float:
        return float(x)


Numbers = ExactNumbers | FloatNumbers

#: How many different arguments float64 computes through decimals (``_through_decimals``)
#: in one column before it declines the builtin.
DISTINCT_LIMIT = 256


def _through_decimals(function: Function, a: Any) -> tuple[Any, Any]:
    """A builtin that float64 has no function of its own for (``normal_quantile``): the
    exact implementation, once for each different argument, rounded to float64, so that
    its maths is written once. Raises ``Unsupported`` where the arguments differ in more
    than ``DISTINCT_LIMIT`` rows (the lanes are then settled with the exact backend)."""
    compute = function.compute
    assert compute is not None
    values = np.atleast_1d(np.asarray(a, dtype=np.float64))
    distinct, inverse = np.unique(values, return_inverse=True)
    if len(distinct) > DISTINCT_LIMIT:
        raise Unsupported(f"the builtin `{function.name}` of numbers that differ in more "
                          f"than {DISTINCT_LIMIT} rows, in float64 (it is computed in "
                          "decimals)")
    arithmetic = ExactArithmetic()
    found = np.zeros(len(distinct), dtype=np.float64)
    bad = np.zeros(len(distinct), dtype=bool)
    for number, x in enumerate(distinct.tolist()):
        try:
            found[number] = float(compute(arithmetic, Decimal(repr(x))))
        except _TRAPS:
            bad[number] = True
    result = found[inverse].reshape(values.shape)
    failed = bad[inverse].reshape(values.shape)
    if not isinstance(a, np.ndarray):
        return float(result[0]), bool(failed[0])
    return result, failed if failed.any() else False
