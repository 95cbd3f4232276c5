"""`eqlang bounds`: interval reasoning over the checked program gives sound bounds of every
output; the interval arithmetic is sound operation by operation; the report reads well."""

from __future__ import annotations

import json
import operator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from eqlang.api import load_contract, settle
from eqlang.backends.interval_arithmetic import NEG, POS, Interval, IntervalArithmetic
from eqlang.cli import main
from eqlang.core.values import (
    ArithmeticError_,
    ExactArithmetic,
    NotScored,
    Quantity,
    Truth,
    display,
)
from eqlang.tools.bounds import Bound, contains, describe, output_bounds, stop_text
from eqlang.tools.testing import inputs_for, tables_for

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted((ROOT / "contracts").glob("*.eq"))
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
FLAWED = ROOT / "docs" / "flaws" / "best-performing-reference.eq"
MATH = IntervalArithmetic()
EXACT = ExactArithmetic()


def by_label(path: Path) -> dict[str, Bound]:
    return {b.label: b for b in output_bounds(load_contract(str(path)))}


# ---- soundness on the shipped contracts -----------------------------------------------------


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_settled_outputs_lie_within_their_bounds(path: Path) -> None:
    program = load_contract(str(path))
    bounds = by_label(path)
    assert bounds, "a shipped contract has outputs"

    @settings(max_examples=25, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def inside(data):  # type: ignore[no-untyped-def]
        tables = data.draw(tables_for(program))
        inputs = data.draw(inputs_for(program, tables))
        for org, outputs in settle(program, tables,
                                   organization_table=inputs).outputs().items():
            for name, value in outputs.items():
                values = value.items() if isinstance(value, dict) else [(None, value)]
                for key, one in values:
                    label = name if key is None else f"{name}({key})"
                    bound = bounds[label]
                    assert contains(bound, one), (org, label, display(one), describe(bound))

    inside()


def test_the_shipped_sample_tables_lie_within_the_bounds() -> None:
    for path in CONTRACTS:
        program = load_contract(str(path))
        bounds = by_label(path)
        inputs = path.with_name(f"{path.stem}-organizations.csv")
        run = settle(program, [str(path.with_suffix(".csv"))],
                     organization_table=inputs if inputs.exists() else None)
        for outputs in run.outputs().values():
            for name, value in outputs.items():
                for key, one in (value.items() if isinstance(value, dict) else [(None, value)]):
                    assert contains(bounds[name if key is None else f"{name}({key})"], one)


# ---- what the bounds say -------------------------------------------------------------------


def test_the_reference_payout_lies_between_nothing_and_the_pool() -> None:
    bounds = by_label(REFERENCE)
    payout = bounds["payout"].value
    assert payout == Quantity("money", Interval(Decimal("0.00"), Decimal("1000000.00")))
    assert describe(bounds["payout"]) == "$0.00 to $1,000,000.00"
    # Where the measure is scored, the sum of the scored measures' weights includes its own,
    # so the measure payout is at most the pool, and the division never stops.
    assert describe(bounds["measure_payout(COL)"]) == "$0.00 to $1,000,000.00, or not scored"
    assert all(not b.stops for b in bounds.values()), [b.stops for b in bounds.values()]


def test_the_showcase_total_is_bounded_by_pool_and_bonus() -> None:
    bounds = by_label(ROOT / "contracts" / "showcase.eq")
    assert describe(bounds["total_payment"]) == "$0.00 to $1,700,000.00"
    assert describe(bounds["wide_gap_flag"]) == "yes or no"
    assert describe(bounds["deprivation_gap"]) == "0 pp to 100 pp"
    assert describe(bounds["lowest_focus_rate(COL)"]) == "0% to 100%, or not scored"
    assert describe(bounds["missed_opportunities(COL)"]) == "unbounded: any amount"


def test_the_flawed_contract_is_bounded_too() -> None:
    assert describe(by_label(FLAWED)["payout"]) == "$0.00 to $1,000,000.00"


HEADER = """\
contract "Bounds"
  provider each organization
  currency USD
  period performance is "2024"
end

import hedis

measure COL from hedis
measure CBP from hedis

stratification race
  groups Black, White
  reference White
end
"""


DIVISOR = "denominator(COL, Black, performance)"
GUARD_HINT = "no members"


@pytest.mark.parametrize(("body", "stops"), [
    # Division by a count that may be 0: some tables stop here.
    (f"output x: money = $1.00 / {DIVISOR} rounded to cents toward zero",
     [f"division by zero where `{DIVISOR}` is 0, in `$1.00 / {DIVISOR}`, at {{path}}:17:19 "
      "(E0401)"]),
    # Guarded by the same value compared with 0, in either form and through `and`, `or`,
    # `not` and the exceptions of a rule: no stop.
    (f"output x: money = if {DIVISOR} = 0 then not scored because \"{GUARD_HINT}\" "
     f"else $1.00 / {DIVISOR} rounded to cents half up", []),
    (f"output x: money = if {DIVISOR} > 0 then $1.00 / ({DIVISOR} - 0) else $0.00 "
     "rounded to cents half up", []),
    (f"output x: money = if not ({DIVISOR} >= 1) or 1 < 0 then $0.00 else $1.00 / {DIVISOR} "
     "rounded to cents half up", []),
    (f"output x: yesno = {DIVISOR} > 0 and 1 / {DIVISOR} < 2 not rounded", []),
    (f"output x: money = $1.00 / (2 * {DIVISOR}) rounded to cents half up\n"
     f"  except $0.00 when {DIVISOR} <= 0", []),
    (f"define n: count = {DIVISOR}\noutput x: number = if n < 1 then 0 else 1 / (4 * n * n) "
     "not rounded", []),
    # The wrong guard, or one on another value, leaves the stop.
    (f"output x: money = if {DIVISOR} >= 0 then $1.00 / {DIVISOR} else $0.00 "
     "rounded to cents half up", ["division by zero"]),
    (f"output x: money = if numerator(COL, Black, performance) = 0 then $0.00 "
     f"else $1.00 / {DIVISOR} rounded to cents half up", ["division by zero"]),
    # A guard in the caller rules out a stop in the rule it calls.
    (f"define share: number = 1 / {DIVISOR}\noutput x: number = if {DIVISOR} = 0 then 0 "
     "else share not rounded", []),
    (f"define share: number = 1 / {DIVISOR}\noutput x: number = share not rounded",
     ["division by zero"]),
    # Square roots and logarithms of values that may leave their domain.
    ("output x: number = sqrt(rate(COL, Black, performance) / 1% - 50) not rounded",
     ["square root of a negative number where `rate(COL, Black, performance) / 1% - 50`"]),
    (f"output x: number = if {DIVISOR} > 0 then ln({DIVISOR}) else 0 not rounded", []),
    # A rate that is not 0% is positive, and so is a quotient of two positive rates.
    ("output x: number = if rate(COL, Black, performance) = 0% or rate(COL, White, "
     "performance) = 0% then 0 else ln(rate(COL, Black, performance) / rate(COL, White, "
     "performance)) not rounded", []),
    ("output x: number = if rate(COL, Black, performance) = 0% then 0 else ln(rate(COL, "
     "Black, performance) / rate(COL, White, performance)) not rounded",
     ["division by zero where `rate(COL, White, performance)` is 0",
      "logarithm of a number that is not positive"]),
    (f"output x: number = ln({DIVISOR}) not rounded",
     [f"logarithm of a number that is not positive where `{DIVISOR}` is 0 or below"]),
    # A percentile share that may leave 0%..100%, a clamp whose bounds may cross, a branch
    # that always stops where the other does not, a value that may leave a schedule.
    ("output x: percent = percentile(rate(COL, ALL, performance) * 2, rate(COL, g, "
     "performance) for each g in groups of race) not rounded",
     ["a percentile must lie between 0% and 100%"]),
    ("output x: number = clamp(1, rate(COL, Black, performance) / 1%, 50) not rounded",
     ["clamp's low bound"]),
    ("output x: money = if rate(COL, ALL, performance) > 50% then $1.00 / 0 else $2.00 "
     "rounded to cents half up", ["division by zero (the divisor is always 0)"]),
    ("schedule tier(r: percent): number\n  domain up to 50%\n  below 50% pays 0\n"
     "  from 50% through 50% pays 1\nend\n"
     "output x: number = tier(rate(COL, Black, performance)) not rounded",
     ["may lie outside every tier of `tier`"]),
    # Two exceptions whose conditions may hold at once stop the tables where both do; two
    # that exclude each other by a decided condition do not.
    ("output x: number = 0 not rounded\n  except 1 when rate(COL, Black, performance) > 50%"
     "\n  except 2 when rate(COL, White, performance) > 50%",
     ["two exceptions of `x` may apply at once"]),
    ("output x: number = 0 not rounded\n  except 1 when rate(COL, Black, performance) > 50%"
     "\n  except 2 when 1 > 2", []),
])
def test_bounds_say_where_settlement_may_stop(tmp_path: Path, body: str,
                                              stops: list[str]) -> None:
    path = tmp_path / "bounds.eq"
    path.write_text(HEADER + "\n" + body + "\n", encoding="utf-8")
    bound = by_label(path)["x"]
    assert bound.problem is None, describe(bound)
    found = [stop_text(d) for d in bound.stops]
    assert len(found) == len(stops), found
    for text, expected in zip(found, stops, strict=True):
        assert expected.format(path=path) in text, (text, expected)


@pytest.mark.parametrize("path", CONTRACTS, ids=[p.name for p in CONTRACTS])
def test_no_shipped_contract_may_stop(path: Path) -> None:
    stops = {stop_text(d) for b in by_label(path).values() for d in b.stops}
    assert not stops, sorted(stops)


def test_possible_stops_are_printed_and_in_json(tmp_path: Path) -> None:
    path = tmp_path / "bounds.eq"
    path.write_text(HEADER + f"\noutput x: money = $1.00 / {DIVISOR} rounded to cents half up"
                    "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["bounds", str(path)])
    assert result.exit_code == 0, result.output
    bound, *stop = result.output.splitlines()[1:]
    assert bound == "  x  $0.00 or more (no upper bound)"
    # Wrapped to the width of a formatted contract, at spaces, under its bound.
    assert stop[0].startswith("       may stop: ")
    assert all(line.startswith("         ") for line in stop[1:])
    assert all(len(line) <= 92 or " " not in line.strip() for line in stop)
    assert " ".join(line.strip() for line in stop) == (
        f"may stop: division by zero where `{DIVISOR}` is 0, in `$1.00 / {DIVISOR}`, at "
        f"{path}:17:19 (E0401)")
    result = CliRunner().invoke(main, ["bounds", "--json", str(path)])
    entry = json.loads(result.output)[str(path)]["x"]
    assert entry["may_stop"] == [{
        "code": "E0401", "location": f"{path}:17:19",
        "message": f"division by zero where `{DIVISOR}` is 0, in `$1.00 / {DIVISOR}`",
        "context": ["organization any organization, while evaluating x"]}]


@pytest.mark.parametrize(("body", "expected"), [
    ("output x: money = $5.00 rounded to cents half up", "always $5.00"),
    ("output x: percent = rate(COL, Black, performance) not rounded",
     "0% to 100%, or not scored"),
    ("output x: count = denominator(COL, Black, performance) not rounded",
     "0 or more (no upper bound)"),
    ("output x: yesno = 1 < 2 not rounded", "always yes"),
    ("define d: number = (rate(COL, Black, performance) - rate(COL, White, performance))"
     " / 1 pp\noutput x: number = d * d not rounded", "0 to 10000, or not scored"),
    ("output x: number = (rate(COL, Black, performance) / 1% - 50)"
     " * (rate(COL, White, performance) / 1% - 50) not rounded",
     "-2500 to 2500, or not scored"),
    ("schedule tier(r: percent): number\n  below 50% pays 0\n  from 50% pays 1\nend\n"
     "output x: number = tier(rate(COL, Black, performance)) not rounded",
     "0 to 1, or not scored"),
    ("output x: yesno = rate(COL, ALL, performance) > 50% not rounded", "yes or no, or not scored"),
    ("output x: number = not scored because \"never\" not rounded", "never scored (never)"),
    ("output x: pp = rate(COL, Black, performance) - rate(COL, White, performance)"
     " rounded to 2 decimals half up", "-100 pp to 100 pp, or not scored"),
    ("output x: number = clamp(sqrt(numerator(COL, ALL, performance)), 0, 10) not rounded",
     "0 to 10"),
    # Rescaled over measures that may all be not scored: then there is nothing to rescale.
    ("output x: percent = sum(rate(m, Black, performance) weighted by 50% for each m in "
     "measures, not scored: rescale) not rounded", "0% to 100%, or not scored"),
    ("output x: count = count(o for each o in organizations) not rounded",
     "1 or more (no upper bound)"),
    ("output x: percent = mean(rate(COL, ALL, performance) at o for each o in organizations)"
     " not rounded", "0% to 100%, or not scored"),
    ("output x: money = $1.00 / denominator(COL, Black, performance)"
     " rounded to cents toward zero", "$0.00 or more (no upper bound)"),
    ("output x: money = $1.00 / (denominator(COL, Black, performance) - "
     "denominator(COL, Black, performance)) rounded to cents half up",
     "unbounded: any amount"),
    ("output x: money = $1.00 / 0 rounded to cents half up",
     "no bound: every settlement stops here (E0401: division by zero (the divisor is always "
     "0) in `$1.00 / 0`)"),
    ("define pick: measure = if rate(COL, ALL, performance) > 50% then COL else CBP\n"
     "output x: yesno = higher_is_better(pick) not rounded",
     "no bound: it chooses between COL, CBP"),
])
def test_bounds_of_small_outputs(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "bounds.eq"
    path.write_text(HEADER + "\n" + body + "\n", encoding="utf-8")
    assert describe(by_label(path)["x"]) == expected


def test_the_command_prints_every_output_and_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["bounds", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{REFERENCE}: bounds of each output over every valid measure table"
    assert lines[-1] == "  payout               $0.00 to $1,000,000.00"
    assert len(lines) == 5
    result = CliRunner().invoke(main, ["bounds", "--json", str(REFERENCE)])
    data = json.loads(result.output)[str(REFERENCE)]
    assert data["payout"] == {"description": "$0.00 to $1,000,000.00", "type": "money",
                              "low": "0.00", "high": "1000000.00", "may_be_not_scored": False,
                              "may_stop": []}
    assert data["measure_payout"]["COL"]["high"] == "1000000.00"


def test_the_command_reports_a_broken_contract(tmp_path: Path) -> None:
    path = tmp_path / "broken.eq"
    path.write_text(HEADER + "\noutput x: money = pool rounded to cents half up\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["bounds", str(path)])
    assert result.exit_code == 1
    assert "error[E0101]" in result.stderr


# ---- the interval arithmetic, operation by operation ---------------------------------------

finite = st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, places=3)


@st.composite
def intervals_with_a_point(draw: st.DrawFn) -> tuple[Interval, Decimal]:
    a, b = sorted((draw(finite), draw(finite)))
    point = draw(st.decimals(min_value=a, max_value=b, places=3)) if a < b else a
    low = NEG if draw(st.integers(0, 9)) == 0 else a
    high = POS if draw(st.integers(0, 9)) == 0 else b
    return Interval(low, high), point


@settings(max_examples=300, deadline=None)
@given(intervals_with_a_point(), intervals_with_a_point(),
       st.sampled_from(["add", "subtract", "multiply", "divide", "minimum", "maximum"]))
def test_each_operation_is_sound(a: tuple[Interval, Decimal], b: tuple[Interval, Decimal],
                                 name: str) -> None:
    (x, p), (y, q) = a, b
    try:
        exact = getattr(EXACT, name)(p, q)
    except ArithmeticError_:
        return
    bound = getattr(MATH, name)(x, y)
    assert bound.low <= exact <= bound.high, (x, y, p, q, bound, exact)


@settings(max_examples=200, deadline=None)
@given(intervals_with_a_point(), intervals_with_a_point(),
       st.sampled_from(["<", "<=", ">", ">=", "=", "!="]))
def test_each_comparison_allows_the_true_answer(a: tuple[Interval, Decimal],
                                                b: tuple[Interval, Decimal], op: str) -> None:
    (x, p), (y, q) = a, b
    answer = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
              "=": operator.eq, "!=": operator.ne}[op](p, q)
    assert answer in MATH.outcomes(MATH.test(op, x, y))


@settings(max_examples=200, deadline=None)
@given(intervals_with_a_point(), st.integers(0, 4),
       st.sampled_from(["half up", "half even", "half down", "toward zero", "away from zero"]))
def test_rounding_and_monotone_functions_are_sound(a: tuple[Interval, Decimal], places: int,
                                                   mode: str) -> None:
    x, p = a
    rounded = MATH.round(x, places, mode)
    assert rounded.low <= EXACT.round(p, places, mode) <= rounded.high
    assert MATH.absolute(x).low <= abs(p) <= MATH.absolute(x).high
    assert MATH.square(x).low <= EXACT.square(p) <= MATH.square(x).high
    assert MATH.square(x).low >= 0
    if p >= 0:
        root = MATH.sqrt(x)
        assert root.low <= EXACT.sqrt(p) <= root.high
    if p > 0:
        log = MATH.ln(x)
        assert log.low <= EXACT.ln(p) <= log.high


@settings(max_examples=200, deadline=None)
@given(st.lists(intervals_with_a_point(), min_size=1, max_size=5),
       st.decimals(min_value=0, max_value=1, places=2))
def test_percentile_and_mean_are_sound(items: list[tuple[Interval, Decimal]],
                                       share: Decimal) -> None:
    values, points = [i for i, _ in items], [p for _, p in items]
    percentile = MATH.percentile(values, Interval(share, share))
    assert percentile.low <= EXACT.percentile(points, share) <= percentile.high
    mean = MATH.mean(values, None)
    assert mean.low <= EXACT.mean(points, None) <= mean.high


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000))
def test_rates_stay_between_0_and_100_percent(a: int, b: int, c: int) -> None:
    numerator, denominator = sorted((Decimal(a), Decimal(b)))
    if denominator == 0:
        return
    wide = Interval(Decimal(0), max(Decimal(c), denominator))
    bound = MATH.rate(Interval(numerator, numerator), wide)
    assert bound.low >= 0 and bound.high <= 1
    assert bound.low <= EXACT.rate(numerator, denominator) <= bound.high


def test_dividing_by_an_interval_around_zero_is_unbounded() -> None:
    assert MATH.divide(Interval(Decimal(1), Decimal(2)), Interval(Decimal(-1), Decimal(1))) \
        == Interval(NEG, POS)
    assert MATH.divide(Interval(Decimal(1), Decimal(2)), Interval(Decimal(0), Decimal(4))) \
        == Interval(Decimal("0.25"), POS)
    assert MATH.divide(Interval(Decimal(1), Decimal(2)), Interval(Decimal(-4), Decimal(0))) \
        == Interval(NEG, Decimal("-0.25"))
    with pytest.raises(ArithmeticError_):
        MATH.divide(Interval(Decimal(1), Decimal(2)), Interval(Decimal(0), Decimal(0)))


def test_truths_and_not_scored() -> None:
    assert MATH.outcomes(MATH.test("<", Interval(Decimal(1), Decimal(2)),
                                   Interval(Decimal(3), Decimal(4)))) == (True,)
    either = MATH.test("<", Interval(Decimal(1), Decimal(5)), Interval(Decimal(3), Decimal(4),
                                                                        unscored=True))
    assert MATH.outcomes(either) == (True, False, None)
    assert MATH.truth([True]) is True and MATH.truth([False, True]) == frozenset({True, False})
    assert MATH.scored_part(either) == frozenset({True, False})
    assert contains(Bound("x", None, Truth(either)), NotScored("no members"))
    assert not contains(Bound("x", None, Truth(True)), Truth(False))


def test_the_documented_bounds_are_what_the_command_prints(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["bounds", "contracts/reference-equity.eq"])
    text = (ROOT / "docs" / "invariants.md").read_text(encoding="utf-8")
    begin = text.index("```\ncontracts/reference-equity.eq: bounds") + 4
    assert result.output == text[begin:text.index("```\n", begin)]
