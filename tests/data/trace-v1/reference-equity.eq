# The reference equity contract: eqlang's worked example of a pay-for-equity term sheet.
# Every figure in it (pool, weights, thresholds) and the organizations in
# reference-equity.csv are illustrative, not any payer's actual terms.
#
# The terms in plain English:
# - Each organization in the table is settled on its own, comparing 2022 (baseline) with
#   2024 (performance).
# - Three measures: colorectal cancer screening (35% of the pool), controlling high blood
#   pressure (35%) and HbA1c poor control (30%, where a lower rate is better).
# - Asian, Black and Hispanic members are each compared with White members; other groups in
#   the table are ignored.
# - A group is scored on a measure when it and the White group have at least 30 members in
#   both periods.
# - A group's gap is how many percentage points its rate trails White members' (0 where it
#   does not trail). A gap of 2 points or less in 2022 earns full credit if it is still 2
#   points or less in 2024, and none otherwise. A wider gap earns credit for the share of it
#   closed by 2024: full credit for closing half of it, none if it widened.
# - A measure's score is the mean credit of its scored groups. A measure with no scored
#   group is not scored, and its weight passes to the scored measures.
# - No leveling down: a measure whose whole-population rate got worse by more than 1 point
#   scores 0, and still counts as scored.
# - Each organization can earn up to $1,000,000. A measure pays the pool times its weight
#   times its score, rounded half up to the cent; the payout is the sum, at most the pool.
#
# Settle it with:
#   eqlang eval contracts/reference-equity.eq --table contracts/reference-equity.csv

## Reference pay-for-equity terms: gap closure on three adult measures, per organization.
contract "Reference equity contract"
  payer "Illustrative Health Plan"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "1.0"
  effective 2024-01-01 to 2024-12-31
end

import hedis

## Colorectal cancer screening.
measure COL from hedis weight 35%
## Controlling high blood pressure.
measure CBP from hedis weight 35%
## HbA1c poor control (> 9%): a lower rate is better.
measure HBD from hedis weight 30%

## Race and ethnicity as recorded or imputed; other categories in the table are ignored.
stratification race "Race and ethnicity"
  groups Asian, Black, Hispanic, White
  reference White
  focus Asian, Black, Hispanic
end

## The pool each organization can earn.
parameter pool: money = $1,000,000.00 per "Section 4.1"

## Groups smaller than this in any period are not scored.
parameter minimum_size: count = 30 per "Section 3.2"

## A baseline gap this small already counts as closed.
parameter small_gap: pp = 2 pp per "Section 3.3"

## Closing this share of the baseline gap earns full credit.
parameter full_credit_closure: percent = 50% per "Section 3.4"

## Whole-population decline that triggers the no-leveling-down guard.
parameter leveling_down_margin: pp = 1 pp per "Section 3.6"

## A focus group counts when it and the reference group are large enough in both periods.
define scorable(m: measure, g: group): yesno =
  all(
    denominator(m, h, p) >= minimum_size
    for each h in {g, White}, p in {baseline, performance})

## The gap in percentage points, oriented so that a positive gap is a disparity.
define gap(m: measure, g: group, p: period): pp =
  max(
    0 pp,
    if higher_is_better(m)
    then rate(m, White, p) - rate(m, g, p)
    else rate(m, g, p) - rate(m, White, p))

## Share of the baseline gap closed by the performance period.
define closure(m: measure, g: group): number =
  (gap(m, g, baseline) - gap(m, g, performance)) / gap(m, g, baseline)

define group_score(m: measure, g: group): number =
  if gap(m, g, baseline) <= small_gap
  then (if gap(m, g, performance) <= small_gap then 1 else 0)
  else clamp(closure(m, g) / full_credit_closure, 0, 1)

## True when the whole population's care got worse by more than the margin.
define leveled_down(m: measure): yesno =
  if higher_is_better(m)
  then rate(m, ALL, baseline) - rate(m, ALL, performance) > leveling_down_margin
  else rate(m, ALL, performance) - rate(m, ALL, baseline) > leveling_down_margin

define measure_score(m: measure): number =
  if count(g for each g in focus groups where scorable(m, g)) = 0
  then not scored because "no focus group has 30 members in both periods"
  else if leveled_down(m)
  then 0 because "whole-population rate fell by more than 1 pp"
  else mean(group_score(m, g) for each g in focus groups where scorable(m, g))

## The measure's weight, rescaled so that the weights of the scored measures sum to 100%.
define rescaled_weight(m: measure): percent =
  if measure_score(m) is not scored
  then not scored because "the measure is not scored"
  else weight(m)
       / sum(weight(n) for each n in measures where measure_score(n) is scored)
       * 100%

output measure_payout(m: measure): money =
  pool * rescaled_weight(m) * measure_score(m)
  rounded to cents half up

output payout: money =
  if count(m for each m in measures where measure_score(m) is scored) = 0
  then $0.00 because "no measure was scored"
  else min(sum(measure_payout(m) for each m in measures, not scored: skip), pool)
  rounded to cents half up

# ---- worked examples (run them with `eqlang test contracts/reference-equity.eq`) ---------
## One year with something of everything, worked by hand with round numbers.
## COL: Asian trailed White by 1 pp and still does (small gap kept: 1); Black closed 4 of
## 10 pp (closure 40%, half of it needed: 0.8); Hispanic fell from 1 pp to 4 pp behind (0).
## Score 1.8 / 3 = 0.6; $1,000,000.00 x 35% x 0.6 = $210,000.00.
## CBP: Black closed half its 10 pp gap, but the whole population's rate fell from 80% to
## 75%, more than 1 pp: no leveling down, so CBP scores 0 and still counts as scored.
## HBD (lower is better): Asian is better than White (gap 0: 1), Black went from 10 pp to
## 6 pp (0.8), Hispanic from 5 pp to 2 pp (closure 60%: 1). Score 2.8 / 3;
## $1,000,000.00 x 30% x 2.8 / 3 = $280,000.00. Payout $210,000.00 + $0.00 + $280,000.00.
example "a mixed year on all three measures"
  organization "Example Health"
  rows
    COL ALL      2022: 980 of 1400
    COL ALL      2024: 994 of 1400
    COL White    2022: 700 of 1000
    COL White    2024: 720 of 1000
    COL Asian    2022:  69 of  100
    COL Asian    2024:  71 of  100
    COL Black    2022:  60 of  100
    COL Black    2024:  66 of  100
    COL Hispanic 2022:  69 of  100
    COL Hispanic 2024:  68 of  100
    CBP ALL      2022: 880 of 1100
    CBP ALL      2024: 825 of 1100
    CBP White    2022: 800 of 1000
    CBP White    2024: 750 of 1000
    CBP Black    2022:  70 of  100
    CBP Black    2024:  70 of  100
    HBD ALL      2022: 260 of 1300
    HBD ALL      2024: 234 of 1300
    HBD White    2022: 200 of 1000
    HBD White    2024: 180 of 1000
    HBD Asian    2022:  15 of  100
    HBD Asian    2024:  17 of  100
    HBD Black    2022:  30 of  100
    HBD Black    2024:  24 of  100
    HBD Hispanic 2022:  25 of  100
    HBD Hispanic 2024:  20 of  100
  expect group_score(COL, Asian) = 1
  expect group_score(COL, Black) = 0.8
  expect group_score(COL, Hispanic) = 0
  expect measure_score(COL) = 0.6
  expect leveled_down(CBP) = yes
  expect measure_score(CBP) = 0
  expect group_score(HBD, Asian) = 1
  expect group_score(HBD, Hispanic) = 1
  expect measure_payout(COL) = $210,000.00
  expect measure_payout(CBP) = $0.00
  expect measure_payout(HBD) = $280,000.00
  expect payout = $490,000.00
end

## Only COL has a focus group of 30 or more in both periods (CBP's Black group has 25 and
## 28 members; HBD has no group rows), so CBP and HBD are not scored and COL's 35% weight is
## rescaled to 100%. Black closed half of a 10 pp gap: full credit. With the pool set to
## $500,000.00: $500,000.00 x 100% x 1.
example "one scorable measure takes the whole pool"
  set pool = $500,000.00
  as of 2024-12-31
  rows
    COL ALL   2022: 770 of 1100
    COL ALL   2024: 787 of 1100
    COL White 2022: 700 of 1000
    COL White 2024: 720 of 1000
    COL Black 2022:  60 of  100
    COL Black 2024:  67 of  100
    CBP ALL   2022: 850 of 1025
    CBP ALL   2024: 860 of 1028
    CBP White 2022: 800 of 1000
    CBP White 2024: 810 of 1000
    CBP Black 2022:  18 of   25
    CBP Black 2024:  20 of   28
    HBD ALL   2022: 200 of 1000
    HBD ALL   2024: 190 of 1000
  expect rescaled_weight(COL) = 100%
  expect measure_score(CBP) is not scored because "no focus group has 30 members"
  expect measure_payout(CBP) is not scored because "the measure is not scored"
  expect measure_payout(HBD) is not scored
  expect measure_payout(COL) = $500,000.00
  expect payout = $500,000.00
end

## A small practice: its Black group has 20 members, so no measure can be scored, and the
## contract pays nothing rather than paying on too few members.
example "nothing scored pays nothing"
  organization "Small Practice"
  rows
    COL ALL   2022: 150 of 200
    COL ALL   2024: 160 of 200
    COL White 2022: 100 of 140
    COL White 2024: 105 of 140
    COL Black 2022:  12 of  20
    COL Black 2024:  14 of  20
    CBP ALL   2022: 140 of 200
    CBP ALL   2024: 150 of 200
    HBD ALL   2022:  40 of 200
    HBD ALL   2024:  36 of 200
  expect measure_payout(COL) is not scored
  expect payout = $0.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## An organization is never paid less than nothing, nor more than the pool.
invariant "payout within the pool": always payout >= $0.00 and payout <= pool

## Better care for a focus group, everything else equal, never pays less: a higher rate
## where higher is better, a lower one where lower is better.
invariant "better care for a focus group never pays less":
  payout never falls when rate(m, g, performance) improves
  for each m in measures, g in focus groups

## No leveling down: a measure whose whole-population rate worsened by more than the margin
## pays nothing, whatever happened to the gaps.
invariant "no leveling down":
  always (measure_payout(m) otherwise $0.00) = $0.00 when leveled_down(m)
  for each m in measures
