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
# - Groups: the seven SPD 15 categories, with Asian, Black and Hispanic members compared
#   with White. A group needs 30 members on a measure to count.
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
  below 0%        pays 0
  from 0% to 10%  pays 0.25
  from 10% to 25% pays 0.5
  from 25% to 50% pays 0.75
  from 50%        pays 1
end

define variance(m: measure, p: period): number =
  disparity.between_group_variance(m, race, p)

## An adult measure's credit from the change in its between-group variance.
define adult_credit(m: measure): number =
  if variance(m, baseline) < small_variance
  then (if variance(m, performance) < small_variance then 1 else 0)
  else variance_credit(
    (variance(m, baseline) - variance(m, performance)) / variance(m, baseline) * 100%)

## Whether a focus group met its well-care target; not scored when it has fewer than 30
## members in either year.
define wcv_met(g: group): yesno =
  if not (statistics.has_data(WCV, g, baseline)
          and statistics.has_data(WCV, g, performance))
  then not scored because "the group has fewer than 30 members in 2022 or 2024"
  else payment.benchmark_or_improvement_met(
    WCV,
    rate(WCV, g, baseline),
    rate(WCV, g, performance),
    wcv_benchmark, wcv_improvement)

## The share of scored focus groups that met the well-care target.
define wcv_credit: number =
  if count(wcv_met(g) is scored for each g in focus groups) = 0
  then not scored because "no focus group has 30 members in both years"
  else mean((if wcv_met(g) then 1 else 0) for each g in focus groups, not scored: skip)

output measure_credit(m: measure): number =
  adult_credit(m)
  rounded to 4 decimals half even
  except wcv_credit when m = WCV per "Exhibit 4, section 4"

output variance_2024(m: measure): number =
  variance(m, performance)
  rounded to 2 decimals half even

output equity_payment: money =
  pool * sum(
    measure_credit(m) weighted by weight(m)
    for each m in measures, not scored: rescale)
  otherwise ($0.00 because "no measure could be scored")
  rounded to cents half up

# ---- worked examples (run them with `eqlang test contracts/bluecross-tufts.eq`) ----------
## Two groups of 500 members on each adult measure, so the overall rate is their mean and
## the between-group variance is the square of each group's distance from it.
## COL: 70% and 60% in 2022 (5 pp from 65%: 25); 70% and 64% in 2024 (3 pp: 9). The variance
## is 64% smaller: 1.
## HBD: 20% and 30% in 2022 (25); 20% and 28% in 2024 (4 pp: 16), 36% smaller: 0.75.
## CBP: 70% and 60% in 2022 (25); 70% and 59% in 2024 (5.5 pp: 30.25), 21% larger: 0.
## WCV (100 members each): Black went from 60% to 62%, exactly its target (60% plus 10% of
## the 20 pp to the 80% benchmark): met. Hispanic reached the 80% benchmark: met. Asian went
## from 60% to 61%, short of 62%: not met. Credit 2 / 3, 0.6667 to four decimals.
## The amended pool is in force: $850,000.00 x 25% x (1 + 0.75 + 0 + 0.6667) =
## $212,500.00 x 2.4167 = $513,548.75.
example "variance tiers and well-care targets"
  organization "Example Unit"
  rows
    COL White    2022: 350 of 500
    COL White    2024: 350 of 500
    COL Black    2022: 300 of 500
    COL Black    2024: 320 of 500
    HBD White    2022: 100 of 500
    HBD White    2024: 100 of 500
    HBD Black    2022: 150 of 500
    HBD Black    2024: 140 of 500
    CBP White    2022: 350 of 500
    CBP White    2024: 350 of 500
    CBP Hispanic 2022: 300 of 500
    CBP Hispanic 2024: 295 of 500
    WCV Asian    2022:  60 of 100
    WCV Asian    2024:  61 of 100
    WCV Black    2022:  60 of 100
    WCV Black    2024:  62 of 100
    WCV Hispanic 2022:  70 of 100
    WCV Hispanic 2024:  80 of 100
  expect variance(COL, baseline) = 25
  expect variance_2024(COL) = 9
  expect measure_credit(COL) = 1
  expect variance(HBD, performance) = 16
  expect measure_credit(HBD) = 0.75
  expect variance(CBP, performance) = 30.25
  expect measure_credit(CBP) = 0
  expect wcv_met(Black) = yes
  expect wcv_met(Hispanic) = yes
  expect wcv_met(Asian) = no
  expect measure_credit(WCV) = 0.6667
  expect equity_payment = $513,548.75
end

## Settled as of 2023-12-31, before Amendment 1: the pool is $800,000.00.
## COL: 70% and 68% in 2022 (1 pp from 69%: a variance of 1, below 2), 70% and 69% in 2024
## (0.25, still below 2): 1.
## HBD: 20% and 21% in 2022 (0.25, below 2), but 20% and 23% in 2024 (1.5 pp: 2.25): 0.
## CBP: 70% and 60% in 2022 (25); 70% and 60.5% in 2024 (4.75 pp: 22.5625), 9.75% smaller:
## 0.25.
## WCV: Black has 25 members in 2022 and Asian none, so only Hispanic is scored; it went
## from 70% to 71%, its target (70% plus 10% of 10 pp): 1 of 1 met.
## $800,000.00 x 25% x (1 + 0 + 0.25 + 1) = $200,000.00 x 2.25 = $450,000.00.
example "small variances, before the amendment"
  organization "Example Unit"
  as of 2023-12-31
  rows
    COL White    2022:   350 of 500
    COL White    2024:   350 of 500
    COL Black    2022:   340 of 500
    COL Black    2024:   345 of 500
    HBD White    2022:   100 of 500
    HBD White    2024:   100 of 500
    HBD Black    2022:   105 of 500
    HBD Black    2024:   115 of 500
    CBP White    2022:   350 of 500
    CBP White    2024:   350 of 500
    CBP Hispanic 2022:   300 of 500
    CBP Hispanic 2024: 302.5 of 500
    WCV Black    2022:    15 of  25
    WCV Black    2024:    40 of  60
    WCV Hispanic 2022:    70 of 100
    WCV Hispanic 2024:    71 of 100
  expect variance(COL, baseline) = 1
  expect measure_credit(COL) = 1
  expect variance(HBD, performance) = 2.25
  expect measure_credit(HBD) = 0
  expect variance(CBP, performance) = 22.5625
  expect measure_credit(CBP) = 0.25
  expect wcv_met(Black) is not scored because "fewer than 30 members"
  expect measure_credit(WCV) = 1
  expect equity_payment = $450,000.00
end

## COL: 70% and 60% in 2022 (25), 70% and 61% in 2024 (4.5 pp: 20.25), 19% smaller: 0.5.
## HBD: only White has 30 members, and a variance needs two groups: not scored. CBP has no
## rows. WCV: no focus group has 30 members in both years. COL carries the whole pool:
## $850,000.00 x 25% x 0.5 / 25% = $425,000.00.
example "measures that cannot be scored pass on their weight"
  organization "Example Unit"
  rows
    COL White 2022: 350 of 500
    COL White 2024: 350 of 500
    COL Black 2022: 300 of 500
    COL Black 2024: 305 of 500
    HBD White 2022: 100 of 500
    HBD White 2024: 100 of 500
    HBD Black 2022:   5 of  20
    HBD Black 2024:   4 of  20
    WCV Black 2022:  12 of  20
    WCV Black 2024:  14 of  20
  expect measure_credit(COL) = 0.5
  expect variance(HBD, baseline) is not scored because "fewer than two groups"
  expect measure_credit(HBD) is not scored
  expect measure_credit(CBP) is not scored
  expect wcv_credit is not scored because "no focus group has 30 members"
  expect equity_payment = $425,000.00
end

## A small unit: no measure has two groups of 30 members, and no focus group has 30
## well-care members, so nothing is scored and nothing is paid.
example "nothing scored pays nothing"
  organization "Small Unit"
  rows
    COL White 2022: 35 of 50
    COL White 2024: 36 of 50
    COL Black 2022: 12 of 20
    COL Black 2024: 13 of 20
  expect measure_credit(COL) is not scored
  expect equity_payment = $0.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The payment stays between nothing and the pool in force.
invariant "payment within the pool":
  always equity_payment >= $0.00 and equity_payment <= pool
