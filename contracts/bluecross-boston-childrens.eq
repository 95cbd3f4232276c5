# Equity terms in the style of Blue Cross Blue Shield of Massachusetts's equity-linked
# contracts, for Boston Children's Hospital, the first pediatric system in the program
# (April 2024). The design and every number in it (pool, weights, tiers, dates) and the
# sample table bluecross-boston-childrens.csv are illustrative: they are not Blue Cross's
# terms, which are not public.
#
# The terms in plain English:
# - One measure, child and adolescent well-care visits, in its three reporting age bands:
#   ages 3-11 (35% of the pool), 12-17 (40%) and 18-21 (25%).
# - Groups: the seven SPD 15 categories; Black and Hispanic children are compared with White
#   children. A group needs 30 members in an age band, in both years, to be scored there.
# - A gap counts as open only when it is clear beyond chance: the 95% Wilson interval of the
#   group's 2024 rate lies wholly below White's. A gap that is not clearly open earns full
#   credit.
# - An open gap earns credit by quarters of its 2022 gap closed by 2024: under a quarter
#   nothing, then 0.25, 0.5, 0.75, and full credit when closed entirely.
# - An age band's credit is the mean of its scored groups' credits; a band with no scored
#   group passes its weight to the others. Each practice group can earn up to $400,000.
#
# Settle it with:
#   eqlang eval contracts/bluecross-boston-childrens.eq \
#     --table contracts/bluecross-boston-childrens.csv

## Pediatric equity-linked performance payment, Boston Children's Hospital (illustrative
## terms).
contract "Equity performance terms: Boston Children's Hospital"
  payer "Blue Cross Blue Shield of Massachusetts (illustrative terms)"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "illustrative-1"
  effective 2024-04-01 to 2025-03-31
  settled as of 2025-09-30
end

import hedis
import groups
import statistics
import disparity
import payment

measure WCV_3_11 from hedis weight 35% minimum denominator 30
measure WCV_12_17 from hedis weight 40% minimum denominator 30
measure WCV_18_21 from hedis weight 25% minimum denominator 30

## SPD 15 groups; Black and Hispanic children compared with White children.
stratification race from groups.spd15
  focus Black, Hispanic
end

parameter pool: money = $400,000.00 per "Pediatric schedule, section 1"

## A focus group's credit in an age band: full when its gap to White is not clearly open in
## 2024, else by quarters of the 2022 gap closed. Not scored when the group or White has
## fewer than 30 members in either year.
define group_credit(m: measure, g: group): number =
  if not statistics.scorable(m, g, baseline, performance, 30)
  then not scored because "the group or White has fewer than 30 members in 2022 or 2024"
  else if not statistics.clearly_worse(m, g, White, performance)
  then 1 because "the gap to White is not clearly open in 2024"
  else payment.closure_quarters(
         payment.gap_closure(disparity.gap_to_reference(m, g, baseline),
                             disparity.gap_to_reference(m, g, performance)))
       otherwise (0 because "the group had no gap to close in 2022")

output band_credit(m: measure): number =
  mean(group_credit(m, g) for each g in focus groups, not scored: skip)
  otherwise (not scored because "no focus group is scored in this age band")
  rounded to 4 decimals half even

## Black children's gap to White children in 2024, as a share of White's rate; reported.
output black_relative_gap(m: measure): percent =
  disparity.relative_gap(m, Black, performance)
  rounded to 2 decimals half even

output equity_payment: money =
  pool * sum(band_credit(m) weighted by weight(m) for each m in measures,
             not scored: rescale)
  otherwise ($0.00 because "no age band could be scored")
  rounded to cents half up

# ---- promises: `eqlang check --properties` searches for tables that break them -------------

## The payment stays between nothing and the pool.
invariant "payment within the pool": always equity_payment >= $0.00 and equity_payment <= pool
