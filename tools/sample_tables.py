"""The sample measure tables of contracts/, built from public rates, and the organization
tables of the contracts that read organization inputs.

Run ``python tools/sample_tables.py`` to write them again; the output is byte-identical
every time (a seeded generator per table), and tests/test_contracts.py checks that the
shipped tables are exactly what this script writes. The rates, the organizations' shape
and the rows come from ``eqlang.tools.synthetic``, which says where each figure comes from;
this script chooses the organizations of each contract's table. Organization inputs (the
shares of an ACO's beneficiaries that are underserved, member months) are assumed, consistent
with the rates each organization's table shows. Neighborhood deprivation quintiles
(deprivation-gradient.csv) split each ALL row: 96% of the members have an address that
ranks, in shares that follow the organization's mix (assumed), and the rates fall from the
least to the most deprived quintile by an assumed gradient that each organization narrows by
its own share by 2024, around the ALL rate.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import attrs

from eqlang.tools.synthetic import (
    NCQA_MISSING,
    NCQA_RACE,
    OMB1997_RACE,
    SAFETY_NET,
    SPD15,
    SUBURBAN,
    URBAN,
    Org,
    Table,
    better_by,
    ethnicity_rows,
    plain_number,
    race_rows,
    risk_rows,
)

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"


@attrs.define
class Inputs:
    """An organization table: each organization's inputs, as a contract writes them."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]

    def text(self) -> str:
        lines = [",".join(("org", *self.columns))]
        lines += [",".join(f'"{v}"' if "," in v else v for v in row) for row in sorted(self.rows)]
        return "\n".join(lines) + "\n"


# ---- the tables --------------------------------------------------------------------------

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


#: How the member-level samples spell the groups (tools/member_files.py), which a contract
#: settling from them spells the same.
PLAIN_RACE = {"Asian": "Asian", "Black": "Black", "Hispanic": "Hispanic", "White": "White",
              "Other": "Unknown"}
#: The organizations of the member-month contract: the two of the member-level samples and
#: three more, in two regions, with their member months (assumed).
MEMBER_MONTH_ORGS = (
    (Org("Harborview Health Partners", 9800, URBAN, offset=0.5, trend=0.7, closure=0.45),
     "Eastern", 121_884),
    (Org("Merrimack Valley ACO", 7400, SUBURBAN, offset=-0.5, trend=0.4, closure=0.2),
     "Eastern", 90_630),
    (Org("Cape and Islands Care Network", 5200, SUBURBAN, offset=1.5, trend=0.2,
         closure=0.1, leveling_down=("CBP",)), "Eastern", 61_918.5),
    (Org("Pioneer Valley Physicians", 6900, SAFETY_NET, offset=-2.0, trend=1.0, closure=0.5),
     "Western", 84_406),
    (Org("Berkshire Community Care", 3300, SUBURBAN, offset=0.0, trend=0.5, closure=0.3),
     "Western", 38_751.5),
)


def member_months() -> Table:
    table = Table(2024_07)
    for org, _, _ in MEMBER_MONTH_ORGS:
        race_rows(table, org, ["COL", "CBP", "HBD"], PLAIN_RACE)
    return table


def member_month_organizations() -> Inputs:
    return Inputs(("member_months", "region"),
                  [(org.name, plain_number(Decimal(repr(months))), region)
                   for org, region, months in MEMBER_MONTH_ORGS])


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


def _shared_savings() -> tuple[Table, list[tuple[str, float]]]:
    """The ACOs' whole-population rows and each one's underserved share."""
    # An ACO that does best while serving the most underserved members: its bonus is capped.
    table = peers(2023_06, ACOS, "Underserved", ["COL", "CBP", "HBD", "BCS"], step=0.045,
                  chosen={"Neponset ACO": (0.7, 6.0, -4.0)})
    shares: dict[str, tuple[Decimal, Decimal]] = {}
    for org, _, group, _, _, den in table.rows:
        part, whole = shares.get(org, (Decimal(0), Decimal(0)))
        shares[org] = (part + den, whole) if group == "Underserved" else (part, whole + den)
    # The contract reads the whole population only: the underserved share is a fact of the
    # ACO, in its organization table.
    table.rows = [row for row in table.rows if row[2] == "ALL"]
    return table, [(org, float(part / whole)) for org, (part, whole) in sorted(shares.items())]


def shared_savings() -> Table:
    return _shared_savings()[0]


def shared_savings_organizations() -> Inputs:
    """The two shares of each ACO's beneficiaries (assumed): dually eligible or receiving
    the low-income subsidy, and living in a high-deprivation neighborhood. The underserved
    share behind the table's rates is the higher of the two; the other lies below it, by
    up to half, so that either may be the higher."""
    chooser = random.Random(2023_07)
    rows = []
    for org, share in _shared_savings()[1]:
        other = share * chooser.uniform(0.5, 1.0)
        dual, adi = (share, other) if chooser.random() < 0.5 else (other, share)
        rows.append((org, _percent(dual), _percent(adi)))
    return Inputs(("dual_or_lis_share", "high_adi_share"), rows)


def _percent(share: float) -> str:
    """A share as a percent with one decimal, as a contract writes it: 23.5%."""
    return plain_number(Decimal(repr(share * 100)).quantize(Decimal("0.1"), ROUND_HALF_EVEN)) + "%"


TABLES = {
    "bluecross-steward.csv": steward,
    "bluecross-bilh.csv": bilh,
    "bluecross-mgb.csv": mgb,
    "bluecross-boston-aco.csv": boston_aco,
    "bluecross-tufts.csv": tufts,
    "bluecross-boston-childrens.csv": boston_childrens,
    "ma-health-equity-index.csv": health_equity_index,
    "mssp-health-equity-adjustment.csv": shared_savings,
    "mssp-health-equity-adjustment-organizations.csv": shared_savings_organizations,
    "member-month-equity.csv": member_months,
    "member-month-equity-organizations.csv": member_month_organizations,
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
