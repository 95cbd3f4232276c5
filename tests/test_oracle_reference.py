"""Tests of the reference-contract oracle (tests/oracle_reference.py).

Part (a) pins the oracle's settlement of the shipped sample table to the figures worked out
step by step in docs/reference-hand-computation.md. Part (b) checks each term of the contract
on small hand-made tables whose results can be seen at a glance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

import pytest
from oracle_reference import FIELDS, MissingAllRow, load_csv, settle

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "contracts" / "reference-equity.csv"

D = Decimal

# --------------------------------------------------------------------------------------------
# (a) the shipped sample table
# --------------------------------------------------------------------------------------------

EXPECTED = {
    # Hand computation, section "Cape and Islands Care Network" of the doc (rates rounded to
    # 12 decimals, then every gap, closure and score written out): the Asian and Black COL
    # gaps and the Hispanic HBD gap widened (score 0), the small Asian CBP gap grew past 2 pp
    # (score 0) and the small Black HBD gap stayed within 2 pp (score 1).
    "Cape and Islands Care Network": {
        "payout": D("434575.48"),
        "measure_payout": {"COL": D("49345.25"), "CBP": D("185230.23"), "HBD": D("200000.00")},
    },
    # Hand computation, section "Harborview Health Partners" of the doc: most gaps closed by
    # half or more, so CBP earns full credit and COL and HBD nearly full credit (the Hispanic
    # gaps closed 36% and 45%).
    "Harborview Health Partners": {
        "payout": D("956901.01"),
        "measure_payout": {
            "COL": D("316661.36"),
            "CBP": D("350000.00"),
            "HBD": D("290239.65"),
        },
    },
    # Hand computation, section "Merrimack Valley ACO" of the doc: HBD has no focus group
    # with 30 members in both periods, so it is not scored and COL and CBP are rescaled from
    # 35% each to 50% each; Asian CBP (28.612 in 2024) is not scorable either.
    "Merrimack Valley ACO": {
        "payout": D("889722.48"),
        "measure_payout": {"COL": D("440373.50"), "CBP": D("449348.98"), "HBD": None},
    },
    # Hand computation, section "Pioneer Valley Physicians" of the doc: the CBP gaps closed
    # because the White rate fell, and the ALL rate fell by 3.97 pp, so CBP scores 0 but
    # still counts as scored (no rescaling).
    "Pioneer Valley Physicians": {
        "payout": D("524230.10"),
        "measure_payout": {"COL": D("254346.97"), "CBP": D("0.00"), "HBD": D("269883.13")},
    },
}


def test_sample_table_settles_to_the_pinned_figures():
    result = settle(load_csv(SAMPLE))
    assert result == EXPECTED
    for org in EXPECTED:
        # Two decimal places exactly, not merely equal in value.
        assert result[org]["payout"].as_tuple().exponent == -2
        for amount in result[org]["measure_payout"].values():
            assert amount is None or amount.as_tuple().exponent == -2


def test_hand_computation_doc_lists_the_pinned_figures():
    doc = (ROOT / "docs" / "reference-hand-computation.md").read_text(encoding="utf-8")
    final = doc[doc.index("## Final payouts") :]

    def dollars(cell):
        cell = cell.strip().strip("*")
        return None if cell == "not scored" else D(cell.lstrip("$").replace(",", ""))

    for org, expected in EXPECTED.items():
        (line,) = [ln for ln in final.splitlines() if ln.startswith(f"| {org} |")]
        cells = line.split("|")[2:6]
        assert [dollars(c) for c in cells[:3]] == list(expected["measure_payout"].values())
        assert dollars(cells[3]) == expected["payout"]


def test_sample_table_is_well_formed():
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(FIELDS)
    rows = load_csv(SAMPLE)
    keys = [(r["org"], r["measure"], r["group"], r["period"]) for r in rows]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert {k[0] for k in keys} == set(EXPECTED)
    assert {k[1] for k in keys} == {"COL", "CBP", "HBD"}
    assert {k[2] for k in keys} == {
        "Asian",
        "Black",
        "Hispanic",
        "White",
        "Other",
        "Unknown",
        "ALL",
    }
    assert {k[3] for k in keys} == {"2022", "2024"}

    cells = {k: (r["numerator"], r["denominator"]) for k, r in zip(keys, rows, strict=True)}
    for num, den in cells.values():
        assert D(0) <= num <= den
    for org, measure, group, period in keys:
        if group != "ALL":
            continue
        members = [
            v
            for k, v in cells.items()
            if k[:2] == (org, measure) and k[3] == period and k[2] != "ALL"
        ]
        all_num, all_den = cells[(org, measure, group, period)]
        assert all_num >= sum(n for n, _ in members)
        assert all_den >= sum(d for _, d in members)

    # Imputed membership gives fractional counts, and some focus group is too small to score.
    assert any(den != den.to_integral_value() for _, den in cells.values())
    assert any(den < 30 for k, (_, den) in cells.items() if k[2] in {"Asian", "Black", "Hispanic"})


# --------------------------------------------------------------------------------------------
# (b) hand-made tables
# --------------------------------------------------------------------------------------------

ORG = "Test Org"


def table(spec=None, org=ORG, omit_all=()):
    """Rows of one organization.

    ``spec`` maps measure -> group -> (baseline cell, performance cell). A cell is either a
    percentage string ("70" stands for 70/100) or a (numerator, denominator) pair. Measures
    that ``spec`` leaves out get only ALL rows, so they have no scorable focus group. Unless
    ``spec`` gives them, ALL rows are 50/100 in both periods. ``omit_all`` lists
    (measure, period) pairs whose ALL row is left out.
    """
    spec = spec or {}
    rows = []
    for measure in ("COL", "CBP", "HBD"):
        groups = dict(spec.get(measure, {}))
        groups.setdefault("ALL", ("50", "50"))
        for group, cells in groups.items():
            for period, cell in zip(("2022", "2024"), cells, strict=True):
                if group == "ALL" and (measure, period) in omit_all:
                    continue
                num, den = (D(cell), D(100)) if isinstance(cell, str) else map(D, cell)
                rows.append((org, measure, group, period, num, den))
    return rows


def col_only(**groups):
    """A table where only COL can be scored, so COL carries 100% of the pool."""
    return table({"COL": {"White": ("70", "70"), **groups}})


def only(rows):
    return settle(rows)[ORG]


@pytest.mark.parametrize(
    "black",
    [
        # Baseline gap exactly 2 pp is "small"; performance gap 1.9 pp is within 2 pp -> 1.
        # (Closure would have given only (2 - 1.9) / 2 / 50% = 0.1.)
        ("68", "68.1"),
        # Baseline gap 1.5 pp, performance gap exactly 2 pp: still within 2 pp -> 1.
        ("68.5", "68"),
    ],
)
def test_small_baseline_gap_kept_small_scores_one(black):
    result = only(col_only(Black=black))
    assert result["measure_payout"]["COL"] == D("1000000.00")
    assert result["payout"] == D("1000000.00")


def test_small_baseline_gap_grown_past_two_scores_zero():
    # Baseline gap 1.5 pp, performance gap 2.01 pp -> 0; COL is still scored.
    result = only(col_only(Black=("68.5", "67.99")))
    assert result["measure_payout"] == {"COL": D("0.00"), "CBP": None, "HBD": None}
    assert result["payout"] == D("0.00")


def test_negative_gap_counts_as_zero():
    # The group does better than White in both periods: gap 0 -> small gap kept -> 1.
    assert only(col_only(Black=("75", "73")))["payout"] == D("1000000.00")


@pytest.mark.parametrize(
    ("performance", "expected"),
    [
        ("65", "1000000.00"),  # gap 10 -> 5: closure exactly 50% -> full credit
        ("64", "800000.00"),  # gap 10 -> 6: closure 40% -> 0.8
        ("69", "1000000.00"),  # gap 10 -> 1: closure 90% -> 1.8, clamped to 1
        ("72", "1000000.00"),  # group overtakes White: gap 0, closure 100% -> 1
        ("60", "0.00"),  # gap unchanged: closure 0 -> 0
        ("58", "0.00"),  # gap 10 -> 12: widened, closure -20% -> clamped to 0
    ],
)
def test_closure_scores(performance, expected):
    # White 70% in both periods, Black 60% at baseline.
    result = only(col_only(Black=("60", performance)))
    assert result["measure_payout"]["COL"] == D(expected)
    assert result["payout"] == D(expected)


def test_lower_is_better_gap_is_group_minus_reference():
    # HBD only: White 24%. Hispanic 32 -> 28: gap 8 -> 4, closure 50% -> 1.
    # Black 32 -> 30: gap 8 -> 6, closure 25% -> 0.5. Mean 0.75.
    # Asian 20 -> 30 sits below White at baseline (gap 0, small) and 6 pp above after -> 0.
    rows = table(
        {
            "HBD": {
                "White": ("24", "24"),
                "Hispanic": ("32", "28"),
                "Black": ("32", "30"),
            }
        }
    )
    assert only(rows)["measure_payout"]["HBD"] == D("750000.00")
    rows = table({"HBD": {"White": ("24", "24"), "Asian": ("20", "30")}})
    assert only(rows)["measure_payout"]["HBD"] == D("0.00")


def test_measure_score_is_mean_over_scorable_groups_only():
    # Black closes 50% (1), Hispanic closes 25% (0.5); Asian is too small in 2024
    # (29.999 < 30), so its full closure is ignored: mean (1 + 0.5) / 2 = 0.75
    # (with Asian it would have been 2.5 / 3).
    result = only(
        col_only(
            Black=("60", "65"),
            Hispanic=("60", "62.5"),
            Asian=(("18", "30"), ("20.9993", "29.999")),
        )
    )
    assert result["payout"] == D("750000.00")


def test_mean_of_three_groups_rounds_to_the_cent():
    # Scores 1, 0 and 0 -> 1/3; pool x 1/3 = 333333.333... -> 333333.33.
    result = only(col_only(Black=("60", "65"), Hispanic=("60", "60"), Asian=("60", "58")))
    assert result["payout"] == D("333333.33")


def test_scorable_needs_thirty_in_both_periods_for_group_and_reference():
    black = (("18", "30"), ("21", "30"))  # exactly 30: scorable; gap 10 -> 0 -> 1
    white = ("70", "70")
    assert only(table({"COL": {"White": white, "Black": black}}))["payout"] == D("1000000.00")
    # The same group at 29 in the baseline is not scorable: COL is not scored at all.
    small = (("17.4", "29"), ("21", "30"))
    assert only(table({"COL": {"White": white, "Black": small}}))["measure_payout"]["COL"] is None
    # A reference group under 30 in one period makes every focus group unscorable.
    small_white = (("70", "100"), ("20.3", "29"))
    result = only(table({"COL": {"White": small_white, "Black": black}}))
    assert result["measure_payout"]["COL"] is None
    # A group whose denominator is 0 is not scorable and does not enter the mean.
    zero = (("0", "0"), ("0", "0"))
    result = only(table({"COL": {"White": white, "Black": black, "Asian": zero}}))
    assert result["payout"] == D("1000000.00")


def test_group_without_rows_is_not_scorable():
    rows = [r for r in col_only(Black=("60", "70")) if not (r[2] == "Black" and r[3] == "2024")]
    assert only(rows)["measure_payout"]["COL"] is None


def test_unscored_measure_drops_out_and_weights_are_rescaled():
    # COL score 1 and CBP score 0.5; HBD has groups, all under 30 -> not scored.
    # Rescaled weights 35/70 = 50% each: 500000.00 + 250000.00.
    rows = table(
        {
            "COL": {"White": ("70", "70"), "Black": ("60", "70")},
            "CBP": {"White": ("75", "75"), "Black": ("65", "67.5")},
            "HBD": {
                "White": ("24", "24"),
                "Black": (("8", "29"), ("7", "29")),
                "Hispanic": (("9", "28.5"), ("8", "28.5")),
            },
        }
    )
    assert only(rows) == {
        "payout": D("750000.00"),
        "measure_payout": {"COL": D("500000.00"), "CBP": D("250000.00"), "HBD": None},
    }


def test_rescaled_weights_that_do_not_divide_evenly():
    # COL and HBD scored with score 1, CBP not: 35/65 and 30/65 of the pool.
    rows = table(
        {
            "COL": {"White": ("70", "70"), "Black": ("60", "70")},
            "HBD": {"White": ("24", "24"), "Black": ("30", "24")},
        }
    )
    assert only(rows) == {
        "payout": D("1000000.00"),
        "measure_payout": {"COL": D("538461.54"), "CBP": None, "HBD": D("461538.46")},
    }


def test_no_scored_measure_pays_zero():
    result = only(table())
    assert result == {
        "payout": D("0.00"),
        "measure_payout": {"COL": None, "CBP": None, "HBD": None},
    }
    assert str(result["payout"]) == "0.00"


def test_all_three_measures_at_full_score_pay_the_pool():
    rows = table(
        {
            "COL": {"White": ("70", "70"), "Black": ("60", "70")},
            "CBP": {"White": ("75", "75"), "Hispanic": ("65", "70")},
            "HBD": {"White": ("24", "24"), "Asian": ("24", "24")},
        }
    )
    assert only(rows) == {
        "payout": D("1000000.00"),
        "measure_payout": {"COL": D("350000.00"), "CBP": D("350000.00"), "HBD": D("300000.00")},
    }


def leveling_table(cbp_all, hbd=None):
    spec = {
        "COL": {"White": ("70", "70"), "Black": ("60", "70")},
        "CBP": {"White": ("75", "70"), "Black": ("65", "66"), "ALL": cbp_all},
    }
    if hbd:
        spec["HBD"] = hbd
    return table(spec)


def test_leveling_down_zeroes_the_measure_but_keeps_it_scored():
    # CBP's gap closed 10 -> 4 (would score 1), but ALL fell 70 -> 68.99, 1.01 pp worse.
    # CBP pays 0 and keeps its weight: COL gets 50%, not 100%.
    assert only(leveling_table(("70", "68.99"))) == {
        "payout": D("500000.00"),
        "measure_payout": {"COL": D("500000.00"), "CBP": D("0.00"), "HBD": None},
    }


def test_leveling_down_needs_more_than_one_point():
    # ALL exactly 1 pp worse: not leveled down; CBP scores 1.
    assert only(leveling_table(("70", "69")))["measure_payout"]["CBP"] == D("500000.00")


def test_leveling_down_for_a_lower_is_better_measure():
    # HBD ALL rose 24 -> 25.5 (1.5 pp worse): HBD scores 0 though its gap closed.
    hbd = {"White": ("24", "24"), "Hispanic": ("32", "24"), "ALL": ("24", "25.5")}
    result = only(leveling_table(("70", "70"), hbd))
    assert result["measure_payout"]["HBD"] == D("0.00")
    # HBD ALL falling is an improvement, not leveling down.
    hbd["ALL"] = ("24", "20")
    result = only(leveling_table(("70", "70"), hbd))
    assert result["measure_payout"]["HBD"] == D("300000.00")


def test_unscored_measure_is_not_leveled_down():
    # HBD's ALL rate got much worse, but no HBD focus group is scorable: HBD stays unscored.
    hbd = {"White": ("24", "24"), "Black": (("9", "20"), ("9", "20")), "ALL": ("20", "30")}
    result = only(leveling_table(("70", "70"), hbd))
    assert result["measure_payout"]["HBD"] is None


@pytest.mark.parametrize("measure", ["COL", "CBP", "HBD"])
@pytest.mark.parametrize("period", ["2022", "2024"])
def test_missing_all_row_is_an_error(measure, period):
    # Even for a measure with no scorable focus group.
    with pytest.raises(MissingAllRow) as caught:
        settle(table(omit_all=[(measure, period)]))
    error = caught.value
    assert (error.org, error.measure, error.period) == (ORG, measure, period)
    assert ORG in str(error) and measure in str(error) and period in str(error)


def test_fractional_imputed_counts():
    # White 140.25/187 = 75% both periods; Black 97.5/150 = 65% -> 103.36/152 = 68%:
    # gap 10 -> 7 pp, closure 30%, score 0.6 -> 600000.00.
    rows = table(
        {
            "COL": {
                "White": (("140.25", "187"), ("140.25", "187")),
                "Black": (("97.5", "150"), ("103.36", "152")),
                "ALL": (("193.486", "300.5"), ("193.486", "300.5")),
            }
        }
    )
    assert only(rows)["payout"] == D("600000.00")


def test_half_a_cent_rounds_up():
    # Black 70% -> 70.000000025%: gap 10 -> 9.999999975 pp, closure 2.5e-9, score 5e-9;
    # pool x 100% x 5e-9 = 0.005 exactly -> 0.01 (banker's rounding would give 0.00).
    result = only(col_only(White=("80", "80"), Black=("70", "70.000000025")))
    assert result["measure_payout"]["COL"] == D("0.01")
    assert result["payout"] == D("0.01")
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_EVEN
        assert D("0.005").quantize(D("0.01")) == D("0.00")


def test_measure_payouts_are_rounded_before_they_are_summed():
    # COL and CBP each score 1e-8 with 50% weight: 0.005 each -> 0.01 each -> total 0.02.
    rows = table(
        {
            "COL": {"White": ("80", "80"), "Black": ("70", "70.00000005")},
            "CBP": {"White": ("80", "80"), "Hispanic": ("70", "70.00000005")},
        }
    )
    assert only(rows) == {
        "payout": D("0.02"),
        "measure_payout": {"COL": D("0.01"), "CBP": D("0.01"), "HBD": None},
    }


def test_other_groups_are_ignored():
    base = col_only(Black=("60", "64"))
    extra = table(
        {
            "COL": {
                "White": ("70", "70"),
                "Black": ("60", "64"),
                "Other": ("10", "90"),
                "Unknown": ("90", "10"),
                "Native Hawaiian or Pacific Islander": ("20", "20"),
            }
        }
    )
    assert only(base)["payout"] == only(extra)["payout"] == D("800000.00")


def test_organizations_are_settled_separately():
    rows = col_only(Black=("60", "70")) + table(org="Other Org")
    result = settle(rows)
    assert result[ORG]["payout"] == D("1000000.00")
    assert result["Other Org"]["payout"] == D("0.00")
    broken = col_only(Black=("60", "70")) + table(org="Other Org", omit_all=[("HBD", "2024")])
    with pytest.raises(MissingAllRow) as caught:
        settle(broken)
    assert caught.value.org == "Other Org"


def test_rows_as_dicts_or_tuples_with_string_or_int_counts():
    tuples = col_only(Black=("60", "64"))
    dicts = [
        dict(zip(FIELDS, (o, m, g, p, str(n), int(d)), strict=True)) for o, m, g, p, n, d in tuples
    ]
    assert settle(dicts) == settle(tuples)


def test_result_does_not_depend_on_the_callers_decimal_context():
    rows = col_only(Black=("60", "64"), Hispanic=("62.5", "66.1"), Asian=("61", "62"))
    expected = settle(rows)
    with localcontext() as ctx:
        ctx.prec = 4
        assert settle(rows) == expected


def test_bad_rows_are_rejected():
    rows = col_only(Black=("60", "64"))
    with pytest.raises(TypeError):
        settle([*rows[:-1], (*rows[-1][:4], 0.5, D(1))])
    with pytest.raises(ValueError, match="duplicate"):
        settle([*rows, rows[0]])
    with pytest.raises(ValueError):
        settle([*rows, (ORG, "COL", "Asian", "2022", D(5), D(4))])


def test_load_csv_checks_header_and_numbers(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        "org,measure,group,period,numerator,denominator\nA,COL,ALL,2022,193.486,812\n",
        encoding="utf-8",
    )
    assert load_csv(good) == [
        {
            "org": "A",
            "measure": "COL",
            "group": "ALL",
            "period": "2022",
            "numerator": D("193.486"),
            "denominator": D("812"),
        }
    ]
    bad_header = tmp_path / "bad_header.csv"
    bad_header.write_text("org,measure,group,period,num,den\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load_csv(bad_header)
    for number in ("1e3", "-5", "", " 12", "1."):
        bad = tmp_path / "bad.csv"
        bad.write_text(
            f"org,measure,group,period,numerator,denominator\nA,COL,ALL,2022,{number},900\n",
            encoding="utf-8",
        )
        with pytest.raises(ValueError, match="plain decimal"):
            load_csv(bad)
