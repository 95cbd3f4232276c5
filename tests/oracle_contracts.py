"""Test oracles for the worked contracts of contracts/: their key figures computed straight
from the sample tables and the terms as the contracts' header comments state them.

Deliberately independent of the interpreter: nothing here imports eqlang or reads a
``.eq`` file, and the arithmetic is exact (``fractions.Fraction``) until a figure is rounded
the way the contract rounds it, so a disagreement points at one side or the other, not at
arithmetic noise. Each ``settle_*`` function restates one contract's terms, term by term, and
gives for every organization the figures the tests compare: ``{org: {figure: value}}``,
values as ``Decimal`` or ``None`` for "not scored"; it settles the contract's sample table,
or the table it is given (the rows of a worked example), with the contract's organization
table, or the inputs it is given, where the contract reads organization inputs.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import oracle_statistics as drawn

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"
Table = dict[tuple[str, str, str, str], tuple[Fraction, Fraction]]
#: Each organization's figures: a rounded output as a Decimal, an output that is not rounded
#: as an exact Fraction, None for "not scored".
Figures = dict[str, dict[str, Decimal | Fraction | None]]
#: Each organization's inputs, by name: numbers as fractions (a percent as a share of 1).
Inputs = dict[str, dict[str, Fraction]]
LOWER_IS_BETTER = {"HBD"}
PP = Fraction(1, 100)  # a percentage point, as a fraction


def load(name: str) -> Table:
    with (CONTRACTS / name).open(encoding="utf-8", newline="") as handle:
        return {(r["org"], r["measure"], r["group"], r["period"]):
                (Fraction(r["numerator"]), Fraction(r["denominator"]))
                for r in csv.DictReader(handle)}


def organizations(table: Table) -> list[str]:
    return sorted({key[0] for key in table})


def den(table: Table, org: str, m: str, g: str, p: str) -> Fraction:
    return table.get((org, m, g, p), (Fraction(0), Fraction(0)))[1]


def rate(table: Table, org: str, m: str, g: str, p: str, minimum: int = 0) -> Fraction | None:
    """The group's rate; None when its denominator is 0 or below ``minimum``."""
    n, d = table.get((org, m, g, p), (Fraction(0), Fraction(0)))
    return n / d if d > 0 and d >= minimum else None


def rates_with_data(table: Table, org: str, m: str, spelling: dict[str, str], p: str,
                    minimum: int) -> dict[str, Fraction]:
    """The rates of the groups of a stratification that have data, by group name."""
    rates = {g: rate(table, org, m, spelled, p, minimum) for g, spelled in spelling.items()}
    return {g: y for g, y in rates.items() if y is not None}


def tier(x: Fraction, tiers: tuple[tuple[Fraction, Fraction], ...], last: Fraction
         ) -> Fraction:
    """The credit of the first tier whose upper bound (excluded) lies above x."""
    return next((credit for bound, credit in tiers if x < bound), last)


def worse_by(m: str, a: Fraction, b: Fraction) -> Fraction:
    """How far rate a falls short of rate b, oriented by the measure's direction."""
    return a - b if m in LOWER_IS_BETTER else b - a


def clamp(x: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return max(low, min(high, x))


def rounded(x: Fraction, places: int, mode: str = ROUND_HALF_UP) -> Decimal:
    """Round an exact fraction to ``places`` decimals (a tie is a true tie here)."""
    scaled = x * 10 ** places
    floor = math.floor(scaled)
    rest = scaled - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and (
            mode == ROUND_HALF_UP or floor % 2 == 1)):
        floor += 1
    return Decimal(floor).scaleb(-places)


def cents(x: Fraction) -> Decimal:
    return rounded(x, 2, ROUND_HALF_UP)


def weighted_rescaled(scores: dict[str, Fraction | None], weights: dict[str, Fraction]
                      ) -> Fraction | None:
    """Σ score·weight over the scored measures, scaled up to the full weight."""
    scored = {m: s for m, s in scores.items() if s is not None}
    if not scored:
        return None
    return (sum(s * weights[m] for m, s in scored.items())
            * sum(weights.values()) / sum(weights[m] for m in scored))


def mean(values: Iterable[Fraction | None]) -> Fraction | None:
    kept = [v for v in values if v is not None]
    return sum(kept, Fraction(0)) / len(kept) if kept else None


def wilson(successes: Fraction, n: Fraction, side: int, z: float = 1.96) -> float:
    """The Wilson score bound in floating point (only compared, never paid on)."""
    p, count = float(successes / n), float(n)
    centre = p + z * z / (2 * count)
    spread = z * math.sqrt(p * (1 - p) / count + z * z / (4 * count * count))
    return (centre + side * spread) / (1 + z * z / count)


SPD15 = {"AIAN": "American Indian or Alaska Native", "Asian": "Asian",
         "Black": "Black or African American", "Hispanic": "Hispanic or Latino",
         "MENA": "Middle Eastern or North African",
         "NHPI": "Native Hawaiian or Pacific Islander", "White": "White"}
OMB_RACE = {"AIAN": "American Indian or Alaska Native", "Asian": "Asian",
            "Black": "Black or African American",
            "NHPI": "Native Hawaiian or Other Pacific Islander", "White": "White"}
B, P = "2022", "2024"


# ---- Steward ------------------------------------------------------------------------------

def settle_steward(table: Table | None = None) -> Figures:
    table = load("bluecross-steward.csv") if table is None else table
    weights = {"COL": Fraction(40, 100), "CBP": Fraction(30, 100), "HBD": Fraction(30, 100)}
    result = {}
    for org in organizations(table):
        def r(m: str, g: str, p: str, org: str = org) -> Fraction | None:
            return rate(table, org, m, SPD15.get(g, g), p)

        def credit(m: str, g: str, org: str = org) -> Fraction | None:
            if any(den(table, org, m, SPD15[h], p) < 30 for h in (g, "White") for p in (B, P)):
                return None
            gap = {p: worse_by(m, r(m, g, p), r(m, "White", p)) for p in (B, P)}
            if gap[B] <= 2 * PP:
                score = Fraction(1 if gap[P] <= 2 * PP else 0)
            else:
                closed = (gap[B] - max(Fraction(0), gap[P])) / gap[B]
                score = clamp(closed / Fraction(1, 2), Fraction(0), Fraction(1))
            whole_fell = worse_by(m, r(m, "ALL", P), r(m, "ALL", B)) > PP
            white_fell = worse_by(m, r(m, "White", P), r(m, "White", B)) > PP
            return Fraction(0) if whole_fell or white_fell else score

        scores = {m: mean(credit(m, g) for g in ("Asian", "Black", "Hispanic"))
                  for m in weights}
        total = weighted_rescaled(scores, weights)
        result[org] = {
            **{f"measure_score({m})": s for m, s in scores.items()},
            "equity_payment": cents(750000 * total) if total is not None else Decimal("0.00"),
        }
    return result


# ---- Beth Israel Lahey Health -------------------------------------------------------------

def bilh_tier(size: Fraction) -> Fraction:
    return tier(size, ((Fraction(3, 200), Fraction(1)), (3 * PP, Fraction(3, 4)),
                       (Fraction(9, 200), Fraction(1, 2)), (6 * PP, Fraction(1, 4))),
                Fraction(0))


def settle_bilh(table: Table | None = None) -> Figures:
    table = load("bluecross-bilh.csv") if table is None else table
    weights = {"COL": Fraction(30, 100), "CBP": Fraction(35, 100), "HBD": Fraction(35, 100)}
    result = {}
    for org in organizations(table):
        def race(m: str, p: str, org: str = org) -> Fraction | None:
            with_data = rates_with_data(table, org, m, OMB_RACE, p, 20)
            if len(with_data) < 2 or Fraction(len(with_data), 5) < Fraction(60, 100):
                return None
            best = (min if m in LOWER_IS_BETTER else max)(with_data.values())
            members = {g: den(table, org, m, OMB_RACE[g], p) for g in with_data}
            return (sum(members[g] * abs(best - y) for g, y in with_data.items())
                    / sum(members.values()))

        def ethnicity(m: str, p: str, org: str = org) -> Fraction | None:
            hispanic = rate(table, org, m, "Hispanic or Latino", p, 20)
            rest = rate(table, org, m, "Not Hispanic or Latino", p, 20)
            if hispanic is None or rest is None:
                return None
            return max(Fraction(0), worse_by(m, hispanic, rest))

        def credit(now: Fraction | None, before: Fraction | None) -> Fraction | None:
            if now is None:
                return None
            improved = (before is not None and before > 0
                        and (before - now) / before >= Fraction(30, 100))
            return max(bilh_tier(now), Fraction(1, 2) if improved else Fraction(0))

        credits: dict[str, Fraction | None] = {}
        for m in weights:
            rc = credit(race(m, P), race(m, B))
            ec = credit(ethnicity(m, P), ethnicity(m, B))
            both = (rc * Fraction(6, 10) + ec * Fraction(4, 10)
                    if rc is not None and ec is not None else rc if rc is not None else ec)
            # The output is rounded to 2 decimals of a percent, and that is what is paid.
            credits[m] = (None if both is None
                          else Fraction(rounded(both * 100, 2, ROUND_HALF_EVEN)) / 100)
        total = weighted_rescaled(credits, weights)
        result[org] = {
            **{f"measure_credit({m})": None if c is None else rounded(c * 100, 2)
               for m, c in credits.items()},
            **{f"race_gap({m})": None if race(m, P) is None
               else rounded(race(m, P) * 100, 2, ROUND_HALF_EVEN) for m in weights},
            "equity_payment": cents(1200000 * total) if total is not None else Decimal("0.00"),
        }
    return result


# ---- Mass General Brigham -------------------------------------------------------------------

THRESHOLD = {"COL": Fraction(60, 100), "CBP": Fraction(62, 100), "HBD": Fraction(35, 100)}
BENCHMARK = {"COL": Fraction(78, 100), "CBP": Fraction(80, 100), "HBD": Fraction(18, 100)}


def tenths(score: Fraction) -> int:
    """Achievement points: whole tenths of a score from 0 to 1."""
    return math.floor(score * 10)


def settle_mgb(table: Table | None = None) -> Figures:
    table = load("bluecross-mgb.csv") if table is None else table
    weights = {"COL": Fraction(34, 100), "CBP": Fraction(33, 100), "HBD": Fraction(33, 100)}
    spelled = {"Asian": "Asian", "Black": "Black or African American",
               "Hispanic": "Hispanic or Latino"}
    result = {}
    for org in organizations(table):
        def points(m: str, g: str, org: str = org) -> int | None:
            after = rate(table, org, m, spelled[g], P, 30)
            if after is None:
                return None
            t, b = THRESHOLD[m], BENCHMARK[m]
            attainment = tenths(clamp((after - t) / (b - t), Fraction(0), Fraction(1)))
            before = rate(table, org, m, spelled[g], B, 30)
            improvement = 0
            if before is not None and worse_by(m, before, b) > 0:
                improvement = min(9, tenths(clamp((after - before) / (b - before),
                                                  Fraction(0), Fraction(1))))
            return max(attainment, improvement)

        measure_points: dict[str, Fraction | None] = {}
        for m in weights:
            now, before = rate(table, org, m, "ALL", P), rate(table, org, m, "ALL", B)
            if now is None or before is None:
                # Without a whole-population rate, leveling down cannot be told: not scored.
                measure_points[m] = None
                continue
            if worse_by(m, now, before) > Fraction(15, 1000):
                measure_points[m] = Fraction(0)
                continue
            raw = mean(None if (x := points(m, g)) is None else Fraction(x)
                       for g in spelled)
            measure_points[m] = (None if raw is None
                                 else Fraction(rounded(raw, 2, ROUND_HALF_EVEN)))
        total = weighted_rescaled(measure_points, weights)
        # No measure scored: an equity score of 0%, so nothing of the withhold comes back.
        score = (Fraction(0) if total is None
                 else Fraction(rounded(total / 10 * 100, 2, ROUND_HALF_EVEN)) / 100)
        screened = den(table, org, "COL", "ALL", P)
        # No screening members: no share without a race, and no completeness bonus.
        missing_shown = None if screened == 0 else rounded(
            (den(table, org, "COL", "Unknown", P)
             + den(table, org, "COL", "Asked but no answer", P)) / screened * 100,
            2, ROUND_HALF_EVEN)
        returned = cents(100000 * clamp(score, Fraction(0), Fraction(1)))
        bonus = (Decimal("10000.00") if missing_shown is not None and missing_shown < 10
                 else Decimal("0.00"))
        result[org] = {
            **{f"measure_points({m})": None if v is None else rounded(v, 2)
               for m, v in measure_points.items()},
            "equity_score": rounded(score * 100, 2),
            "withhold_returned": returned,
            "missing_race": missing_shown,
            "data_bonus": bonus,
            "total_payment": returned + bonus,
        }
    return result


# ---- Boston ACO -----------------------------------------------------------------------------

def settle_boston_aco(table: Table | None = None) -> Figures:
    table = load("bluecross-boston-aco.csv") if table is None else table
    weights = {"COL": Fraction(30, 100), "CBP": Fraction(40, 100), "HBD": Fraction(30, 100)}
    result = {}
    for org in organizations(table):
        def index(m: str, p: str, org: str = org) -> Fraction | None:
            rates = rates_with_data(table, org, m, SPD15, p, 30)
            if len(rates) < 2 or Fraction(len(rates), 7) < Fraction(1, 2):
                return None
            members = {g: den(table, org, m, SPD15[g], p) for g in rates}
            mu = sum(members[g] * y for g, y in rates.items()) / sum(members.values())
            return sum(abs(y - mu) for y in rates.values()) / len(rates) / mu

        credits: dict[str, Fraction | None] = {}
        for m in weights:
            before, now = index(m, B), index(m, P)
            if worse_by(m, rate(table, org, m, "ALL", P), rate(table, org, m, "ALL", B)) > PP:
                credit: Fraction | None = Fraction(0)
            elif now is None:
                credit = None
            elif now <= Fraction(25, 1000):
                credit = Fraction(1)
            elif before is None:
                credit = None
            elif before == 0:
                credit = Fraction(0)
            else:
                credit = clamp((before - now) / before / Fraction(30, 100), Fraction(0),
                               Fraction(1))
            credits[m] = (None if credit is None
                          else Fraction(rounded(credit, 4, ROUND_HALF_EVEN)))
        total = weighted_rescaled(credits, weights)
        payment = (None if total is None
                   else min(max(900000 * total, Fraction(50000)), Fraction(900000)))
        result[org] = {
            **{f"index_2024({m})": None if index(m, P) is None
               else rounded(index(m, P) * 100, 2, ROUND_HALF_EVEN) for m in weights},
            **{f"measure_credit({m})": None if c is None else rounded(c, 4)
               for m, c in credits.items()},
            "equity_payment": cents(payment) if payment is not None else Decimal("0.00"),
        }
    return result


# ---- Tufts Medicine ------------------------------------------------------------------------

def variance_tier(reduction: Fraction) -> Fraction:
    return tier(reduction, ((Fraction(0), Fraction(0)), (Fraction(10, 100), Fraction(1, 4)),
                            (Fraction(25, 100), Fraction(1, 2)),
                            (Fraction(50, 100), Fraction(3, 4))), Fraction(1))


def settle_tufts(table: Table | None = None) -> Figures:
    table = load("bluecross-tufts.csv") if table is None else table
    weights = {m: Fraction(25, 100) for m in ("COL", "HBD", "CBP", "WCV")}
    result = {}
    for org in organizations(table):
        def variance(m: str, p: str, org: str = org) -> Fraction | None:
            rates = rates_with_data(table, org, m, SPD15, p, 30)
            if len(rates) < 2:
                return None
            members = {g: den(table, org, m, SPD15[g], p) for g in rates}
            total = sum(members.values())
            mu = sum(members[g] * y for g, y in rates.items()) / total
            return sum(members[g] / total * ((y - mu) * 100) ** 2 for g, y in rates.items())

        def adult(m: str) -> Fraction | None:
            before, now = variance(m, B), variance(m, P)
            if before is None or now is None:
                return None
            if before < 2:
                return Fraction(1 if now < 2 else 0)
            return variance_tier((before - now) / before)

        def wcv(org: str = org) -> Fraction | None:
            met = []
            for g in ("Asian", "Black", "Hispanic"):
                before = rate(table, org, "WCV", SPD15[g], B, 30)
                after = rate(table, org, "WCV", SPD15[g], P, 30)
                if before is None or after is None:
                    continue
                target = before + (Fraction(80, 100) - before) * Fraction(10, 100)
                met.append(after >= Fraction(80, 100) or after >= target)
            return Fraction(sum(met), len(met)) if met else None

        credits = {m: adult(m) for m in ("COL", "HBD", "CBP")}
        credits["WCV"] = wcv()
        credits = {m: None if c is None else Fraction(rounded(c, 4, ROUND_HALF_EVEN))
                   for m, c in credits.items()}
        total = weighted_rescaled(credits, weights)
        result[org] = {
            **{f"measure_credit({m})": None if c is None else rounded(c, 4)
               for m, c in credits.items()},
            **{f"variance_2024({m})": None if variance(m, P) is None
               else rounded(variance(m, P), 2, ROUND_HALF_EVEN) for m in weights},
            "equity_payment": cents(850000 * total) if total is not None else Decimal("0.00"),
        }
    return result


# ---- Boston Children's --------------------------------------------------------------------

def quarters(closed: Fraction) -> Fraction:
    return tier(closed, ((Fraction(1, 4), Fraction(0)), (Fraction(1, 2), Fraction(1, 4)),
                         (Fraction(3, 4), Fraction(1, 2)), (Fraction(1), Fraction(3, 4))),
                Fraction(1))


def settle_boston_childrens(table: Table | None = None) -> Figures:
    table = load("bluecross-boston-childrens.csv") if table is None else table
    weights = {"WCV_3_11": Fraction(35, 100), "WCV_12_17": Fraction(40, 100),
               "WCV_18_21": Fraction(25, 100)}
    result = {}
    for org in organizations(table):
        def credit(m: str, g: str, org: str = org) -> Fraction | None:
            if any(den(table, org, m, SPD15[h], p) < 30 for h in (g, "White") for p in (B, P)):
                return None
            n, d = table[(org, m, SPD15[g], P)]
            wn, wd = table[(org, m, "White", P)]
            if not wilson(n, d, 1) < wilson(wn, wd, -1):
                return Fraction(1)
            gap = {p: worse_by(m, rate(table, org, m, SPD15[g], p),
                               rate(table, org, m, "White", p)) for p in (B, P)}
            if gap[B] <= 0:
                return Fraction(0)
            return quarters((gap[B] - gap[P]) / gap[B])

        bands = {m: mean(credit(m, g) for g in ("Black", "Hispanic")) for m in weights}
        bands = {m: None if c is None else Fraction(rounded(c, 4, ROUND_HALF_EVEN))
                 for m, c in bands.items()}
        total = weighted_rescaled(bands, weights)
        result[org] = {
            **{f"band_credit({m})": None if c is None else rounded(c, 4)
               for m, c in bands.items()},
            "equity_payment": cents(400000 * total) if total is not None else Decimal("0.00"),
        }
    return result


# ---- peers: thirds ---------------------------------------------------------------------------

def thirds(table: Table, m: str, g: str, minimum: int) -> dict[str, int | None]:
    """Each organization's peer third on group g's rate: +1, 0, -1, or None."""
    rates = {org: rate(table, org, m, g, P, minimum) for org in organizations(table)}
    ranked = {org: y for org, y in rates.items() if y is not None}
    n = len(ranked)
    result: dict[str, int | None] = {}
    for org, y in rates.items():
        if y is None or n < 3:
            result[org] = None
            continue
        # Its place is one after those strictly ahead: a tie shares the better place.
        ahead = sum(1 for other in ranked.values() if worse_by(m, y, other) > 0)
        # In whole numbers: the middle of the place, ahead + 1/2, against n/3 and 2n/3.
        middle_twice = 2 * ahead + 1
        result[org] = 1 if 3 * middle_twice < 2 * n else -1 if 3 * middle_twice > 4 * n else 0
    return result


def median(values: list[Fraction]) -> Fraction | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def settle_health_equity_index(table: Table | None = None) -> Figures:
    table = load("ma-health-equity-index.csv") if table is None else table
    weights = {"COL": Fraction(20, 100), "CBP": Fraction(40, 100), "HBD": Fraction(40, 100)}
    by_measure = {m: thirds(table, m, "Social risk factor", 50) for m in weights}
    members = {org: sum(den(table, org, m, "ALL", P) for m in weights)
               for org in organizations(table)}
    # A plan with no members has no share, and the median is of the plans with one.
    share = {org: None if members[org] == 0 else
             sum(den(table, org, m, "Social risk factor", P) for m in weights) / members[org]
             for org in organizations(table)}
    middle = median([s for s in share.values() if s is not None])
    result = {}
    for org in organizations(table):
        scores = {m: None if by_measure[m][org] is None else Fraction(by_measure[m][org])
                  for m in weights}
        ranked = [m for m, s in scores.items() if s is not None]
        exact = weighted_rescaled(scores, weights) if len(ranked) >= 2 else None
        # The reward is computed from the index as the contract outputs it: 4 decimals.
        index = None if exact is None else rounded(exact, 4, ROUND_HALF_EVEN)
        own = share[org]
        # A plan without a share has no index either (it is ranked nowhere): no reward.
        most = (Fraction(0) if own is None or middle is None
                else Fraction(4, 10) if own >= middle
                else Fraction(2, 10) if own >= middle / 2 else Fraction(0))
        result[org] = {
            "index": index,
            "risk_share": None if own is None else rounded(own * 100, 2, ROUND_HALF_EVEN),
            "reward": rounded(max(Fraction(0), Fraction(index or 0)) * most, 3),
        }
    return result


def load_inputs(name: str) -> Inputs:
    """An organization table: each organization's inputs, percents as fractions."""
    with (CONTRACTS / name).open(encoding="utf-8", newline="") as handle:
        return {r.pop("org"): {k: Fraction(v.removesuffix("%")) / 100 for k, v in r.items()}
                for r in csv.DictReader(handle)}


def settle_shared_savings(table: Table | None = None, inputs: Inputs | None = None
                          ) -> Figures:
    table = load("mssp-health-equity-adjustment.csv") if table is None else table
    inputs = (load_inputs("mssp-health-equity-adjustment-organizations.csv")
              if inputs is None else inputs)
    measures = ("COL", "BCS", "CBP", "HBD")
    by_measure = {m: thirds(table, m, "ALL", 0) for m in measures}
    result = {}
    for org in organizations(table):
        points = {m: {1: 4, 0: 2, -1: 0, None: 0}[by_measure[m][org]] for m in measures}
        scaler = sum(points.values())
        # The higher of the two shares of the ACO's beneficiaries, as a fraction.
        shares = inputs[org]
        multiplier = Fraction(rounded(max(shares["dual_or_lis_share"],
                                          shares["high_adi_share"]), 4, ROUND_HALF_EVEN))
        bonus = 0 if multiplier < Fraction(2, 10) else min(scaler * multiplier, 10)
        result[org] = {
            "performance_scaler": Decimal(scaler),
            "underserved_multiplier": rounded(multiplier, 4),
            "bonus_points": rounded(Fraction(bonus), 2),
        }
    return result


# ---- Deprivation gradient ------------------------------------------------------------------

AREA = ("Least deprived quintile", "Deprivation quintile 2", "Deprivation quintile 3",
        "Deprivation quintile 4", "Most deprived quintile")


def gradient_of(table: Table, org: str, m: str, p: str) -> tuple[Fraction, float] | None:
    """The slope index across the quintiles with data (most deprived first), exactly, and
    the lower end of its 95% interval, in floating point; None with fewer than two."""
    found = [(n, d) for n, d in (table.get((org, m, g, p), (Fraction(0), Fraction(0)))
                                 for g in reversed(AREA)) if d > 0]
    if len(found) < 2:
        return None
    total = sum(d for _, d in found)
    shares = [d / total for _, d in found]
    ridits, below = [], Fraction(0)
    for share in shares:
        ridits.append(below + share / 2)
        below += share
    spread = sum(s * (x - Fraction(1, 2)) ** 2 for s, x in zip(shares, ridits, strict=True))
    weights = [s * (x - Fraction(1, 2)) / spread for s, x in zip(shares, ridits, strict=True)]
    slope = sum(c * n / d for c, (n, d) in zip(weights, found, strict=True))
    error = math.sqrt(sum(float(c) ** 2 * float(n / d) * float(1 - n / d) / float(d)
                          for c, (n, d) in zip(weights, found, strict=True)))
    return slope, float(slope) - statistics.NormalDist().inv_cdf(0.975) * error


def wilson_width(n: Fraction, d: Fraction, level: float) -> float:
    z = statistics.NormalDist().inv_cdf(0.5 + level / 2)
    y, count = float(n / d), float(d)
    return 2 * z * math.sqrt(y * (1 - y) / count + z * z / (4 * count * count)) / (
        1 + z * z / count)


def settle_deprivation_gradient(table: Table | None = None) -> Figures:
    table = load("deprivation-gradient.csv") if table is None else table
    groups = list(SPD15.values())
    result: Figures = {}
    for org in organizations(table):
        def gradient_credit(m: str, org: str = org) -> Fraction | None:
            now, before = gradient_of(table, org, m, P), gradient_of(table, org, m, B)
            if now is None:
                return None
            if now[1] <= 0:
                return Fraction(1)
            if before is None or before[1] <= 0:
                return Fraction(0)
            return clamp((before[0] - now[0]) / before[0] / Fraction(1, 2), Fraction(0),
                         Fraction(1))

        def disparity_high(m: str, org: str = org) -> float | None:
            cells = [(g, float(n), float(d)) for g in groups
                     for n, d in [table.get((org, m, g, P), (Fraction(0), Fraction(0)))]
                     if d > 0]
            if len(cells) < 2:
                return None
            shares = drawn.shares(cells)

            def index(ys: list[float]) -> float | None:
                mu = drawn.mean(ys, shares)
                return None if mu == 0 else drawn.index_of_disparity(ys, shares)

            return drawn.simulate(index, cells, 20240101, 100, m, P, 0.90)[1]

        def race_credit(m: str, org: str = org) -> Fraction | None:
            high = disparity_high(m)
            if high is not None and high < 0.10:
                return Fraction(1)
            all_n, all_d = table.get((org, m, "ALL", P), (Fraction(0), Fraction(0)))
            mu = all_n / all_d if all_d > 0 else None

            def shrunk(g: str) -> Fraction | None:
                n, d = table.get((org, m, g, P), (Fraction(0), Fraction(0)))
                return None if mu is None else (n + 50 * mu) / (d + 50)

            credits = []
            for g in groups:
                n, d = table.get((org, m, g, P), (Fraction(0), Fraction(0)))
                if g == "White" or d == 0 or wilson_width(n, d, 0.95) >= 0.20:
                    continue
                gap = worse_by(m, shrunk(g), shrunk("White"))
                credits.append(Fraction(1 if gap <= 3 * PP else 0))
            return mean(credits)

        figures: dict[str, Decimal | Fraction | None] = {}
        credits: dict[str, Fraction | None] = {}
        for m in ("COL", "CBP"):
            g, r = gradient_credit(m), race_credit(m)
            both = (g * Fraction(6, 10) + r * Fraction(4, 10) if g is not None and r is not None
                    else g if g is not None else r)
            credits[m] = None if both is None else Fraction(rounded(both, 4, ROUND_HALF_EVEN))
            figures[f"measure_credit({m})"] = None if both is None else rounded(
                both, 4, ROUND_HALF_EVEN)
            now = gradient_of(table, org, m, P)
            figures[f"gradient_2024({m})"] = None if now is None else rounded(
                now[0] * 100, 2, ROUND_HALF_EVEN)
            figures[f"gradient_2024_low({m})"] = None if now is None else rounded(
                Fraction(now[1] * 100), 2, ROUND_HALF_EVEN)
            high = disparity_high(m)
            figures[f"race_disparity_2024_high({m})"] = None if high is None else rounded(
                Fraction(high * 100), 2, ROUND_HALF_EVEN)
        total = weighted_rescaled(credits, {"COL": Fraction(1, 2), "CBP": Fraction(1, 2)})
        figures["payout"] = cents(500000 * total) if total is not None else Decimal("0.00")
        result[org] = figures
    return result


ORACLES: dict[str, Callable[..., Figures]] = {
    "bluecross-steward": settle_steward,
    "bluecross-bilh": settle_bilh,
    "bluecross-mgb": settle_mgb,
    "bluecross-boston-aco": settle_boston_aco,
    "bluecross-tufts": settle_tufts,
    "bluecross-boston-childrens": settle_boston_childrens,
    "ma-health-equity-index": settle_health_equity_index,
    "mssp-health-equity-adjustment": settle_shared_savings,
    "deprivation-gradient": settle_deprivation_gradient,
}
