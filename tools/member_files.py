"""Plausible member-level files: member results and membership with imputed race and
ethnicity, for the samples in contracts/ and for tests.

Run ``python tools/member_files.py`` to write contracts/reference-members.csv and
contracts/reference-membership.csv again; the output is byte-identical every time (one
seeded generator), and tests/test_members.py checks that the shipped files are what this
script writes. ``python tools/member_files.py --members 5000 --out DIR`` writes larger ones.

How a member is made up (figures from the project's domain notes and assumptions of this
script, marked ``assumed``):

- Each organization has a mix of members by group (assumed), drawn over BISG's six
  categories: Asian (with Pacific Islander), Black, Hispanic, White, American Indian or
  Alaska Native (AIAN) and Multiracial. The contract compares four of them; the other two
  are tabulated and ignored, as real imputation output makes them.
- 40% of members reported their race and ethnicity (assumed): one self-reported row. The
  rest have one imputed row per category with a probability, as BISG gives: most of the
  mass on the member's group (how much varies from member to member: surname and address
  tell some groups apart better than others), the rest spread over the other categories;
  each probability rounded to six decimals on its own, so a member's sum may be off by a
  few millionths. With ``missing`` (none in the samples), that share of members has no
  membership row at all.
- Each member is eligible for a measure at an assumed rate (colorectal screening 50%,
  blood pressure control 30%, HbA1c control 15%); an eligible member has a row in the
  denominator for each period, met or not at the published rate of their group (controlling
  high blood pressure 2022, HbA1c poor control 2022, colorectal screening 2019), moved by
  the organization's offset and, in 2024, its trend and a closure of the gap to White.
  About 3% of rows (assumed) are for members enrolled but not in the denominator
  (denominator 0, numerator 0).
"""

from __future__ import annotations

import argparse
import random
import sys
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"

#: Published baseline rates, percent (domain notes); AIAN and Multiracial are assumed.
RATES = {
    "CBP": {"Asian": 74.2, "Black": 66.1, "Hispanic": 69.0, "White": 74.7,
            "AIAN": 65.0, "Multiracial": 70.5},
    "HBD": {"Asian": 21.8, "Black": 25.7, "Hispanic": 31.9, "White": 23.9,
            "AIAN": 30.5, "Multiracial": 26.5},
    "COL": {"Asian": 67.0, "Black": 63.8, "Hispanic": 65.4, "White": 70.8,
            "AIAN": 60.5, "Multiracial": 66.5},
}
LOWER_IS_BETTER = {"HBD"}
#: Share of members eligible for each measure (assumed).
ELIGIBLE = {"COL": 0.50, "CBP": 0.30, "HBD": 0.15}
GROUPS = ("Asian", "Black", "Hispanic", "White", "AIAN", "Multiracial")
PERIODS = ("2022", "2024")
SELF_REPORTED_SHARE = 0.40
NOT_IN_DENOMINATOR_SHARE = 0.03

#: The sample organizations: name, members, mix by group, offset, trend, closure (assumed).
ORGANIZATIONS = (
    ("Harborview Health Partners", 1000,
     {"Asian": 0.12, "Black": 0.16, "Hispanic": 0.18, "White": 0.50, "AIAN": 0.01,
      "Multiracial": 0.03}, 1.0, 0.8, 0.45),
    ("Merrimack Valley ACO", 800,
     {"Asian": 0.06, "Black": 0.10, "Hispanic": 0.24, "White": 0.55, "AIAN": 0.01,
      "Multiracial": 0.04}, -0.5, 0.3, 0.15),
)

SIX = Decimal("0.000001")


def _imputed(rng: random.Random, group: str) -> list[tuple[str, Decimal]]:
    """BISG-like probabilities: most on the member's group, six decimals each."""
    certainty = rng.betavariate(6, 2)  # how sure surname and address make the imputation
    weights = {g: rng.random() ** 2 for g in GROUPS if g != group}
    spread = sum(weights.values())
    probabilities = {group: certainty}
    for other, weight in weights.items():
        probabilities[other] = (1 - certainty) * weight / spread
    return [(g, Decimal(repr(p)).quantize(SIX, ROUND_HALF_EVEN))
            for g, p in probabilities.items()]


def _met(rng: random.Random, measure: str, group: str, period: str, offset: float,
         trend: float, closure: float) -> bool:
    rate = RATES[measure][group]
    white = RATES[measure]["White"]
    better = -1.0 if measure in LOWER_IS_BETTER else 1.0
    rate += better * offset
    if period == "2024":
        gap = max(0.0, better * (white - rate))
        rate += better * (trend + closure * gap)
    return rng.random() * 100 < rate


def generate(scale: float = 1.0, seed: int = 13, missing: float = 0.0) -> tuple[str, str]:
    """The member results and membership files as CSV text; ``scale`` multiplies the
    number of members of each organization, ``missing`` is the share of members without
    any membership row."""
    rng = random.Random(seed)
    results = ["member_id,org,measure,period,denominator,numerator"]
    membership = ["member_id,stratification,group,probability,source,method"]
    number = 0
    for org, members, mix, offset, trend, closure in ORGANIZATIONS:
        for _ in range(round(members * scale)):
            number += 1
            member = f"M{number:07d}"
            group = rng.choices(list(mix), weights=list(mix.values()))[0]
            draw = rng.random()
            if draw < SELF_REPORTED_SHARE:
                membership.append(f"{member},race,{group},1,self-reported,")
            elif draw < 1 - missing:
                for imputed, probability in _imputed(rng, group):
                    membership.append(f"{member},race,{imputed},{probability},imputed,BISG")
            for measure, share in ELIGIBLE.items():
                if rng.random() >= share:
                    continue
                for period in PERIODS:
                    if rng.random() < NOT_IN_DENOMINATOR_SHARE:
                        results.append(f"{member},{org},{measure},{period},0,0")
                        continue
                    met = _met(rng, measure, group, period, offset, trend, closure)
                    results.append(f"{member},{org},{measure},{period},1,{int(met)}")
    return "\n".join(results) + "\n", "\n".join(membership) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the number of members (1: the shipped samples)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=CONTRACTS,
                        help="folder to write reference-members.csv and "
                        "reference-membership.csv into")
    args = parser.parse_args(argv)
    results, membership = generate(args.scale, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "reference-members.csv").write_text(results, encoding="utf-8")
    (args.out / "reference-membership.csv").write_text(membership, encoding="utf-8")
    print(f"wrote {results.count(chr(10)) - 1:,} member results and "
          f"{membership.count(chr(10)) - 1:,} membership rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
