# Equity terms on a gradient: a health plan pays provider organizations for narrowing the
# difference in care between members from the most and the least deprived neighborhoods,
# and for racial and ethnic gaps that are closed beyond chance. The design and every number
# in it (pool, shares, levels, width, strength, draws, seed) and the sample table
# deprivation-gradient.csv are illustrative.
#
# The terms in plain English:
# - Two adult measures, colorectal cancer screening and blood pressure control, each half of
#   the pool, compared between 2022 (baseline) and 2024 (performance).
# - Neighborhoods are ranked in five quintiles of an area deprivation index; the most
#   deprived quintile is the least advantaged. The gradient is the slope index of
#   inequality: the difference in points between the rates a line fitted across the
#   quintiles gives the least and the most deprived end, positive when the least deprived
#   do better.
# - A gradient counts only when it is clear beyond chance: its whole 95% interval lies above
#   0. No clear gradient in 2024 earns full gradient credit; a clear one earns credit for
#   the share of a clear 2022 gradient it has closed, full credit at half; a clear gradient
#   that was not clear in 2022 earns nothing.
# - Race and ethnicity (OMB SPD 15, every group compared with White): full race credit when
#   the index of disparity is low beyond chance, its simulated 90% interval (100 draws from
#   seed 20240101) lying wholly below 10%. Otherwise each group whose 2024 rate is reliable
#   (its 95% interval narrower than 20 points, the reliability rule used in place of a
#   minimum count) earns 1 when its gap to White is at most 3 points and 0 when not, both
#   rates shrunk toward the organization's rate with the weight of 50 members; the race
#   credit is the mean over those groups.
# - A measure's credit is 60% gradient and 40% race; when one part cannot be scored, the
#   other carries the whole credit. Each organization can earn up to $500,000.00, the pool
#   times the weighted mean of its measures' credits.
#
# Settle it with:
#   eqlang eval contracts/deprivation-gradient.eq --table contracts/deprivation-gradient.csv

## Equity terms on the gradient of care across neighborhood deprivation (illustrative).
contract "Gradient equity terms"
  payer "Example Health Plan (illustrative terms)"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "illustrative-1"
  effective 2024-01-01 to 2024-12-31
  settled as of 2025-06-30
end

import hedis
import groups
import statistics
import disparity
import gradient
import payment

measure COL from hedis weight 50%
measure CBP from hedis weight 50%

## Neighborhood deprivation quintiles, listed from the least deprived to the most deprived.
stratification area from groups.deprivation_quintiles
end

## Race and ethnicity (OMB SPD 15); every group but White is a focus group.
stratification race from groups.spd15
end

parameter pool: money = $500,000.00 per "Section 4.1"

## The confidence level at which a gradient counts as clear, and of the reliability rule.
parameter level: percent = 95% per "Section 2.2"
parameter full_closure: percent = 50% per "Section 2.3"
parameter gradient_share: percent = 60% per "Section 4.2"
parameter disparity_level: percent = 90% per "Section 3.2"
parameter low_disparity: percent = 10% per "Section 3.2"

## The simulation behind the index of disparity's interval: its draws and seed are terms, so
## that every settlement draws the same tables.
parameter draws: count = 100 per "Appendix A"
parameter seed: number = 20240101 per "Appendix A"
parameter reliability_width: pp = 20 pp per "Section 3.3"
parameter shrinkage_strength: count = 50 per "Section 3.4"
parameter small_gap: pp = 3 pp per "Section 3.4"

## The gradient against the most deprived members in period `p`: the slope index of
## inequality across the quintiles, positive when the least deprived do better (both
## measures are ones where a higher rate is better).
define deprivation_gradient(m: measure, p: period): pp =
  gradient.slope_index_of_inequality(m, area, p)

## The lower end of the gradient's 95% interval.
define gradient_low(m: measure, p: period): pp =
  gradient.slope_index_of_inequality_lower(m, area, p, level)

## Yes when the gradient is clear beyond chance: its whole interval lies above 0.
define clear_gradient(m: measure, p: period): yesno =
  gradient_low(m, p) > 0 pp

## Section 2: the gradient credit of measure `m`.
define gradient_credit(m: measure): number =
  if not clear_gradient(m, performance)
  then 1 because "no clear gradient in 2024"
  else if not clear_gradient(m, baseline)
  then 0 because "a clear gradient appeared after 2022"
  else payment.closure_credit(
    payment.gap_closure(
      deprivation_gradient(m, baseline),
      deprivation_gradient(m, performance)),
    full_closure)

## Section 3.2: the upper end of the simulated 90% interval of the index of disparity across
## race and ethnicity in 2024.
define race_disparity_high(m: measure): percent =
  simulated upper(
    disparity.index_of_disparity(m, race, performance),
    level: disparity_level, draws: draws, seed: seed)

## Section 3.4: a group's 2024 rate shrunk toward the organization's rate.
define shrunk(m: measure, g: group): percent =
  statistics.shrunk_rate(m, g, performance, shrinkage_strength)

## Section 3.4: a group's credit, 1 when its shrunk rate trails White's by at most the small
## gap. Not scored when the group's 2024 rate is not reliable (section 3.3).
define group_credit(m: measure, g: group): number =
  if not statistics.reliable(m, g, performance, reliability_width, level)
  then not scored because "the group's 2024 rate is not reliable"
  else if disparity.shortfall(m, shrunk(m, g), shrunk(m, White)) <= small_gap
  then 1
  else 0

## Section 3: the race credit of measure `m`.
define race_credit(m: measure): number =
  if (race_disparity_high(m) < low_disparity) otherwise no
  then 1 because "the index of disparity is low beyond chance"
  else mean(group_credit(m, g) for each g in focus groups of race, not scored: skip)
       otherwise not scored because "no focus group's 2024 rate is reliable"

## Section 4.2: a measure's credit; a part that cannot be scored leaves the other to carry
## it.
output measure_credit(m: measure): number =
  (gradient_credit(m) * gradient_share + race_credit(m) * (100% - gradient_share)) / 100%
  otherwise gradient_credit(m)
  otherwise race_credit(m)
  rounded to 4 decimals half even

## Reported: the 2024 gradient and the lower end of its 95% interval.
output gradient_2024(m: measure): pp =
  deprivation_gradient(m, performance)
  rounded to 2 decimals half even

output gradient_2024_low(m: measure): pp =
  gradient_low(m, performance)
  rounded to 2 decimals half even

## Reported: the upper end of the index of disparity's simulated interval.
output race_disparity_2024_high(m: measure): percent =
  race_disparity_high(m)
  rounded to 2 decimals half even

## Section 4.1: the payment.
output payout: money =
  pool * sum(
    measure_credit(m) weighted by weight(m)
    for each m in measures, not scored: rescale)
  otherwise ($0.00 because "no measure could be scored")
  rounded to cents half up

# ---- worked examples: `eqlang test contracts/deprivation-gradient.eq` --------------------
## Quintiles of 100 members each have ridit scores 0.1 to 0.9 from the most deprived; the
## slope index is then (y1 − y5) + (y2 − y4) / 2 and its variance v1 + v5 + (v2 + v4) / 4,
## with quintile 1 the least deprived and v = y(1 − y)/100.
## COL 2022: 80, 74, 68, 62, 55%: a gradient of 25 + 6 = 31 pp, its variance (0.16 + 0.2475
## + (0.1924 + 0.2356)/4)/100 = 0.005145, an error of 7.17 pp: 95% interval from 16.94 pp,
## clear. COL 2024: 80, 76, 72, 68, 65%: 15 + 4 = 19 pp, variance (0.16 + 0.2275 + (0.1824 +
## 0.2176)/4)/100 = 0.004875, error 6.982 pp: from 19 − 1.96 × 6.982 = 5.32 pp, clear.
## Closed (31 − 19)/31 = 38.71%, of the 50% for full credit: 0.7742.
## COL race: every group at 70% of hundreds: an index of disparity of 0, whose simulated
## upper end is a few percent, below 10%: race credit 1. COL: 60% × 0.7742 + 40% × 1 =
## 0.8645.
## CBP 2024: every quintile at 70%: no gradient, credit 1. CBP race: White 80% of 1000,
## Black 50% of 200, Asian 78% of 50, Hispanic 78.5% of 400: an index of disparity of 11.4%,
## not low. Asian's 95% interval is 22 points wide: not reliable. Shrunk toward the
## organization's 75% (1350 of 1800) with 50 members: White (800 + 37.5)/1050 = 79.76%,
## Black (100 + 37.5)/250 = 55% (0), Hispanic (314 + 37.5)/450 = 78.11% (1.65 pp behind:
## 1). Race credit 0.5; CBP: 60% × 1 + 40% × 0.5 = 0.8.
## $500,000.00 × (50% × 0.8645 + 50% × 0.8) = $416,125.00.
example "a gradient closed by more than a third, one gap closed"
  organization "Example Health Partners"
  rows
    COL "Least deprived quintile" 2022:   80 of  100
    COL "Deprivation quintile 2"  2022:   74 of  100
    COL "Deprivation quintile 3"  2022:   68 of  100
    COL "Deprivation quintile 4"  2022:   62 of  100
    COL "Most deprived quintile"  2022:   55 of  100
    COL "Least deprived quintile" 2024:   80 of  100
    COL "Deprivation quintile 2"  2024:   76 of  100
    COL "Deprivation quintile 3"  2024:   72 of  100
    COL "Deprivation quintile 4"  2024:   68 of  100
    COL "Most deprived quintile"  2024:   65 of  100
    COL White                     2024:  700 of 1000
    COL Black                     2024:  350 of  500
    COL Asian                     2024:  210 of  300
    COL Hispanic                  2024:  280 of  400
    CBP "Least deprived quintile" 2024:   70 of  100
    CBP "Deprivation quintile 2"  2024:   70 of  100
    CBP "Deprivation quintile 3"  2024:   70 of  100
    CBP "Deprivation quintile 4"  2024:   70 of  100
    CBP "Most deprived quintile"  2024:   70 of  100
    CBP White                     2024:  800 of 1000
    CBP Black                     2024:  100 of  200
    CBP Asian                     2024:   39 of   50
    CBP Hispanic                  2024:  314 of  400
    CBP ALL                       2024: 1350 of 1800
  expect gradient_2024(COL) = 19 pp
  expect gradient_2024_low(COL) = 5.32 pp
  expect gradient_credit(COL) = 0.7741935483870967741935483870967742
  expect race_credit(COL) = 1
  expect measure_credit(COL) = 0.8645
  expect gradient_credit(CBP) = 1
  expect group_credit(CBP, Asian) is not scored because "not reliable"
  expect group_credit(CBP, Black) = 0
  expect group_credit(CBP, Hispanic) = 1
  expect race_credit(CBP) = 0.5
  expect measure_credit(CBP) = 0.8
  expect payout = $416,125.00
end

## COL 2022: every quintile at 70%, no gradient. COL 2024: 85, 80, 75, 70, 60%: 25 + 5 = 30
## pp, variance (0.1275 + 0.24 + (0.16 + 0.21)/4)/100 = 0.0046, error 6.78 pp: from 16.7 pp,
## a clear gradient that appeared: 0. COL race: White 80% of 50 and Black 50% of 20, an index
## of disparity of 21%, not low; Black's interval is 40 points wide: no reliable group, so
## the race credit is not scored and COL's credit is its gradient credit, 0.
## CBP has one quintile with data: no gradient can be measured, so its credit is its race
## credit: White 80% of 1000 and Hispanic 78% of 500, an index of disparity of 1.3% whose
## simulated upper end is below 10%: 1.
## $500,000.00 × (50% × 0 + 50% × 1) = $250,000.00.
example "a gradient that appeared, and a measure carried by one part"
  organization "Example Health Partners"
  rows
    COL "Least deprived quintile" 2022:  70 of  100
    COL "Deprivation quintile 2"  2022:  70 of  100
    COL "Deprivation quintile 3"  2022:  70 of  100
    COL "Deprivation quintile 4"  2022:  70 of  100
    COL "Most deprived quintile"  2022:  70 of  100
    COL "Least deprived quintile" 2024:  85 of  100
    COL "Deprivation quintile 2"  2024:  80 of  100
    COL "Deprivation quintile 3"  2024:  75 of  100
    COL "Deprivation quintile 4"  2024:  70 of  100
    COL "Most deprived quintile"  2024:  60 of  100
    COL White                     2024:  40 of   50
    COL Black                     2024:  10 of   20
    CBP "Least deprived quintile" 2024:  70 of  100
    CBP White                     2024: 800 of 1000
    CBP Hispanic                  2024: 390 of  500
  expect gradient_credit(COL) = 0
  expect race_credit(COL) is not scored because "no focus group's 2024 rate is reliable"
  expect measure_credit(COL) = 0
  expect gradient_credit(CBP) is not scored because "fewer than two groups"
  expect race_credit(CBP) = 1
  expect measure_credit(CBP) = 1
  expect payout = $250,000.00
end

## An organization with no quintile or race rows: nothing can be scored, nothing is paid.
example "nothing scored pays nothing"
  organization "Small Practice"
  rows
    COL ALL 2024: 50 of 80
  expect measure_credit(COL) is not scored
  expect payout = $0.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The payment stays between nothing and the pool.
invariant "payment within the pool": always payout >= $0.00 and payout <= pool

## Every credit lies between 0 and 1.
invariant "credits between 0 and 1":
  always (measure_credit(m) otherwise 0) >= 0 and (measure_credit(m) otherwise 0) <= 1
  for each m in measures
