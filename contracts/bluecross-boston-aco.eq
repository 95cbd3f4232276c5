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

output index_2022(m: measure): percent =
  index(m, baseline)
  rounded to 2 decimals half even

output index_2024(m: measure): percent =
  index(m, performance)
  rounded to 2 decimals half even

output equity_payment: money =
  payment.capped(
    payment.floored(
      pool * sum(
        measure_credit(m) weighted by weight(m)
        for each m in measures, not scored: rescale),
      floor_payment),
    pool)
  otherwise ($0.00 because "no measure could be measured")
  rounded to cents half up

# ---- worked examples (run them with `eqlang test contracts/bluecross-boston-aco.eq`) -----
## Four groups of 500 members each (Black, Hispanic, White, Asian), so four of the seven
## have data (more than half) and the overall rate is the plain mean of their four rates.
## The index is the mean distance from that rate, as a share of it.
## COL 2024: 57%, 60%, 60% and 63%, mean 60%: distances 3, 0, 0 and 3 pp, mean 1.5 pp;
## 1.5 / 60 = 2.5%, at the equitable level: full credit, whatever the 2022 index.
## CBP: in 2022, 40%, 50%, 50% and 60% around 50%: mean distance 5 pp, an index of 10%; in
## 2024, 41.8%, 50%, 50% and 58.2%: 4.1 pp, 8.2%. The index is 18% smaller: 18 / 30 = 0.6.
## HBD (lower is better): the index fell from 2.5 / 18.8 = 13.30% to 1 / 20 = 5%, but the
## whole population's poor control rose from 18.8% to 20%, 1.2 pp: no leveling down, 0.
## $900,000.00 x (30% x 1 + 40% x 0.6 + 30% x 0) = $900,000.00 x 54% = $486,000.00.
example "equitable, improving and leveled down"
  organization "Example Practice"
  rows
    COL ALL      2022: 1140 of 2000
    COL ALL      2024: 1200 of 2000
    COL Black    2022:  260 of  500
    COL Black    2024:  285 of  500
    COL Hispanic 2022:  280 of  500
    COL Hispanic 2024:  300 of  500
    COL White    2022:  300 of  500
    COL White    2024:  300 of  500
    COL Asian    2022:  300 of  500
    COL Asian    2024:  315 of  500
    CBP ALL      2022: 1000 of 2000
    CBP ALL      2024: 1000 of 2000
    CBP Black    2022:  200 of  500
    CBP Black    2024:  209 of  500
    CBP Hispanic 2022:  250 of  500
    CBP Hispanic 2024:  250 of  500
    CBP White    2022:  300 of  500
    CBP White    2024:  291 of  500
    CBP Asian    2022:  250 of  500
    CBP Asian    2024:  250 of  500
    HBD ALL      2022:  376 of 2000
    HBD ALL      2024:  400 of 2000
    HBD Black    2022:  119 of  500
    HBD Black    2024:  110 of  500
    HBD Hispanic 2022:   94 of  500
    HBD Hispanic 2024:  100 of  500
    HBD White    2022:   94 of  500
    HBD White    2024:  100 of  500
    HBD Asian    2022:   69 of  500
    HBD Asian    2024:   90 of  500
  expect index(COL, performance) = 2.5%
  expect measure_credit(COL) = 1
  expect index(CBP, baseline) = 10%
  expect index(CBP, performance) = 8.2%
  expect reduction(CBP) = 18%
  expect measure_credit(CBP) = 0.6
  expect index_2022(HBD) = 13.30%
  expect index_2024(HBD) = 5%
  expect measure_credit(HBD) = 0
  expect equity_payment = $486,000.00
end

## COL: 25 Asian members in 2024 leave three groups of seven with data, fewer than half:
## the index is not measured, nor is COL.
## CBP: every group was at 50% in 2022, an index of 0%; in 2024, 45%, 50%, 50% and 55%:
## 2.5 / 50 = 5%. An index that grew earns nothing, even from 0%.
## HBD: 5% in 2024 (18%, 20%, 20% and 22%), but only three groups had data in 2022, so
## there is no 2022 index to compare with and HBD is not measured.
## CBP alone is measured and earns 0, so the $50,000.00 floor is paid.
example "the floor, an index grown from 0% and measures not measured"
  organization "Example Practice"
  rows
    COL ALL      2022:  860 of 1500
    COL ALL      2024:  930 of 1525
    COL Black    2022:  280 of  500
    COL Black    2024:  300 of  500
    COL Hispanic 2022:  280 of  500
    COL Hispanic 2024:  300 of  500
    COL White    2022:  300 of  500
    COL White    2024:  315 of  500
    COL Asian    2024:   15 of   25
    CBP ALL      2022: 1000 of 2000
    CBP ALL      2024: 1000 of 2000
    CBP Black    2022:  250 of  500
    CBP Black    2024:  225 of  500
    CBP Hispanic 2022:  250 of  500
    CBP Hispanic 2024:  250 of  500
    CBP White    2022:  250 of  500
    CBP White    2024:  275 of  500
    CBP Asian    2022:  250 of  500
    CBP Asian    2024:  250 of  500
    HBD ALL      2022:  300 of 1500
    HBD ALL      2024:  400 of 2000
    HBD Black    2022:  100 of  500
    HBD Black    2024:  110 of  500
    HBD Hispanic 2022:  100 of  500
    HBD Hispanic 2024:  100 of  500
    HBD White    2022:  100 of  500
    HBD White    2024:  100 of  500
    HBD Asian    2024:   90 of  500
  expect index(COL, performance) is not scored because "fewer than half of the groups"
  expect measure_credit(COL) is not scored
  expect index(CBP, baseline) = 0%
  expect index_2024(CBP) = 5%
  expect measure_credit(CBP) = 0
  expect index_2024(HBD) = 5%
  expect index(HBD, baseline) is not scored
  expect measure_credit(HBD) is not scored
  expect equity_payment = $50,000.00
end

## A small practice: no group has 30 members, so no index is measured, and neither the pool
## nor the floor is paid.
example "nothing measured pays nothing"
  organization "Small Practice"
  rows
    COL ALL   2022: 60 of 100
    COL ALL   2024: 62 of 100
    COL Black 2022: 14 of  25
    COL Black 2024: 15 of  25
    CBP ALL   2022: 50 of 100
    CBP ALL   2024: 52 of 100
    HBD ALL   2022: 20 of 100
    HBD ALL   2024: 19 of 100
  expect measure_credit(COL) is not scored
  expect equity_payment = $0.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The payment stays between nothing and the pool.
invariant "payment within the pool":
  always equity_payment >= $0.00 and equity_payment <= pool

## The safety-net floor is paid whenever a measure is measured.
invariant "the floor is paid":
  always equity_payment >= floor_payment
    when any(measure_credit(m) is scored for each m in measures)
