"""The standard library: documented and typed, its examples true, its metrics equal to the
formulas computed here independently, and total (every metric is a number or "not scored,
because ...", never an error) on generated tables.

The fixture table below is small enough to check by hand; the expected values are computed
in this file from the counts with Python's decimal module, not read from eqlang's output.
"""

from __future__ import annotations

import math
import re
import textwrap
from decimal import Context, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from eqlang.api import Run, load_contract, settle
from eqlang.core.values import NotScored, Quantity, Truth, Value
from eqlang.data.tables import TableSet
from eqlang.render import EXAMPLE
from eqlang.syntax.parse import parse
from eqlang.syntax.source import read_source
from eqlang.tools.testing import tables_for

ROOT = Path(__file__).resolve().parent.parent
STDLIB = sorted((ROOT / "stdlib").glob("*.eq"))
PRECISE = Context(prec=40)

HEADER = """\
contract "Standard library fixture"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
end

import hedis
import groups
import statistics
import disparity
import gradient
import payment

measure COL from hedis minimum denominator 30
measure CBP from hedis
measure HBD from hedis

stratification race from groups.spd15
end

stratification social from groups.social_risk
end

stratification income from groups.income_quintiles
end
"""

# Organization A: COL and HBD for four groups (AIAN below COL's minimum denominator of 30,
# NHPI and MENA absent), CBP with no group data at all; B to E hold peers' social-risk rows.
TABLE = """\
org,measure,group,period,numerator,denominator
A,COL,ALL,2022,650,1000
A,COL,ALL,2024,700,1000
A,COL,White,2022,390,500
A,COL,White,2024,400,500
A,COL,Black or African American,2022,100,200
A,COL,Black or African American,2024,120,200
A,COL,Asian,2022,44,60
A,COL,Asian,2024,45,60
A,COL,Hispanic or Latino,2022,63.5,100.25
A,COL,Hispanic or Latino,2024,70,100
A,COL,American Indian or Alaska Native,2024,5,8
A,COL,Social risk factor,2024,140,200
A,COL,Income quintile 1 (lowest),2024,55,100
A,COL,Income quintile 2,2024,62,100
A,COL,Income quintile 3,2024,68,100
A,COL,Income quintile 4,2024,74,100
A,COL,Income quintile 5 (highest),2024,80,100
A,CBP,ALL,2024,600,900
A,CBP,White,2024,0,0
A,HBD,ALL,2024,250,1000
A,HBD,White,2024,100,500
A,HBD,Black or African American,2024,60,200
A,HBD,Asian,2024,0,40
A,HBD,Hispanic or Latino,2024,30,100
B,COL,ALL,2024,650,1000
B,COL,Social risk factor,2024,120,200
C,COL,ALL,2024,690,1000
C,COL,Social risk factor,2024,150,200
D,COL,ALL,2024,640,1000
D,COL,Social risk factor,2024,130,200
E,COL,ALL,2024,700,1000
E,COL,Social risk factor,2024,140,200
B,CBP,ALL,2024,610,900
C,CBP,ALL,2024,590,900
D,CBP,ALL,2024,640,900
E,CBP,ALL,2024,600,900
B,HBD,ALL,2024,260,1000
C,HBD,ALL,2024,240,1000
D,HBD,ALL,2024,270,1000
E,HBD,ALL,2024,230,1000
"""


def _settle(tmp_path: Path, body: str, table: str = TABLE, org: str = "A") -> Run:
    contract = tmp_path / "fixture.eq"
    contract.write_text(HEADER + "\n" + textwrap.dedent(body), encoding="utf-8")
    csv = tmp_path / "fixture.csv"
    csv.write_text(table, encoding="utf-8")
    return settle(load_contract(str(contract)), [str(csv)], organizations=[org])


def _values(tmp_path: Path, expressions: dict[str, str], org: str = "A") -> dict[str, Value]:
    """Each expression's value for one organization, as outputs that are not rounded."""
    defines = "".join(f"define {name} = {expr}\n" for name, expr in expressions.items())
    program = load_contract(str(_write(tmp_path, defines)))
    outputs = "".join(f"output {name}_value: {program.rules[name].type} = {name} "
                      "not rounded\n" for name in expressions)
    result = _settle(tmp_path, defines + outputs, org=org).outputs()[org]
    return {name: result[f"{name}_value"] for name in expressions}  # type: ignore[misc]


def _write(tmp_path: Path, body: str) -> Path:
    contract = tmp_path / "typing.eq"
    contract.write_text(HEADER + "\n" + body, encoding="utf-8")
    return contract


def magnitude(value: Value) -> Decimal:
    assert isinstance(value, Quantity), value
    return value.magnitude


def reason(value: Value) -> str:
    assert isinstance(value, NotScored), value
    return value.reason


def close(actual: Decimal, expected: Decimal) -> bool:
    """Equal to 24 significant digits: the two sides round differently in the last ones."""
    return abs(actual - expected) <= Decimal("1e-24") * max(Decimal(1), abs(expected))


# ---- documentation ------------------------------------------------------------------------


@pytest.mark.parametrize("path", STDLIB, ids=[p.name for p in STDLIB])
def test_every_declaration_is_documented_and_typed(path: Path) -> None:
    module = parse(read_source(path))
    first = module.declarations[0]
    assert any(c.startswith("# ") for c in first.leading.comments), \
        f"{path.name} opens with a comment introducing the module"
    for d in module.declarations:
        if type(d).__name__ == "Import":
            continue
        name = getattr(d, "name", getattr(d, "code", "?"))
        doc = " ".join(d.leading.doc)
        assert doc.strip(), f"{path.name}: `{name}` has no doc comment"
        if hasattr(d, "return_type"):
            assert d.return_type is not None, f"{path.name}: `{name}` declares no type"


def _examples() -> list[tuple[str, str, str, str | None]]:
    """(module, declaration, expression, value or None) of every doc comment example."""
    found = []
    for path in STDLIB:
        for d in parse(read_source(path)).declarations:
            for line in d.leading.doc:
                match = EXAMPLE.match(line.strip())
                if match:
                    found.append((path.stem, getattr(d, "name", "?"), match.group("expr"),
                                  match.group("value")))
    return found


EXAMPLES = _examples()


def _tolerance(value: str) -> str:
    """Half a unit of the last digit written, in the value's unit: 42.86% gives 0.005 pp."""
    digits = re.search(r"[\d,]+(?:\.(\d+))?", value)
    assert digits is not None, value
    places = len(digits.group(1) or "")
    half = format(Decimal(5).scaleb(-(places + 1)), "f")
    if value.endswith("%") or value.endswith("pp"):
        return f"{half} pp"
    return f"${half}" if "$" in value else half


def test_examples_are_true(tmp_path: Path) -> None:
    """Every `Example:` of the standard library checks and evaluates on the fixture table;
    one that states its value (`is 37.5%`, `is about 42.86%`) has exactly that value."""
    assert len(EXAMPLES) >= 40
    body = []
    for i, (_, _, expr, value) in enumerate(EXAMPLES):
        body.append(f"define example_{i} = {expr}\n")
        if value is None:
            test = f"example_{i} is scored or example_{i} is not scored"
        elif value.startswith("about "):
            written = value.removeprefix("about ")
            test = f"abs(example_{i} - {written}) <= {_tolerance(written)}"
        else:
            test = f"example_{i} = {value}"
        body.append(f"output check_{i}: yesno = {test} not rounded\n")
    outputs = _settle(tmp_path, "".join(body)).outputs()["A"]
    wrong = [f"{module}.{name}: {expr} is {value}, got {outputs[f'check_{i}']}"
             for i, (module, name, expr, value) in enumerate(EXAMPLES)
             if outputs[f"check_{i}"] != Truth(True)]
    assert not wrong, "\n".join(wrong)


def test_generated_reference_is_current() -> None:
    from click.testing import CliRunner

    from eqlang.cli import main

    result = CliRunner().invoke(main, ["doc", *map(str, STDLIB), "--output",
                                       str(ROOT / "docs" / "stdlib.md"), "--check"])
    assert result.exit_code == 0, (
        "docs/stdlib.md is out of date; run `eqlang doc stdlib/*.eq --output docs/stdlib.md`"
        + result.output)


# ---- the metrics against formulas computed here ---------------------------------------------

# COL 2024 in A, groups with data (denominator >= 30): White 400/500, Black 120/200,
# Asian 45/60, Hispanic 70/100. AIAN (8 members) is below the minimum; NHPI, MENA are absent.
COL_GROUPS = {"White": (400, 500), "Black": (120, 200), "Asian": (45, 60), "Hispanic": (70, 100)}
# HBD 2024 in A (lower is better, no minimum): Asian's rate is 0%.
HBD_GROUPS = {"White": (100, 500), "Black": (60, 200), "Asian": (0, 40), "Hispanic": (30, 100)}


def _rates(groups: dict[str, tuple[int, int]]) -> dict[str, Decimal]:
    return {g: PRECISE.divide(Decimal(n), Decimal(d)) for g, (n, d) in groups.items()}


def _pooled(groups: dict[str, tuple[int, int]]) -> Decimal:
    return PRECISE.divide(Decimal(sum(n for n, _ in groups.values())),
                          Decimal(sum(d for _, d in groups.values())))


def _shares(groups: dict[str, tuple[int, int]]) -> dict[str, Decimal]:
    total = Decimal(sum(d for _, d in groups.values()))
    return {g: PRECISE.divide(Decimal(d), total) for g, (_, d) in groups.items()}


def expected_metrics(groups: dict[str, tuple[int, int]], higher_is_better: bool
                     ) -> dict[str, Decimal]:
    """The disparity metrics of domain notes' formulas, from the counts (as fractions)."""
    y, p, mu = _rates(groups), _shares(groups), _pooled(groups)
    j = len(groups)
    best = max(y.values()) if higher_is_better else min(y.values())
    to_best = {g: abs(best - r) for g, r in y.items()}
    theil = sum((p[g] * (y[g] / mu) * (y[g] / mu).ln(PRECISE) for g in y if y[g] != 0),
                Decimal(0))
    white = y["White"]
    others = [g for g in y if g != "White"]
    return {
        "mean_rate": sum(y.values(), Decimal(0)) / j,
        "weighted_mean_rate": mu,
        "variance": sum((p[g] * ((y[g] - mu) * 100) ** 2 for g in y), Decimal(0)),
        "index": sum((abs(r - mu) for r in y.values()), Decimal(0)) / j / mu,
        "index_to_reference": sum((abs(y[g] - white) for g in others), Decimal(0))
        / (j - 1) / white,
        "theil": theil,
        "best": best,
        "difference_from_best": sum(to_best.values(), Decimal(0)) / j,
        "weighted_difference_from_best": sum((p[g] * to_best[g] for g in y), Decimal(0)),
    }


METRICS = {
    "mean_rate": "disparity.mean_rate({m}, race, performance)",
    "weighted_mean_rate": "disparity.weighted_mean_rate({m}, race, performance)",
    "variance": "disparity.between_group_variance({m}, race, performance)",
    "index": "disparity.index_of_disparity({m}, race, performance)",
    "index_to_reference": "disparity.index_of_disparity_to_reference({m}, race, performance)",
    "theil": "disparity.theil_index({m}, race, performance)",
    "best": "disparity.best_rate({m}, race, performance)",
    "difference_from_best": "disparity.mean_difference_from_best({m}, race, performance)",
    "weighted_difference_from_best":
        "disparity.weighted_mean_difference_from_best({m}, race, performance)",
}


@pytest.mark.parametrize(("measure", "groups", "higher"), [
    ("COL", COL_GROUPS, True), ("HBD", HBD_GROUPS, False)])
def test_metrics_match_the_formulas(tmp_path: Path, measure: str,
                                    groups: dict[str, tuple[int, int]], higher: bool) -> None:
    expected = expected_metrics(groups, higher)
    values = _values(tmp_path, {k: v.format(m=measure) for k, v in METRICS.items()})
    for name, value in values.items():
        # Percents and points are stored as fractions; the variance is in squared points.
        assert close(magnitude(value), expected[name]), (name, value, expected[name])


def test_metric_values_by_hand(tmp_path: Path) -> None:
    """A few figures worked out on paper, in the units a reader sees."""
    values = _values(tmp_path, {
        "gap": "disparity.gap_to_reference(COL, Black, performance)",
        "relative": "disparity.relative_gap(COL, Black, performance)",
        "ratio": "disparity.rate_ratio(HBD, Black, performance)",
        "to_best": "disparity.gap_to_best(HBD, Hispanic, race, performance)",
        "coverage": "statistics.coverage(COL, race, performance)",
        "with_data": "statistics.groups_with_data(COL, race, performance)",
        "covered": "statistics.covered(COL, race, performance, 60%)",
        "closure": "payment.gap_closure_score(COL, Black, baseline, performance, 2 pp, 50%)",
    })
    # White 80%, Black 60%: a 20 pp gap, 25% of White's rate.
    assert magnitude(values["gap"]) == Decimal("0.20")
    assert close(magnitude(values["relative"]), Decimal("0.25"))
    # HBD: Black 30% against White 20%; Asian's 0% is the best rate, so Hispanic is 30 pp off.
    assert close(magnitude(values["ratio"]), Decimal("1.5"))
    assert magnitude(values["to_best"]) == Decimal("0.30")
    # 4 of SPD 15's 7 groups have data: 57.14...%, short of 60%.
    assert magnitude(values["with_data"]) == 4
    assert close(magnitude(values["coverage"]), Decimal(4) / 7)
    assert values["covered"] == Truth(False)
    # Black's gap to White: 78 - 50 = 28 pp in 2022, 20 pp in 2024: 8/28 closed, 4/7 of the
    # way to full credit at 50%.
    assert close(magnitude(values["closure"]), Decimal(4) / 7)


def wilson(successes: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval, in floating point, from its textbook form."""
    phat = successes / n
    centre = phat + z * z / (2 * n)
    spread = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


def test_wilson_interval(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "low": "statistics.wilson_lower(COL, Hispanic, baseline)",
        "high": "statistics.wilson_upper(COL, Hispanic, baseline)",
        "zero_low": "statistics.wilson_lower(HBD, Asian, performance)",
        "zero_high": "statistics.wilson_upper(HBD, Asian, performance)",
        "empty": "statistics.wilson_lower(COL, MENA, performance)",
        "worse": "statistics.clearly_worse(COL, Black, White, performance)",
        "not_worse": "statistics.clearly_worse(COL, Asian, White, performance)",
    })
    low, high = wilson(63.5, 100.25)
    assert abs(float(magnitude(values["low"])) - low) < 1e-12
    assert abs(float(magnitude(values["high"])) - high) < 1e-12
    # 0 of 40: the interval starts at 0 and still has width.
    assert abs(float(magnitude(values["zero_low"]))) < 1e-30
    assert abs(float(magnitude(values["zero_high"])) - wilson(0, 40)[1]) < 1e-12
    assert reason(values["empty"]) == "no members (denominator 0), so the rate has no interval"
    # Black 120/200 against White 400/500: far apart. Asian 45/60 (75%) overlaps White's.
    assert values["worse"] == Truth(True)
    assert values["not_worse"] == Truth(False)


def test_peer_thirds(tmp_path: Path) -> None:
    # Social-risk COL rates: A 70%, B 60%, C 75%, D 65%, E 70%. Five peers: a third is 5/3.
    # A and E tie at 70%: one peer (C) ahead, so their place's middle is 1.5, before 5/3: top
    # third. D: three ahead, middle 3.5, after 10/3: bottom third. B: middle 4.5, bottom.
    expressions = {"third": "payment.peer_third(COL, SocialRisk, performance)",
                   "peer_median": "payment.peer_median(COL, SocialRisk, performance)",
                   "cut": "payment.peer_cut(COL, SocialRisk, performance, 25%)",
                   "alone": "payment.peer_third(HBD, White, performance)"}
    thirds = {org: _values(tmp_path, expressions, org) for org in "ABCDE"}
    assert {org: magnitude(v["third"]) for org, v in thirds.items()} == {
        "A": 1, "B": -1, "C": 1, "D": -1, "E": 1}
    assert magnitude(thirds["A"]["peer_median"]) == Decimal("0.70")
    # The 25th percentile of 60, 65, 70, 70, 75 sits at position 1: 65%.
    assert magnitude(thirds["A"]["cut"]) == Decimal("0.65")
    assert reason(thirds["A"]["alone"]) == (
        "fewer than three organizations have data, so there are no thirds")
    assert reason(thirds["B"]["alone"]) == (
        "this organization has no data for the group, so it is not ranked")


def test_peer_thirds_tied_organizations_share_the_better_place(tmp_path: Path) -> None:
    # P 70%, Q and R 60%: Q and R share second place of three, the middle third, although
    # no peer does worse than either.
    rows = "".join(f"{org},COL,Social risk factor,2024,{numerator},100\n"
                   for org, numerator in {"P": 70, "Q": 60, "R": 60}.items())
    table = "org,measure,group,period,numerator,denominator\n" + rows
    body = "output third: number = payment.peer_third(COL, SocialRisk, performance) not rounded\n"
    thirds = {org: magnitude(_settle(tmp_path, body, table, org).outputs()[org]["third"])
              for org in "PQR"}
    assert thirds == {"P": 1, "Q": 0, "R": 0}


@pytest.mark.parametrize(("rates", "expected"), [
    ((70, 65, 60, 55), (1, 0, 0, -1)),
    ((70, 65, 60, 55, 50, 45, 40), (1, 1, 0, 0, 0, -1, -1)),
    ((70, 70, 60, 55), (1, 1, 0, -1)),
], ids=["four", "seven", "four-with-a-tie"])
def test_peer_thirds_split_as_evenly_as_the_count_allows(
        tmp_path: Path, rates: tuple[int, ...], expected: tuple[int, ...]) -> None:
    # A place is in the top third when its middle (places ahead + 1/2) comes before a third
    # of the ranking. Four peers: middles 0.5, 1.5, 2.5, 3.5 against cuts 4/3 and 8/3.
    # Seven: middles 0.5 ... 6.5 against 7/3 and 14/3, so two, three and two.
    orgs = "ABCDEFG"[:len(rates)]
    rows = "".join(f"{org},COL,Social risk factor,2024,{rate},100\n"
                   for org, rate in zip(orgs, rates, strict=True))
    table = "org,measure,group,period,numerator,denominator\n" + rows
    body = "output third: number = payment.peer_third(COL, SocialRisk, performance) not rounded\n"
    thirds = tuple(magnitude(_settle(tmp_path, body, table, org).outputs()[org]["third"])
                   for org in orgs)
    assert thirds == expected


# ---- not scored, because ... ------------------------------------------------------------------


def test_metrics_without_data_are_not_scored_with_a_reason(tmp_path: Path) -> None:
    values = _values(tmp_path, {k: v.format(m="CBP") for k, v in METRICS.items()})
    reasons = {name: reason(value) for name, value in values.items()}
    assert reasons["mean_rate"] == "no group of the stratification has data on this measure"
    assert reasons["index"] == "fewer than two groups of the stratification have data"
    assert reasons["index_to_reference"] == "no group other than the reference has data"
    assert reasons["theil"] == "fewer than two groups of the stratification have data"


ZERO_TABLE = TABLE + """\
A,BCS,ALL,2024,0,500
A,BCS,White,2024,0,300
A,BCS,Black or African American,2024,0,150
"""


def test_zero_rates_are_not_scored_not_divided_by(tmp_path: Path) -> None:
    # BCS: White and Black both at 0 of their members.
    outputs = _settle(tmp_path, """\
        measure BCS from hedis
        output index: percent = disparity.index_of_disparity(BCS, race, performance) not rounded
        output index_ref: percent =
          disparity.index_of_disparity_to_reference(BCS, race, performance) not rounded
        output theil: number = disparity.theil_index(BCS, race, performance) not rounded
        output relative: percent = disparity.relative_gap(BCS, Black, performance) not rounded
        output variance: number =
          disparity.between_group_variance(BCS, race, performance) not rounded
        """, ZERO_TABLE).outputs()["A"]
    assert reason(outputs["index"]) == "every group's rate is 0%, so the index is undefined"
    assert reason(outputs["index_ref"]) == (
        "1 of 1 items not scored; first: the reference group's rate is 0%, so a relative "
        "distance is undefined")
    assert reason(outputs["theil"]) == "every group's rate is 0%, so the Theil index is undefined"
    assert reason(outputs["relative"]) == (
        "the reference group's rate is 0%, so a relative gap is undefined")
    assert magnitude(outputs["variance"]) == 0


# ---- total on any table -------------------------------------------------------------------------

PROPERTY_BODY = """\
output index(m: measure): percent = disparity.index_of_disparity(m, race, performance) not rounded
output index_ref(m: measure): percent =
  disparity.index_of_disparity_to_reference(m, race, performance) not rounded
output theil(m: measure): number = disparity.theil_index(m, race, performance) not rounded
output variance(m: measure): number =
  disparity.between_group_variance(m, race, performance) not rounded
output from_best(m: measure): pp =
  disparity.weighted_mean_difference_from_best(m, race, performance) not rounded
output low(g: group): percent = statistics.wilson_lower(COL, g, performance) not rounded
output high(g: group): percent = statistics.wilson_upper(COL, g, performance) not rounded
output closure(g: group): number =
  payment.gap_closure_score(COL, g, baseline, performance, 2 pp, 50%) not rounded
output third(m: measure): number = payment.peer_third(m, SocialRisk, performance) not rounded
"""


def _property_contract(tmp: Path) -> object:
    path = tmp / "property.eq"
    path.write_text(HEADER + "\n" + PROPERTY_BODY, encoding="utf-8")
    return load_contract(str(path))


@pytest.fixture(scope="module")
def property_contract(tmp_path_factory: pytest.TempPathFactory) -> object:
    return _property_contract(tmp_path_factory.mktemp("property"))


def test_metrics_are_total_on_generated_tables(property_contract: object) -> None:
    program = property_contract

    @settings(max_examples=30, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(tables_for(program))  # type: ignore[arg-type]
    def check(tables: TableSet) -> None:
        for org, result in settle(program, tables).outputs().items():  # type: ignore[arg-type]
            for name, per in result.items():
                assert isinstance(per, dict)
                for key, value in per.items():
                    if isinstance(value, NotScored):
                        assert value.reason, (org, name, key)
                        continue
                    x = magnitude(value)
                    assert x.is_finite(), (org, name, key, x)
                    if name in ("index", "index_ref", "variance", "from_best"):
                        assert x >= 0, (org, name, key, x)
                    if name == "theil":
                        assert x > Decimal("-1e-30"), (org, name, key, x)
                    if name in ("low", "high"):
                        assert x > Decimal("-1e-30") and x - 1 < Decimal("1e-30"), x
                    if name == "closure":
                        assert 0 <= x <= 1
                    if name == "third":
                        assert x in (-1, 0, 1)
            for key, low in result["low"].items():  # type: ignore[union-attr]
                high = result["high"][key]  # type: ignore[index]
                if isinstance(low, Quantity):
                    assert isinstance(high, Quantity) and low.magnitude <= high.magnitude

    check()


#: Every stdlib definition that reads the measure table, against groups compared with each
#: kind of reference; a definition of a measure and a group is counted over the measures, so
#: that an output can hold it.
EVERY_REFERENCE = HEADER[:HEADER.index("stratification race")] + """\
stratification race
  groups White, Black, Asian
  reference White
end

stratification ethnicity
  groups Latino, NotLatino
  reference best performing group
  focus Latino
end

stratification language
  groups NonEnglish
  reference rest of population
end

stratification area
  groups Deprived
  reference whole population
end

stratification income
  groups Low, Middle, High
  ordered least advantaged first
  reference best performing group
end
"""
PER_MEASURE = {
    "coverage": "statistics.coverage(m, race, performance)",
    "covered": "statistics.covered(m, ethnicity, performance, 50%)",
    "best": "disparity.best_rate(m, ethnicity, performance)",
    "mean_rate": "disparity.mean_rate(m, race, performance)",
    "weighted": "disparity.weighted_mean_rate(m, race, performance)",
    "variance": "disparity.between_group_variance(m, race, performance)",
    "index": "disparity.index_of_disparity(m, race, performance)",
    "index_ref": "disparity.index_of_disparity_to_reference(m, race, performance)",
    "index_best": "disparity.index_of_disparity_to_reference(m, ethnicity, performance)",
    "theil": "disparity.theil_index(m, race, performance)",
    "from_best": "disparity.mean_difference_from_best(m, race, performance)",
    "weighted_from_best": "disparity.weighted_mean_difference_from_best(m, race, performance)",
    "leveled": "payment.leveled_down(m, baseline, performance, 1 pp)",
    "variance_se": "disparity.between_group_variance_standard_error(m, race, performance)",
    "variance_low": "disparity.between_group_variance_lower(m, race, performance, 95%)",
    "sd": "disparity.between_group_standard_deviation(m, race, performance)",
    "cv": "disparity.coefficient_of_variation(m, race, performance)",
    "weighted_index": "disparity.weighted_index_of_disparity(m, race, performance)",
    "from_mean": "disparity.mean_difference_from_mean(m, race, performance)",
    "weighted_from_mean": "disparity.weighted_mean_difference_from_mean(m, race, performance)",
    "from_reference": "disparity.weighted_mean_difference_from_reference(m, area, performance)",
    "theil_high": "disparity.theil_index_upper(m, race, performance, 95%)",
    "mld_low": "disparity.mean_log_deviation_lower(m, race, performance, 95%)",
    "par_low": "disparity.population_attributable_risk_lower(m, race, performance, 95%)",
    "par_best": "disparity.population_attributable_risk_upper(m, ethnicity, performance, 90%)",
    "paf_high": "disparity.population_attributable_fraction_upper(m, race, performance, 95%)",
    "paf_area": "disparity.population_attributable_fraction_lower(m, area, performance, 95%)",
    "sii_low": "gradient.slope_index_of_inequality_lower(m, income, performance, 95%)",
    "rii_high": "gradient.relative_index_of_inequality_upper(m, income, performance, 95%)",
    "aci_low": "gradient.absolute_concentration_index_lower(m, income, performance, 95%)",
    "rci_high": "gradient.relative_concentration_index_upper(m, income, performance, 95%)",
    "extreme_low": "gradient.extreme_difference_lower(m, income, performance, 95%)",
    "extreme_ratio": "gradient.extreme_ratio_upper(m, income, performance, 95%)",
    "unordered": "gradient.slope_index_of_inequality(m, race, performance)",
}
PER_GROUP = {
    "scorable": "statistics.scorable(m, g, baseline, performance, 30)",
    "wilson": "statistics.wilson_lower(m, g, performance)",
    "worse": "statistics.clearly_worse(m, g, White, performance)",
    "gap": "disparity.gap_to_reference(m, g, performance)",
    "relative": "disparity.relative_gap(m, g, performance)",
    "ratio": "disparity.rate_ratio(m, g, performance)",
    "to_best": "disparity.gap_to_best(m, g, race, performance)",
    "closure": "payment.gap_closure_score(m, g, baseline, performance, 2 pp, 50%)",
    "attainment": "payment.attainment_score(rate(m, g, performance), 60%, 75%)",
    "improvement": "payment.improvement_score(m, rate(m, g, baseline), "
                   "rate(m, g, performance), 75%)",
    "met": "payment.benchmark_or_improvement_met(m, rate(m, g, baseline), "
           "rate(m, g, performance), 75%, 10%)",
    "cut": "payment.peer_cut(m, g, performance, 67%)",
    "third": "payment.peer_third(m, g, performance)",
    "guarded": "payment.guarded_score(1, m, g, baseline, performance, 1 pp)",
    "gap_low": "disparity.gap_lower(m, g, performance, 95%)",
    "significant": "disparity.gap_significant(m, g, performance, 90%)",
    "ratio_low": "disparity.rate_ratio_lower(m, g, performance, 95%)",
    "relative_high": "disparity.relative_gap_upper(m, g, performance, 95%)",
    "best_low": "disparity.gap_to_best_lower(m, g, race, performance, 95%)",
    "income_best": "disparity.gap_to_best_upper(m, g, income, performance, 95%)",
    "reliable": "statistics.reliable_rate(m, g, performance, 20 pp, 95%)",
    "shrunk": "statistics.shrunk_rate(m, g, performance, 25)",
    "shrinkage": "statistics.shrinkage_weight(m, g, performance, 0)",
    "ridit": "gradient.ridit(m, g, income, performance)",
    "place": "position(g)",
}


def test_every_definition_settles_on_any_valid_table(tmp_path: Path) -> None:
    """No stdlib definition stops a settlement, whatever the table holds: organizations and
    groups with no members, rates of 0% and 100%, tiny and huge counts. What cannot be
    computed is not scored, with a reason."""
    outputs = [f"output {name}(m: measure): yesno = ({expr}) is scored not rounded"
               for name, expr in PER_MEASURE.items()]
    outputs += [f"output {name}(g: group): count =\n"
                f"  count(({expr}) is scored for each m in measures) not rounded"
                for name, expr in PER_GROUP.items()]
    path = tmp_path / "every.eq"
    path.write_text(EVERY_REFERENCE + "\n" + "\n\n".join(outputs) + "\n", encoding="utf-8")
    program = load_contract(str(path))

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(tables_for(program))
    def check(tables: TableSet) -> None:
        settle(program, tables)

    check()


def test_doc_command_orders_modules_and_reports_stale_output(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eqlang.cli import main

    (tmp_path / "base.eq").write_text(
        "# Base things.\n## A share.\nparameter share: percent = 10%\n", encoding="utf-8")
    (tmp_path / "alpha.eq").write_text(
        '# Alpha things.\nimport "base.eq" as base\n\n## Twice the share.\n'
        "## Example: alpha.double(10%) is 20%\n"
        "define double(x: percent): percent = x * 2\n", encoding="utf-8")
    out = tmp_path / "out.md"
    files = [str(tmp_path / "alpha.eq"), str(tmp_path / "base.eq")]
    runner = CliRunner()
    assert runner.invoke(main, ["doc", *files, "--output", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    # base is imported by alpha, so it comes first although alpha sorts first.
    assert text.index("## `base`") < text.index("## `alpha`")
    assert "define double(x: percent): percent" in text
    assert "alpha.double(10%)  # 20%" in text
    assert "| [`double`](#alphadouble) | function | a percent | Twice the share. |" in text
    out.write_text(text + "edited\n", encoding="utf-8")
    stale = runner.invoke(main, ["doc", *files, "--output", str(out), "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    # Modules of one's own are not the standard library.
    assert text.startswith("# Modules\n") and "Standard library" not in text


def test_doc_command_documents_a_contract_by_itself(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eqlang.cli import main

    out = tmp_path / "out.md"
    contract = str(ROOT / "contracts" / "reference-equity.eq")
    result = CliRunner().invoke(main, ["doc", contract, str(STDLIB[0]), "--output", str(out)])
    assert result.exit_code == 2
    assert "is a contract, documented by itself" in result.output
    assert not out.exists()
    assert CliRunner().invoke(main, ["doc", contract, "--output", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Reference equity contract\n")


def test_each_stdlib_module_checks_by_itself() -> None:
    """`eqlang check stdlib/groups.eq` checks the file as contracts import it: its
    stratifications are templates, several of which list the same races."""
    from click.testing import CliRunner

    from eqlang.cli import main

    result = CliRunner().invoke(main, ["check", *map(str, STDLIB)])
    assert result.exit_code == 0, result.output
    assert f"{ROOT / 'stdlib' / 'groups.eq'}: ok" in result.output


def test_doc_command_documents_only_modules_that_check(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eqlang.cli import main

    templates = tmp_path / "templates.eq"
    templates.write_text(textwrap.dedent("""\
        ## Race, two ways.
        stratification short "Race"
          groups Asian, White
          reference White
        end

        ## Race with more groups.
        stratification long "Race, in full"
          groups Asian, Black, White
          reference White
        end
        """), encoding="utf-8")
    result = CliRunner().invoke(main, ["doc", str(templates)])
    assert result.exit_code == 0, result.output
    assert "Race with more groups." in result.output
    broken = tmp_path / "broken.eq"
    broken.write_text("## Half of something.\ndefine half: money = 1 + 5%\n", encoding="utf-8")
    out = tmp_path / "out.md"
    result = CliRunner().invoke(main, ["doc", str(broken), "--output", str(out)])
    assert result.exit_code == 1
    assert f"{broken}:2:22: error[E0201]: cannot add a number and a percent" in result.output
    assert not out.exists()


def test_a_copy_of_the_standard_library_is_documented_as_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eqlang.cli import main

    # A checkout's stdlib/ when the installed package reads its own copy: still the
    # standard library. The same files in a folder of another name are one's own modules.
    for folder, title in (("stdlib", "# Standard library\n"), ("mine", "# Modules\n")):
        (tmp_path / folder).mkdir()
        files = []
        for module in STDLIB:
            files.append(str(tmp_path / folder / module.name))
            (tmp_path / folder / module.name).write_text(module.read_text(encoding="utf-8"),
                                                         encoding="utf-8")
        out = tmp_path / f"{folder}.md"
        assert CliRunner().invoke(main, ["doc", *files, "--output", str(out)]).exit_code == 0
        assert out.read_text(encoding="utf-8").startswith(title)
