"""The sample measure tables of contracts/, built from public rates.

Run ``python tools/sample_tables.py`` to write them again; the output is byte-identical
every time (a seeded generator per table), and tests/test_contracts.py checks that the
shipped tables are exactly what this script writes.

Where the rates come from (percent; see the project's domain notes):

- Baseline (2022) rates of the four large groups are the published Blue Cross figures:
  controlling high blood pressure 2022, HbA1c poor control 2022, colorectal cancer
  screening 2019 (used as the 2022 level), and adolescent well-care visits 2019 (Black,
  Hispanic, White).
- Every other figure is an assumption of this script, marked ``assumed`` below: the rates
  of small groups (American Indian or Alaska Native, Native Hawaiian or Pacific Islander,
  Middle Eastern or North African), Asian members' well-care visits, the younger and older
  well-care age bands, members with social risk factors or underserved members, breast
  cancer screening, and each organization's offset, trend and gap closure.
- Performance-period (2024) rates move each group from its baseline by the organization's
  trend plus a share of the group's baseline gap to White (its "closure"), and a little
  noise. In some organizations care for White members gets 3 points worse on one measure
  (leveling down), which the contracts' guards must catch.
- Denominators follow each organization's size and mix of members; group counts are
  imputed (sums of membership probabilities), so they carry three decimals. The whole-
  population (ALL) row is a whole number at least the sum of the groups it contains.
- Neighborhood deprivation quintiles (deprivation-gradient.csv) split each ALL row: 96% of
  the members have an address that ranks, in shares that follow the organization's mix
  (assumed), and the rates fall from the least to the most deprived quintile by an assumed
  gradient that each organization narrows by its own share by 2024, around the ALL rate.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"

#: Published baseline rates, percent (domain notes).
PUBLISHED = {
    "CBP": {"Asian": 74.2, "Black": 66.1, "Hispanic": 69.0, "White": 74.7},
    "HBD": {"Asian": 21.8, "Black": 25.7, "Hispanic": 31.9, "White": 23.9},
    "COL": {"Asian": 67.0, "Black": 63.8, "Hispanic": 65.4, "White": 70.8},
    "WCV_12_17": {"Black": 68.9, "Hispanic": 70.3, "White": 80.2},
}

#: Assumed baseline rates where nothing is published, percent.
ASSUMED = {
    "CBP": {"AIAN": 65.0, "NHPI": 67.5, "MENA": 71.0, "Other": 70.5},
    "HBD": {"AIAN": 30.5, "NHPI": 29.0, "MENA": 26.0, "Other": 26.5},
    "COL": {"AIAN": 60.5, "NHPI": 62.0, "MENA": 66.0, "Other": 66.5},
    "BCS": {"Asian": 73.0, "Black": 70.5, "Hispanic": 69.5, "White": 75.5, "AIAN": 64.0,
            "NHPI": 66.0, "MENA": 71.0, "Other": 71.0},
    "WCV_12_17": {"Asian": 79.0, "AIAN": 66.0, "NHPI": 69.0, "MENA": 74.0, "Other": 74.0},
}
#: Assumed differences of the other well-care age bands from the adolescent band, pp.
AGE_BAND_SHIFT = {"WCV_3_11": 7.0, "WCV_18_21": -19.0}
#: Assumed gaps of members with social risk factors (or underserved members) to the
#: whole population, pp, oriented so that positive is worse care.
RISK_GAP = {"COL": 7.5, "CBP": 6.0, "HBD": 6.5, "BCS": 6.0}

#: How tables spell the groups; "Other" stands for every category a contract ignores.
SPD15 = {"Asian": "Asian", "Black": "Black or African American",
         "Hispanic": "Hispanic or Latino", "White": "White",
         "AIAN": "American Indian or Alaska Native",
         "NHPI": "Native Hawaiian or Pacific Islander",
         "MENA": "Middle Eastern or North African", "Other": "Unknown"}
OMB1997_RACE = {"Asian": "Asian", "Black": "Black or African American", "White": "White",
                "AIAN": "American Indian or Alaska Native",
                "NHPI": "Native Hawaiian or Other Pacific Islander", "Other": "Unknown"}
NCQA_RACE = {**OMB1997_RACE, "Other": "Some other race"}
NCQA_MISSING = {"Unknown": "Unknown", "Declined": "Asked but no answer",
                "Multiracial": "Two or more races"}

LOWER_IS_BETTER = {"HBD"}


def base_rate(measure: str, group: str) -> float:
    """The baseline rate of a group (percent): published, else assumed."""
    if measure in AGE_BAND_SHIFT:
        return base_rate("WCV_12_17", group) + AGE_BAND_SHIFT[measure]
    return PUBLISHED.get(measure, {}).get(group) or ASSUMED[measure][group]


def worse_by(measure: str, a: float, b: float) -> float:
    """How far rate a falls short of rate b, pp (positive when a is worse)."""
    return a - b if measure in LOWER_IS_BETTER else b - a


def better_by(measure: str, x: float) -> float:
    """A change of x pp toward better care, as a change in the rate."""
    return -x if measure in LOWER_IS_BETTER else x


@attrs.frozen
class Org:
    """An organization of a sample table and what happens to its rates."""

    name: str
    members: int  # members eligible for colorectal screening; other measures scale
    mix: dict[str, float]  # share of members by group (the rest is "Other")
    offset: float = 0.0  # pp better (+) or worse (-) than the published rates
    trend: float = 0.5  # pp change of every group's rate, baseline to performance
    closure: float = 0.3  # share of a group's baseline gap to White closed by 2024
    leveling_down: tuple[str, ...] = ()  # measures where White members' care gets worse
    risk_share: float = 0.3  # share with social risk factors (peer tables)
    risk_gap: float = 0.0  # extra pp of risk gap (positive is worse)


#: Members eligible for each measure per member eligible for colorectal screening.
ELIGIBLE = {"COL": 1.0, "CBP": 0.42, "HBD": 0.16, "BCS": 0.55, "WCV": 0.9,
            "WCV_3_11": 0.45, "WCV_12_17": 0.3, "WCV_18_21": 0.15}


class Table:
    """The rows of one sample table, with the seeded noise that makes them look measured."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.rows: list[tuple[str, str, str, str, Decimal, Decimal]] = []

    def noise(self, spread: float) -> float:
        return self.random.uniform(-spread, spread)

    def add(self, org: str, measure: str, group: str, period: str, rate: float,
            denominator: float, decimals: int = 3) -> tuple[Decimal, Decimal]:
        quantum = Decimal(1).scaleb(-decimals)
        den = Decimal(repr(max(denominator, 0.0))).quantize(quantum, ROUND_HALF_EVEN)
        share = min(max(rate, 0.0), 100.0) / 100
        num = min(den, Decimal(repr(float(den) * share)).quantize(quantum, ROUND_HALF_EVEN))
        self.rows.append((org, measure, group, period, num, den))
        return num, den

    def add_all(self, org: str, measure: str, period: str, parts: list[tuple[Decimal, Decimal]]
                ) -> tuple[Decimal, Decimal]:
        """The whole-population row: whole numbers, never below the groups it contains."""
        num = sum((n for n, _ in parts), Decimal(0))
        den = sum((d for _, d in parts), Decimal(0))
        whole_den = Decimal(math.ceil(den))
        whole_num = min(Decimal(math.ceil(num)), whole_den)
        self.rows.append((org, measure, "ALL", period, whole_num, whole_den))
        return whole_num, whole_den

    def text(self) -> str:
        lines = ["org,measure,group,period,numerator,denominator"]
        for org, measure, group, period, num, den in sorted(self.rows):
            quoted = [f'"{v}"' if "," in v else v for v in (org, measure, group, period)]
            lines.append(",".join([*quoted, _plain(num), _plain(den)]))
        return "\n".join(lines) + "\n"


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def rates(table: Table, org: Org, measure: str, group: str) -> dict[str, float]:
    """A group's rate in the baseline and the performance period."""
    base = base_rate(measure, group) + better_by(measure, org.offset) + table.noise(1.2)
    white = base_rate(measure, "White") + better_by(measure, org.offset)
    gap = max(0.0, worse_by(measure, base, white))
    change = org.trend + org.closure * gap
    if group == "White" and measure in org.leveling_down:
        change = -3.0
    after = base + better_by(measure, change) + table.noise(0.8)
    return {"2022": base, "2024": after}


def race_rows(table: Table, org: Org, measures: list[str], spelling: dict[str, str],
              extra: dict[str, str] | None = None, periods: tuple[str, ...] = ("2022", "2024")
              ) -> None:
    """Rows of one race and ethnicity standard, and the ALL rows they add up to."""
    extra = extra or {}
    for measure in measures:
        eligible = org.members * ELIGIBLE[measure]
        series = {g: rates(table, org, measure, g) for g in spelling}
        for period in periods:
            parts = []
            for group, spelled in spelling.items():
                share = org.mix.get(group, 1 - sum(org.mix.values()))
                denominator = eligible * share * (1 + table.noise(0.04))
                parts.append(table.add(org.name, measure, spelled, period,
                                       series[group][period], denominator))
            for group, spelled in extra.items():
                # Categories apart from "Other" (NCQA's Unknown, Declined, ...): reported
                # rows the contracts do not pay on, counted in ALL.
                parts.append(table.add(org.name, measure, spelled, period,
                                       series["Other"][period] + table.noise(2.0),
                                       eligible * org.mix[group] * (1 + table.noise(0.04))))
            table.add_all(org.name, measure, period, parts)


def ethnicity_rows(table: Table, org: Org, measures: list[str], spelled: dict[str, str],
                   hispanic_share: float, missing_share: float) -> None:
    """Hispanic ethnicity asked apart from race: rows that add up to the ALL rows."""
    totals = {(m, p): (num, den) for o, m, g, p, num, den in table.rows
              if o == org.name and g == "ALL"}
    for measure in measures:
        series = rates(table, org, measure, "Hispanic")
        for period in ("2022", "2024"):
            all_num, all_den = totals[(measure, period)]
            overall = float(all_num) / float(all_den) * 100
            parts = [table.add(org.name, measure, spelled["Hispanic"], period, series[period],
                               float(all_den) * hispanic_share * (1 + table.noise(0.04)))]
            for key in ("Declined", "Unknown"):
                if key in spelled:
                    parts.append(table.add(org.name, measure, spelled[key], period,
                                           overall + table.noise(2.0),
                                           float(all_den) * missing_share / 2))
            rest_den = all_den - sum((d for _, d in parts), Decimal(0))
            rest_num = min(rest_den, max(Decimal(0),
                                         all_num - sum((n for n, _ in parts), Decimal(0))))
            table.rows.append((org.name, measure, spelled["NotHispanic"], period, rest_num,
                               rest_den))


def risk_rows(table: Table, org: Org, measures: list[str], spelled: str,
              period: str = "2024") -> None:
    """An organization's whole population and its members with a risk factor, one period."""
    for measure in measures:
        eligible = org.members * ELIGIBLE[measure] * (1 + table.noise(0.05))
        rest = (sum(base_rate(measure, g) for g in ("Asian", "Black", "Hispanic", "White"))
                / 4 + better_by(measure, org.offset) + table.noise(1.5))
        risk = rest - better_by(measure, RISK_GAP[measure] + org.risk_gap + table.noise(1.5))
        share = org.risk_share * (1 + table.noise(0.1))
        num, den = table.add(org.name, measure, spelled, period, risk, eligible * share)
        rest_den = eligible * (1 - share)
        total_den = Decimal(math.ceil(float(den) + rest_den))
        total_num = min(total_den, Decimal(math.ceil(float(num) + rest_den * rest / 100)))
        table.rows.append((org.name, measure, "ALL", period, total_num, total_den))


# ---- the tables --------------------------------------------------------------------------

SUBURBAN = {"White": 0.74, "Asian": 0.08, "Black": 0.06, "Hispanic": 0.07, "AIAN": 0.002,
            "NHPI": 0.001, "MENA": 0.009}
URBAN = {"White": 0.42, "Asian": 0.11, "Black": 0.2, "Hispanic": 0.17, "AIAN": 0.003,
         "NHPI": 0.002, "MENA": 0.015}
SAFETY_NET = {"White": 0.2, "Asian": 0.06, "Black": 0.36, "Hispanic": 0.3, "AIAN": 0.004,
              "NHPI": 0.002, "MENA": 0.02}


def steward() -> Table:
    table = Table(2023_01)
    for org in (
        Org("Steward Health Care Network: South Shore", 14200, SUBURBAN, offset=-0.5,
            trend=0.8, closure=0.45),
        Org("Steward Health Care Network: Metro Boston", 9800, URBAN, offset=-1.5,
            trend=0.6, closure=0.2),
        Org("Steward Health Care Network: Merrimack Valley", 6100,
            {**SUBURBAN, "Hispanic": 0.16, "White": 0.65}, offset=-1.0, trend=0.3,
            closure=0.35, leveling_down=("CBP",)),
    ):
        race_rows(table, org, ["COL", "CBP", "HBD"], SPD15)
    return table


def bilh() -> Table:
    table = Table(2023_02)
    for org in (
        Org("Beth Israel Lahey Health: Boston", 21500, URBAN, offset=1.0, trend=0.7,
            closure=0.4),
        Org("Beth Israel Lahey Health: North Shore", 15800, SUBURBAN, offset=0.5, trend=0.4,
            closure=0.1),
        Org("Beth Israel Lahey Health: Metrowest", 11200,
            {**SUBURBAN, "Asian": 0.14, "White": 0.68}, offset=0.8, trend=0.9, closure=0.6),
        Org("Beth Israel Lahey Health: Cape Ann", 2900, SUBURBAN, offset=0.0, trend=0.2,
            closure=0.3, leveling_down=("CBP",)),
    ):
        race_rows(table, org, ["COL", "CBP", "HBD"], OMB1997_RACE)
        ethnicity_rows(table, org, ["COL", "CBP", "HBD"],
                       {"Hispanic": "Hispanic or Latino",
                        "NotHispanic": "Not Hispanic or Latino"},
                       org.mix["Hispanic"], 0.04)
    return table


def mgb() -> Table:
    table = Table(2023_03)
    ncqa_mix = {"Unknown": 0.035, "Declined": 0.025, "Multiracial": 0.02}
    for org in (
        Org("Mass General Brigham: Boston", 26400, {**URBAN, **ncqa_mix}, offset=1.5,
            trend=0.9, closure=0.35),
        Org("Mass General Brigham: North", 13100,
            {**SUBURBAN, **ncqa_mix, "Unknown": 0.09, "Declined": 0.07}, offset=1.0,
            trend=0.5, closure=0.15),
        Org("Mass General Brigham: South", 9700, {**SUBURBAN, **ncqa_mix}, offset=0.5,
            trend=-1.0, closure=0.25, leveling_down=("CBP",)),
    ):
        race_rows(table, org, ["COL", "CBP", "HBD"], {
            k: NCQA_RACE[k] for k in ("Asian", "Black", "White", "AIAN", "NHPI", "Other")},
            extra=NCQA_MISSING)
        ethnicity_rows(table, org, ["COL", "CBP", "HBD"],
                       {"Hispanic": "Hispanic or Latino",
                        "NotHispanic": "Not Hispanic or Latino",
                        "Declined": "Ethnicity asked but no answer",
                        "Unknown": "Ethnicity unknown"},
                       org.mix["Hispanic"], 0.05)
    return table


def boston_aco() -> Table:
    table = Table(2023_04)
    for org in (
        Org("Boston ACO: BMC Primary Care", 18900, SAFETY_NET, offset=-2.0, trend=1.2,
            closure=0.5),
        Org("Boston ACO: Community Health Centers", 12300,
            {**SAFETY_NET, "Hispanic": 0.38, "White": 0.14}, offset=-2.5, trend=0.6,
            closure=0.15),
        Org("Boston ACO: South End", 4400, SAFETY_NET, offset=-1.5, trend=0.2, closure=-0.1),
    ):
        race_rows(table, org, ["COL", "CBP", "HBD"], SPD15)
    return table


def tufts() -> Table:
    table = Table(2023_05)
    for org in (
        Org("Tufts Medicine: Boston", 12600, URBAN, offset=0.5, trend=0.8, closure=0.45),
        Org("Tufts Medicine: Lowell", 9300,
            {**SUBURBAN, "Asian": 0.18, "Hispanic": 0.12, "White": 0.58}, offset=-0.5,
            trend=0.4, closure=0.25),
        Org("Tufts Medicine: Melrose-Wakefield", 7600, SUBURBAN, offset=0.0, trend=0.6,
            closure=0.05),
    ):
        race_rows(table, org, ["COL", "CBP", "HBD"], SPD15)
        race_rows(table, org, ["WCV_12_17"], SPD15)
    # The table names adolescent well-care visits WCV.
    table.rows = [(o, "WCV" if m == "WCV_12_17" else m, g, p, n, d)
                  for o, m, g, p, n, d in table.rows]
    return table


def boston_childrens() -> Table:
    table = Table(2024_04)
    pediatric = {"White": 0.48, "Asian": 0.09, "Black": 0.16, "Hispanic": 0.2, "AIAN": 0.002,
                 "NHPI": 0.001, "MENA": 0.014}
    for org in (
        Org("Boston Children's: Pediatric Physicians' Organization", 30500, pediatric,
            offset=1.0, trend=0.6, closure=0.55),
        Org("Boston Children's: Community Practices", 11800,
            {**pediatric, "Black": 0.27, "Hispanic": 0.3, "White": 0.3}, offset=-1.0,
            trend=0.5, closure=0.3),
        Org("Boston Children's: Martha's Vineyard Pediatrics", 2400,
            {**pediatric, "White": 0.8, "Black": 0.05, "Hispanic": 0.06}, offset=0.0,
            trend=0.3, closure=0.3),
    ):
        race_rows(table, org, ["WCV_3_11", "WCV_12_17", "WCV_18_21"], SPD15)
    return table


#: Shares of members by deprivation quintile, least deprived first (assumed).
AREA_MIX = {"suburban": (0.32, 0.26, 0.2, 0.14, 0.08),
            "urban": (0.14, 0.17, 0.2, 0.23, 0.26),
            "rural": (0.1, 0.18, 0.24, 0.26, 0.22)}
AREA_SPELLING = ("Least deprived quintile", "Deprivation quintile 2", "Deprivation quintile 3",
                 "Deprivation quintile 4", "Most deprived quintile")


def area_rows(table: Table, org: Org, measures: list[str], mix: tuple[float, ...],
              gradient: float, narrowed: float) -> None:
    """Deprivation quintile rows within each ALL row: rates around the ALL rate, falling by
    ``gradient`` pp from the least to the most deprived quintile in 2022, by ``gradient``
    less its share ``narrowed`` in 2024."""
    totals = {(m, p): (num, den) for o, m, g, p, num, den in table.rows
              if o == org.name and g == "ALL"}
    for measure in measures:
        for period in ("2022", "2024"):
            all_num, all_den = totals[(measure, period)]
            overall = float(all_num) / float(all_den) * 100
            spread = gradient * (1 - narrowed if period == "2024" else 1) + table.noise(1.0)
            # Least deprived +spread/2 down to most deprived -spread/2, centred on the ALL
            # rate by the quintiles' shares.
            steps = [spread * (0.5 - q / 4) for q in range(5)]
            centre = sum(s * w for s, w in zip(steps, mix, strict=True))
            for spelled, step, share in zip(AREA_SPELLING, steps, mix, strict=True):
                table.add(org.name, measure, spelled, period,
                          overall + better_by(measure, step - centre) + table.noise(0.8),
                          float(all_den) * 0.96 * share * (1 + table.noise(0.04)))


def deprivation_gradient() -> Table:
    table = Table(2024_07)
    for org, area, gradient, narrowed in (
        (Org("Riverside Health Partners", 9400, URBAN, offset=0.5, trend=0.7, closure=0.4),
         "urban", 14.0, 0.5),
        (Org("Northgate Medical Group", 6800, SUBURBAN, offset=1.0, trend=0.4, closure=0.2),
         "suburban", 9.0, 0.05),
        (Org("Eastfield Community Care", 1900, SAFETY_NET, offset=-1.5, trend=0.5,
             closure=0.3), "rural", 4.0, 0.3),
    ):
        race_rows(table, org, ["COL", "CBP"], SPD15)
        area_rows(table, org, ["COL", "CBP"], AREA_MIX[area], gradient, narrowed)
    return table


#: Fictional Medicare Advantage contracts and accountable care organizations.
PLANS = ("Atlantic Senior Advantage", "Bay State Medicare Plus", "Berkshire Elder Care",
         "Cape Cod Senior Health", "Charles River Medicare", "Granite Coast Advantage",
         "Harbor Health Medicare", "Merrimack Senior Plan", "Narragansett Bay Advantage",
         "Pioneer Valley Medicare", "Quinsigamond Senior Care", "Seacoast Medicare Advantage")
ACOS = ("Blackstone Valley ACO", "Bristol County ACO", "Central Mass Care Partners",
        "Connecticut River ACO", "Essex Physician Network", "Hampden Primary Care ACO",
        "Hudson Valley ACO", "Lakes Region Care Network", "Merrimack Physician Alliance",
        "Nashoba Health Partners", "Neponset ACO", "Plymouth Bay Physicians",
        "South Coast Care Collaborative", "Wachusett Health Partners")


def peers(seed: int, names: tuple[str, ...], group: str, measures: list[str],
          step: float = 0.04, chosen: dict[str, tuple[float, float, float]] | None = None
          ) -> Table:
    """Peers with risk shares spread from well below half the median to well above it;
    ``chosen`` sets the (risk share, offset, risk gap) of named peers."""
    table = Table(seed)
    chooser = random.Random(seed + 1)
    shares = [0.07 + step * i for i in range(len(names))]
    chooser.shuffle(shares)
    for name, share in zip(names, shares, strict=True):
        offset, gap = chooser.uniform(-4, 4), chooser.uniform(-4, 4)
        share, offset, gap = (chosen or {}).get(name, (share, offset, gap))
        org = Org(name, chooser.randrange(1800, 16000), {}, offset=offset, risk_share=share,
                  risk_gap=gap)
        risk_rows(table, org, measures, group)
    return table


def health_equity_index() -> Table:
    # A plan that does well for few members with social risk factors: too few for HBD.
    return peers(2027, PLANS, "Social risk factor", ["COL", "CBP", "HBD"],
                 chosen={"Pioneer Valley Medicare": (0.045, 3.0, -3.0)})


def shared_savings() -> Table:
    # An ACO that does best while serving the most underserved members: its bonus is capped.
    return peers(2023_06, ACOS, "Underserved", ["COL", "CBP", "HBD", "BCS"], step=0.045,
                 chosen={"Neponset ACO": (0.7, 6.0, -4.0)})


TABLES = {
    "bluecross-steward.csv": steward,
    "bluecross-bilh.csv": bilh,
    "bluecross-mgb.csv": mgb,
    "bluecross-boston-aco.csv": boston_aco,
    "bluecross-tufts.csv": tufts,
    "bluecross-boston-childrens.csv": boston_childrens,
    "ma-health-equity-index.csv": health_equity_index,
    "mssp-health-equity-adjustment.csv": shared_savings,
    "deprivation-gradient.csv": deprivation_gradient,
}


def generate() -> Iterator[tuple[str, str]]:
    """Each sample table's file name and text."""
    for name, build in TABLES.items():
        yield name, build().text()


def main(folder: Path = CONTRACTS) -> None:
    for name, text in generate():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CONTRACTS)
