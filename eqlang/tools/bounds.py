"""Bounds: takes a checked contract, gives for each output the least and the greatest value
it can take on any valid measure table, and says them in words (``eqlang bounds``).

The interval backend (``eqlang.backends.interval``) computes them; an output no interval can
describe (one that chooses between two measures, say) is reported as such, and a place where
settling may stop on some tables is listed under the output.
"""

from __future__ import annotations

import decimal
import textwrap
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from eqlang.backends.derivation import EvaluationError
from eqlang.backends.interval import IntervalEvaluator, NotBoundable, PossibleStop
from eqlang.backends.interval_arithmetic import ANY_ORGANIZATION, Interval, IntervalArithmetic
from eqlang.core.program import Program
from eqlang.core.values import (
    SCALED_UNITS,
    Group,
    NotScored,
    Quantity,
    Truth,
    Value,
    display,
    shift,
)
from eqlang.diagnostics import Diagnostic
from eqlang.syntax.fmt import WIDTH
from eqlang.terminal import printable


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
    evaluator = IntervalEvaluator(program)
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
            stops = evaluator.stops_of(key, argument)
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


def render_bounds(path: str, bounds: Sequence[Bound], inputs: bool = False) -> str:
    """The bounds as ``eqlang bounds`` prints them; ``inputs`` when the contract reads
    organization inputs, which take every value their declarations allow."""
    width = max((len(b.label) for b in bounds), default=0)
    lines = [f"{path}: bounds of each output over every valid measure table"
             + (" and organization table" if inputs else "")]
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
