"""Synthetic measure tables of realistic shape, from published rates: takes organizations
(size, mix of members by group, how their care moves) and a seed, gives table rows and CSV.

The shipped sample tables (``tools/sample_tables.py``) and the benchmark tables
(``bench/``) are both built here, so that a table of four organizations and one of ten
thousand look alike. Every call with the same seed gives byte-identical text.

Where the rates come from (percent; see the project's domain notes):

- Baseline (2022) rates of the four large groups are the published Blue Cross figures:
  controlling high blood pressure 2022, HbA1c poor control 2022, colorectal cancer
  screening 2019 (used as the 2022 level), and adolescent well-care visits 2019 (Black,
  Hispanic, White).
- Every other figure is an assumption, marked ``assumed`` below: the rates of small groups
  (American Indian or Alaska Native, Native Hawaiian or Pacific Islander, Middle Eastern or
  North African), Asian members' well-care visits, the younger and older well-care age
  bands, members with social risk factors or underserved members, breast cancer screening,
  and each organization's offset, trend and gap closure.
- Performance-period (2024) rates move each group from its baseline by the organization's
  trend plus a share of the group's baseline gap to White (its "closure"), and a little
  noise. In some organizations care for White members gets 3 points worse on a measure
  (leveling down), which the contracts' guards must catch.
- Denominators follow each organization's size and mix of members; group counts are
  imputed (sums of membership probabilities), so they carry three decimals. The whole-
  population (ALL) row is a whole number at least the sum of the groups it contains. A
  group whose share in an organization's mix is 0 has no row at all.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import attrs

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
            lines.append(",".join([*quoted, plain_number(num), plain_number(den)]))
        return "\n".join(lines) + "\n"


def plain_number(value: Decimal) -> str:
    """A count as a table writes it: no exponent, no trailing zeros."""
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
                if org.mix.get(group) == 0:
                    continue  # no member in this group: no row, as tables have it
                share = org.mix.get(group, 1 - sum(org.mix.values()))
                denominator = eligible * share * (1 + table.noise(0.04))
                parts.append(table.add(org.name, measure, spelled, period,
                                       series[group][period], denominator))
            for group, spelled in extra.items():
                # Categories apart from "Other" (NCQA's Unknown, Declined, ...): reported
                # rows the contracts do not pay on, counted in ALL.
                if org.mix[group] == 0:
                    continue
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


SUBURBAN = {"White": 0.74, "Asian": 0.08, "Black": 0.06, "Hispanic": 0.07, "AIAN": 0.002,
            "NHPI": 0.001, "MENA": 0.009}
URBAN = {"White": 0.42, "Asian": 0.11, "Black": 0.2, "Hispanic": 0.17, "AIAN": 0.003,
         "NHPI": 0.002, "MENA": 0.015}
SAFETY_NET = {"White": 0.2, "Asian": 0.06, "Black": 0.36, "Hispanic": 0.3, "AIAN": 0.004,
              "NHPI": 0.002, "MENA": 0.02}


#: A rural practice: mostly White members, few in any other group (assumed).
RURAL = {"White": 0.86, "Asian": 0.015, "Black": 0.02, "Hispanic": 0.05}

#: The reference contract's tables (contracts/reference-equity.csv): three measures, the
#: four large groups, "Other" for the rest of the members and "Unknown" where nothing is
#: recorded, in 2022 and 2024.
REFERENCE_MEASURES = ("COL", "CBP", "HBD")
REFERENCE_GROUPS = {"Asian": "Asian", "Black": "Black", "Hispanic": "Hispanic",
                    "White": "White", "Other": "Other"}
REFERENCE_UNRECORDED = {"Unknown": "Unknown"}

#: Smallest and largest organization drawn, in members eligible for colorectal screening.
MEMBERS = (150, 40_000)
#: The chance that an organization has no member at all in one group (no row for it).
ABSENT_GROUP = 0.06
#: The chance that White members' care gets worse on one measure (leveling down).
LEVELING_DOWN = 0.05


def drawn_organizations(count: int, seed: int,
                        measures: Sequence[str] = REFERENCE_MEASURES) -> list[Org]:
    """``count`` organizations of every size and kind, drawn from ``seed``.

    Sizes spread evenly on a log scale from a practice of 150 members eligible for
    colorectal screening, where most groups fall short of 30 members and measures go
    unscored, to a system of 40,000. The mix of members follows a suburban, urban,
    safety-net or rural template, each share varied by up to a third; in some organizations
    a group has no member at all, so its rows are missing. Offsets from the published rates,
    trends and the share of each gap closed vary from organization to organization (some
    gaps widen), and now and then White members' care gets worse on a measure.
    """
    chooser = random.Random(seed)
    width = len(str(count))
    organizations = []
    for index in range(1, count + 1):
        members = round(math.exp(chooser.uniform(*map(math.log, MEMBERS))))
        template = chooser.choice((SUBURBAN, URBAN, SAFETY_NET, RURAL))
        mix = {g: template[g] * chooser.uniform(0.67, 1.33)
               for g in ("White", "Asian", "Black", "Hispanic")}
        mix["Unknown"] = chooser.uniform(0.01, 0.08)
        for group in ("Asian", "Black", "Hispanic", "Unknown"):
            if chooser.random() < ABSENT_GROUP:
                mix[group] = 0.0
        total = sum(mix.values())
        if total > 0.97:  # leave some members to the other groups
            mix = {g: share * 0.97 / total for g, share in mix.items()}
        organizations.append(Org(
            f"Organization {index:0{width}d}", members, mix,
            offset=chooser.uniform(-4.0, 3.0), trend=chooser.gauss(0.5, 0.8),
            closure=chooser.uniform(-0.3, 0.9),
            leveling_down=tuple(m for m in measures if chooser.random() < LEVELING_DOWN)))
    return organizations


def reference_table(organizations: int, seed: int = 2024) -> Table:
    """A table of the reference contract's shape for ``organizations`` drawn organizations
    (see ``drawn_organizations``): about 40.5 rows each."""
    table = Table(seed)
    for org in drawn_organizations(organizations, seed + 1):
        race_rows(table, org, list(REFERENCE_MEASURES), REFERENCE_GROUPS, REFERENCE_UNRECORDED)
    return table
