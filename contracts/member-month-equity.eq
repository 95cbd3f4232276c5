# An equity pool paid per member month: each organization's pool grows with the members it
# serves, read from its organization table. Every figure in it (the rate per member month,
# the thresholds, the regions) and every organization in member-month-equity.csv and
# member-month-equity-organizations.csv is illustrative, not any payer's actual terms.
#
# The terms in plain English:
# - Each organization in the table is settled on its own, comparing 2022 (baseline) with
#   2024 (performance), on colorectal cancer screening (35% of the pool), controlling high
#   blood pressure (35%) and HbA1c poor control (30%, where a lower rate is better).
# - The pool is $2.50 for each member month the organization's organization table gives,
#   rounded half up to the cent. The table also gives its region, Eastern or Western.
# - Asian, Black and Hispanic members are each compared with White members. A group counts
#   on a measure when it and the White group have at least 30 members in both periods.
# - Members whose race is imputed count in each group by their probability of belonging to
#   it (self-reported race comes first); a member's probabilities must sum to 1 within
#   0.00001. Members without any race count as Unknown.
# - A group's credit: a baseline gap of at most 2 points that is still at most 2 points earns
#   1; a wider gap earns its share closed by 2024, full credit for closing half of it. A
#   measure's score is its scored groups' mean credit, halved when the organization's whole-
#   population rate in 2024 trails the median of the organizations in its region. A measure
#   with no scored group is not scored, and its weight passes to the scored measures.
# - A measure pays the pool times its weight times its score, rounded half up to the cent;
#   the payout is the sum, at most the pool.
#
# Settle it with:
#   eqlang eval contracts/member-month-equity.eq --table contracts/member-month-equity.csv \
#     --organizations contracts/member-month-equity-organizations.csv

## An equity pool of $2.50 per member month, earned by closing gaps on three adult measures.
contract "Member-month equity pool (illustrative)"
  payer "Illustrative Health Plan"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "illustrative-1"
  effective 2024-01-01 to 2024-12-31
end

import hedis
import payment

## Colorectal cancer screening.
measure COL from hedis weight 35%
## Controlling high blood pressure.
measure CBP from hedis weight 35%
## HbA1c poor control (> 9%): a lower rate is better.
measure HBD from hedis weight 30%

## Race and ethnicity, self-reported or imputed; members without any count as Unknown.
stratification race "Race and ethnicity"
  groups Asian, Black, Hispanic, White, Unknown
  reference White
  focus Asian, Black, Hispanic
end

## How members whose race is imputed count, in tables made from member-level files.
attribution of race
  self-reported first
  imputed counted fractionally
  probabilities sum to 1 within 0.00001
end

## Member months of the organization's attributed members in the performance year.
input member_months: count per "Section 2.1"

## The region the organization is compared within.
input region: text one of "Eastern", "Western" per "Section 2.2"

## The pool earned for each member month.
parameter pmpm_rate: money = $2.50 per "Section 4.1"

## Groups smaller than this in any period are not scored.
parameter minimum_size: count = 30 per "Section 3.2"

## A baseline gap this small already counts as closed.
parameter small_gap: pp = 2 pp per "Section 3.3"

## Closing this share of the baseline gap earns full credit.
parameter full_credit_closure: percent = 50% per "Section 3.4"

## What is left of a measure's credit when the organization trails its region.
parameter behind_region_credit: number = 0.5 per "Section 3.5"

## The organization's pool: its member months at the rate per member month.
define pool: money =
  round(pmpm_rate * member_months, 2, half up)

## A focus group counts when it and the reference group are large enough in both periods.
define scorable(m: measure, g: group): yesno =
  all(
    denominator(m, h, p) >= minimum_size
    for each h in {g, White}, p in {baseline, performance})

## The median whole-population rate in 2024 of the organizations in the same region.
define regional_median(m: measure): percent =
  median(rate(m, ALL, performance) at o for each o in organizations with the same region)

## True when the organization's whole-population rate trails its region's median.
define behind_region(m: measure): yesno =
  if higher_is_better(m)
  then rate(m, ALL, performance) < regional_median(m)
  else rate(m, ALL, performance) > regional_median(m)

define measure_score(m: measure): number =
  if count(g for each g in focus groups where scorable(m, g)) = 0
  then not scored because "no focus group has 30 members in both periods"
  else mean(
         payment.gap_closure_score(
           m, g, baseline, performance, small_gap, full_credit_closure)
         for each g in focus groups where scorable(m, g))
       * (if behind_region(m) then behind_region_credit else 1)

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
  min(sum(measure_payout(m) for each m in measures, not scored: skip), pool)
  rounded to cents half up

# ---- worked examples: `eqlang test contracts/member-month-equity.eq` ---------------------
## 10,000 member months at $2.50: a pool of $25,000.00. COL: Black trailed White by 10 pp
## (60% to 70%) and trails by 5 pp in 2024 (65% to 70%): half the gap closed, full credit,
## 1. Harbor's whole population is at 69% in 2024, above the Eastern median of 67% (Harbor
## and Summit, 65%): no halving. CBP and HBD have no focus group to score, so COL carries
## the whole pool: $25,000.00.
example "the pool follows the member months"
  organization "Harbor Clinic"
  inputs member_months 10000 region "Eastern"
  inputs for "Summit Clinic" member_months 6000 region "Eastern"
  rows
    COL White 2022: 560 of  800
    COL White 2024: 560 of  800
    COL Black 2022: 120 of  200
    COL Black 2024: 130 of  200
    COL ALL   2022: 680 of 1000
    COL ALL   2024: 690 of 1000
  rows for "Summit Clinic"
    COL ALL 2024: 650 of 1000
  expect pool = $25,000.00
  expect regional_median(COL) = 67%
  expect measure_score(COL) = 1
  expect measure_payout(COL) = $25,000.00
  expect payout = $25,000.00
end

## The same year, with Summit at 75%: the Eastern median is 72%, Harbor's 69% trails it, so
## COL's credit is halved: $25,000.00 x 0.5 = $12,500.00.
example "behind the region"
  organization "Harbor Clinic"
  inputs member_months 10000 region "Eastern"
  inputs for "Summit Clinic" member_months 6000 region "Eastern"
  rows
    COL White 2022: 560 of  800
    COL White 2024: 560 of  800
    COL Black 2022: 120 of  200
    COL Black 2024: 130 of  200
    COL ALL   2022: 680 of 1000
    COL ALL   2024: 690 of 1000
  rows for "Summit Clinic"
    COL ALL 2024: 750 of 1000
  expect regional_median(COL) = 72%
  expect measure_score(COL) = 0.5
  expect payout = $12,500.00
end

## Summit at 75% again, but Harbor is the only Western organization: its region's median is
## its own 69%, which it does not trail. 8,000.5 member months (a member who joined mid-
## month counts part of one): $20,001.25.
example "alone in its region"
  organization "Harbor Clinic"
  inputs member_months 8000.5 region "Western"
  inputs for "Summit Clinic" member_months 6000 region "Eastern"
  rows
    COL White 2022: 560 of  800
    COL White 2024: 560 of  800
    COL Black 2022: 120 of  200
    COL Black 2024: 130 of  200
    COL ALL   2022: 680 of 1000
    COL ALL   2024: 690 of 1000
  rows for "Summit Clinic"
    COL ALL 2024: 750 of 1000
  expect pool = $20,001.25
  expect regional_median(COL) = 69%
  expect payout = $20,001.25
end

## HBD, where a lower rate is better: Black members went from 30% to 25% in poor control
## against White members' 20%, half a 10 pp gap closed: full credit, 1. Harbor's whole
## population is at 21.6667% (260 of 1200), below the Eastern median of 25.8333% (Harbor and
## Summit, 30%): in poor control, below is better, so no halving. HBD carries the pool.
example "lower is better on HBD"
  organization "Harbor Clinic"
  inputs member_months 10000 region "Eastern"
  inputs for "Summit Clinic" member_months 6000 region "Eastern"
  rows
    HBD White 2022: 200 of 1000
    HBD White 2024: 200 of 1000
    HBD Black 2022:  60 of  200
    HBD Black 2024:  50 of  200
    HBD ALL   2022: 270 of 1200
    HBD ALL   2024: 260 of 1200
  rows for "Summit Clinic"
    HBD ALL 2024: 300 of 1000
  expect behind_region(HBD) = no
  expect measure_score(HBD) = 1
  expect payout = $25,000.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

invariant "the payout never exceeds the pool": always payout <= pool

invariant "nothing is paid back": always payout >= $0.00

invariant "better care for a focus group never pays less":
  payout never falls when rate(m, g, performance) improves
  for each m in measures, g in focus groups
