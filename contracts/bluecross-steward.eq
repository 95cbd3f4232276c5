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
         payment.gap_closure_score(m, g, baseline, performance, small_gap,
                                   full_credit_closure),
         m, g, baseline, performance, leveling_margin)

## The mean credit of the measure's scored focus groups; not scored when none is scored.
output measure_score(m: measure): number =
  mean(group_credit(m, g) for each g in focus groups, not scored: skip)
  otherwise (not scored because "no focus group is scored on this measure")
  not rounded

## The payment: the pool times the weighted measure scores, the weights of unscored measures
## shared among the scored ones.
output equity_payment: money =
  pool * sum(measure_score(m) weighted by weight(m) for each m in measures,
             not scored: rescale)
  otherwise ($0.00 because "no measure could be scored")
  rounded to cents half up

# ---- promises: `eqlang check --properties` searches for tables that break them -------------

## The payment stays between nothing and the pool.
invariant "payment within the pool": always equity_payment >= $0.00 and equity_payment <= pool

## Better care for a focus group, everything else equal, never pays less.
invariant "better care for a focus group never pays less":
  equity_payment never falls when rate(m, g, performance) improves
  for each m in measures, g in focus groups
