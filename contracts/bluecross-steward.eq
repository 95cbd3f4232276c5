# Equity terms in the style of Blue Cross Blue Shield of Massachusetts's equity-linked
# contracts, for Steward Health Care Network. The design and every number in it (pool,
# weights, thresholds, dates) and the sample table bluecross-steward.csv are illustrative:
# they are not Blue Cross's terms, which are not public.
#
# The terms in plain English:
# - Three measures: colorectal cancer screening (40% of the pool), controlling high blood
#   pressure (30%) and HbA1c poor control (30%, where a lower rate is better).
# - Groups: race and ethnicity in the seven OMB SPD 15 categories; each of the Asian, Black
#   and Hispanic groups is compared with White.
# - A group is scored on a measure when it and the White group have at least 30 members in
#   both 2022 (baseline) and 2024 (performance).
# - A scored group earns credit for closing its gap to White: a gap of 2 points or less in
#   2022 counts as closed if it is still 2 points or less in 2024; a wider gap earns credit
#   in proportion to the share of it closed, full credit at half of it.
# - No leveling down: a group earns nothing on a measure where the whole population's rate,
#   or White members' rate, got worse by more than 1 point.
# - A measure's score is the mean credit of its scored groups. A measure with no scored
#   group passes its share of the pool to the others.
# - Each of the network's regional units can earn up to $750,000.
#
# Settle it with:
#   eqlang eval contracts/bluecross-steward.eq --table contracts/bluecross-steward.csv

## Equity-linked performance payment, Steward Health Care Network (illustrative terms).
contract "Equity performance terms: Steward Health Care Network"
  payer "Blue Cross Blue Shield of Massachusetts (illustrative terms)"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "illustrative-1"
  effective 2023-01-01 to 2024-12-31
  settled as of 2025-06-30
end

import hedis
import groups
import statistics
import payment

measure COL from hedis weight 40%
measure CBP from hedis weight 30%
## HbA1c poor control: a lower rate is better.
measure HBD from hedis weight 30%

## Race and ethnicity in the SPD 15 categories, each focus group compared with White.
stratification race from groups.spd15
  focus Asian, Black, Hispanic
end

## The most each regional unit can earn.
parameter pool: money = $750,000.00 per "Exhibit E, section 2"

## Members a group (and White) needs in both years to be scored.
parameter minimum_size: count = 30 per "Exhibit E, section 3.1"

## A gap this small counts as closed.
parameter small_gap: pp = 2 pp per "Exhibit E, section 3.2"

## Closing this share of a baseline gap earns full credit.
parameter full_credit_closure: percent = 50% per "Exhibit E, section 3.3"

## A fall in care larger than this cancels a group's credit (no leveling down).
parameter leveling_margin: pp = 1 pp per "Exhibit E, section 3.4"

## A focus group's credit on a measure, from 0 to 1, after the no-leveling-down guard; not
## scored when the group or White is too small in either year.
define group_credit(m: measure, g: group): number =
  if not statistics.scorable(m, g, baseline, performance, minimum_size)
  then not scored because "the group or White has fewer than 30 members in 2022 or 2024"
  else payment.guarded_score(
    payment.gap_closure_score(m, g, baseline, performance, small_gap, full_credit_closure),
    m, g, baseline, performance, leveling_margin)

## The mean credit of the measure's scored focus groups; not scored when none is scored.
output measure_score(m: measure): number =
  mean(group_credit(m, g) for each g in focus groups, not scored: skip)
  otherwise not scored because "no focus group is scored on this measure"
  not rounded

## The payment: the pool times the weighted measure scores, the weights of unscored measures
## shared among the scored ones.
output equity_payment: money =
  pool * sum(
    measure_score(m) weighted by weight(m)
    for each m in measures, not scored: rescale)
  otherwise ($0.00 because "no measure could be scored")
  rounded to cents half up

# ---- worked examples (run them with `eqlang test contracts/bluecross-steward.eq`) --------
## Every group large enough and nothing leveled down; rates out of 1000 White members and
## 100 members of each focus group.
## COL: White 70% -> 72%. Asian trailed by 1 pp and still does (a small gap kept: 1); Black
## went from 10 pp to 6 pp behind (40% of the gap closed, full credit at 50%: 0.8);
## Hispanic from 10 pp to 7 pp (30%: 0.6). Score (1 + 0.8 + 0.6) / 3 = 0.8.
## CBP: White 80% both years. Black went from 10 pp to 2 pp behind (80% closed: capped at
## 1); Hispanic from 5 pp to 7 pp (the gap widened: 0); Asian has 20 members, so it is not
## scored and the score is the mean of two: (1 + 0) / 2 = 0.5.
## HBD (lower is better): White 20% -> 18%. Asian is below White in both years (a gap of
## 0 or less counts as closed: 1); Black went from 10 pp to 5 pp worse (50%: 1); Hispanic
## from 5 pp to 4 pp (20%: 0.4). Score (1 + 1 + 0.4) / 3 = 0.8.
## $750,000.00 x (40% x 0.8 + 30% x 0.5 + 30% x 0.8) = $750,000.00 x 71% = $532,500.00.
example "credit on all three measures"
  organization "Example Region"
  rows
    COL ALL      2022: 889 of 1300
    COL ALL      2024: 922 of 1300
    COL White    2022: 700 of 1000
    COL White    2024: 720 of 1000
    COL Asian    2022:  69 of  100
    COL Asian    2024:  71 of  100
    COL Black    2022:  60 of  100
    COL Black    2024:  66 of  100
    COL Hispanic 2022:  60 of  100
    COL Hispanic 2024:  65 of  100
    CBP ALL      2022: 961 of 1220
    CBP ALL      2024: 968 of 1220
    CBP White    2022: 800 of 1000
    CBP White    2024: 800 of 1000
    CBP Asian    2022:  16 of   20
    CBP Asian    2024:  17 of   20
    CBP Black    2022:  70 of  100
    CBP Black    2024:  78 of  100
    CBP Hispanic 2022:  75 of  100
    CBP Hispanic 2024:  73 of  100
    HBD ALL      2022: 270 of 1300
    HBD ALL      2024: 242 of 1300
    HBD White    2022: 200 of 1000
    HBD White    2024: 180 of 1000
    HBD Asian    2022:  15 of  100
    HBD Asian    2024:  17 of  100
    HBD Black    2022:  30 of  100
    HBD Black    2024:  23 of  100
    HBD Hispanic 2022:  25 of  100
    HBD Hispanic 2024:  22 of  100
  expect group_credit(COL, Asian) = 1
  expect group_credit(COL, Black) = 0.8
  expect group_credit(COL, Hispanic) = 0.6
  expect measure_score(COL) = 0.8
  expect group_credit(CBP, Asian) is not scored because "fewer than 30 members"
  expect group_credit(CBP, Black) = 1
  expect group_credit(CBP, Hispanic) = 0
  expect measure_score(CBP) = 0.5
  expect group_credit(HBD, Asian) = 1
  expect group_credit(HBD, Black) = 1
  expect group_credit(HBD, Hispanic) = 0.4
  expect measure_score(HBD) = 0.8
  expect equity_payment = $532,500.00
end

## Black members closed at least half of a 10 pp gap on every measure, which alone would
## earn full credit; the no-leveling-down guard decides.
## COL: the whole population's rate fell from 72% to 70%, 2 pp: no credit, although White
## held at 75%.
## CBP: White members' rate fell from 80% to 78.5%, 1.5 pp: no credit, although the whole
## population's fell by only 10 / 1100, about 0.91 pp.
## HBD: the whole population's poor control rose from 20% to 21%, exactly 1 pp, which is
## not more than the margin: full credit.
## $750,000.00 x (40% x 0 + 30% x 0 + 30% x 1) = $225,000.00.
example "no credit for a gap closed by worse care"
  organization "Example Region"
  rows
    COL ALL   2022: 720 of 1000
    COL ALL   2024: 700 of 1000
    COL White 2022: 600 of  800
    COL White 2024: 600 of  800
    COL Black 2022:  65 of  100
    COL Black 2024:  70 of  100
    CBP ALL   2022: 870 of 1100
    CBP ALL   2024: 860 of 1100
    CBP White 2022: 800 of 1000
    CBP White 2024: 785 of 1000
    CBP Black 2022:  70 of  100
    CBP Black 2024:  75 of  100
    HBD ALL   2022: 240 of 1200
    HBD ALL   2024: 252 of 1200
    HBD White 2022: 200 of 1000
    HBD White 2024: 200 of 1000
    HBD Black 2022:  30 of  100
    HBD Black 2024:  25 of  100
  expect group_credit(COL, Black) = 0
  expect group_credit(CBP, Black) = 0
  expect group_credit(HBD, Black) = 1
  expect measure_score(COL) = 0
  expect measure_score(CBP) = 0
  expect measure_score(HBD) = 1
  expect equity_payment = $225,000.00
end

## COL: the Black group has 25 members in 2022 and 28 in 2024, fewer than 30, and no other
## focus group has rows, so COL is not scored. HBD has only whole-population rows: not
## scored either. CBP: Black went from 10 pp to 6 pp behind White (40% closed: 0.8), so CBP
## takes the whole pool: $750,000.00 x 30% x 0.8 / 30% = $600,000.00.
example "a measure without scored groups passes its share on"
  organization "Example Region"
  rows
    COL ALL   2022: 790 of 1125
    COL ALL   2024: 830 of 1128
    COL White 2022: 700 of 1000
    COL White 2024: 720 of 1000
    COL Black 2022:  15 of   25
    COL Black 2024:  18 of   28
    CBP ALL   2022: 870 of 1100
    CBP ALL   2024: 874 of 1100
    CBP White 2022: 800 of 1000
    CBP White 2024: 800 of 1000
    CBP Black 2022:  70 of  100
    CBP Black 2024:  74 of  100
    HBD ALL   2022: 230 of 1100
    HBD ALL   2024: 220 of 1100
  expect group_credit(COL, Black) is not scored
  expect measure_score(COL) is not scored because "no focus group is scored"
  expect measure_score(HBD) is not scored
  expect measure_score(CBP) = 0.8
  expect equity_payment = $600,000.00
end

## A small site: 20 Black and 140 White members, so no group is scored on any measure and
## the site is paid nothing rather than on too few members.
example "nothing scored pays nothing"
  organization "Small Site"
  rows
    COL ALL   2022: 112 of 160
    COL ALL   2024: 120 of 160
    COL White 2022: 100 of 140
    COL White 2024: 106 of 140
    COL Black 2022:  12 of  20
    COL Black 2024:  14 of  20
  expect measure_score(COL) is not scored
  expect equity_payment = $0.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The payment stays between nothing and the pool.
invariant "payment within the pool":
  always equity_payment >= $0.00 and equity_payment <= pool

## Better care for a focus group, everything else equal, never pays less.
invariant "better care for a focus group never pays less":
  equity_payment never falls when rate(m, g, performance) improves
  for each m in measures, g in focus groups
