# Equity terms in the style of Blue Cross Blue Shield of Massachusetts's equity-linked
# contracts, for Boston ACO (Boston Medical Center's accountable care organization). The
# design and every number in it (pool, floor, targets, dates) and the sample table
# bluecross-boston-aco.csv are illustrative: they are not Blue Cross's terms, which are not
# public.
#
# The terms in plain English:
# - Three measures: colorectal cancer screening (30% of the pool), controlling high blood
#   pressure (40%) and HbA1c poor control (30%, where a lower rate is better).
# - Most members are Black or Hispanic, and White members are a minority, so no group is the
#   yardstick: each of the seven SPD 15 groups is compared with the ACO's whole population.
# - The disparity on a measure is the index of disparity: how far, on average, the groups'
#   rates are from the overall rate, as a share of it. Groups need 30 members to count, and
#   the index is measured only when at least half of the seven groups have them.
# - Credit for a measure: full when the index in 2024 is 2.5% or less (already near
#   equity); otherwise in proportion to how much smaller the index is than in 2022, full
#   credit at 30% smaller; never below 0, so nothing for an index that grew, even from 0%.
# - No leveling down: a measure whose whole-population rate got worse by more than 1 point
#   earns nothing.
# - The pool of $900,000 is paid by the weighted credits, weights of unmeasured measures
#   shared among the others; a safety-net floor of $50,000 is paid whenever any measure is
#   measured.
#
# Settle it with:
#   eqlang eval contracts/bluecross-boston-aco.eq --table contracts/bluecross-boston-aco.csv

## Equity-linked performance payment, Boston ACO (illustrative terms).
contract "Equity performance terms: Boston ACO"
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

measure COL from hedis weight 30% minimum denominator 30
measure CBP from hedis weight 40% minimum denominator 30
## HbA1c poor control: a lower rate is better.
measure HBD from hedis weight 30% minimum denominator 30

## The SPD 15 groups, each compared with the whole population.
stratification race from groups.spd15
  reference whole population
end

parameter pool: money = $900,000.00 per "Exhibit B, section 1"

## Paid whenever at least one measure is measured.
parameter floor_payment: money = $50,000.00 per "Exhibit B, section 1.2"

## The share of groups that must have data for the index to be measured.
parameter coverage_needed: percent = 50% per "Exhibit B, section 2"

## An index at or below this counts as equitable.
parameter equitable_index: percent = 2.5% per "Exhibit B, section 3"

## The reduction of the index that earns full credit.
parameter full_credit_reduction: percent = 30% per "Exhibit B, section 3"

parameter leveling_margin: pp = 1 pp per "Exhibit B, section 4"

## The index of disparity of the measure in a period; not scored when fewer than half of the
## groups have 30 members.
define index(m: measure, p: period): percent =
  if not statistics.covered(m, race, p, coverage_needed)
  then not scored because "fewer than half of the groups have 30 members"
  else disparity.index_of_disparity(m, race, p)

## How much smaller the index is than in 2022, as a share of the 2022 index.
define reduction(m: measure): percent =
  (index(m, baseline) - index(m, performance)) / (index(m, baseline) - 0%) * 100%

output measure_credit(m: measure): number =
  if payment.leveled_down(m, baseline, performance, leveling_margin)
  then 0 because "the whole population's rate got worse by more than 1 point"
  else if index(m, performance) <= equitable_index
  then 1 because "the index is at or below 2.5% in 2024"
  else if index(m, baseline) = 0%
  then 0 because "the index has grown from 0% in 2022"
  else payment.closure_credit(reduction(m), full_credit_reduction)
  rounded to 4 decimals half even

output index_2022(m: measure): percent = index(m, baseline) rounded to 2 decimals half even

output index_2024(m: measure): percent = index(m, performance) rounded to 2 decimals half even

output equity_payment: money =
  payment.capped(
    payment.floored(pool * sum(measure_credit(m) weighted by weight(m)
                               for each m in measures, not scored: rescale),
                    floor_payment),
    pool)
  otherwise ($0.00 because "no measure could be measured")
  rounded to cents half up
