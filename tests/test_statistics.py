"""Uncertainty, gradients and small numbers in the standard library, each figure against
an independent computation (tests/oracle_statistics.py: plain Python floats, the WHO's own
forms of the formulas, numerical derivatives for every delta-method error, the documented
simulation redone step by step), and the properties the metrics must have on any table.

The fixture is the standard library's (tests/test_stdlib.py): organization A's COL rates in
2024 are White 400/500, Black 120/200, Asian 45/60 and Hispanic 70/100 (AIAN's 8 members are
below COL's minimum denominator); HBD's (lower is better) are White 100/500, Black 60/200,
Asian 0/40 and Hispanic 30/100; the income quintiles' COL rates are 55, 62, 68, 74 and 80 of
100 each, from the lowest income to the highest.
"""

from __future__ import annotations

import decimal
import math
import re
from decimal import Decimal
from pathlib import Path

import mpmath
import oracle_statistics as o
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_stdlib import TABLE, _settle, _values, magnitude, reason

from eqlang.core import normal
from eqlang.core.values import NotScored, Quantity, Truth, Value

ORG = "A"
COL = [("White", 400, 500), ("Black or African American", 120, 200), ("Asian", 45, 60),
       ("Hispanic or Latino", 70, 100)]
HBD = [("White", 100, 500), ("Black or African American", 60, 200), ("Asian", 0, 40),
       ("Hispanic or Latino", 30, 100)]
INCOME = [(f"Income quintile {i}{suffix}", x, 100) for i, x, suffix in (
    (1, 55, " (lowest)"), (2, 62, ""), (3, 68, ""), (4, 74, ""), (5, 80, " (highest)"))]
Z95 = o.z_value(0.95)


def near(value: Value, expected: float, tolerance: float = 1e-12, scale: float = 1) -> bool:
    """A value (percent and points as fractions) within a relative tolerance of a float."""
    actual = float(magnitude(value)) * scale
    return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance * 1e-3)


def check(values: dict[str, Value], expected: dict[str, float], tolerance: float = 1e-12
          ) -> None:
    wrong = {name: (values[name], expected[name]) for name in expected
             if not near(values[name], expected[name], tolerance)}
    assert not wrong, wrong


# ---- the normal quantile -------------------------------------------------------------------


@pytest.mark.parametrize("share", ["0.975", "0.95", "0.5", "0.0000001", "1E-30", "0.999999",
                                   "0.3", "0.9999999999999999999999"])
def test_normal_quantile_matches_an_arbitrary_precision_library(share: str) -> None:
    context = decimal.Context(prec=34)
    found = normal.quantile(Decimal(share), context)
    # mpmath's distribution function at 60 digits, at the quantile found: the share back.
    mpmath.mp.dps = 60
    back = mpmath.ncdf(mpmath.mpf(str(found)))
    slope = mpmath.npdf(mpmath.mpf(str(found)))
    # One unit in the 34th digit of the quantile moves the share by slope × that unit.
    unit = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(mpmath.mpf(str(found))) or 1)) - 33)
    assert abs(back - mpmath.mpf(share)) <= slope * unit * 2 + mpmath.mpf(10) ** -58


def test_normal_deviate_is_within_its_documented_error() -> None:
    context = decimal.Context(prec=34)
    for k in range(1, 400):
        u = Decimal(k) / 400
        exact = normal.quantile(u, context)
        approximate = normal.deviate(u, context)
        assert abs(approximate - exact) <= Decimal("1.16e-9") * abs(exact) + Decimal("1e-30")
    assert abs(normal.deviate(Decimal("1e-38"), context)
               - normal.quantile(Decimal("1e-38"), context)) < Decimal("1e-7")


def test_z_value_exp_and_the_builtins(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "z95": "statistics.z_value(95%)",
        "z90": "statistics.z_value(90%)",
        "q": "normal_quantile(2.5%)",
        "e": "exp(1)",
        "e_ln": "exp(ln(7.5))",
    })
    mpmath.mp.dps = 50
    assert abs(magnitude(values["z95"]) - Decimal(str(mpmath.sqrt(2) * mpmath.erfinv(
        mpmath.mpf("0.95"))))) < Decimal("1e-32")
    assert abs(magnitude(values["z90"]) - Decimal("1.644853626951472714863848907991632")
               ) < Decimal("1e-32")
    assert magnitude(values["q"]) == magnitude(values["z95"]).copy_negate()
    assert magnitude(values["e"]) == decimal.Context(prec=34).exp(1)
    assert abs(magnitude(values["e_ln"]) - Decimal("7.5")) < Decimal("1e-32")


def test_a_level_outside_the_percent_range_stops_settlement(tmp_path: Path) -> None:
    from eqlang.diagnostics import EqlangError

    with pytest.raises(EqlangError) as caught:
        _values(tmp_path, {"z": "statistics.z_value(100%)"})
    assert "strictly between 0% and 100%, not 100%" in str(caught.value)


# ---- differences and ratios ------------------------------------------------------------------


def test_gap_and_ratio_errors_and_intervals(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "gap": "disparity.gap_to_reference(COL, Black, performance)",
        "gap_se": "disparity.gap_standard_error(COL, Black, performance)",
        "gap_low": "disparity.gap_lower(COL, Black, performance, 95%)",
        "gap_high": "disparity.gap_upper(COL, Black, performance, 95%)",
        "asian_low": "disparity.gap_lower(COL, Asian, performance, 95%)",
        "black_significant": "disparity.gap_significant(COL, Black, performance, 95%)",
        "asian_significant": "disparity.gap_significant(COL, Asian, performance, 95%)",
        "ratio_se": "disparity.rate_ratio_standard_error(HBD, Hispanic, performance)",
        "ratio_low": "disparity.rate_ratio_lower(HBD, Hispanic, performance, 90%)",
        "ratio_high": "disparity.rate_ratio_upper(HBD, Hispanic, performance, 90%)",
        "relative_se": "disparity.relative_gap_standard_error(COL, Black, performance)",
        "relative_low": "disparity.relative_gap_lower(COL, Black, performance, 95%)",
        "relative_high": "disparity.relative_gap_upper(COL, Black, performance, 95%)",
        "hbd_relative_low": "disparity.relative_gap_lower(HBD, Black, performance, 95%)",
        "zero_ratio_se": "disparity.rate_ratio_standard_error(HBD, Asian, performance)",
    })
    # By hand: White 80% of 500, Black 60% of 200. Gap 20 pp; variances 0.8·0.2/500 =
    # 0.00032 and 0.6·0.4/200 = 0.0012, so the error is √0.00152 = 3.8987 pp, and the 95%
    # interval 20 ± 1.95996 × 3.8987: 12.3587 to 27.6413 pp, above 0.
    se = math.sqrt(0.8 * 0.2 / 500 + 0.6 * 0.4 / 200)
    assert magnitude(values["gap"]) == Decimal("0.20")
    check(values, {"gap_se": se, "gap_low": 0.2 - Z95 * se, "gap_high": 0.2 + Z95 * se})
    assert near(values["gap_low"], 0.123587, 1e-5)
    # Asian 75% against 80%: a 5 pp gap, its interval 5 ± 1.96 × √(0.00032 + 0.003125)
    # reaches below 0, so it does not count.
    assert near(values["asian_low"], 0.05 - Z95 * math.sqrt(0.00032 + 0.75 * 0.25 / 60))
    assert values["black_significant"] == Truth(True)
    assert values["asian_significant"] == Truth(False)
    # HBD: Hispanic 30% of 100 against White 20% of 500.
    log_se = math.sqrt(0.7 / (100 * 0.3) + 0.8 / (500 * 0.2))
    z90 = o.z_value(0.90)
    check(values, {"ratio_se": log_se, "ratio_low": 1.5 * math.exp(-z90 * log_se),
                   "ratio_high": 1.5 * math.exp(z90 * log_se)})
    # The same error by differentiating ln(y_g / y_ref) numerically.
    assert math.isclose(log_se, o.delta_method(lambda y: math.log(y[0] / y[1]), [0.3, 0.2],
                                               [o.variance(0.3, 100), o.variance(0.2, 500)]),
                        rel_tol=1e-7)
    # COL, higher is better: relative gap 1 − 0.6/0.8 = 25%; its interval from the ratio's.
    ratio_se = math.sqrt(0.4 / (200 * 0.6) + 0.2 / (500 * 0.8))
    check(values, {"relative_se": 0.75 * ratio_se,
                   "relative_low": 1 - 0.75 * math.exp(Z95 * ratio_se),
                   "relative_high": 1 - 0.75 * math.exp(-Z95 * ratio_se)})
    hbd_se = math.sqrt(0.7 / (200 * 0.3) + 0.8 / (500 * 0.2))
    assert near(values["hbd_relative_low"], 1.5 * math.exp(-Z95 * hbd_se) - 1)
    assert reason(values["zero_ratio_se"]) == (
        "the group's rate is 0%, so the ratio has no logarithm")


def test_gap_to_best_error(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "black": "disparity.gap_to_best_standard_error(COL, Black, race, performance)",
        "white": "disparity.gap_to_best_standard_error(COL, White, race, performance)",
        "low": "disparity.gap_to_best_lower(COL, Black, race, performance, 95%)",
        "high": "disparity.gap_to_best_upper(COL, Black, race, performance, 90%)",
        "hbd": "disparity.gap_to_best_standard_error(HBD, Hispanic, race, performance)",
    })
    # COL: White's 80% is the best. Black's gap to it is the gap to the reference; White's
    # own gap is 0, without error.
    se = math.sqrt(0.8 * 0.2 / 500 + 0.6 * 0.4 / 200)
    check(values, {"black": se, "low": 0.2 - Z95 * se, "high": 0.2 + o.z_value(0.9) * se})
    assert magnitude(values["white"]) == 0
    # HBD: Asian's 0% is the best (lower is better) and its variance is 0.
    assert near(values["hbd"], math.sqrt(o.variance(0.3, 100)))


def test_tied_best_groups_share_the_best_rate(tmp_path: Path) -> None:
    table = TABLE + "A,BCS,White,2024,30,50\nA,BCS,Asian,2024,12,20\nA,BCS,Black or African " \
                    "American,2024,20,50\nA,BCS,ALL,2024,62,120\n"
    body = """\
        measure BCS from hedis
        output se: pp = disparity.gap_to_best_standard_error(BCS, Black, race, performance)
          not rounded
        """
    # White and Asian tie at 60%; Black is 40%. Against the tie, Black's error is
    # √(v_black + (¼)v_white + (¼)v_asian).
    outputs = _settle(tmp_path, body, table).outputs()[ORG]
    expected = math.sqrt(o.variance(0.4, 50) + 0.25 * o.variance(0.6, 50)
                         + 0.25 * o.variance(0.6, 20))
    assert near(outputs["se"], expected)  # type: ignore[arg-type]


# ---- between-group variance, Theil, MLD, and the measures by simulation ----------------------


def test_variance_theil_and_mean_log_deviation(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "bgv": "disparity.between_group_variance(COL, race, performance)",
        "bgv_se": "disparity.between_group_variance_standard_error(COL, race, performance)",
        "bgv_low": "disparity.between_group_variance_lower(COL, race, performance, 95%)",
        "bgv_high": "disparity.between_group_variance_upper(COL, race, performance, 95%)",
        "theil_se": "disparity.theil_index_standard_error(COL, race, performance)",
        "theil_low": "disparity.theil_index_lower(COL, race, performance, 95%)",
        "theil_high": "disparity.theil_index_upper(COL, race, performance, 95%)",
        "mld_low": "disparity.mean_log_deviation_lower(COL, race, performance, 95%)",
        "hbd_theil_se": "disparity.theil_index_standard_error(HBD, race, performance)",
        "mld": "disparity.mean_log_deviation(COL, race, performance)",
        "mld_se": "disparity.mean_log_deviation_standard_error(COL, race, performance)",
        "mld_high": "disparity.mean_log_deviation_upper(COL, race, performance, 99%)",
        "hbd_mld": "disparity.mean_log_deviation(HBD, race, performance)",
        "sd": "disparity.between_group_standard_deviation(COL, race, performance)",
        "cv": "disparity.coefficient_of_variation(COL, race, performance)",
        "widx": "disparity.weighted_index_of_disparity(COL, race, performance)",
        "mdm": "disparity.mean_difference_from_mean(COL, race, performance)",
        "wmdm": "disparity.weighted_mean_difference_from_mean(COL, race, performance)",
        "wmdr": "disparity.weighted_mean_difference_from_reference(COL, race, performance)",
    })
    ys, ps, vs = o.rates(COL), o.shares(COL), o.variances(COL)
    bgv_se = o.bgv_standard_error(ys, ps, vs)
    theil_se = o.theil_standard_error(ys, ps, vs)
    mld, mld_se = o.mld(ys, ps), o.mld_standard_error(ys, ps, vs)
    mu = o.mean(ys, ps)
    check(values, {
        "bgv": o.bgv(ys, ps), "bgv_se": bgv_se,
        "bgv_low": o.bgv(ys, ps) - Z95 * bgv_se, "bgv_high": o.bgv(ys, ps) + Z95 * bgv_se,
        "theil_se": theil_se, "theil_low": o.theil(ys, ps) - Z95 * theil_se,
        "theil_high": o.theil(ys, ps) + Z95 * theil_se,
        "mld": mld, "mld_se": mld_se, "mld_high": mld + o.z_value(0.99) * mld_se,
        "mld_low": mld - Z95 * mld_se,
        "sd": math.sqrt(o.bgv(ys, ps)) / 100, "cv": math.sqrt(o.bgv(ys, ps)) / 100 / mu,
        "widx": o.weighted_index_of_disparity(ys, ps),
        "mdm": o.mean_difference_from_mean(ys, ps, weighted=False),
        "wmdm": o.mean_difference_from_mean(ys, ps, weighted=True),
        "wmdr": sum(p * abs(y - ys[0]) for p, y in zip(ps, ys, strict=True)),
    })
    # The delta-method errors once more, differentiating the metrics numerically.
    assert math.isclose(theil_se, o.delta_method(lambda y: o.theil(y, ps), ys, vs),
                        rel_tol=1e-6)
    assert math.isclose(mld_se, o.delta_method(lambda y: o.mld(y, ps), ys, vs), rel_tol=1e-6)
    # HBD has a group at 0%: the Theil index leaves its term out, the MLD is undefined.
    hy, hp, hv = o.rates(HBD), o.shares(HBD), o.variances(HBD)
    assert near(values["hbd_theil_se"], _theil_se_with_zero(hy, hp, hv))
    assert reason(values["hbd_mld"]) == (
        "a group's rate is 0%, so the mean log deviation is undefined")


def _theil_se_with_zero(ys: list[float], ps: list[float], vs: list[float]) -> float:
    """The WHO's Theil error where a group's rate is 0%: its variance is 0, so its term is 0
    (the WHO would substitute a tiny rate, whose term is as small)."""
    mu = o.mean(ys, ps)
    t = o.theil(ys, ps)
    return math.sqrt(sum(p * p * (math.log(y / mu) - t) ** 2 * v / (mu * mu)
                         for p, y, v in zip(ps, ys, vs, strict=True) if y > 0))


def test_population_attributable_risk_and_fraction(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "par": "disparity.population_attributable_risk(COL, race, performance)",
        "par_se": "disparity.population_attributable_risk_standard_error(COL, race, performance)",
        "par_low": "disparity.population_attributable_risk_lower(COL, race, performance, 95%)",
        "par_high": "disparity.population_attributable_risk_upper(COL, race, performance, 95%)",
        "paf_low": "disparity.population_attributable_fraction_lower(COL, race, performance,"
                   " 90%)",
        "paf": "disparity.population_attributable_fraction(COL, race, performance)",
        "paf_se": "disparity.population_attributable_fraction_standard_error(COL, race, "
                  "performance)",
        "paf_high": "disparity.population_attributable_fraction_upper(COL, race, performance,"
                    " 95%)",
        "hbd_par": "disparity.population_attributable_risk(HBD, race, performance)",
        "hbd_par_se": "disparity.population_attributable_risk_standard_error(HBD, race, "
                      "performance)",
    })
    ys, ps, vs = o.rates(COL), o.shares(COL), o.variances(COL)
    # White (the named reference) is the first group. COL: μ = 635/860; PAR = 80% − μ.
    par = o.par(ys, ps, 0, higher=True)
    par_se = o.delta_method(lambda y: o.par(y, ps, 0, True), ys, vs)
    paf_se = o.delta_method(lambda y: o.par(y, ps, 0, True) / o.mean(y, ps), ys, vs)
    mu = o.mean(ys, ps)
    check(values, {"par": par, "paf": par / mu, "par_low": par - Z95 * par_se,
                   "par_high": par + Z95 * par_se, "paf_high": par / mu + Z95 * paf_se,
                   "paf_low": par / mu - o.z_value(0.9) * paf_se}, 1e-7)
    check(values, {"par_se": par_se, "paf_se": paf_se}, 1e-6)
    assert near(values["par"], 0.8 - 635 / 860)
    # HBD (lower is better): μ − White's 20%, with White the reference.
    hy, hp, hv = o.rates(HBD), o.shares(HBD), o.variances(HBD)
    assert near(values["hbd_par"], o.par(hy, hp, 0, higher=False))
    assert near(values["hbd_par_se"], o.delta_method(lambda y: o.par(y, hp, 0, False), hy, hv),
                1e-6)


def test_population_attributable_risk_against_the_best_group(tmp_path: Path) -> None:
    # The social stratification compares with the rest of the population, so the risk
    # compares with its best-performing group, its only one: 0 pp, without error.
    values = _values(tmp_path, {
        "par": "disparity.population_attributable_risk(COL, social, performance)",
        "se": "disparity.population_attributable_risk_standard_error(COL, social, performance)",
    })
    assert reason(values["par"]) == "fewer than two groups of the stratification have data"
    assert reason(values["se"]) == "fewer than two groups of the stratification have data"


# ---- the WHO's conventions -------------------------------------------------------------------


def test_the_who_conventions_convert_as_documented(tmp_path: Path) -> None:
    """docs/statistics.md, section 6: each conversion from eqlang's metric to the WHO's,
    against the WHO's definition computed independently (tests/oracle_statistics.py)."""
    values = _values(tmp_path, {
        "gap": "disparity.gap_to_reference(COL, Black, performance)",
        "hbd_gap": "disparity.gap_to_reference(HBD, Black, performance)",
        "ratio": "disparity.rate_ratio(COL, Black, performance)",
        "ratio_low": "disparity.rate_ratio_lower(COL, Black, performance, 95%)",
        "ratio_high": "disparity.rate_ratio_upper(COL, Black, performance, 95%)",
        "hbd_ratio": "disparity.rate_ratio(HBD, Black, performance)",
        "index": "disparity.index_of_disparity_to_reference(COL, race, performance)",
        "theil": "disparity.theil_index(COL, race, performance)",
        "mld": "disparity.mean_log_deviation(COL, race, performance)",
        "hbd_theil": "disparity.theil_index(HBD, race, performance)",
        "rci": "gradient.relative_concentration_index(COL, income, performance)",
        "bgv": "disparity.between_group_variance(COL, race, performance)",
        "par": "disparity.population_attributable_risk(COL, race, performance)",
        "hbd_par": "disparity.population_attributable_risk(HBD, race, performance)",
        "whole": "rate(COL, ALL, performance)",
        "hbd_whole": "rate(HBD, ALL, performance)",
    })

    def x(name: str) -> float:
        return float(magnitude(values[name]))

    ys, ps = o.rates(COL), o.shares(COL)
    hy, hp = o.rates(HBD), o.shares(HBD)
    mu, hbd_mu = o.mean(ys, ps), o.mean(hy, hp)
    # The difference: the same where higher is better, its negative where lower is better.
    assert math.isclose(x("gap") * 100, o.who_difference(0.8, 0.6))
    assert math.isclose(-x("hbd_gap") * 100, o.who_difference(0.2, 0.3))
    # The disparity ratio is 1 / rate_ratio where higher is better, its interval 1/upper to
    # 1/lower; where lower is better it is rate_ratio itself.
    ratio, low, high = o.who_ratio(0.8, 500, 0.6, 200, 0.95)
    assert math.isclose(1 / x("ratio"), ratio)
    assert math.isclose(1 / x("ratio_high"), low, rel_tol=1e-12)
    assert math.isclose(1 / x("ratio_low"), high, rel_tol=1e-12)
    assert math.isclose(x("hbd_ratio"), o.who_ratio(0.3, 200, 0.2, 500, 0.95)[0])
    # The mean difference from the reference over all J = 4 groups, in points: the index
    # (in percent) × y_ref (in percent) × (J − 1) / J / 100.
    assert math.isclose(x("index") * 100 * 80 * 3 / 4 / 100,
                        o.who_mean_difference_from_reference(ys, 0), rel_tol=1e-12)
    # The Theil index and the mean log deviation times 1,000; a 0% group's term differs by
    # less than 10^-6 of its share.
    assert math.isclose(1000 * x("theil"), o.who_theil(ys, ps, mu), rel_tol=1e-12)
    assert math.isclose(1000 * x("mld"), o.who_mld(ys, ps, mu), rel_tol=1e-12)
    asian = hp[2]
    assert abs(o.who_theil(hy, hp, hbd_mu) / 1000 - x("hbd_theil")) < 1e-6 * asian
    # The relative concentration index times 100.
    assert math.isclose(100 * x("rci"), o.who_rci(o.rates(INCOME), o.shares(INCOME)),
                        rel_tol=1e-12)
    # About the whole population's rate c instead of the pooled mean μ.
    c, hbd_c = x("whole"), x("hbd_whole")
    assert (c, hbd_c) == (0.7, 0.25)
    assert math.isclose(x("bgv") + ((mu - c) * 100) ** 2, o.who_bgv(ys, ps, c), rel_tol=1e-12)
    assert math.isclose(1000 * (mu / c) * (x("theil") + math.log(mu / c)),
                        o.who_theil(ys, ps, c), rel_tol=1e-12)
    assert math.isclose(1000 * (x("mld") + math.log(c / mu)), o.who_mld(ys, ps, c),
                        rel_tol=1e-12)
    assert math.isclose((x("par") + (mu - c)) * 100, (0.8 - c) * 100, rel_tol=1e-12)
    assert math.isclose(((hbd_mu - hbd_c) - x("hbd_par")) * 100, (0.2 - hbd_c) * 100,
                        rel_tol=1e-12, abs_tol=1e-12)
    # The attributable risk: max(0, eqlang's) where higher is better, −max(0, eqlang's)
    # where lower is better; here the reference fares better than the mean in both.
    assert math.isclose(max(0.0, x("par")) * 100, o.who_par(0.8, mu, favourable=True))
    assert math.isclose(-max(0.0, x("hbd_par")) * 100, o.who_par(0.2, hbd_mu, favourable=False))
    assert o.who_par(0.8, 0.9, favourable=True) == 0 == o.who_par(0.2, 0.1, favourable=False)


# ---- gradients -----------------------------------------------------------------------------


def test_gradient_measures(tmp_path: Path) -> None:
    names = ["slope_index_of_inequality", "relative_index_of_inequality",
             "absolute_concentration_index", "relative_concentration_index",
             "extreme_difference", "extreme_ratio"]
    expressions = {}
    for name in names:
        expressions[name] = f"gradient.{name}(COL, income, performance)"
        expressions[name + "_se"] = f"gradient.{name}_standard_error(COL, income, performance)"
        expressions[name + "_low"] = f"gradient.{name}_lower(COL, income, performance, 95%)"
        expressions[name + "_high"] = f"gradient.{name}_upper(COL, income, performance, 95%)"
    values = _values(tmp_path, expressions)
    ys, ps, vs = o.rates(INCOME), o.shares(INCOME), o.variances(INCOME)
    # By hand: five quintiles of 100 members, shares 0.2, have ridits 0.1, 0.3, ..., 0.9, so
    # X − ½ is −0.4, −0.2, 0, 0.2, 0.4. With rates 55, 62, 68, 74, 80%, Σ p (X − ½) y =
    # 0.2 × 0.124 = 0.0248 over Σ p (X − ½)² = 0.08: a slope of 31 pp from the least
    # advantaged end of the order (ridit 0) to the most advantaged (ridit 1).
    assert o.ridits(ps) == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    sii = o.sii(ys, ps)
    assert sii == pytest.approx(0.31)
    expected = {
        "slope_index_of_inequality": sii,
        "relative_index_of_inequality": o.rii(ys, ps),
        "absolute_concentration_index": o.aci(ys, ps),
        "relative_concentration_index": o.rci(ys, ps),
        "extreme_difference": 0.80 - 0.55,
        "extreme_ratio": 0.80 / 0.55,
    }
    metrics = {
        "slope_index_of_inequality": lambda y: o.sii(y, ps),
        "relative_index_of_inequality": lambda y: math.log(o.rii(y, ps)),
        "absolute_concentration_index": lambda y: o.aci(y, ps),
        "relative_concentration_index": lambda y: o.rci(y, ps),
        "extreme_difference": lambda y: y[4] - y[0],
        "extreme_ratio": lambda y: math.log(y[4] / y[0]),
    }
    for name, value in expected.items():
        se = o.delta_method(metrics[name], ys, vs)
        assert near(values[name], value), name
        assert near(values[name + "_se"], se, 1e-6), name
        if name in ("relative_index_of_inequality", "extreme_ratio"):
            low, high = value * math.exp(-Z95 * se), value * math.exp(Z95 * se)
        else:
            low, high = value - Z95 * se, value + Z95 * se
        assert near(values[name + "_low"], low, 1e-6), name
        assert near(values[name + "_high"], high, 1e-6), name
    # The WHO's form of the relative concentration index's error agrees.
    assert near(values["relative_concentration_index_se"], o.rci_standard_error(ys, ps, vs))


def test_gradient_of_groups_listed_most_advantaged_first(tmp_path: Path) -> None:
    """The deprivation template lists the least deprived first: its order is reversed, so
    the same rates in the same order of advantage give the same measures."""
    rows = "".join(f"A,COL,{name},2024,{x},100\n" for name, x in (
        ("Least deprived quintile", 80), ("Deprivation quintile 2", 74),
        ("Deprivation quintile 3", 68), ("Deprivation quintile 4", 62),
        ("Most deprived quintile", 55)))
    body = """\
        stratification area from groups.deprivation_quintiles
        end
        output sii: pp = gradient.slope_index_of_inequality(COL, area, performance) not rounded
        output low: percent = gradient.least_advantaged_rate(COL, area, performance)
          not rounded
        output place: count = position(Deprivation5) not rounded
        """
    outputs = _settle(tmp_path, body, TABLE + rows).outputs()[ORG]
    assert near(outputs["sii"], 0.31)  # type: ignore[arg-type]
    assert magnitude(outputs["low"]) == Decimal("0.55")  # type: ignore[arg-type]
    assert magnitude(outputs["place"]) == 1  # type: ignore[arg-type]


def test_gradients_of_unordered_groups_are_not_scored(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "sii": "gradient.slope_index_of_inequality(COL, race, performance)",
        "aci": "gradient.absolute_concentration_index(COL, race, performance)",
        "ratio": "gradient.extreme_ratio(COL, race, performance)",
        "ridit": "gradient.ridit(COL, Black, race, performance)",
        "place": "position(Black)",
        "whole": "position(ALL)",
    })
    for name in ("sii", "aci", "ratio", "ridit"):
        assert reason(values[name]) == "the groups of the stratification are not declared ordered"
    assert reason(values["place"]) == "the groups of race are not declared ordered"
    assert reason(values["whole"]) == (
        "ALL is not a group of a stratification, so it has no place in an order")


# ---- small numbers --------------------------------------------------------------------------


def test_reliability_rule(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "black": "statistics.reliable(COL, Black, performance, 20 pp, 95%)",
        "asian": "statistics.reliable(COL, Asian, performance, 20 pp, 95%)",
        "aian": "statistics.reliable(COL, AIAN, performance, 20 pp, 95%)",
        "aian_wide": "statistics.reliable(COL, AIAN, performance, 70 pp, 95%)",
        "empty": "statistics.reliable(COL, MENA, performance, 20 pp, 95%)",
        "width": "statistics.wilson_width(COL, Asian, performance, 95%)",
        "dropped": "statistics.reliable_rate(COL, AIAN, performance, 20 pp, 95%)",
        "kept": "statistics.reliable_rate(COL, Black, performance, 20 pp, 95%)",
        "none": "statistics.reliable_rate(COL, MENA, performance, 20 pp, 95%)",
        "se": "statistics.rate_standard_error(COL, Black, performance)",
    })

    def width(x: float, n: float, z: float = Z95) -> float:
        phat = x / n
        return 2 * z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)

    # Black 120 of 200: 13.5 points wide. Asian 45 of 60: 21.4 points, too wide. AIAN 5 of
    # 8: 55.9 points, within 70 but not 20.
    assert width(120, 200) < 0.2 < width(45, 60) < width(5, 8) < 0.7
    assert values["black"] == Truth(True)
    assert values["asian"] == Truth(False)
    assert values["aian"] == Truth(False)
    assert values["aian_wide"] == Truth(True)
    assert values["empty"] == Truth(False)
    assert near(values["width"], width(45, 60))
    assert reason(values["dropped"]) == (
        "the group's rate is not reliable: its interval is as wide as the stated width or wider")
    assert magnitude(values["kept"]) == Decimal("0.6")
    assert reason(values["none"]) == (
        "the group has no members in this measure and period (denominator 0)")
    assert near(values["se"], math.sqrt(0.6 * 0.4 / 200))


def test_beta_binomial_shrinkage(tmp_path: Path) -> None:
    values = _values(tmp_path, {
        "aian": "statistics.shrunk_rate(COL, AIAN, performance, 20)",
        "own_share": "statistics.shrinkage_weight(COL, AIAN, performance, 20)",
        "white": "statistics.shrunk_rate(COL, White, performance, 20)",
        "none": "statistics.shrunk_rate(COL, MENA, performance, 20)",
        "own": "statistics.shrunk_rate(COL, AIAN, performance, 0)",
        "nothing": "statistics.shrunk_rate(COL, MENA, performance, 0)",
    })
    # AIAN 5 of 8, the organization 700 of 1000: with a strength of 20 members,
    # (5 + 20 × 0.7) / (8 + 20) = 19/28 = 67.857%, its own rate weighing 8/28.
    assert near(values["aian"], 19 / 28)
    assert near(values["own_share"], 8 / 28)
    assert near(values["white"], (400 + 14) / 520)
    # No members: the organization's rate itself; strength 0: the group's own.
    assert near(values["none"], 0.7)
    assert magnitude(values["own"]) == Decimal("0.625")
    assert reason(values["nothing"]) == "the group has no members and the shrinkage strength is 0"
    # The beta-binomial posterior mean, from its definition: Beta(κμ, κ(1 − μ)) prior.
    a, b = 20 * 0.7, 20 * 0.3
    assert math.isclose((a + 5) / (a + b + 8), 19 / 28)


# ---- the reference group's own reason --------------------------------------------------------


EMPTY_REFERENCE = TABLE + """\
A,BCS,White,2024,0,0
A,BCS,Black or African American,2024,4,10
A,BCS,Asian,2024,5,10
A,BCS,ALL,2024,9,20
"""


def test_an_empty_reference_group_is_named_as_such(tmp_path: Path) -> None:
    body = """\
        measure BCS from hedis
        output gap(g: group): pp = disparity.gap_to_reference(BCS, g, performance) not rounded
        output ratio(g: group): number = disparity.rate_ratio(BCS, g, performance) not rounded
        output relative(g: group): percent = disparity.relative_gap(BCS, g, performance)
          not rounded
        output se(g: group): pp = disparity.gap_standard_error(BCS, g, performance) not rounded
        """
    outputs = _settle(tmp_path, body, EMPTY_REFERENCE).outputs()[ORG]
    empty = "the reference group has no members in this measure and period (denominator 0)"
    for name in ("gap", "ratio", "relative", "se"):
        per = outputs[name]
        assert isinstance(per, dict)
        # Black has 10 members; the reason is about White, and not prefixed.
        assert reason(per["Black"]) == empty, name
        assert reason(per["Asian"]) == empty, name


def test_every_metric_against_an_empty_reference_names_it(tmp_path: Path) -> None:
    """Intervals, significance, the metrics over a stratification and a simulation all say
    that the reference group is empty, about a group that has members."""
    body = "measure BCS from hedis\n" + "".join(
        f"output {name}: {unit} = {expression} not rounded\n" for name, unit, expression in (
            ("gap_low", "pp", "disparity.gap_lower(BCS, Black, performance, 95%)"),
            ("gap_high", "pp", "disparity.gap_upper(BCS, Black, performance, 95%)"),
            ("significant", "yesno", "disparity.gap_significant(BCS, Black, performance, 95%)"),
            ("ratio_low", "number", "disparity.rate_ratio_lower(BCS, Black, performance, 95%)"),
            ("relative_high", "percent",
             "disparity.relative_gap_upper(BCS, Black, performance, 95%)"),
            ("simulated", "pp", "simulated lower(disparity.gap_to_reference(BCS, Black, "
                                "performance), level: 95%, draws: 20, seed: 1)"),
            ("index", "percent",
             "disparity.index_of_disparity_to_reference(BCS, race, performance)"),
            ("weighted", "pp",
             "disparity.weighted_mean_difference_from_reference(BCS, race, performance)"),
            ("par", "pp", "disparity.population_attributable_risk(BCS, race, performance)"),
            ("paf_low", "percent",
             "disparity.population_attributable_fraction_lower(BCS, race, performance, 95%)"),
        ))
    outputs = _settle(tmp_path, body, EMPTY_REFERENCE).outputs()[ORG]
    empty = "the reference group has no members in this measure and period (denominator 0)"
    for name in ("gap_low", "gap_high", "significant", "ratio_low", "relative_high",
                 "simulated"):
        assert reason(outputs[name]) == empty, name
    # Over the stratification: each group other than White is not scored for that reason.
    for name in ("index", "weighted"):
        assert reason(outputs[name]) == f"2 of 2 items not scored; first: {empty}", name
    for name in ("par", "paf_low"):
        assert reason(outputs[name]) == "the reference group has no data on this measure", name


# ---- simulation --------------------------------------------------------------------------------


def test_a_simulated_interval_is_the_documented_draws(tmp_path: Path) -> None:
    """The index of disparity's interval from 200 draws with seed 2024, redone from the
    documented method: SHA-256 uniforms, normal quantiles, rates drawn and clipped, the
    index per draw, the percentiles and the standard deviation of the draws."""
    values = _values(tmp_path, {
        "low": "simulated lower(disparity.index_of_disparity(COL, race, performance), "
               "level: 95%, draws: 200, seed: 2024)",
        "high": "simulated upper(disparity.index_of_disparity(COL, race, performance), "
                "level: 95%, draws: 200, seed: 2024)",
        "se": "simulated standard error(disparity.index_of_disparity(COL, race, performance), "
              "draws: 200, seed: 2024)",
        "gap_low": "simulated lower(disparity.gap_to_reference(COL, Black, performance), "
                   "level: 90%, draws: 300, seed: 7)",
    })
    low, high, se, left_out = o.simulate(
        lambda ys: o.index_of_disparity(ys, o.shares(COL)), COL, 2024, 200, "COL", "2024",
        0.95)
    assert left_out == 0
    # The deviates are Acklam's approximation of the quantiles the oracle computes exactly:
    # the two agree to about 10^-9.
    assert near(values["low"], low, 1e-7)
    assert near(values["high"], high, 1e-7)
    assert near(values["se"], se, 1e-7)
    assert values["se"].unit == "pp"  # type: ignore[union-attr]
    # The analytic error of a difference and the simulated one are close; the interval too.
    gap_low, _, _, _ = o.simulate(lambda ys: ys[0] - ys[1], COL[:2], 7, 300, "COL", "2024",
                                  0.90)
    assert near(values["gap_low"], gap_low, 1e-7)
    assert abs(gap_low - (0.2 - o.z_value(0.9) * math.sqrt(0.00152))) < 0.01


def _best_gaps(ys: list[float]) -> list[float]:
    return [max(ys) - y for y in ys]


#: The metrics without a standard error by formula, each restated in plain Python over the
#: drawn rates of COL's four groups (White, the reference, first), as fractions.
_BY_SIMULATION = {
    "index_of_disparity_to_reference":
        lambda ys, ps: sum(abs(y - ys[0]) for y in ys[1:]) / 3 / ys[0],
    "between_group_standard_deviation": lambda ys, ps: math.sqrt(o.bgv(ys, ps)) / 100,
    "coefficient_of_variation": lambda ys, ps: math.sqrt(o.bgv(ys, ps)) / 100 / o.mean(ys, ps),
    "weighted_index_of_disparity": o.weighted_index_of_disparity,
    "mean_difference_from_mean":
        lambda ys, ps: o.mean_difference_from_mean(ys, ps, weighted=False),
    "weighted_mean_difference_from_mean":
        lambda ys, ps: o.mean_difference_from_mean(ys, ps, weighted=True),
    "weighted_mean_difference_from_reference":
        lambda ys, ps: sum(p * abs(y - ys[0]) for p, y in zip(ps, ys, strict=True)),
    "mean_difference_from_best": lambda ys, ps: sum(_best_gaps(ys)) / len(ys),
    "weighted_mean_difference_from_best":
        lambda ys, ps: sum(p * g for p, g in zip(ps, _best_gaps(ys), strict=True)),
}


def test_the_metrics_without_a_formula_get_their_interval_by_simulation(
        tmp_path: Path) -> None:
    """Each metric without a standard error by formula: its simulated 90% interval and
    standard error from 60 draws, against the documented draws redone in plain Python."""
    expressions = {}
    for name in _BY_SIMULATION:
        options = "draws: 60, seed: 18"
        value = f"disparity.{name}(COL, race, performance)"
        expressions[name + "_low"] = f"simulated lower({value}, level: 90%, {options})"
        expressions[name + "_high"] = f"simulated upper({value}, level: 90%, {options})"
        expressions[name + "_se"] = f"simulated standard error({value}, {options})"
    values = _values(tmp_path, expressions)
    ps = o.shares(COL)
    for name, metric in _BY_SIMULATION.items():
        low, high, se, left_out = o.simulate(lambda ys, metric=metric: metric(ys, ps), COL,
                                             18, 60, "COL", "2024", 0.90)
        assert left_out == 0
        assert near(values[name + "_low"], low, 1e-7), name
        assert near(values[name + "_high"], high, 1e-7), name
        assert near(values[name + "_se"], se, 1e-7), name
        assert low < high, name


def test_a_simulation_is_the_same_every_time_and_moves_with_its_seed(tmp_path: Path) -> None:
    expressions = {f"s{seed}": "simulated standard error(disparity.theil_index(COL, race, "
                               f"performance), draws: 50, seed: {seed})" for seed in (1, 2)}
    first = _values(tmp_path, expressions)
    again = _values(tmp_path, expressions)
    assert first == again
    assert magnitude(first["s1"]) != magnitude(first["s2"])
    assert magnitude(first["s1"]) > 0


def test_draws_that_are_not_scored_are_left_out_and_counted(tmp_path: Path) -> None:
    # A reference at 1 of 3: some draws put it at 0%, where the ratio is not scored.
    table = TABLE + ("A,BCS,White,2024,1,3\nA,BCS,Black or African American,2024,10,20\n"
                     "A,BCS,ALL,2024,11,23\n")
    body = """\
        measure BCS from hedis
        define ratio_low: number =
          simulated lower(disparity.rate_ratio(BCS, Black, performance), level: 80%,
                          draws: 100, seed: 3)
        output shown: number = ratio_low not rounded
        """
    run = _settle(tmp_path, body, table)
    assert isinstance(run.outputs()[ORG]["shown"], Quantity)
    trace = run.trace()
    notes = [node.get("note", "") for node in trace["organizations"][ORG]["nodes"].values()]
    note = next(n for n in notes if "draws from seed 3" in n)
    skipped = sum(1 for draw in range(1, 101)
                  if o.drawn_rates([("White", 1, 3)], 3, draw, "BCS", "2024")[0] == 0)
    assert skipped > 0
    assert f"{skipped} of 100 draws were not scored and are left out (first: the reference " \
           "group's rate is 0%, so the ratio is undefined)" in note


# ---- properties on any rates --------------------------------------------------------------------

_ZERO_WHEN_EQUAL = [
    "disparity.between_group_variance(COL, race, performance)",
    "disparity.between_group_standard_deviation(COL, race, performance)",
    "disparity.coefficient_of_variation(COL, race, performance)",
    "disparity.weighted_index_of_disparity(COL, race, performance)",
    "disparity.mean_difference_from_mean(COL, race, performance)",
    "disparity.weighted_mean_difference_from_mean(COL, race, performance)",
    "disparity.weighted_mean_difference_from_reference(COL, race, performance)",
    "disparity.theil_index(COL, race, performance)",
    "disparity.mean_log_deviation(COL, race, performance)",
    "disparity.population_attributable_risk(COL, race, performance)",
    "disparity.population_attributable_fraction(COL, race, performance)",
    "gradient.slope_index_of_inequality(COL, income, performance)",
    "gradient.absolute_concentration_index(COL, income, performance)",
    "gradient.relative_concentration_index(COL, income, performance)",
    "gradient.extreme_difference(COL, income, performance)",
]
_ONE_WHEN_EQUAL = [
    "gradient.relative_index_of_inequality(COL, income, performance)",
    "gradient.extreme_ratio(COL, income, performance)",
]
_RELATIVE = [
    "disparity.coefficient_of_variation(COL, race, performance)",
    "disparity.weighted_index_of_disparity(COL, race, performance)",
    "disparity.theil_index(COL, race, performance)",
    "disparity.mean_log_deviation(COL, race, performance)",
    "disparity.population_attributable_fraction(COL, race, performance)",
    "gradient.relative_index_of_inequality(COL, income, performance)",
    "gradient.relative_concentration_index(COL, income, performance)",
]
_INTERVALS = [
    ("disparity.gap_to_reference(COL, Black, performance)",
     "disparity.gap_lower(COL, Black, performance, 95%)",
     "disparity.gap_upper(COL, Black, performance, 95%)"),
    ("disparity.rate_ratio(COL, Black, performance)",
     "disparity.rate_ratio_lower(COL, Black, performance, 95%)",
     "disparity.rate_ratio_upper(COL, Black, performance, 95%)"),
    ("disparity.theil_index(COL, race, performance)",
     "disparity.theil_index_lower(COL, race, performance, 95%)",
     "disparity.theil_index_upper(COL, race, performance, 95%)"),
    ("gradient.relative_index_of_inequality(COL, income, performance)",
     "gradient.relative_index_of_inequality_lower(COL, income, performance, 95%)",
     "gradient.relative_index_of_inequality_upper(COL, income, performance, 95%)"),
    ("gradient.slope_index_of_inequality(COL, income, performance)",
     "gradient.slope_index_of_inequality_lower(COL, income, performance, 95%)",
     "gradient.slope_index_of_inequality_upper(COL, income, performance, 95%)"),
]
_RACE = ["White", "Black or African American", "Asian", "Hispanic or Latino"]
_QUINTILES = [name for name, _, _ in INCOME]
def _metrics_body(expressions: list[str]) -> str:
    lines = []
    for i, e in enumerate(expressions):
        lines.append(f"define metric_{i} = {e}\n")
    return "".join(lines)


class _Metrics(tuple):  # type: ignore[type-arg]
    """The program and its metrics, shown briefly in hypothesis's reports (a program's own
    representation runs to megabytes)."""

    def __repr__(self) -> str:
        return "<the metrics program>"


@pytest.fixture(scope="module")
def metrics_program(tmp_path_factory: pytest.TempPathFactory) -> object:
    from test_stdlib import HEADER

    from eqlang.api import load_contract

    every = _ZERO_WHEN_EQUAL + _ONE_WHEN_EQUAL + [e for triple in _INTERVALS for e in triple]
    body = _metrics_body(every)
    program = load_contract(str(_write(tmp_path_factory.mktemp("types"), HEADER + "\n" + body)))
    outputs = "".join(f"output metric_{i}_value: {program.rules[f'metric_{i}'].type} = "
                      f"metric_{i} not rounded\n" for i in range(len(every)))
    path = _write(tmp_path_factory.mktemp("metrics"), HEADER + "\n" + body + outputs)
    return _Metrics((load_contract(str(path)), every))


def _write(folder: Path, text: str) -> Path:
    path = folder / "metrics.eq"
    path.write_text(text, encoding="utf-8")
    return path


def _table(rows: list[tuple[str, Decimal, Decimal]]) -> str:
    lines = ["org,measure,group,period,numerator,denominator"]
    total_n = sum((n for _, n, _ in rows), Decimal(0))
    total_d = sum((d for _, _, d in rows), Decimal(0))
    lines += [f"A,COL,{g},2024,{n},{d}" for g, n, d in rows]
    lines.append(f"A,COL,ALL,2024,{total_n},{total_d}")
    return "\n".join(lines) + "\n"


def _settled(program: object, table: str, folder: Path) -> dict[str, Value]:
    from eqlang.api import settle

    path = folder / "table.csv"
    path.write_text(table, encoding="utf-8")
    return settle(program, [str(path)]).outputs()[ORG]  # type: ignore[arg-type, return-value]


_denominators = st.integers(min_value=30, max_value=5000)
_shares = st.integers(min_value=1, max_value=99)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rate=_shares, sizes=st.lists(_denominators, min_size=9, max_size=9))
def test_metrics_vanish_when_every_group_has_the_same_rate(
        metrics_program: tuple[object, list[str]], tmp_path: Path, rate: int,
        sizes: list[int]) -> None:
    program, every = metrics_program
    groups = _RACE + _QUINTILES
    rows = [(g, Decimal(rate * d) / 100, Decimal(d)) for g, d in zip(groups, sizes, strict=True)]
    outputs = _settled(program, _table(rows), tmp_path)
    for i, expression in enumerate(every[:len(_ZERO_WHEN_EQUAL) + len(_ONE_WHEN_EQUAL)]):
        value = magnitude(outputs[f"metric_{i}_value"])
        target = 1 if expression in _ONE_WHEN_EQUAL else 0
        assert abs(value - target) < Decimal("1e-30"), (expression, value)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.tuples(_shares, _denominators), min_size=9, max_size=9),
       factor=st.integers(min_value=2, max_value=7))
def test_point_estimates_do_not_change_with_the_scale_of_the_counts(
        metrics_program: tuple[object, list[str]], tmp_path: Path,
        counts: list[tuple[int, int]], factor: int) -> None:
    """Multiplying every count by the same factor leaves each metric as it is (the shares
    and rates do not move), narrows each interval, and keeps each estimate inside it."""
    program, every = metrics_program
    groups = _RACE + _QUINTILES
    tables = []
    for k in (1, factor):
        tables.append([(g, Decimal(r * d * k) / 100, Decimal(d * k))
                       for g, (r, d) in zip(groups, counts, strict=True)])
    small, large = (_settled(program, _table(t), tmp_path) for t in tables)
    for i, expression in enumerate(every):
        a, b = small[f"metric_{i}_value"], large[f"metric_{i}_value"]
        if isinstance(a, NotScored):
            assert isinstance(b, NotScored), expression
            continue
        if any(expression == triple[0] for triple in _INTERVALS) or i < len(
                _ZERO_WHEN_EQUAL) + len(_ONE_WHEN_EQUAL):
            assert abs(magnitude(a) - magnitude(b)) <= Decimal("1e-28") * max(
                1, abs(magnitude(a))), expression
    offset = len(_ZERO_WHEN_EQUAL) + len(_ONE_WHEN_EQUAL)
    for j in range(len(_INTERVALS)):
        estimate, low, high = (offset + 3 * j + k for k in range(3))
        for outputs in (small, large):
            e, lo, hi = (outputs[f"metric_{x}_value"] for x in (estimate, low, high))
            if isinstance(e, Quantity) and isinstance(lo, Quantity):
                assert lo.magnitude <= e.magnitude <= hi.magnitude  # type: ignore[union-attr]
        widths = [outputs[f"metric_{high}_value"] for outputs in (small, large)]
        lows = [outputs[f"metric_{low}_value"] for outputs in (small, large)]
        if all(isinstance(v, Quantity) for v in (*widths, *lows)):
            narrow, wide = (magnitude(widths[k]) - magnitude(lows[k]) for k in (1, 0))
            # An interval of width 0 (every rate alike, say) stays so.
            assert narrow < wide or narrow == wide == 0, _INTERVALS[j]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.tuples(st.integers(min_value=2, max_value=98), _denominators),
                       min_size=9, max_size=9))
def test_relative_metrics_do_not_change_when_every_rate_is_halved(
        metrics_program: tuple[object, list[str]], tmp_path: Path,
        counts: list[tuple[int, int]]) -> None:
    program, every = metrics_program
    groups = _RACE + _QUINTILES
    tables = [[(g, Decimal(r * d) / 100 / k, Decimal(d)) for g, (r, d) in zip(
        groups, counts, strict=True)] for k in (1, 2)]
    whole, half = (_settled(program, _table(t), tmp_path) for t in tables)
    for i, expression in enumerate(every):
        if expression not in _RELATIVE:
            continue
        a, b = whole[f"metric_{i}_value"], half[f"metric_{i}_value"]
        if isinstance(a, NotScored):
            # A fitted line that reaches 0% still does when every rate is halved.
            assert b == a, expression
            continue
        assert abs(magnitude(a) - magnitude(b)) <= Decimal("1e-28") * max(
            1, abs(magnitude(a))), expression


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.tuples(st.integers(min_value=0, max_value=100), _denominators),
                       min_size=4, max_size=4),
       seed=st.integers(min_value=0, max_value=10**12))
def test_a_simulated_interval_is_ordered_and_repeatable(
        tmp_path: Path, counts: list[tuple[int, int]], seed: int) -> None:
    rows = "".join(f"A,BCS,{g},2024,{Decimal(r * d) / 100},{d}\n"
                   for g, (r, d) in zip(_RACE, counts, strict=True))
    total_d = sum(d for _, d in counts)
    table = TABLE + rows + f"A,BCS,ALL,2024,{total_d},{total_d}\n"
    body = f"""\
        measure BCS from hedis
        define value: number = disparity.theil_index(BCS, race, performance)
        output low: number =
          simulated lower(value, level: 80%, draws: 20, seed: {seed}) not rounded
        output high: number =
          simulated upper(value, level: 80%, draws: 20, seed: {seed}) not rounded
        output spread: number =
          simulated standard error(value, draws: 20, seed: {seed}) not rounded
        """
    first = _settle(tmp_path, body, table).outputs()[ORG]
    again = _settle(tmp_path, body, table).outputs()[ORG]
    assert first == again
    low, high, spread = (first[k] for k in ("low", "high", "spread"))
    if isinstance(low, Quantity):
        assert isinstance(high, Quantity) and isinstance(spread, Quantity)
        assert low.magnitude <= high.magnitude
        assert spread.magnitude >= 0
    else:
        assert isinstance(high, NotScored) and isinstance(spread, NotScored)


# ---- the generated reference ------------------------------------------------------------------

#: The metrics of issue 18: each, and each of its standard errors and bounds, states its
#: formula in its doc comment, so that docs/stdlib.md shows it.
_METRICS = [
    "disparity.gap_to_reference", "disparity.rate_ratio", "disparity.relative_gap",
    "disparity.gap_to_best", "disparity.index_of_disparity",
    "disparity.index_of_disparity_to_reference", "disparity.between_group_variance",
    "disparity.between_group_standard_deviation", "disparity.coefficient_of_variation",
    "disparity.weighted_index_of_disparity", "disparity.mean_difference_from_mean",
    "disparity.weighted_mean_difference_from_mean",
    "disparity.weighted_mean_difference_from_reference", "disparity.mean_difference_from_best",
    "disparity.weighted_mean_difference_from_best", "disparity.theil_index",
    "disparity.mean_log_deviation", "disparity.population_attributable_risk",
    "disparity.population_attributable_fraction", "disparity.weighted_mean_rate",
    "gradient.ridit", "gradient.slope_index_of_inequality",
    "gradient.relative_index_of_inequality", "gradient.absolute_concentration_index",
    "gradient.relative_concentration_index", "gradient.extreme_difference",
    "gradient.extreme_ratio", "statistics.rate_standard_error", "statistics.wilson_bound",
    "statistics.wilson_width", "statistics.shrunk_rate", "statistics.z_value",
]


def test_the_generated_reference_shows_every_formula() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "stdlib.md").read_text(
        encoding="utf-8")
    sections = dict(re.findall(r"^### `([\w.]+)`\n(.*?)(?=^### |\Z)", text,
                               flags=re.MULTILINE | re.DOTALL))
    wanted = [name for name in sections if name.rsplit(".", 1)[-1].endswith(
        ("_lower", "_upper", "_standard_error"))] + _METRICS
    formula = ("Σ", "√", "×", "/", "−", " - ", " + ", " = ", "exp(", "ln", "max", "min")
    missing = []
    for name in wanted:
        description = sections[name].split("```", 2)[-1].split("Example:")[0]
        if not any(sign in description for sign in formula):
            missing.append(name)
    assert not missing, missing
    # Every analytic metric of issue 18 has its error and both bounds.
    for metric in ("gap", "rate_ratio", "relative_gap", "gap_to_best", "between_group_variance",
                   "theil_index", "mean_log_deviation", "population_attributable_risk",
                   "population_attributable_fraction"):
        for suffix in ("standard_error", "lower", "upper"):
            assert f"disparity.{metric}_{suffix}" in sections, (metric, suffix)
    for metric in _METRICS:
        if metric.startswith("gradient.") and metric != "gradient.ridit":
            for suffix in ("standard_error", "lower", "upper"):
                assert f"{metric}_{suffix}" in sections, (metric, suffix)
