"""The language's statistical constructs: ordered stratifications and `position`, simulated
intervals settled by the exact backend (their trace, `explain`, `verify`, errors inside a
draw, options computed at settlement) and bounded by the interval backend, and `exp` and
`normal_quantile` over intervals."""

from __future__ import annotations

import decimal
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from eqlang.api import load_contract, settle
from eqlang.backends.interval_arithmetic import NEG, POS, Interval, IntervalArithmetic
from eqlang.cli import main
from eqlang.core.values import ExactArithmetic, NotScored, Quantity
from eqlang.diagnostics import EqlangError
from eqlang.tools.bounds import output_bounds

HEADER = """\
contract "Simulation terms"
  provider each organization
  currency USD
  period performance is "2024"
end

import hedis
import disparity

measure COL from hedis

stratification income "Income"
  groups Low, Middle, High
  ordered least advantaged first
  reference High
end
"""

TABLE = """\
org,measure,group,period,numerator,denominator
A,COL,ALL,2024,300,500
A,COL,Low,2024,40,100
A,COL,Middle,2024,90,150
A,COL,High,2024,170,250
"""


def write(tmp_path: Path, body: str, table: str = TABLE) -> tuple[Path, Path]:
    contract = tmp_path / "terms.eq"
    contract.write_text(HEADER + "\n" + textwrap.dedent(body), encoding="utf-8")
    csv = tmp_path / "terms.csv"
    csv.write_text(table, encoding="utf-8")
    return contract, csv


def outputs(tmp_path: Path, body: str, table: str = TABLE) -> dict[str, object]:
    contract, csv = write(tmp_path, body, table)
    return settle(load_contract(str(contract)), [str(csv)]).outputs()["A"]


# ---- ordered stratifications ---------------------------------------------------------------


def test_position_counts_from_the_least_advantaged(tmp_path: Path) -> None:
    body = """\
        stratification area
          groups "Least deprived" as Best, "Middling" as Mid, "Most deprived" as Worst
          ordered most advantaged first
          reference Best
        end
        output low: count = position(Low) not rounded
        output high: count = position(High) not rounded
        output best: count = position(Best) not rounded
        output worst: count = position(Worst) not rounded
        """
    found = outputs(tmp_path, body)
    assert {k: v.magnitude for k, v in found.items()} == {  # type: ignore[attr-defined]
        "low": 1, "high": 3, "best": 3, "worst": 1}


def test_a_contract_line_replaces_the_templates_order(tmp_path: Path) -> None:
    body = """\
        import groups
        stratification quintile from groups.income_quintiles
          ordered most advantaged first
        end
        output first: count = position(Income1) not rounded
        """
    assert outputs(tmp_path, body)["first"] == Quantity("count", Decimal(5))


def test_the_ordered_line_is_formatted_and_documented(tmp_path: Path) -> None:
    contract, _ = write(tmp_path, "")
    runner = CliRunner()
    result = runner.invoke(main, ["fmt", str(contract)])
    assert "  ordered least advantaged first\n" in result.output
    document = runner.invoke(main, ["doc", str(contract)])
    assert document.exit_code == 0, document.output
    assert "The groups are ordered, least advantaged first." in document.output


# ---- simulated intervals: settlement and the trace ------------------------------------------

SIMULATED = """\
parameter draws: count = 200
parameter seed: number = 11
define low: percent =
  simulated lower(rate(COL, Low, performance), level: 95%, draws: draws, seed: seed)
define high: percent =
  simulated upper(rate(COL, Low, performance), level: 95%, draws: draws, seed: seed)
output interval_low: percent = low not rounded
output interval_high: percent = high not rounded
output spread: pp =
  simulated standard error(rate(COL, Low, performance), draws: draws, seed: seed)
  not rounded
"""


def test_the_trace_shows_the_interval_and_how_it_was_found(tmp_path: Path) -> None:
    contract, csv = write(tmp_path, SIMULATED)
    trace = tmp_path / "trace.json"
    runner = CliRunner()
    result = runner.invoke(main, ["eval", str(contract), "--table", str(csv), "--trace",
                                  str(trace)])
    assert result.exit_code == 0, result.output
    nodes = json.loads(trace.read_text(encoding="utf-8"))["organizations"]["A"]["nodes"]
    node = nodes["simulated lower(rate(COL, Low, performance), level: 95%, draws: 200, "
                 "seed: 11)"]
    assert node["kind"] == "simulation"
    note = node["note"]
    assert note.startswith("95% interval ")
    assert "(the 2.5th and 97.5th percentiles of the draws)" in note
    assert "200 draws from seed 11" in note
    assert "each rate drawn from a normal distribution with its binomial standard error" in note
    assert "the value on the table itself: 40%" in note
    assert node["uses"] == ["rate(COL, Low, performance)"]
    # The rule that holds it links to it in its reading.
    reading = nodes["low"]["reading"]
    assert {"node": node["name"], "text": "simulated lower(rate(COL, Low, performance), "
            "level: 95%, draws: draws, seed: seed)"} in reading or reading == [
        "simulated lower(rate(COL, Low, performance), level: 95%, draws: draws, seed: seed)"]
    explained = runner.invoke(main, ["explain", str(trace), "interval_low", "--org", "A"])
    assert "simulation at" in explained.output and "200 draws from seed 11" in explained.output
    verified = runner.invoke(main, ["verify", str(trace)])
    assert verified.exit_code == 0, verified.output
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parent.parent / "docs"
                         / "trace.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(trace.read_text(encoding="utf-8")), schema)
    # The same inputs give the same bytes.
    again = tmp_path / "again.json"
    runner.invoke(main, ["eval", str(contract), "--table", str(csv), "--trace", str(again)])
    assert again.read_bytes() == trace.read_bytes()


def test_the_bounds_share_their_draws_and_bracket_the_spread(tmp_path: Path) -> None:
    found = outputs(tmp_path, SIMULATED)
    low, high, spread = (found[k].magnitude for k in  # type: ignore[attr-defined]
                         ("interval_low", "interval_high", "spread"))
    # 40 of 100: a standard error of √(0.4 × 0.6 / 100) = 4.9 pp; 200 draws come close.
    assert low < Decimal("0.4") < high
    assert abs(spread - Decimal("0.049")) < Decimal("0.008")
    assert abs((high - low) / 2 - Decimal("1.96") * Decimal("0.049")) < Decimal("0.02")


def test_the_spread_does_not_hang_on_the_callers_decimal_context(tmp_path: Path) -> None:
    contract, csv = write(tmp_path, SIMULATED)
    program = load_contract(str(contract))
    expected = settle(program, [str(csv)]).outputs_json()
    with decimal.localcontext(prec=6):
        for backend in ("exact", "columnar"):
            assert settle(program, [str(csv)], backend=backend).outputs_json() == expected


def test_options_computed_at_settlement_are_checked(tmp_path: Path) -> None:
    body = """\
        parameter draws: count = 1
        output o: percent =
          simulated lower(rate(COL, Low, performance), level: 95%, draws: draws, seed: 1)
          not rounded
        """
    with pytest.raises(EqlangError) as caught:
        outputs(tmp_path, body)
    assert "the number of draws is a whole number from 2 to 100,000, not 1" in str(caught.value)
    assert "error[E0405]" in str(caught.value)


def test_a_value_that_is_not_scored_has_no_interval(tmp_path: Path) -> None:
    body = """\
        output o: percent =
          simulated lower(rate(COL, ALL, performance) - rate(COL, Low, performance) + 40%
                          + rate(COL, Middle, performance) * 0 + rate(COL, Missing, performance)
                            * 0,
                          level: 95%, draws: 10, seed: 1)
          not rounded
        stratification other
          groups Missing
          reference rest of population
        end
        """
    found = outputs(tmp_path, body)
    assert found["o"] == NotScored("Missing has no members in COL 2024 (denominator 0)")


def test_a_simulation_inside_another_stops_at_settlement(tmp_path: Path) -> None:
    body = """\
        define inner: percent =
          simulated upper(rate(COL, Low, performance), level: 90%, draws: 5, seed: 1)
        output o: percent =
          simulated lower(inner, level: 95%, draws: 5, seed: 2) not rounded
        """
    with pytest.raises(EqlangError) as caught:
        outputs(tmp_path, body)
    text = str(caught.value)
    assert "a simulated interval cannot be computed inside the draws of another" in text
    assert "in draw 1 of a simulation from seed 2" in text


def test_an_error_in_a_draw_says_which_draw(tmp_path: Path) -> None:
    # Low's rate is drawn to 0% in some draw; dividing by it stops the settlement there.
    table = TABLE.replace("A,COL,Low,2024,40,100", "A,COL,Low,2024,1,4")
    body = """\
        output o: number =
          simulated lower(1 / (rate(COL, Low, performance) / 100%), level: 95%, draws: 200,
                          seed: 4)
          not rounded
        """
    with pytest.raises(EqlangError) as caught:
        outputs(tmp_path, body, table)
    text = str(caught.value)
    assert "error[E0401]: division by zero" in text
    assert "of a simulation from seed 4: the rates were drawn around the table's" in text


def test_the_program_says_whether_it_simulates(tmp_path: Path) -> None:
    contract, _ = write(tmp_path, SIMULATED)
    assert load_contract(str(contract)).simulates
    plain, _ = write(tmp_path, "output o: percent = rate(COL, Low, performance) not rounded\n")
    assert not load_contract(str(plain)).simulates


# ---- the interval backend --------------------------------------------------------------------


def test_bounds_of_a_simulated_interval_are_the_values(tmp_path: Path) -> None:
    contract, _ = write(tmp_path, SIMULATED)
    bounds = {b.label: b.value for b in output_bounds(load_contract(str(contract)))}
    for label in ("interval_low", "interval_high", "spread"):
        value = bounds[label]
        assert isinstance(value, Quantity), label
        assert (value.magnitude.low, value.magnitude.high) == (Decimal(0), Decimal(1)), label
    result = CliRunner().invoke(main, ["bounds", str(contract)])
    assert result.exit_code == 0, result.output
    assert "spread" in result.output


def test_exp_and_normal_quantile_over_intervals_are_sound() -> None:
    math = IntervalArithmetic()
    exact = ExactArithmetic()
    x = math.exp(Interval(Decimal("-1.5"), Decimal("2")))
    assert x.low <= exact.exp(Decimal("-1.5")) and exact.exp(Decimal(2)) <= x.high
    assert math.exp(Interval(NEG, POS)) == Interval(Decimal(0), POS)
    q = math.normal_quantile(Interval(Decimal("0.025"), Decimal("0.975")))
    z = exact.normal_quantile(Decimal("0.975"))
    assert q.low <= z.copy_negate() and z <= q.high and q.high - z < Decimal("1e-30")
    assert math.normal_quantile(Interval(Decimal(0), Decimal("0.5"))).low == NEG


def test_a_simulated_value_reads_only_the_settled_organization(tmp_path: Path) -> None:
    table = TABLE + "B,COL,ALL,2024,50,100\nB,COL,Low,2024,20,50\n"
    body = """\
        output o: percent =
          simulated upper(
            max(rate(COL, Low, performance) at o for each o in organizations),
            level: 90%, draws: 10, seed: 1)
          not rounded
        """
    with pytest.raises(EqlangError) as caught:
        outputs(tmp_path, body, table)
    assert ("a simulated interval draws the rates of the organization being settled, A, but "
            "its value reads those of B") in str(caught.value)


def test_a_guard_through_otherwise_no_rules_out_a_stop(tmp_path: Path) -> None:
    """`(x = 0%) otherwise no` guards a division by x as `x = 0%` does: where the guard is
    not scored, neither is x, and nothing is divided."""
    body = """\
        output o: number =
          if (rate(COL, Low, performance) = 0%) otherwise no
          then 0
          else 1 / (rate(COL, Low, performance) / 100%)
          not rounded
        """
    contract, _ = write(tmp_path, body)
    (bound,) = output_bounds(load_contract(str(contract)))
    assert bound.stops == ()


# ---- the shipped contract that counts a gradient only when clear beyond chance ----------------


def test_the_deprivation_gradient_settles_with_its_intervals_in_the_trace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """contracts/deprivation-gradient.eq counts a gradient only when its 95% interval lies
    above 0: the trace shows the lower end the decision reads (equal to the oracle's), its
    estimate, z and standard error, and the simulated interval of the race disparity."""
    import oracle_contracts

    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    trace = tmp_path / "trace.json"
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "contracts/deprivation-gradient.eq", "--table",
                                  "contracts/deprivation-gradient.csv", "--trace", str(trace)])
    assert result.exit_code == 0, result.output
    org = "Northgate Medical Group"
    nodes = json.loads(trace.read_text(encoding="utf-8"))["organizations"][org]["nodes"]
    table = oracle_contracts.load("deprivation-gradient.csv")
    for period, label in (("2024", "performance"), ("2022", "baseline")):
        decided = nodes[f"clear_gradient(COL, {label})"]
        assert decided["value"] == {"type": "yesno", "value": "yes"}
        assert decided["uses"] == [f"gradient_low(COL, {label})"]
        low = nodes[f"gradient_low(COL, {label})"]
        assert f"gradient.slope_index_of_inequality_lower(COL, area, {label}, 95%)" in low["uses"]
        expected = oracle_contracts.gradient_of(table, org, "COL", period)
        assert expected is not None
        assert abs(float(Decimal(low["value"]["value"])) / 100 - expected[1]) < 1e-9
    credit = nodes["gradient_credit(COL)"]
    assert credit["since"] == [["clear_gradient(COL, performance) is yes"],
                               ["clear_gradient(COL, baseline) is yes"]]
    explained = runner.invoke(main, ["explain", str(trace), "gradient_2024_low(COL)", "--org",
                                     org, "--depth", "3"])
    assert explained.exit_code == 0, explained.output
    assert ("= slope_index_of_inequality(COL, area, performance) ≈9.3904 pp - "
            "statistics.z_value(95%) ≈1.96") in explained.output
    assert "slope_index_of_inequality_standard_error(COL, area, performance) ≈2.0447 pp" in (
        explained.output)
    simulated = runner.invoke(main, ["explain", str(trace), "race_disparity_2024_high(COL)",
                                     "--org", org])
    assert "90% interval 3.9513% to 14.4521% (the 5th and 95th percentiles of the draws)" in (
        " ".join(simulated.output.replace("│", " ").split()))

