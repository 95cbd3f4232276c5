# Equity terms in the style of Blue Cross Blue Shield of Massachusetts's equity-linked
# contracts, for Beth Israel Lahey Health. The design and every number in it (pool, tiers,
# weights, thresholds, dates) and the sample table bluecross-bilh.csv are illustrative: they
# are not Blue Cross's terms, which are not public.
#
# The terms in plain English:
# - Three measures: colorectal cancer screening (30% of the pool), controlling high blood
#   pressure (35%) and HbA1c poor control (35%, where a lower rate is better). A group is
#   counted on a measure only with at least 20 members in it.
# - Race and ethnicity are asked separately, as in the 1997 OMB standard. Race: the five OMB
#   races, each compared with whichever race does best on the measure, not with a fixed
#   group. Ethnicity: Hispanic or Latino members compared with everyone else who answered.
# - Race disparity: the average member's distance, in points, from the best-performing
#   race's rate (the population-weighted mean difference from the best group). It is only
#   measured when at least 60% of the races (3 of 5) have 20 members or more.
# - Ethnicity disparity: the gap between Hispanic or Latino members and the rest, in points
#   (0 when Hispanic members do as well or better).
# - Each disparity earns credit by tier: under 1.5 points 100%, 1.5 to under 3 points 75%,
#   3 to under 4.5 points 50%, 4.5 to under 6 points 25%, 6 points or more none. Improvement
#   also counts: a disparity at least 30% smaller than in 2022 earns at least 50%.
# - A measure's credit is 60% race and 40% ethnicity; if one cannot be measured, the other
#   carries the measure. Unmeasured measures pass their weight to the others.
# - Each unit can earn up to $1,200,000.
# - A consequence both sides should accept knowingly: because races are measured against the
#   best-performing race, better care for that race widens the others' distance from it and
#   can lower the payment. Only better care for Hispanic members is promised never to pay
#   less (see the invariants at the end; docs/invariants.md shows how the search finds such
#   a table).
#
# Settle it with:
#   eqlang eval contracts/bluecross-bilh.eq --table contracts/bluecross-bilh.csv

## Equity-linked performance payment, Beth Israel Lahey Health (illustrative terms).
contract "Equity performance terms: Beth Israel Lahey Health"
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
import disparity

measure COL from hedis weight 30% minimum denominator 20
measure CBP from hedis weight 35% minimum denominator 20
## HbA1c poor control: a lower rate is better.
measure HBD from hedis weight 35% minimum denominator 20

## The five OMB races, each compared with the best-performing race on the measure.
stratification race from groups.omb1997_race
  reference best performing group
end

## Hispanic or Latino members compared with the rest who answered.
stratification ethnicity from groups.omb1997_ethnicity
  focus Hispanic
end

## The most each unit can earn.
parameter pool: money = $1,200,000.00 per "Attachment 3, section 1"

## The share of races that must have data for the race disparity to be measured.
parameter race_coverage: percent = 60% per "Attachment 3, section 2.2"

## A disparity at least this much smaller than in 2022 earns the improvement credit.
parameter improvement_needed: percent = 30% per "Attachment 3, section 2.4"

## The credit for improvement alone.
parameter improvement_credit: percent = 50% per "Attachment 3, section 2.4"

## Credit by the size of a disparity, in points.
schedule disparity_tier(size: pp): percent
  below 1.5 pp        pays 100%
  from 1.5 pp to 3 pp pays 75%
  from 3 pp to 4.5 pp pays 50%
  from 4.5 pp to 6 pp pays 25%
  from 6 pp           pays 0%
end

## The race disparity: the population-weighted mean difference from the best-performing
## race, in points; not scored when fewer than 60% of the races have data.
define race_disparity(m: measure, p: period): pp =
  if not statistics.covered(m, race, p, race_coverage)
  then not scored because "fewer than 60% of the races have 20 members or more"
  else disparity.weighted_mean_difference_from_best(m, race, p)

## The ethnicity disparity: Hispanic members' gap to the rest, never below 0.
define ethnicity_disparity(m: measure, p: period): pp =
  max(0 pp, disparity.gap_to_reference(m, Hispanic, p))

## Credit for a disparity: its tier, or the improvement credit when it shrank by at least
## 30% since 2022, whichever is more.
define credit(now: pp, before: pp): percent =
  max(
    disparity_tier(now),
    (if before > 0 pp and (before - now) / before * 100% >= improvement_needed
     then improvement_credit
     else 0%)
    otherwise 0%)

define race_credit(m: measure): percent =
  credit(race_disparity(m, performance), race_disparity(m, baseline))

define ethnicity_credit(m: measure): percent =
  credit(ethnicity_disparity(m, performance), ethnicity_disparity(m, baseline))

## A measure's credit: 60% race and 40% ethnicity, rescaled when one is not measured.
output measure_credit(m: measure): percent =
  race_credit(m) * 60% + ethnicity_credit(m) * 40%
  otherwise race_credit(m)
  otherwise ethnicity_credit(m)
  otherwise not scored because "neither race nor ethnicity disparity could be measured"
  rounded to 2 decimals half even

## The race disparity in 2024, reported.
output race_gap(m: measure): pp =
  race_disparity(m, performance)
  rounded to 2 decimals half even

## The index of disparity of the races in 2024, reported and not paid on.
output race_index(m: measure): percent =
  disparity.index_of_disparity(m, race, performance)
  rounded to 2 decimals half even

output equity_payment: money =
  pool * mean(
    measure_credit(m) weighted by weight(m)
    for each m in measures, not scored: rescale)
  otherwise ($0.00 because "no measure could be scored")
  rounded to cents half up

# ---- worked examples (run them with `eqlang test contracts/bluecross-bilh.eq`) -----------
## Three races with data each year (3 of 5 is exactly the 60% needed); the race disparity is
## the members' weighted mean distance from the best race, over 1000 members.
## COL 2024: Asian is best at 80%; White (600) 1 pp and Black (200) 4 pp behind:
## (600 x 1 + 200 x 4) / 1000 = 1.4 pp, tier 100%. In 2022, Asian 80%, White 78%, Black 75%:
## (600 x 2 + 200 x 5) / 1000 = 2.2 pp. Hispanic members trail the rest by 2 pp (78% - 76%),
## tier 75%, down from 4 pp: 50% smaller earns the 50% improvement credit, less than 75%.
## Credit 100% x 60% + 75% x 40% = 90%.
## CBP 2024: White is best at 80%; Asian (250) at 72% and Black (250) at 68%:
## (250 x 8 + 250 x 12) / 1000 = 5 pp, tier 25%; in 2022, 68% and 60%:
## (250 x 12 + 250 x 20) / 1000 = 8 pp, so 37.5% smaller: the improvement credit, 50%.
## Hispanic trails by 3 pp (80% - 77%), tier 50%, down from 4 pp, only 25% smaller.
## Credit 50% x 60% + 50% x 40% = 50%.
## HBD (lower is better) 2024: Asian is best at 18%; White (500) at 24% and Black (250) at
## 30%: (500 x 6 + 250 x 12) / 1000 = 6 pp, tier 0%, and 7 pp in 2022, only 1/7 smaller.
## Hispanic is 1 pp worse than the rest (26% - 25%), tier 100%.
## Credit 0% x 60% + 100% x 40% = 40%.
## Payment: $1,200,000.00 x (30% x 90% + 35% x 50% + 35% x 40%) = $1,200,000.00 x 58.5%.
## Race indexes of disparity, 2024: COL, mean 786 / 1000 = 78.6%, distances 0.4, 1.4 and
## 2.6 pp: 4.4 / 3 / 78.6 = 1.8660% (1.87%). CBP, mean 75%, distances 5, 3 and 7 pp:
## 5 / 75 = 6.67%. HBD, mean 24%, distances 0, 6 and 6 pp: 4 / 24 = 16.67%.
example "every tier of the disparity grid"
  organization "Example Unit"
  rows
    COL White       2022: 468 of 600
    COL White       2024: 474 of 600
    COL Asian       2022: 160 of 200
    COL Asian       2024: 160 of 200
    COL Black       2022: 150 of 200
    COL Black       2024: 152 of 200
    COL NotHispanic 2022: 702 of 900
    COL NotHispanic 2024: 702 of 900
    COL Hispanic    2022:  74 of 100
    COL Hispanic    2024:  76 of 100
    CBP White       2022: 400 of 500
    CBP White       2024: 400 of 500
    CBP Asian       2022: 170 of 250
    CBP Asian       2024: 180 of 250
    CBP Black       2022: 150 of 250
    CBP Black       2024: 170 of 250
    CBP NotHispanic 2022: 720 of 900
    CBP NotHispanic 2024: 720 of 900
    CBP Hispanic    2022:  76 of 100
    CBP Hispanic    2024:  77 of 100
    HBD White       2022: 125 of 500
    HBD White       2024: 120 of 500
    HBD Asian       2022:  45 of 250
    HBD Asian       2024:  45 of 250
    HBD Black       2022:  80 of 250
    HBD Black       2024:  75 of 250
    HBD NotHispanic 2022: 243 of 900
    HBD NotHispanic 2024: 225 of 900
    HBD Hispanic    2022:  29 of 100
    HBD Hispanic    2024:  26 of 100
  expect race_disparity(COL, baseline) = 2.2 pp
  expect race_disparity(COL, performance) = 1.4 pp
  expect race_credit(COL) = 100%
  expect ethnicity_disparity(COL, performance) = 2 pp
  expect ethnicity_credit(COL) = 75%
  expect measure_credit(COL) = 90%
  expect race_disparity(CBP, baseline) = 8 pp
  expect race_gap(CBP) = 5 pp
  expect race_credit(CBP) = 50%
  expect ethnicity_disparity(CBP, performance) = 3 pp
  expect ethnicity_credit(CBP) = 50%
  expect measure_credit(CBP) = 50%
  expect race_gap(HBD) = 6 pp
  expect race_credit(HBD) = 0%
  expect ethnicity_credit(HBD) = 100%
  expect measure_credit(HBD) = 40%
  expect race_index(COL) = 1.87%
  expect race_index(CBP) = 6.67%
  expect race_index(HBD) = 16.67%
  expect equity_payment = $702,000.00
end

## COL: three races have data in 2024 but only two in 2022 (15 Asian members), so the 2022
## race disparity is not measured and there is no improvement to credit. 2024: Asian best
## at 82%, White (600) 2 pp and Black (200) 4 pp behind: (1200 + 800) / 1000 = 2 pp, tier
## 75%. With 15 Hispanic members ethnicity is not measured: race carries COL, 75%.
## CBP: only White and Black have data, 2 races of 5 (40%): race is not measured.
## Ethnicity carries CBP: Hispanic members were ahead in 2022 (74% against 72%, a disparity
## of 0), so nothing was there to improve on; 2 pp behind in 2024 (75% - 73%): tier 75%.
## HBD has no rows: neither is measured, and its weight goes to the others.
## $1,200,000.00 x (30% x 75% + 35% x 75%) / 65% = $1,200,000.00 x 75%.
## CBP's race index is still reported over its two races: mean 620 / 800 = 77.5%, distances
## 2.5 and 7.5 pp: 5 / 77.5 = 6.4516% (6.45%).
example "one stratification carries a measure"
  organization "Example Unit"
  rows
    COL White       2022: 474 of  600
    COL White       2024: 480 of  600
    COL Asian       2022:  12 of   15
    COL Asian       2024: 164 of  200
    COL Black       2022: 148 of  200
    COL Black       2024: 156 of  200
    COL NotHispanic 2022: 700 of 1000
    COL NotHispanic 2024: 720 of 1000
    COL Hispanic    2022:  11 of   15
    COL Hispanic    2024:  12 of   15
    CBP White       2022: 480 of  600
    CBP White       2024: 480 of  600
    CBP Black       2022: 140 of  200
    CBP Black       2024: 140 of  200
    CBP NotHispanic 2022: 648 of  900
    CBP NotHispanic 2024: 675 of  900
    CBP Hispanic    2022:  74 of  100
    CBP Hispanic    2024:  73 of  100
  expect race_disparity(COL, baseline) is not scored because "fewer than 60% of the races"
  expect race_gap(COL) = 2 pp
  expect race_credit(COL) = 75%
  expect ethnicity_credit(COL) is not scored
  expect measure_credit(COL) = 75%
  expect race_credit(CBP) is not scored
  expect ethnicity_disparity(CBP, baseline) = 0 pp
  expect ethnicity_credit(CBP) = 75%
  expect measure_credit(CBP) = 75%
  expect race_index(CBP) = 6.45%
  expect measure_credit(HBD) is not scored because "neither race nor ethnicity"
  expect equity_payment = $900,000.00
end

## A small unit: no race and no ethnicity group reaches 20 members besides White and the
## non-Hispanic members, so no disparity is measured and nothing is paid.
example "nothing measured pays nothing"
  organization "Small Unit"
  rows
    COL White       2022: 30 of 40
    COL White       2024: 32 of 40
    COL Black       2022:  9 of 12
    COL Black       2024: 10 of 12
    COL NotHispanic 2022: 33 of 44
    COL NotHispanic 2024: 35 of 44
    COL Hispanic    2022:  6 of  8
    COL Hispanic    2024:  7 of  8
  expect measure_credit(COL) is not scored
  expect equity_payment = $0.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The payment stays between nothing and the pool.
invariant "payment within the pool":
  always equity_payment >= $0.00 and equity_payment <= pool

## Better care for Hispanic members, everything else equal, never pays less. The same is not
## promised for the races: better care for the best-performing race can pay less (see the
## header), and the search finds such a table at once if the promise is declared.
invariant "better care for Hispanic members never pays less":
  equity_payment never falls when rate(m, Hispanic, performance) improves
  for each m in measures
