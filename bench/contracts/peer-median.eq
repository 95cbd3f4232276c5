# The reference equity contract with a peer median gate; its plain twin, without the peer
# term, is peer-median-plain.eq. A benchmark contract of issue 12, written by
# bench/peer_contracts.py from contracts/reference-equity.eq; do not edit.

## Reference pay-for-equity terms: gap closure on three adult measures, per organization.
contract "Reference equity contract, peer median gate"
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

## The bar: the peers' median whole-population rate in the performance period, over every
## organization in the measure tables (this one included).
define bar(m: measure): percent =
  median(rate(m, ALL, performance) at o for each o in organizations)
## Yes when the organization's whole-population rate in the performance period is at the bar
## or better (lower, where a lower rate is better).
define at_bar(m: measure): yesno =
  if higher_is_better(m)
  then rate(m, ALL, performance) >= bar(m)
  else rate(m, ALL, performance) <= bar(m)

## A gate: the measure pays only when the organization is at the bar or better.
define standing(m: measure): number =
  if at_bar(m) then 1 else 0

define measure_score(m: measure): number =
  if count(g for each g in focus groups where scorable(m, g)) = 0
  then not scored because "no focus group has 30 members in both periods"
  else if leveled_down(m)
  then 0 because "whole-population rate fell by more than 1 pp"
  else standing(m) * mean(group_score(m, g) for each g in focus groups where scorable(m, g))

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
