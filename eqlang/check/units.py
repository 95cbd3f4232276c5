"""Types and units: the algebra the checker uses to accept or reject expressions.

Numbers carry units. Money, percent, percentage points (``pp``), counts and plain numbers
are kept apart: percent is a share (35% of a pool), ``pp`` the distance between two shares
(a gap of 4.2 pp between two rates). The functions here take operand types and give the
result type, or ``None`` where the combination means nothing.
"""

from __future__ import annotations

from decimal import Decimal

from eqlang.syntax import ast as s

NUMERIC = frozenset({"money", "percent", "pp", "count", "number"})
ENTITY = frozenset({"measure", "group", "period", "organization", "stratification"})
ALL_TYPES = NUMERIC | ENTITY | {"yesno", "date", "text"}
#: The type of ``not scored because ...``: it fits wherever any type is expected.
NOTHING = "nothing"
ROUNDING_MODE = "rounding mode"
#: Types whose values are never below zero. A count is a number of members: fractional where
#: group membership is imputed, but never negative. Money, points and percents may be (a
#: withhold, a worsening, a fall), and plain numbers are anything.
NON_NEGATIVE = frozenset({"count"})

DESCRIPTION = {
    "money": "money",
    "percent": "a percent",
    "pp": "percentage points",
    "count": "a count",
    "number": "a number",
    "yesno": "yes/no",
    "date": "a date",
    "text": "text",
    "measure": "a measure",
    "group": "a group",
    "period": "a period",
    "organization": "an organization",
    "stratification": "a stratification",
    NOTHING: "not scored",
    ROUNDING_MODE: "a rounding mode",
}


def describe(type_name: str) -> str:
    return DESCRIPTION.get(type_name, type_name)


def describe_many(type_name: str) -> str:
    """The plural of a type, as in "among measures"."""
    if type_name in ENTITY:
        return type_name + "s"
    return f"values of type {type_name}"


def _dimensionless(t: str) -> bool:
    return t in ("count", "number")


def join(a: str, b: str) -> str | None:
    """The type that holds both, as for the two branches of an ``if``."""
    if a == NOTHING:
        return b
    if b == NOTHING or a == b:
        return a
    if _dimensionless(a) and _dimensionless(b):
        return "number"
    return None


def assignable(actual: str, declared: str) -> bool:
    """Whether a value of type ``actual`` may stand where ``declared`` is written."""
    if actual in (NOTHING, declared):
        return True
    return _dimensionless(actual) and _dimensionless(declared)


def add(a: str, b: str) -> str | None:
    if a == b and a in NUMERIC:
        return a
    if _dimensionless(a) and _dimensionless(b):
        return "number"
    if {a, b} == {"percent", "pp"}:
        return "percent"
    return None


def subtract(a: str, b: str) -> str | None:
    if a == "percent" and b == "percent":
        # The difference of two shares is a distance between them: percentage points.
        return "pp"
    if a == "percent" and b == "pp":
        return "percent"
    if a == "pp" and b == "percent":
        return None
    return add(a, b)


def multiply(a: str, b: str) -> str | None:
    if a not in NUMERIC or b not in NUMERIC:
        return None
    if _dimensionless(a):
        return "number" if _dimensionless(b) else b
    if _dimensionless(b):
        return a
    if "percent" in (a, b):
        other = b if a == "percent" else a
        return other
    return None


def divide(a: str, b: str) -> str | None:
    if a not in NUMERIC or b not in NUMERIC:
        return None
    if _dimensionless(b):
        return "number" if _dimensionless(a) else a
    if a == b:
        return "number"
    if b == "percent":
        return "number" if _dimensionless(a) else a
    return None


def comparable(a: str, b: str) -> bool:
    if NOTHING in (a, b):
        return True
    if a == b:
        return True
    return _dimensionless(a) and _dimensionless(b)


def ordered(t: str) -> bool:
    """Whether ``<`` and ``>`` mean something for the type."""
    return t in NUMERIC or t in ("date", NOTHING)


def arithmetic_hint(op: str, a: str, b: str) -> str:
    """How to fix an arithmetic unit error, in the domain's words."""
    pair = {a, b}
    if pair == {"percent", "pp"} and op in "*/":
        return "percentage points measure a gap between rates; multiply or divide by a " \
            "percent or a number instead"
    if pair == {"money", "percent"} and op in "+-":
        return "to take a share of an amount, multiply: `pool * 35%`"
    if pair == {"pp", "number"} and op in "+-":
        return "write the number with its unit, for example `2 pp`"
    if pair == {"percent", "number"} and op in "+-":
        return "write the number with its unit, for example `35%`"
    if a == "pp" and b == "percent" and op == "-":
        return "a rate minus points is a rate (`rate - 2 pp`); points minus a rate means nothing"
    if pair == {"money"} and op == "*":
        return "multiply money by a percent or a number, not by money"
    return f"{describe(a)} and {describe(b)} cannot be combined with `{op}`"


# ---- constants and messages shared by the passes -------------------------------------------


def literal_type(literal: s.Literal) -> str:
    """The type a literal is written in: ``2 pp`` is points, ``35%`` a percent."""
    return {"points": "pp", "money": "money", "percent": "percent", "number": "number",
            "date": "date", "text": "text", "yesno": "yesno"}[literal.kind]


def signed_literal(expr: s.Expr) -> s.Literal | None:
    """A constant written out, `-3` included, as one literal; None for anything else."""
    if isinstance(expr, s.Literal):
        return expr
    if isinstance(expr, s.Negate) and isinstance(expr.operand, s.Literal) \
            and isinstance(expr.operand.value, Decimal):
        return s.Literal(expr.operand.kind, expr.operand.value.copy_negate(), span=expr.span)
    return None


def value_problem(name: str, declared: str, literal: s.Literal) -> tuple[str, str | None] | None:
    """Why a constant cannot be the value of `name`, declared ``declared``: a message and a
    hint (None when there is no specific advice), or None when it can.

    The one rule for a value given outside an expression: ``eqlang eval --set``, a worked
    example's ``set``, and the range of a parameter's own literal value.
    """
    actual = literal_type(literal)
    text = " ".join(literal.span.text.split())
    if not assignable(actual, declared):
        return (f"`{name}` is {describe(declared)}, but `{text}` is {describe(actual)}",
                unit_hint(actual, declared))
    if declared in NON_NEGATIVE and isinstance(literal.value, Decimal) and literal.value < 0:
        return (f"`{name}` is {describe(declared)}, which cannot be negative, but it is "
                f"given `{text}`",
                "a count is a number of members: write zero or more, like `30`")
    return None


def unit_hint(found: str, wanted: str) -> str | None:
    """How to write a value of type ``found`` where ``wanted`` is expected, if a unit is
    the likely mistake."""
    pair = (found, wanted)
    if pair == ("pp", "percent"):
        return "percentage points are a distance between rates; to compare with a rate, " \
            "write the rate as a percent (`2%`), or declare the value as `pp`"
    if pair == ("percent", "pp"):
        return "a gap between rates is in percentage points: write `2 pp`, not `2%`"
    if pair == ("number", "percent") or pair == ("count", "percent"):
        return "write the value with a percent sign (`35%`), or multiply by `100%`"
    if pair == ("number", "pp") or pair == ("count", "pp"):
        return "write the value with its unit, for example `2 pp`"
    if pair == ("number", "money") or pair == ("count", "money"):
        return "write amounts with a dollar sign: `$1,000.00`"
    if "money" in pair and "percent" in pair:
        return "a share of an amount is `amount * percent`"
    if "organization" in pair and pair != ("organization", "organization"):
        return "an organization is `organization` or a variable bound to one (`o in " \
            "organizations`); compare it with its name in quotes: `organization = " \
            "\"Harbor ACO\"`"
    if found == "stratification":
        return "a stratification stands for its groups only in `for each g in groups of NAME`"
    if wanted == "stratification":
        return "pass one of the contract's stratifications by its name, like `race`"
    return None


def expected_hint(found: str, wanted: str, declared: bool) -> str:
    """How to fix a value of the wrong type where no unit hint applies."""
    if wanted == "yesno":
        advice = "write a yes/no condition here, such as a comparison: `gap <= 2 pp`"
    else:
        advice = f"write {describe(wanted)} here"
    if declared:
        advice += f", or declare it {describe(found)} if that is what it is"
    return advice


def clip(text: str) -> str:
    """Source text on one line, cut to 40 characters for a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:37] + "..."
