# Equity terms in the style of Blue Cross Blue Shield of Massachusetts's equity-linked
# contracts, for Tufts Medicine (signed in May 2023, in force from January 2023). The design
# and every number in it (pool, amendment, tiers, benchmark, dates) and the sample table
# bluecross-tufts.csv are illustrative: they are not Blue Cross's terms, which are not
# public.
#
# The terms in plain English:
# - Four measures, a quarter of the pool each: colorectal cancer screening, diabetes care
#   (HbA1c poor control, where a lower rate is better), hypertension (controlling high blood
#   pressure) and child and adolescent well-care visits.
# - Groups: the seven SPD 15 categories, with Asian, Black and Hispanic members compared with
#   White. A group needs 30 members on a measure to count.
# - Adult measures are paid on the between-group variance: how far, squared and weighted by
#   membership, the groups' rates are from their overall rate. Credit by tier for how much
#   smaller it is in 2024 than in 2022: less than 0% nothing, 0 to 10% a quarter, 10 to 25%
#   half, 25 to 50% three quarters, 50% or more all. A variance already below 2 (points
#   squared) in 2022 earns full credit if it stays below 2.
# - Well-care visits are paid the Oregon way: a focus group meets its target when its 2024
#   rate reaches the 80% benchmark, or closes at least 10% of the distance from its 2022
#   rate to the benchmark. Credit is the share of focus groups (with 30 members in both
#   years) that meet it.
# - Measures that cannot be scored pass their weight to the others.
# - The pool, $800,000 per unit, was raised to $850,000 from 2024 by an amendment.
#
# Settle it with:
#   eqlang eval contracts/bluecross-tufts.eq --table contracts/bluecross-tufts.csv

## Equity-linked performance payment, Tufts Medicine (illustrative terms).
contract "Equity performance terms: Tufts Medicine"
  payer "Blue Cross Blue Shield of Massachusetts (illustrative terms)"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "illustrative-1, amendment 1"
  effective 2023-01-01 to 2024-12-31
  settled as of 2025-06-30
end

import hedis
import groups
import statistics
import disparity
import payment

measure COL from hedis weight 25% minimum denominator 30
## Diabetes care: HbA1c poor control, where a lower rate is better.
measure HBD from hedis weight 25% minimum denominator 30
## Hypertension: controlling high blood pressure.
measure CBP from hedis weight 25% minimum denominator 30
measure WCV from hedis weight 25% minimum denominator 30

stratification race from groups.spd15
  focus Asian, Black, Hispanic
end

parameter pool: money = $800,000.00 per "Exhibit 4, section 1"
  amended to $850,000.00 from 2024-01-01 per "Amendment 1, section 2"

## A variance below this (points squared) counts as already equitable.
parameter small_variance: number = 2 per "Exhibit 4, section 3.2"

## The well-care benchmark and the share of the distance to it that meets a group's target.
parameter wcv_benchmark: percent = 80% per "Exhibit 4, section 4"
parameter wcv_improvement: percent = 10% per "Exhibit 4, section 4"

## Credit by the share of the 2022 between-group variance removed by 2024.
schedule variance_credit(reduction: percent): number
  below 0% pays 0
  from 0% to 10% pays 0.25
  from 10% to 25% pays 0.5
  from 25% to 50% pays 0.75
  from 50% pays 1
end

define variance(m: measure, p: period): number =
  disparity.between_group_variance(m, race, p)

## An adult measure's credit from the change in its between-group variance.
define adult_credit(m: measure): number =
  if variance(m, baseline) < small_variance
  then (if variance(m, performance) < small_variance then 1 else 0)
  else variance_credit((variance(m, baseline) - variance(m, performance))
                       / variance(m, baseline) * 100%)

## Whether a focus group met its well-care target; not scored when it has fewer than 30
## members in either year.
define wcv_met(g: group): yesno =
  if not (statistics.has_data(WCV, g, baseline) and statistics.has_data(WCV, g, performance))
  then not scored because "the group has fewer than 30 members in 2022 or 2024"
  else payment.benchmark_or_improvement_met(WCV, rate(WCV, g, baseline),
                                            rate(WCV, g, performance), wcv_benchmark,
                                            wcv_improvement)

## The share of scored focus groups that met the well-care target.
define wcv_credit: number =
  if count(wcv_met(g) is scored for each g in focus groups) = 0
  then not scored because "no focus group has 30 members in both years"
  else count(wcv_met(g) for each g in focus groups, not scored: skip)
       / count(wcv_met(g) is scored for each g in focus groups)

output measure_credit(m: measure): number =
  adult_credit(m)
  rounded to 4 decimals half even
  except wcv_credit when m = WCV per "Exhibit 4, section 4"

output variance_2024(m: measure): number =
  variance(m, performance) rounded to 2 decimals half even

output equity_payment: money =
  pool * sum(measure_credit(m) weighted by weight(m) for each m in measures,
             not scored: rescale)
  otherwise ($0.00 because "no measure could be scored")
  rounded to cents half up

# ---- promises: `eqlang check --properties` searches for tables that break them -------------

## The payment stays between nothing and the pool in force.
invariant "payment within the pool": always equity_payment >= $0.00 and equity_payment <= pool
