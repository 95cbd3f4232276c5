"""Constant folding: what the checker can know of a value without a measure table. Takes an
expression of a checked program, gives its value when it is fixed (a literal, a parameter
as the contract states it, a measure's facts), or the range it always lies in (a rate lies
between 0% and 100%, a count is never below 0), or nothing. Warnings use it to find a
condition that can never be yes, or never no.

Bounds are exact fractions, so a decision at the edge of a range is never a rounding
error's. Every answer holds for any measure table; a value that may be not scored is
folded as if it were scored, which is what a condition's "never yes" and "never no" mean
(a condition that is not scored takes neither branch).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from eqlang.core import program as p
from eqlang.core.values import Entity, Quantity, Truth, Value


@attrs.frozen
class Known:
    """A value fixed before anything is settled."""

    value: Value


@attrs.frozen
class Between:
    """A number always within ``low`` and ``high`` (both included; None where unbounded)."""

    low: Fraction | None
    high: Fraction | None


Folded = Known | Between | None

_AT_LEAST_ZERO = Between(Fraction(0), None)


def _bounds(f: Folded) -> Between | None:
    if isinstance(f, Between):
        return f
    if isinstance(f, Known) and isinstance(f.value, Quantity):
        exact = Fraction(f.value.magnitude)
        return Between(exact, exact)
    return None


def _hull(a: Folded, b: Folded) -> Folded:
    if isinstance(a, Known) and isinstance(b, Known) and a.value == b.value:
        return a
    x, y = _bounds(a), _bounds(b)
    if x is None or y is None:
        return None
    low = None if x.low is None or y.low is None else min(x.low, y.low)
    high = None if x.high is None or y.high is None else max(x.high, y.high)
    return Between(low, high)


def _add(x: Between, y: Between, sign: int) -> Between:
    if sign > 0:
        low = None if x.low is None or y.low is None else x.low + y.low
        high = None if x.high is None or y.high is None else x.high + y.high
    else:
        low = None if x.low is None or y.high is None else x.low - y.high
        high = None if x.high is None or y.low is None else x.high - y.low
    return Between(low, high)


def _times(x: Between, y: Between) -> Between | None:
    if None in (x.low, x.high, y.low, y.high):
        return None
    assert x.low is not None and x.high is not None and y.low is not None
    assert y.high is not None
    products = [a * b for a in (x.low, x.high) for b in (y.low, y.high)]
    return Between(min(products), max(products))


def _divided(x: Between, y: Between) -> Between | None:
    if y.low is None or y.high is None or y.low <= 0 <= y.high:
        return None
    return _times(x, Between(1 / y.high, 1 / y.low))


def decide(op: str, left: Folded, right: Folded) -> bool | None:
    """Whether a comparison is always yes (True), always no (False), or either (None)."""
    if isinstance(left, Known) and isinstance(right, Known) and not (
            isinstance(left.value, Quantity) and isinstance(right.value, Quantity)):
        if op in ("=", "!="):
            return (left.value == right.value) == (op == "=")
        return None
    x, y = _bounds(left), _bounds(right)
    if x is None or y is None:
        return None
    # Whether x < y, x <= y hold for every pair, or for none.
    always_less = x.high is not None and y.low is not None and x.high < y.low
    always_at_most = x.high is not None and y.low is not None and x.high <= y.low
    never_less = x.low is not None and y.high is not None and x.low >= y.high
    never_at_most = x.low is not None and y.high is not None and x.low > y.high
    point = x.low == x.high == y.low == y.high and x.low is not None
    answers = {
        "<": (always_less, never_less), "<=": (always_at_most, never_at_most),
        ">": (never_at_most, always_at_most), ">=": (never_less, always_less),
        "=": (point, always_less or never_at_most),
        "!=": (always_less or never_at_most, point),
    }
    always, never = answers[op]
    return True if always else False if never else None


class Folder:
    """Folds the expressions of one program, remembering the parameters it read."""

    def __init__(self, program: p.Program) -> None:
        self.program = program
        self.rules: dict[str, Folded] = {}
        #: The parameters read since this was last cleared: a decision that rests on them
        #: holds for the contract's values, which --set may change.
        self.read: set[str] = set()

    def fold(self, e: p.Expr) -> Folded:
        method = getattr(self, "_x_" + type(e).__name__, None)
        return method(e) if method is not None else None

    def _x_Const(self, e: p.Const) -> Folded:
        return Known(e.value)

    def _x_Parameter(self, e: p.Parameter) -> Folded:
        info = self.program.parameters.get(e.key)
        if info is None:
            return None
        self.read.add(e.key)
        found = self.fold(info.value)
        for amendment in info.amendments:
            found = _hull(found, self.fold(amendment.value))
        return found

    def _x_Call(self, e: p.Call) -> Folded:
        # A definition without parameters whose formula is fixed: `define margin: pp = 1 pp`.
        rule = self.program.rules.get(e.rule)
        if rule is None or rule.params or rule.exceptions or rule.body is None:
            return None
        if e.rule not in self.rules:
            self.rules[e.rule] = None  # a cycle is an error; fold nothing there
            self.rules[e.rule] = self.fold(rule.body)
        return self.rules[e.rule]

    def _measure(self, e: p.Expr) -> str | None:
        if isinstance(e, p.Const) and isinstance(e.value, Entity) and e.value.kind == "measure":
            return e.value.name
        return None

    def _x_Builtin(self, e: p.Builtin) -> Folded:
        name = e.name
        if name == "rate":
            return Between(Fraction(0), Fraction(1))
        if name in ("numerator", "denominator", "sqrt"):
            return _AT_LEAST_ZERO
        if name in ("weight", "min_denominator", "higher_is_better"):
            return self._measure_fact(name, self._measure(e.args[0]))
        args = [self.fold(a) for a in e.args]
        if name == "abs":
            bounds = _bounds(args[0])
            if bounds is not None and bounds.low is not None and bounds.low >= 0:
                return args[0]
            return _AT_LEAST_ZERO
        if name == "clamp":
            low, high = _bounds(args[1]), _bounds(args[2])
            if low is None or high is None:
                return None
            return Between(low.low, high.high)
        if name in ("min", "max"):
            ranges = [_bounds(a) for a in args]
            known = [r for r in ranges if r is not None]
            pick = max if name == "max" else min
            # The greatest of the values is at least each one's low bound, and at most the
            # greatest high bound; the least, the other way round.
            if name == "max":
                lows = [r.low for r in known if r.low is not None]
                low = pick(lows) if lows else None
                highs = [r.high for r in ranges if r is not None and r.high is not None]
                high = pick(highs) if len(highs) == len(ranges) else None
            else:
                highs = [r.high for r in known if r.high is not None]
                high = pick(highs) if highs else None
                lows = [r.low for r in ranges if r is not None and r.low is not None]
                low = pick(lows) if len(lows) == len(ranges) else None
            return Between(low, high) if low is not None or high is not None else None
        return None

    def _measure_fact(self, name: str, code: str | None) -> Folded:
        info = self.program.measures.get(code) if code is not None else None
        if name == "higher_is_better":
            if info is None or info.higher_is_better is None:
                return None
            return Known(Truth(info.higher_is_better))
        amount = getattr(info, name, None) if info is not None else None
        if amount is None:
            return _AT_LEAST_ZERO if name == "min_denominator" else None
        return Known(Quantity("percent" if name == "weight" else "count", amount))

    def _x_Aggregate(self, e: p.Aggregate) -> Folded:
        if e.function == "count":
            return _AT_LEAST_ZERO
        if e.function in ("mean", "min", "max", "median", "percentile") and e.weight is None:
            # Each lies among the values aggregated (zero counts as a value under `zero`).
            found = _bounds(self.fold(e.value))
            if found is not None and e.policy == "zero":
                found = _bounds(_hull(found, Between(Fraction(0), Fraction(0))))
            return found
        return None

    def _x_Arithmetic(self, e: p.Arithmetic) -> Folded:
        x, y = _bounds(self.fold(e.left)), _bounds(self.fold(e.right))
        if x is None or y is None:
            return None
        if e.op in ("+", "-"):
            return _add(x, y, 1 if e.op == "+" else -1)
        return _times(x, y) if e.op == "*" else _divided(x, y)

    def _x_Negate(self, e: p.Negate) -> Folded:
        x = _bounds(self.fold(e.operand))
        if x is None:
            return None
        return Between(None if x.high is None else -x.high, None if x.low is None else -x.low)

    def _x_Compare(self, e: p.Compare) -> Folded:
        answer = decide(e.op, self.fold(e.left), self.fold(e.right))
        return None if answer is None else Known(Truth(answer))

    def _x_Not(self, e: p.Not) -> Folded:
        found = self.fold(e.operand)
        if isinstance(found, Known) and isinstance(found.value, Truth):
            return Known(Truth(not found.value.value))
        return None

    def _x_And(self, e: p.And) -> Folded:
        return self._connective(e.left, e.right, decisive=False)

    def _x_Or(self, e: p.Or) -> Folded:
        return self._connective(e.left, e.right, decisive=True)

    def _connective(self, left: p.Expr, right: p.Expr, decisive: bool) -> Folded:
        answers = [self.fold(left), self.fold(right)]
        truths = [a.value.value for a in answers
                  if isinstance(a, Known) and isinstance(a.value, Truth)]
        if decisive in truths:
            return Known(Truth(decisive))
        if len(truths) == 2:
            return Known(Truth(not decisive))
        return None

    def _x_If(self, e: p.If) -> Folded:
        condition = self.fold(e.condition)
        if isinstance(condition, Known) and isinstance(condition.value, Truth):
            return self.fold(e.then if condition.value.value else e.otherwise)
        return _hull(self.fold(e.then), self.fold(e.otherwise))

    def _x_Otherwise(self, e: p.Otherwise) -> Folded:
        value = self.fold(e.value)
        return value if isinstance(value, Known) else _hull(value, self.fold(e.fallback))

    def _x_Because(self, e: p.Because) -> Folded:
        return self.fold(e.value)

    def _x_At(self, e: p.At) -> Folded:
        # A fixed value or a range holds for every organization alike.
        return self.fold(e.value)
