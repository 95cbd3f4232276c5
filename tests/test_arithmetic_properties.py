"""Properties of eqlang's arithmetic, through the language: rounding modes round as the
decimal module does (percent and points rounded in the unit as written), sums of rounded
parts are exact to the cent at any size, and percent and percentage points never mix."""

from __future__ import annotations

import decimal
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqlang.api import load_contract, settle
from eqlang.core.values import ROUNDING, ArithmeticError_, ExactArithmetic, Quantity, display
from eqlang.diagnostics import EqlangError
from eqlang.syntax.ast import Literal
from eqlang.syntax.fmt import format_literal
from eqlang.tools.testing import from_csv

SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
MODES = sorted(ROUNDING)
HEADER = """\
contract "Arithmetic"
  provider each organization
  currency USD
  period performance is "2024"
end

measure COL "Colorectal cancer screening" higher is better
"""
TABLE = from_csv("org,measure,group,period,numerator,denominator\nA,COL,ALL,2024,1,2\n")

# Values with up to 30 significant digits and up to 8 decimals, of either sign.
values = st.builds(lambda n, places: Decimal(n).scaleb(-places),
                   st.integers(-10**22, 10**22), st.integers(0, 8))


def _write(folder: Path, body: str) -> str:
    path = folder / "arithmetic.eq"
    path.write_text(HEADER + "\n" + body, encoding="utf-8")
    return str(path)


def _outputs(folder: Path, body: str, overrides: dict[str, str]) -> dict:
    program = load_contract(_write(folder, body))
    return settle(program, TABLE, overrides=overrides).outputs()["A"]


ROUNDED = "\n".join(
    f"output {kind}_{mode.replace(' ', '_')}_{places}: {kind} = x_{kind}"
    f" rounded to {places} decimals {mode}"
    for kind in ("number", "percent", "pp") for mode in MODES for places in (0, 2, 5)
) + "\n" + "\n".join(
    f"output money_{mode.replace(' ', '_')}_{target}: money = x_money rounded to {target} {mode}"
    for mode in MODES for target in ("cents", "dollars"))
PARAMETERS = """\
parameter x_number: number = 0
parameter x_percent: percent = 0%
parameter x_pp: pp = 0 pp
parameter x_money: money = $0
"""


@SETTINGS
@given(values)
def test_every_rounding_mode_rounds_as_the_decimal_module_does(tmp_path: Path,
                                                              x: Decimal) -> None:
    written = {"number": format_literal(Literal("number", x)),
               "percent": format_literal(Literal("percent", x)),
               "pp": format_literal(Literal("points", x)),
               "money": format_literal(Literal("money", x))}
    outputs = _outputs(tmp_path, PARAMETERS + ROUNDED,
                       {f"x_{kind}": text for kind, text in written.items()})
    for name, value in outputs.items():
        kind, *mode_words, target = name.split("_")
        mode = " ".join(mode_words)
        places = {"cents": 2, "dollars": 0}[target] if kind == "money" else int(target)
        expected = x.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING[mode])
        assert isinstance(value, Quantity)
        # A percent or a number of points is rounded in the unit as written: 12.345% to two
        # decimals is 12.35%, not 0.12%.
        shown = value.magnitude.scaleb(2) if kind in ("percent", "pp") else value.magnitude
        assert shown == expected, (name, x, display(value))


def test_the_rounding_modes_are_the_decimal_modules() -> None:
    assert ROUNDING == {"half up": decimal.ROUND_HALF_UP, "half even": decimal.ROUND_HALF_EVEN,
                        "half down": decimal.ROUND_HALF_DOWN, "toward zero": decimal.ROUND_DOWN,
                        "away from zero": decimal.ROUND_UP}


PARTS = """\
parameter a: money = $0
parameter b: money = $0
parameter c: money = $0
parameter share: percent = 0%

output part_a: money = a * share rounded to cents half up
output part_b: money = b / 3 rounded to cents half even
output part_c: money = c * share / 7 rounded to cents toward zero
output total: money = part_a + part_b + part_c - (part_a - part_a) not rounded
"""


@SETTINGS
@given(st.lists(st.integers(-10**17, 10**17), min_size=3, max_size=3),
       st.integers(0, 10**6))
def test_the_sum_of_rounded_parts_is_exact_to_the_cent(tmp_path: Path, cents: list[int],
                                                      share: int) -> None:
    amounts = [Decimal(n).scaleb(-2) for n in cents]
    percent = Decimal(share).scaleb(-4)
    outputs = _outputs(tmp_path, PARTS, {
        "a": format_literal(Literal("money", amounts[0])),
        "b": format_literal(Literal("money", amounts[1])),
        "c": format_literal(Literal("money", amounts[2])),
        "share": format_literal(Literal("percent", percent))})
    parts = [outputs[f"part_{p}"] for p in "abc"]
    assert all(isinstance(p, Quantity) for p in parts)
    exact = sum((p.magnitude for p in parts), Decimal(0))  # type: ignore[union-attr]
    total = outputs["total"]
    assert isinstance(total, Quantity)
    assert total.magnitude == exact
    assert total.magnitude == total.magnitude.quantize(Decimal("0.01"))


# ---- percent and percentage points ---------------------------------------------------------

rates = st.integers(0, 10000).map(lambda n: Decimal(n).scaleb(-2))


@SETTINGS
@given(rates, rates)
def test_percents_and_points_keep_their_units(tmp_path: Path, a: Decimal, b: Decimal) -> None:
    body = (f"define p: percent = {a}%\ndefine q: percent = {b}%\ndefine g: pp = {b} pp\n"
            "output difference: pp = p - q not rounded\n"
            "output raised: percent = p + g not rounded\n"
            "output lowered: percent = p - g not rounded\n"
            "output widened: pp = g + g not rounded\n"
            "output ratio: number = g / g not rounded\n")
    if b == 0:
        body = body.replace("output ratio: number = g / g not rounded\n", "")
    outputs = _outputs(tmp_path, body, {})
    assert display(outputs["difference"]) == display(Quantity("pp", (a - b).scaleb(-2)))
    assert display(outputs["raised"]) == display(Quantity("percent", (a + b).scaleb(-2)))
    assert display(outputs["lowered"]) == display(Quantity("percent", (a - b).scaleb(-2)))
    assert display(outputs["widened"]).endswith(" pp")
    assert outputs["difference"].unit == "pp" and outputs["raised"].unit == "percent"


MIXES = [
    ("define x: yesno = 5% < 2 pp", "E0202"),
    ("define x: pp = 5%", "E0203"),
    ("define x: percent = 5 pp", "E0203"),
    ("define x: pp = 5 pp - 2%", "E0201"),
    ("define x: pp = 5 pp * 2 pp", "E0201"),
    ("schedule s(gap: pp): number\n  below 2% pays 0\n  from 2% pays 1\nend", "E0309"),
]


@pytest.mark.parametrize(("body", "code"), MIXES)
def test_percent_and_points_never_mix(tmp_path: Path, body: str, code: str) -> None:
    with pytest.raises(EqlangError) as caught:
        load_contract(_write(tmp_path, body + "\n"))
    assert {d.code for d in caught.value.diagnostics} == {code}


@SETTINGS
@given(st.sampled_from(["+", "-", "*", "/"]), st.sampled_from(["percent", "pp"]),
       st.sampled_from(["percent", "pp"]), rates)
def test_every_mix_is_either_refused_or_gives_the_documented_unit(
        tmp_path: Path, op: str, left: str, right: str, a: Decimal) -> None:
    from eqlang.check import units as types

    literal = {"percent": f"{a}%", "pp": f"{a} pp"}
    expected = {"+": types.add, "-": types.subtract, "*": types.multiply,
                "/": types.divide}[op](left, right)
    divisor = literal[right] if op != "/" or a != 0 else ("1%" if right == "percent"
                                                         else "1 pp")
    body = f"define x = {literal[left]} {op} {divisor}\n"
    if expected is None:
        with pytest.raises(EqlangError) as caught:
            load_contract(_write(tmp_path, body))
        assert [d.code for d in caught.value.diagnostics] == ["E0201"]
        return
    program = load_contract(_write(tmp_path, body))
    assert program.rules["x"].type == expected


@pytest.mark.parametrize(("dividend", "shown"), [
    ("7", "7"),
    ("0.125", "0.125"),
    ("2.333333333333333333333333333333333", "2.333333333..."),
    ("-0.0001234567890123456", "-0.000123456789..."),
    ("123456789012345", "123456789012345"),
    ("123456789012345678901234", "1.23456789E+23..."),
    ("9" * 45 + ".5", "9.999999999E+44..."),
    ("1E+50", "1E+50"),
])
def test_a_division_by_zero_shows_its_dividend_briefly(dividend: str, shown: str) -> None:
    # Cut operands are marked with "...", so a reader never takes them for exact values.
    with pytest.raises(ArithmeticError_) as caught:
        ExactArithmetic().divide(Decimal(dividend), Decimal(0))
    assert str(caught.value) == f"division by zero ({shown} / 0)"


def test_a_rounding_too_wide_for_the_precision_says_so() -> None:
    # A money amount of 10^40 dollars has no room for cents in 34 digits: a message, never a
    # bare decimal.InvalidOperation.
    with pytest.raises(ArithmeticError_) as caught:
        ExactArithmetic().round(Decimal("1" * 41), 2, "half up")
    assert str(caught.value) == ("cannot round 1.111111111E+40... to 2 decimals: the result "
                                 "would have more than 34 significant digits")
