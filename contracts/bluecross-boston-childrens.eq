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
         payment.gap_closure(
           disparity.gap_to_reference(m, g, baseline),
           disparity.gap_to_reference(m, g, performance)))
       otherwise (0 because "the group had no gap to close in 2022")

output band_credit(m: measure): number =
  mean(group_credit(m, g) for each g in focus groups, not scored: skip)
  otherwise not scored because "no focus group is scored in this age band"
  rounded to 4 decimals half even

## Black children's gap to White children in 2024, as a share of White's rate; reported.
output black_relative_gap(m: measure): percent =
  disparity.relative_gap(m, Black, performance)
  rounded to 2 decimals half even

output equity_payment: money =
  pool * sum(
    band_credit(m) weighted by weight(m)
    for each m in measures, not scored: rescale)
  otherwise ($0.00 because "no age band could be scored")
  rounded to cents half up

# ---- worked examples: `eqlang test contracts/bluecross-boston-childrens.eq` --------------
## 95% Wilson intervals (z = 1.96, the formula of stdlib/statistics.eq), to two decimals:
## 80% of 1000: 77.41% to 82.36%; 70% of 1000: 67.09% to 72.76%; 65% of 200: 58.16% to
## 71.27%; 76% of 200: 69.63% to 81.39%; 65% of 400: 60.20% to 69.51%; 70% of 400: 65.34% to
## 74.28%; 60% of 400: 55.13% to 64.68%.
## Ages 3-11, White 80% of 1000 both years: Black at 65% of 200 is clearly behind (71.27% is
## below 77.41%); its gap went from 20 pp to 15 pp, a quarter closed: 0.25. Hispanic at 76%
## of 200 is 4 pp behind, but its interval reaches 81.39%: not clearly open, 1.
## Band (0.25 + 1) / 2 = 0.625.
## Ages 12-17, White 80% of 1000: Black at 65% of 400 is clearly behind (69.51%); its gap
## went from 30 pp to 15 pp, half closed: 0.5. Hispanic stayed at 70% of 400, clearly behind
## (74.28%), none of its 10 pp closed: 0. Band (0.5 + 0) / 2 = 0.25.
## Ages 18-21, White 70% of 1000: Hispanic was level with White in 2022 and is clearly
## behind at 60% of 400 in 2024 (64.68% is below 67.09%): there was no gap to close, so 0.
## Black has 25 members in 2024 and is not scored. Band 0.
## $400,000.00 x (35% x 0.625 + 40% x 0.25 + 25% x 0) = $400,000.00 x 31.875% = $127,500.00.
## Black children's relative gap at ages 3-11 and 12-17: 15 pp of White's 80%, 18.75%.
example "gaps open beyond chance, closed by quarters"
  organization "Example Practices"
  rows
    WCV_3_11  White    2022: 800 of 1000
    WCV_3_11  White    2024: 800 of 1000
    WCV_3_11  Black    2022: 120 of  200
    WCV_3_11  Black    2024: 130 of  200
    WCV_3_11  Hispanic 2022: 140 of  200
    WCV_3_11  Hispanic 2024: 152 of  200
    WCV_12_17 White    2022: 800 of 1000
    WCV_12_17 White    2024: 800 of 1000
    WCV_12_17 Black    2022: 200 of  400
    WCV_12_17 Black    2024: 260 of  400
    WCV_12_17 Hispanic 2022: 280 of  400
    WCV_12_17 Hispanic 2024: 280 of  400
    WCV_18_21 White    2022: 700 of 1000
    WCV_18_21 White    2024: 700 of 1000
    WCV_18_21 Black    2022:  20 of   40
    WCV_18_21 Black    2024:  15 of   25
    WCV_18_21 Hispanic 2022: 280 of  400
    WCV_18_21 Hispanic 2024: 240 of  400
  expect group_credit(WCV_3_11, Black) = 0.25
  expect group_credit(WCV_3_11, Hispanic) = 1
  expect band_credit(WCV_3_11) = 0.625
  expect group_credit(WCV_12_17, Black) = 0.5
  expect group_credit(WCV_12_17, Hispanic) = 0
  expect band_credit(WCV_12_17) = 0.25
  expect group_credit(WCV_18_21, Hispanic) = 0
  expect group_credit(WCV_18_21, Black) is not scored because "fewer than 30 members"
  expect band_credit(WCV_18_21) = 0
  expect black_relative_gap(WCV_3_11) = 18.75%
  expect black_relative_gap(WCV_12_17) = 18.75%
  expect black_relative_gap(WCV_18_21) is not scored
  expect equity_payment = $127,500.00
end

## Wilson intervals as above; also 75% of 200: 68.57% to 80.49%, and 62% of 400: 57.15% to
## 66.62%.
## Ages 3-11, White 80% of 1000: Black at 75% and Hispanic at 76%, both of 200, are not
## clearly behind (80.49% and 81.39% reach past 77.41%): 1 each, band 1.
## Ages 12-17: White has 25 members in 2022, so no group can be scored and the band passes
## its 40% on.
## Ages 18-21, White 70% of 1000: Black went from 20 pp to 10 pp behind and is clearly
## behind at 60% of 400: half closed, 0.5. Hispanic went from 10 pp to 8 pp behind, clearly
## behind at 62% of 400 (66.62% is below 67.09%): 20% closed, 0. Band 0.25.
## $400,000.00 x (35% x 1 + 25% x 0.25) / 60% = $400,000.00 x 0.4125 / 0.6 = $275,000.00.
example "an age band without scored groups passes its weight on"
  organization "Example Practices"
  rows
    WCV_3_11  White    2022: 800 of 1000
    WCV_3_11  White    2024: 800 of 1000
    WCV_3_11  Black    2022: 140 of  200
    WCV_3_11  Black    2024: 150 of  200
    WCV_3_11  Hispanic 2022: 150 of  200
    WCV_3_11  Hispanic 2024: 152 of  200
    WCV_12_17 White    2022:  20 of   25
    WCV_12_17 White    2024: 800 of 1000
    WCV_12_17 Black    2022: 200 of  400
    WCV_12_17 Black    2024: 240 of  400
    WCV_18_21 White    2022: 700 of 1000
    WCV_18_21 White    2024: 700 of 1000
    WCV_18_21 Black    2022: 200 of  400
    WCV_18_21 Black    2024: 240 of  400
    WCV_18_21 Hispanic 2022: 240 of  400
    WCV_18_21 Hispanic 2024: 248 of  400
  expect band_credit(WCV_3_11) = 1
  expect band_credit(WCV_12_17) is not scored because "no focus group is scored"
  expect group_credit(WCV_18_21, Black) = 0.5
  expect group_credit(WCV_18_21, Hispanic) = 0
  expect band_credit(WCV_18_21) = 0.25
  expect equity_payment = $275,000.00
end

## A small practice: no group has 30 members in any age band, so nothing is scored.
example "nothing scored pays nothing"
  organization "Small Practice"
  rows
    WCV_3_11 White 2022: 20 of 25
    WCV_3_11 White 2024: 21 of 25
    WCV_3_11 Black 2022:  8 of 12
    WCV_3_11 Black 2024:  9 of 12
  expect band_credit(WCV_3_11) is not scored
  expect equity_payment = $0.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The payment stays between nothing and the pool.
invariant "payment within the pool":
  always equity_payment >= $0.00 and equity_payment <= pool
