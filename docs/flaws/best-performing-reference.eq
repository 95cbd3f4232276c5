# An illustrated flaw: do not sign terms like these.
#
# Gaps are measured against the best-performing group. When a focus group's care improves so
# much that it becomes the best-performing group, every other group is measured against its
# new, higher rate: their gaps widen at once and the organization is paid less for better
# care. `eqlang check --properties` finds such a table by itself (docs/invariants.md shows
# the report); the reference contract (contracts/reference-equity.eq) avoids the flaw by
# naming its reference group.

## Gap closure against the best-performing group on two adult measures.
contract "Best-performing-group gap terms (flawed)"
  payer "Illustrative Health Plan"
  provider each organization
  currency USD
  period performance is "2024"
  version "0.1-flawed"
end

import hedis

measure COL from hedis weight 50% minimum denominator 30
measure CBP from hedis weight 50% minimum denominator 30

## Every group is compared with whichever group does best on the measure; groups with fewer
## than 30 members cannot be the best.
stratification race "Race and ethnicity"
  groups Asian, Black, Hispanic, White
  reference best performing group
  focus Asian, Black, Hispanic
end

parameter pool: money = $1,000,000.00 per "Section 4"

## A gap this wide earns nothing; a gap of zero earns full credit.
parameter widest_gap: pp = 20 pp per "Section 3"

## The gap to the best-performing group, in percentage points.
define gap(m: measure, g: group): pp =
  max(0 pp, rate(m, reference(m, g, performance), performance) - rate(m, g, performance))

## Credit falls in a straight line from 1 at no gap to 0 at `widest_gap`.
define group_score(m: measure, g: group): number =
  clamp(1 - gap(m, g) / widest_gap, 0, 1)

define measure_score(m: measure): number =
  mean(group_score(m, g) for each g in focus groups, not scored: skip)

output payout: money =
  pool * sum(weight(m) * (measure_score(m) otherwise 0) for each m in measures)
  rounded to cents half up

## The promise the terms mean to keep, and do not.
invariant "better care for a focus group never pays less":
  payout never falls when rate(m, g, performance) improves
  for each m in measures, g in focus groups
