"""Builtins: every function a contract can call without declaring it, declared once.

Each entry gives the function's signature, which the checker holds calls to, and how it is
computed. Functions of numbers are computed here, over any ``Arithmetic`` (exact decimals,
intervals, columns of numbers), so that every backend computes them the same way. Functions
that read the measure tables or the contract's measures (``reads``) are answered by the
backend, which knows where the tables are; aggregations (``for each``) likewise.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from eqlang.core.values import SCALED_UNITS, Arithmetic

#: How a function's signature is checked.
FIXED = "fixed"  # argument types and result type as listed
SAME_UNIT = "same unit"  # arguments of one unit, which is the result's
OWN_UNIT = "own unit"  # the result has the unit of the first argument

#: What computes a function.
NUMBERS = "numbers"  # ``compute`` over magnitudes
READS = "reads"  # the backend, from the measure tables or the contract's measures
AGGREGATE = "aggregate"  # the backend, over the items of a ``for each``


@attrs.frozen
class Function:
    name: str
    signature: str
    computed: str
    #: Argument types (FIXED), or the number of arguments (None: two or more).
    params: tuple[str, ...] = ()
    arity: int | None = None
    result: str | None = None
    #: How to compute it from the arguments' magnitudes, for NUMBERS; ``round`` also gets
    #: its places and mode.
    compute: Callable[..., Any] | None = None
    #: Whether an aggregation takes ``weighted by``.
    weighted: bool = False
    #: A derivation shows a READS function's value as a value of its own (a table value,
    #: a measure's weight), which others link to, rather than inside the rule that used it.
    own_node: bool = False


def _round(math: Arithmetic, unit: str, value: Any, places: int, mode: str) -> Any:
    # Percent and points are stored as fractions: 2 decimals of 35.125% are 4 of 0.35125.
    return math.round(value, places + 2 if unit in SCALED_UNITS else places, mode)


def _least(math: Arithmetic, *values: Any) -> Any:
    result = values[0]
    for value in values[1:]:
        result = math.minimum(result, value)
    return result


def _greatest(math: Arithmetic, *values: Any) -> Any:
    result = values[0]
    for value in values[1:]:
        result = math.maximum(result, value)
    return result


_TABLE = ("measure", "group", "period")

FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("rate", FIXED, READS, _TABLE, 3, "percent", own_node=True),
    Function("numerator", FIXED, READS, _TABLE, 3, "count", own_node=True),
    Function("denominator", FIXED, READS, _TABLE, 3, "count", own_node=True),
    Function("weight", FIXED, READS, ("measure",), 1, "percent", own_node=True),
    Function("min_denominator", FIXED, READS, ("measure",), 1, "count", own_node=True),
    Function("higher_is_better", FIXED, READS, ("measure",), 1, "yesno", own_node=True),
    Function("reference", FIXED, READS, _TABLE, 3, "group"),
    Function("rest", FIXED, READS, ("group",), 1, "group"),
    Function("sqrt", FIXED, NUMBERS, ("number",), 1, "number",
             compute=lambda math, x: math.sqrt(x)),
    Function("ln", FIXED, NUMBERS, ("number",), 1, "number",
             compute=lambda math, x: math.ln(x)),
    Function("exp", FIXED, NUMBERS, ("number",), 1, "number",
             compute=lambda math, x: math.exp(x)),
    Function("normal_quantile", FIXED, NUMBERS, ("percent",), 1, "number",
             compute=lambda math, x: math.normal_quantile(x)),
    Function("position", FIXED, READS, ("group",), 1, "count"),
    Function("abs", OWN_UNIT, NUMBERS, arity=1, compute=lambda math, x: math.absolute(x)),
    Function("round", OWN_UNIT, NUMBERS, arity=3, compute=_round),
    Function("clamp", SAME_UNIT, NUMBERS, arity=3,
             compute=lambda math, x, low, high: math.clamp(x, low, high)),
    Function("min", SAME_UNIT, NUMBERS, compute=_least),
    Function("max", SAME_UNIT, NUMBERS, compute=_greatest),
)}

#: Aggregations: ``sum(x for each m in measures)``. ``min`` and ``max`` are both: with a
#: ``for each`` they aggregate, with two or more arguments they compare.
AGGREGATES: dict[str, Function] = {f.name: f for f in (
    Function("sum", SAME_UNIT, AGGREGATE, weighted=True),
    Function("mean", SAME_UNIT, AGGREGATE, weighted=True),
    Function("min", SAME_UNIT, AGGREGATE),
    Function("max", SAME_UNIT, AGGREGATE),
    Function("median", SAME_UNIT, AGGREGATE),
    Function("percentile", SAME_UNIT, AGGREGATE),
    Function("count", FIXED, AGGREGATE, result="count"),
    Function("all", FIXED, AGGREGATE, result="yesno"),
    Function("any", FIXED, AGGREGATE, result="yesno"),
)}

NAMES = frozenset(FUNCTIONS) | frozenset(AGGREGATES)

ROUNDING_MODES = ("half up", "half even", "half down", "toward zero", "away from zero")

#: The share a ``median`` takes, as a ``percentile`` would.
MEDIAN = Decimal("0.5")


def is_aggregate_call(name: str, has_for_each: bool) -> bool:
    """Whether a call is an aggregation: one with ``for each``, or an aggregation's name
    other than ``min`` and ``max`` (which also compare values given outright)."""
    return has_for_each or (name in AGGREGATES and name not in FUNCTIONS)
