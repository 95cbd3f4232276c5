"""The standard normal distribution in decimal arithmetic: takes a share, gives the value of
a standard normal variable below which that share lies (its quantile), to the precision of
a ``decimal.Context``.

eqlang needs the quantile for two things: the critical value of a confidence interval at a
declared level (1.959963984540054... for 95%), and turning a uniform random number into a
normal draw in a simulation. ``decimal`` has ``exp``, ``ln`` and ``sqrt`` but no error
function, so the distribution function is computed here from ``exp`` and two expansions,
each used where it converges fast and without cancellation:

- below 6 standard deviations, Φ(x) = ½ + φ(x) · Σ x^(2n+1) / (1·3·5···(2n+1)), a series
  of positive terms;
- from 6 up, the upper tail 1 − Φ(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), a
  continued fraction evaluated from its end.

The quantile solves Φ(x) = share by Newton's method from a rational approximation, in the
upper tail for a share above ½ and by symmetry below it, so a share as small as 10^-40 is
solved without cancellation. Every step runs with ``_GUARD`` digits beyond the context's
precision, and the result is rounded once, to the context; the result is within one unit
in the last place of the true quantile, and the same on every machine (nothing here uses
binary floating point).
"""

from __future__ import annotations

import decimal
import functools
from decimal import Decimal

#: Extra digits carried through the computation, beyond the precision asked for.
_GUARD = 20
#: Where the tail's continued fraction takes over from the series.
_SERIES_LIMIT = Decimal(6)
_HALF = Decimal("0.5")


def _working(context: decimal.Context) -> decimal.Context:
    return decimal.Context(prec=context.prec + _GUARD, rounding=decimal.ROUND_HALF_EVEN,
                           traps=[decimal.DivisionByZero, decimal.InvalidOperation,
                                  decimal.Overflow])


def _density(x: Decimal, c: decimal.Context) -> Decimal:
    """φ(x) = exp(−x²/2) / √(2π)."""
    return c.divide(c.exp(c.minus(c.divide(c.multiply(x, x), 2))), _sqrt_two_pi(c.prec))


@functools.cache
def _sqrt_two_pi(precision: int) -> Decimal:
    c = decimal.Context(prec=precision + 5)
    return decimal.Context(prec=precision).plus(c.sqrt(c.multiply(2, _pi(c))))


def _pi(c: decimal.Context) -> Decimal:
    """π to the context's precision, by Machin's formula: 16·atan(1/5) − 4·atan(1/239)."""
    return c.subtract(c.multiply(16, _atan_inverse(5, c)), c.multiply(4, _atan_inverse(239, c)))


def _atan_inverse(n: int, c: decimal.Context) -> Decimal:
    """atan(1/n) = Σ (−1)^k / ((2k+1) n^(2k+1)), for a whole n > 1."""
    power = c.divide(1, n)
    square = n * n
    total = power
    k = 0
    limit = Decimal(1).scaleb(-(c.prec + 2))
    while True:
        k += 1
        power = c.divide(power, square)
        term = c.divide(power, 2 * k + 1)
        if term < limit:
            return total
        total = c.subtract(total, term) if k % 2 else c.add(total, term)


def upper_tail(x: Decimal, c: decimal.Context) -> Decimal:
    """1 − Φ(x) for x ≥ 0, to the precision of ``c``."""
    if x < _SERIES_LIMIT:
        return c.subtract(_HALF, c.multiply(_density(x, c), _series(x, c)))
    return c.multiply(_density(x, c), _continued_fraction(x, c))


def _series(x: Decimal, c: decimal.Context) -> Decimal:
    """Σ x^(2n+1) / (1·3·5···(2n+1)): (Φ(x) − ½) / φ(x)."""
    term = x
    total = x
    square = c.multiply(x, x)
    n = 0
    limit = Decimal(1).scaleb(-(c.prec + 2))
    while True:
        n += 1
        term = c.divide(c.multiply(term, square), 2 * n + 1)
        total = c.add(total, term)
        if term <= limit * total:
            return total


def _continued_fraction(x: Decimal, c: decimal.Context) -> Decimal:
    """1 / (x + 1/(x + 2/(x + 3/(x + ...)))), the upper tail over φ(x), for x ≥ 6.

    Evaluated from the end; the number of terms is doubled until the value stops
    changing, so it is as precise as the context whatever x is."""
    terms = 32
    previous: Decimal | None = None
    while True:
        value = x
        for k in range(terms, 0, -1):
            value = c.add(x, c.divide(k, value))
        value = c.divide(1, value)
        if previous is not None and value == previous:
            return value
        previous = value
        terms *= 2


def quantile(share: Decimal, context: decimal.Context) -> Decimal:
    """The x with Φ(x) = ``share``, for 0 < share < 1, rounded to ``context``.

    Raises ``ValueError`` for a share outside (0, 1), where there is no such x.
    """
    if not 0 < share < 1:
        raise ValueError("a normal quantile needs a share strictly between 0 and 1")
    if share == _HALF:
        return Decimal(0)
    c = _working(context)
    tail = c.subtract(1, share) if share > _HALF else share
    x = _newton(tail, c, context.prec)
    return context.plus(x if share > _HALF else c.minus(x))


def _newton(tail: Decimal, c: decimal.Context, digits: int) -> Decimal:
    """The x ≥ 0 whose upper tail is ``tail`` (0 < tail < ½), to ``digits`` significant
    digits and a few more: the working precision's last digits are noise where the series
    subtracts from ½, so iterating on to them would not end."""
    x = _start(tail, c)
    limit = Decimal(1).scaleb(-(digits + 6))
    for _ in range(200):
        step = c.divide(c.subtract(upper_tail(x, c), tail), _density(x, c))
        x = c.add(x, step)
        if abs(step) <= limit * max(Decimal(1), x):
            return x
    raise ArithmeticError("the normal quantile did not converge")  # pragma: no cover


def _start(tail: Decimal, c: decimal.Context) -> Decimal:
    """A first guess within about 5·10^-4: Hastings' rational approximation (Abramowitz and
    Stegun 26.2.23), in decimals so that the guess is the same everywhere."""
    t = c.sqrt(c.multiply(-2, c.ln(tail)))
    numerator = c.add(Decimal("2.515517"), c.multiply(t, c.add(
        Decimal("0.802853"), c.multiply(t, Decimal("0.010328")))))
    denominator = c.add(1, c.multiply(t, c.add(Decimal("1.432788"), c.multiply(t, c.add(
        Decimal("0.189269"), c.multiply(t, Decimal("0.001308")))))))
    return max(Decimal(0), c.subtract(t, c.divide(numerator, denominator)))


# Acklam's rational approximation of the normal quantile (relative error below 1.15·10^-9):
# the coefficients of the central region's numerator and denominator, then the tails'.
_CENTRAL_TOP = tuple(Decimal(v) for v in (
    "-39.69683028665376", "220.9460984245205", "-275.9285104469687", "138.3577518672690",
    "-30.66479806614716", "2.506628277459239"))
_CENTRAL_BOTTOM = tuple(Decimal(v) for v in (
    "-54.47609879822406", "161.5858368580409", "-155.6989798598866", "66.80131188771810",
    "-13.28068155288572", "1"))
_TAIL_TOP = tuple(Decimal(v) for v in (
    "-0.007784894002430293", "-0.3223964580411365", "-2.400758277161838",
    "-2.549732539343734", "4.374664141464968", "2.938163982698783"))
_TAIL_BOTTOM = tuple(Decimal(v) for v in (
    "0.007784695709041462", "0.3224671290700398", "2.445134137142996", "3.754408661907416",
    "1"))
_TAIL_LIMIT = Decimal("0.02425")


def _polynomial(coefficients: tuple[Decimal, ...], x: Decimal, c: decimal.Context) -> Decimal:
    total = coefficients[0]
    for coefficient in coefficients[1:]:
        total = c.add(c.multiply(total, x), coefficient)
    return total


def deviate(uniform: Decimal, context: decimal.Context) -> Decimal:
    """A standard normal deviate for a uniform number in (0, 1): Acklam's approximation of
    its quantile, within 1.15·10^-9 of the quantile relative to it, computed in decimals.

    A simulation needs many deviates and no precision beyond the randomness of its draws;
    this costs one rational function (and a logarithm in the tails) where ``quantile``
    iterates to every digit of the context."""
    if not 0 < uniform < 1:
        raise ValueError("a normal deviate needs a uniform number strictly between 0 and 1")
    c = context
    if _TAIL_LIMIT <= uniform <= 1 - _TAIL_LIMIT:
        q = c.subtract(uniform, _HALF)
        r = c.multiply(q, q)
        return c.divide(c.multiply(_polynomial(_CENTRAL_TOP, r, c), q),
                        _polynomial(_CENTRAL_BOTTOM, r, c))
    upper = uniform > _HALF
    q = c.sqrt(c.multiply(-2, c.ln(c.subtract(1, uniform) if upper else uniform)))
    x = c.divide(_polynomial(_TAIL_TOP, q, c), _polynomial(_TAIL_BOTTOM, q, c))
    return c.minus(x) if upper else x
