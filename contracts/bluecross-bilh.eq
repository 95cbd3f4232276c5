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
# - Each disparity earns credit by tier: under 1.5 points 100%, 1.5 to under 3 points 75%, 3
#   to under 4.5 points 50%, 4.5 to under 6 points 25%, 6 points or more nothing. Improvement
#   also counts: a disparity at least 30% smaller than in 2022 earns at least 50%.
# - A measure's credit is 60% race and 40% ethnicity; if one cannot be measured, the other
#   carries the measure. Unmeasured measures pass their weight to the others.
# - Each unit can earn up to $1,200,000.
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
import payment

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
  below 1.5 pp pays 100%
  from 1.5 pp to 3 pp pays 75%
  from 3 pp to 4.5 pp pays 50%
  from 4.5 pp to 6 pp pays 25%
  from 6 pp pays 0%
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
  max(disparity_tier(now),
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
  otherwise (not scored because "neither race nor ethnicity disparity could be measured")
  rounded to 2 decimals half even

## The race disparity in 2024, reported.
output race_gap(m: measure): pp = race_disparity(m, performance) rounded to 2 decimals half even

## The index of disparity of the races in 2024, reported and not paid on.
output race_index(m: measure): percent =
  disparity.index_of_disparity(m, race, performance)
  rounded to 2 decimals half even

output equity_payment: money =
  pool * mean(measure_credit(m) weighted by weight(m) for each m in measures,
              not scored: rescale)
  otherwise ($0.00 because "no measure could be scored")
  rounded to cents half up

# ---- promises: `eqlang check --properties` searches for tables that break them -------------

## The payment stays between nothing and the pool.
invariant "payment within the pool": always equity_payment >= $0.00 and equity_payment <= pool

## Better care for Hispanic members, everything else equal, never pays less.
invariant "better care for Hispanic members never pays less":
  equity_payment never falls when rate(m, Hispanic, performance) improves
  for each m in measures
