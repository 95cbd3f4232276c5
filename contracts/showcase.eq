# The showcase contract: every construct of eqlang in one illustrative term sheet.
# All numbers here (amounts, weights, thresholds, dates) and every organization in
# showcase.csv are illustrative. They are not any payer's actual terms.
#
# The terms in plain English:
# - Each organization is settled on its own, comparing 2022 (baseline) with 2024
#   (performance), as of 2025-06-30.
# - Six measures share the pool: colorectal cancer screening (25%), blood pressure control
#   (20%), HbA1c poor control (20%, lower is better), child and adolescent well-care visits
#   (15%), depression screening and follow-up (10%) and social needs screening (10%).
# - The pool is $1,500,000 per organization, raised to $1,650,000 from 2024-07-01 by
#   Amendment 1 and to $1,800,000 from 2025-07-01 by Amendment 2; the amount in force on the
#   settlement date applies.
# - On each measure but well-care visits, the American Indian or Alaska Native, Asian and
#   Black groups are compared with White members, where each group and White have at least
#   30 members in both years (more where the measure asks for more).
# - A gap of 2 points or less in 2022 earns full credit if it is still 2 points or less in
#   2024. A wider gap earns credit by the share of it closed: 0.25 for less than a quarter
#   (none closed included), 0.5 from a quarter, 0.75 from a half, full credit from three
#   quarters, nothing if it widened. The measure's score is the mean credit of its groups,
#   weighted by their 2024 members.
# - Well-care visits are scored under a pediatric rider instead: Black and Hispanic children
#   with at least 30 members earn points by how their 2024 rate compares with the peers'
#   cut point (the 67th percentile of all organizations' rates): 1 point at or above it,
#   half a point within 5 points below it. One and a half points earn the full score.
# - No leveling down: a measure scores 0 where the whole population's rate fell by 1 point
#   or more.
# - A measure that cannot be scored passes its weight to the others. Each measure pays the
#   pool times its weight times its score; the equity payment is their sum, at most the
#   pool.
# - A language bonus of $50,000 is added when members who prefer another language can be
#   scored on at least two of the three adult measures, and on each of those are within 2
#   points of everyone else.
# - The total is paid in four quarterly installments of whole dollars, rounded down.
# - Further outputs report gaps, peer positions and spreads; they are not paid.
#
# Settle it with:
#   eqlang eval contracts/showcase.eq --table contracts/showcase.csv

## Equity terms on six measures for each organization: credit for closing race gaps,
## a pediatric rider scored against peers, and a bonus for language access.
contract "Showcase pay-for-equity contract"
  payer "Example Health Plan"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "0.3-illustrative"
  effective 2024-01-01 to 2024-12-31
  settled as of 2025-06-30
end

import hedis
import "lib/plan_measures.eq" as plan

# ---- measures ----------------------------------------------------------------------------

measure COL from hedis weight 25%
measure CBP from hedis weight 20% minimum denominator 30
## HbA1c poor control: a lower rate is better (the direction comes from hedis).
measure HBD from hedis weight 20%
measure WCV from hedis weight 15%
## Depression screening and follow-up, from the plan's catalogue in lib/plan_measures.eq.
measure DSF from plan weight 10%

## Screening for food, housing and transportation needs at an annual visit. Declared here,
## not in hedis: the plan defines it.
measure SNS "Social needs screening" higher is better weight 10% minimum denominator 20

# ---- groups ------------------------------------------------------------------------------

## Race as in the OMB 1997 standard; the table spells two of the groups out in full.
stratification race "Race (OMB 1997)"
  groups "American Indian or Alaska Native" as AIAN, Asian,
    "Black or African American" as Black, White
  reference White
  focus AIAN, Asian, Black
end

## Ethnicity, asked apart from race under OMB 1997. Each group is compared with whichever
## group does best on the measure.
stratification ethnicity "Ethnicity (OMB 1997)"
  groups "Hispanic or Latino" as Hispanic, "Not Hispanic or Latino" as NotHispanic
  reference best performing group
  focus Hispanic
end

## Members who prefer a language other than English, compared with everyone else.
stratification language "Preferred language"
  groups "Language other than English" as NonEnglish
  reference rest of population
  focus NonEnglish
end

## Members living in the most deprived fifth of neighborhoods, compared with all members.
stratification area "Neighborhood deprivation"
  groups "Most deprived quintile" as Deprived
  reference whole population
  focus Deprived
end

## Household income in two bands, the lower first: groups with an order of advantage. The
## tables do not report them yet, so what reads their rows is not scored.
stratification income "Household income"
  groups "Lower income" as LowerIncome, "Higher income" as HigherIncome
  ordered least advantaged first
  reference HigherIncome
end

# ---- parameters: one of each unit type ---------------------------------------------------

## The pool each organization can earn on the six measures.
parameter pool: money = $1,500,000.00 per "Schedule B, section 1"
  amended to $1,650,000.00 from 2024-07-01 per "Amendment 1, section 2"
  amended to $1,800,000.00 from 2025-07-01 per "Amendment 2, section 1"

## Paid on top of the pool when language gaps are closed.
parameter language_bonus_amount: money = $50,000.00 per "Schedule B, section 5"

## A gap this small counts as closed.
parameter small_gap: pp = 2 pp per "Schedule B, section 3.3"

## Groups smaller than this (members in the denominator) are not scored.
parameter minimum_size: count = 30 per "Schedule B, section 3.2"

## The peers' cut point for the pediatric rider: this percentile of all organizations.
parameter peer_share: percent = 67% per "Pediatric rider, section 3"

## Peer points that earn the full pediatric score.
parameter pediatric_points_needed: number = 1.5 per "Pediatric rider, section 3"

## Whether a fall in whole-population care cancels the credit (no leveling down).
parameter guard_leveling_down: yesno = yes per "Schedule B, section 3.6"

## Where the plan sends each organization's settlement statement.
parameter statement_recipient: text = "Health Equity Program Office"
  per "Schedule B, section 7"

## The pediatric rider's start, and the end of the performance year.
parameter pediatric_rider_start: date = 2024-04-01 per "Pediatric rider, section 1"
parameter performance_year_end: date = 2024-12-31 per "Schedule B, section 2"

# ---- gaps --------------------------------------------------------------------------------

## The gap between a group and its reference group, in percentage points, oriented so that a
## positive gap means the group fares worse; never below zero. The reference follows the
## group's stratification: White for race, the best-performing group for ethnicity, the rest
## of the population for language, the whole population for neighborhoods.
define gap(m: measure, g: group, p: period): pp =
  max(
    0 pp,
    if higher_is_better(m)
    then rate(m, reference(m, g, p), p) - rate(m, g, p)
    else rate(m, g, p) - rate(m, reference(m, g, p), p))

## A group is scorable on a measure when, in both periods, it has at least `minimum_size`
## members (and the measure's own minimum, if larger), and so does its reference group.
define scorable(m: measure, g: group): yesno =
  all(
    denominator(m, g, p) >= max(minimum_size, min_denominator(m))
      and denominator(m, reference(m, g, p), p) >= minimum_size
    for each p in {baseline, performance}, not scored: propagate)

## Credit for the share of a baseline gap closed by the performance year.
schedule closure_credit(c: percent): number
  domain up to 100%
  below 0%              pays 0
  from 0% to 25%        pays 0.25
  from 25% to 50%       pays 0.5
  from 50% to 75%       pays 0.75
  from 75% through 100% pays 1
end

## The share of the baseline gap closed by the performance year: all of it, less the share
## still open. Only used where the baseline gap is wider than `small_gap`, so never divides
## by zero; a gap is never below zero, so the share closed is at most 100%.
define closure(m: measure, g: group): percent =
  (1 - gap(m, g, performance) / gap(m, g, baseline)) * 100%

## One group's score on one measure, from 0 to 1.
define group_score(m: measure, g: group): number =
  if gap(m, g, baseline) <= small_gap
  then (if gap(m, g, performance) <= small_gap then 1 else 0)
  else closure_credit(closure(m, g))

## The change in the whole population's rate, oriented so that a negative change is worse
## care.
define population_change(m: measure): pp =
  if higher_is_better(m)
  then rate(m, ALL, performance) - rate(m, ALL, baseline)
  else -(rate(m, ALL, performance) - rate(m, ALL, baseline))

## No leveling down: a whole-population fall of 1 pp or more cancels the measure's credit.
schedule leveling_factor(change: pp): number
  up to -1 pp pays 0
  above -1 pp pays 1
end

## The race score of a measure: the mean group score of the scorable focus groups, each
## weighted by its members in the performance year.
define race_score(m: measure): number =
  if count(g for each g in focus groups of race where scorable(m, g)) = 0
  then not scored because "no race focus group is large enough in both periods"
  else mean(
    group_score(m, g) weighted by denominator(m, g, performance)
    for each g in focus groups of race where scorable(m, g))

# ---- the pediatric rider -----------------------------------------------------------------

## The return type is left out here: eqlang works it out (yes/no).
define rider_in_force =
  pediatric_rider_start <= performance_year_end

## The peers' cut point: the `peer_share` percentile of every organization's
## whole-population rate, rounded to two decimals of a percent as published.
define peer_cut(m: measure, p: period): percent =
  round(
    percentile(peer_share, rate(m, ALL, p) at o for each o in organizations),
    2, half up)

## The peers' median whole-population rate.
define peer_median(m: measure): percent =
  median(rate(m, ALL, performance) at o for each o in organizations)

## Points for a group's rate against the peers' cut point.
schedule peer_points(margin: pp): number
  below -5 pp        pays 0
  from -5 pp to 0 pp pays 0.5
  from 0 pp          pays 1
end

## The pediatric score: peer points of the Black and Hispanic groups, scaled so that
## `pediatric_points_needed` points earn full credit.
define pediatric_score(m: measure): number =
  if not rider_in_force
  then not scored because "the pediatric rider was not in force in the performance year"
  else clamp(
    sum(
      peer_points(rate(m, g, performance) - peer_cut(m, performance)) otherwise 0
      for each g in {Black, Hispanic} where denominator(m, g, performance) >= minimum_size)
    / pediatric_points_needed,
    0, 1)

# ---- scores and payments -----------------------------------------------------------------

## The score of a measure, from 0 to 1. WCV is scored under the pediatric rider instead.
define measure_score(m: measure): number =
  if guard_leveling_down and leveling_factor(population_change(m)) = 0
  then 0 because "the whole-population rate fell by 1 pp or more"
  else race_score(m)
  except pediatric_score(m) when m = WCV per "Pediatric rider, section 2"

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

## The share of the pool the measure scores earn, a measure that is not scored passing its
## weight to the others: the measure payouts before rounding, as one share.
output earned_share: percent =
  sum(measure_score(m) weighted by weight(m) for each m in measures, not scored: rescale)
  not rounded

## The equity payment: the measure payouts, never more than the pool.
output equity_payment: money =
  if count(m for each m in measures where measure_score(m) is scored) = 0
  then $0.00 because "no measure was scored"
  else min(sum(measure_payout(m) for each m in measures, not scored: skip), pool)
  rounded to cents half up

## Language access: on every adult measure where members preferring another language are
## scorable, their gap to everyone else is at most `small_gap`.
define language_gaps_closed: yesno =
  all(
    gap(m, NonEnglish, performance) <= small_gap
    for each m in measures
    where m in {COL, CBP, HBD} and scorable(m, NonEnglish),
    not scored: skip)

define language_measures: count =
  count(
    m
    for each m in measures
    where m in {COL, CBP, HBD} and scorable(m, NonEnglish),
    not scored: skip)

output language_bonus: money =
  if not language_gaps_closed or language_measures < 2
  then $0.00
    because "a language gap is wider than 2 pp, or fewer than 2 measures are scorable"
  else language_bonus_amount
  rounded to cents half even

output total_payment: money =
  equity_payment + language_bonus
  rounded to cents half up
  per "Schedule B, section 6"

## The total is paid in four quarterly installments of whole dollars, rounded down; the
## cents left over are paid with the last installment.
output quarterly_installment: money =
  total_payment / 4
  rounded to dollars toward zero
  per "Schedule B, section 6"

# ---- reported, not paid ------------------------------------------------------------------

## Each group's mean gap to its reference group over the measures where it is scorable.
output gap_to_reference(g: group): pp =
  mean(gap(m, g, performance) for each m in measures where scorable(m, g), not scored: skip)
  rounded to 2 decimals half even

## The whole population's distance from the peers' median, per measure.
output peer_position(m: measure): pp =
  rate(m, ALL, performance) - peer_median(m)
  rounded to 2 decimals half even

## The lowest rate among the scorable race focus groups, per measure.
output lowest_focus_rate(m: measure): percent =
  min(
    rate(m, g, performance)
    for each g in focus groups of race where scorable(m, g), not scored: skip)
  rounded to 2 decimals half even

## The widest gap of the most deprived neighborhoods, and their largest distance either way
## from the whole population; a measure without data counts as no gap.
output deprivation_gap: pp =
  max(gap(m, Deprived, performance) for each m in measures, not scored: zero)
  rounded to 2 decimals half even

output deprivation_distance: pp =
  max(
    abs(rate(m, Deprived, performance) - rate(m, ALL, performance))
    for each m in measures, not scored: zero)
  rounded to 2 decimals half even

## The rate of the members who prefer English: everyone except those preferring another
## language, the reference of the language stratification.
output english_preferring_rate(m: measure): percent =
  rate(m, rest(NonEnglish), performance)
  rounded to 2 decimals half even

## How far apart the groups of a stratification are on a measure: the standard deviation of
## their rates around the mean of those rates, in points; groups without data are left out.
define mean_group_rate(m: measure, s: stratification): percent =
  mean(rate(m, g, performance) for each g in groups of s, not scored: skip)

define group_deviation(m: measure, s: stratification): pp =
  sqrt(
    mean(
      (rate(m, g, performance) - mean_group_rate(m, s))
        / 1 pp
        * ((rate(m, g, performance) - mean_group_rate(m, s)) / 1 pp)
      for each g in groups of s, not scored: skip))
  * 1 pp

output race_deviation(m: measure): pp =
  group_deviation(m, race)
  rounded to 2 decimals half down

## How uncertain the race deviation is: its standard error by simulation, the spread of the
## deviation over 50 tables whose rates are drawn around the table's (reported, not paid).
output race_deviation_error(m: measure): pp =
  simulated standard error(group_deviation(m, race), draws: 50, seed: 2024)
  rounded to 2 decimals half even

## The Black-White rate ratio, back from its reported logarithm; not scored where that is.
output black_white_ratio(m: measure): number =
  exp(black_white_log_ratio(m))
  rounded to 4 decimals half even

## The critical value of a two-sided 95% interval: the normal quantile of 97.5%, 1.96.
output critical_value: number =
  normal_quantile(97.5%)
  rounded to 4 decimals half even

## The place of the lower income band in the order of income: 1, the least advantaged.
output lower_income_place: count =
  position(LowerIncome)
  not rounded

## The log rate ratio of Black to White members, as epidemiologists report a disparity:
## 0 when the rates are equal, negative when Black members' rate is lower. Not scored
## where either rate is 0%, which has no logarithm.
output black_white_log_ratio(m: measure): number =
  if rate(m, Black, performance) = 0% or rate(m, White, performance) = 0%
  then not scored because "a rate of 0% has no logarithm"
  else ln(rate(m, Black, performance) / rate(m, White, performance))
  rounded to 4 decimals half even

## How many organizations had a better whole-population rate on the measure than this one.
define whole_rate(o: organization, m: measure): percent =
  rate(m, ALL, performance) at o

output peers_ahead(m: measure): count =
  count(
    o
    for each o in organizations
    where if higher_is_better(m)
    then whole_rate(o, m) > rate(m, ALL, performance)
    else whole_rate(o, m) < rate(m, ALL, performance))
  not rounded

## Missed opportunities among the race focus groups: members who did not get the care the
## measure counts (for HBD, members whose HbA1c stayed poorly controlled). Where members are
## imputed, a fraction of a member counts as a whole one.
output missed_opportunities(m: measure): number =
  sum(
    (if higher_is_better(m)
     then denominator(m, g, performance) - numerator(m, g, performance)
     else numerator(m, g, performance))
    for each g in focus groups of race)
  rounded to 0 decimals away from zero

## Whether any race focus group trails its reference by more than 10 pp on any measure.
output wide_gap_flag: yesno =
  any(
    gap(m, g, performance) > 10 pp
    for each m in measures, g in focus groups of race, not scored: skip)
  not rounded

## The median gap of the scorable race focus groups, over all measures.
output median_race_gap: pp =
  median(
    gap(m, g, performance)
    for each m in measures, g in focus groups of race where scorable(m, g))
  rounded to 2 decimals half even

# ---- worked examples (run them with `eqlang test contracts/showcase.eq`) -----------------
## Settled as of 2025-06-30, so Amendment 1's pool of $1,650,000.00 is in force. COL: White
## 70% -> 72%, Black 60% -> 66%: the gap went from 10 pp to 6 pp, 40% closed, which the
## closure schedule credits 0.5. WCV (pediatric rider): the only organization's own rate,
## 60%, is the peers' cut point; Black at 66% is 6 pp above it (1 point), Hispanic at 55% is
## 5 pp below (0.5 points): 1.5 points, the full score. No other measure has race data, so
## COL's 25% and WCV's 15% are rescaled over 40%: 62.5% and 37.5%. $1,650,000.00 x 62.5% x
## 0.5 = $515,625.00 and $1,650,000.00 x 37.5% x 1 = $618,750.00.
example "race credit on COL, pediatric credit on WCV"
  organization "Example Clinic"
  rows
    COL ALL      2022: 770 of 1100
    COL ALL      2024: 792 of 1100
    COL White    2022: 700 of 1000
    COL White    2024: 720 of 1000
    COL Black    2022:  60 of  100
    COL Black    2024:  66 of  100
    CBP ALL      2022: 600 of 1000
    CBP ALL      2024: 610 of 1000
    HBD ALL      2022: 300 of 1000
    HBD ALL      2024: 290 of 1000
    WCV ALL      2022: 580 of 1000
    WCV ALL      2024: 600 of 1000
    WCV Black    2024:  66 of  100
    WCV Hispanic 2024:  55 of  100
    DSF ALL      2022: 400 of 1000
    DSF ALL      2024: 420 of 1000
    SNS ALL      2022: 500 of 1000
    SNS ALL      2024: 520 of 1000
  expect group_score(COL, Black) = 0.5
  expect peer_cut(WCV, performance) = 60%
  expect pediatric_score(WCV) = 1
  expect rescaled_weight(COL) = 62.5%
  expect measure_payout(COL) = $515,625.00
  expect measure_payout(WCV) = $618,750.00
  expect measure_payout(CBP) is not scored
  expect equity_payment = $1,134,375.00
  expect language_bonus = $0.00
  expect total_payment = $1,134,375.00
  expect gap_to_reference(Black) = 6 pp
  expect missed_opportunities(COL) = 34
  expect lowest_focus_rate(COL) = 66%
  expect wide_gap_flag = no
  expect median_race_gap = 6 pp
  expect deprivation_gap = 0 pp
end

## COL, with race scores weighted by 2024 members: AIAN was better than White and is 2 pp
## behind (small gap kept: 1, 50 members); Asian went from 5 pp to 6 pp behind (closure
## below 0%: 0); Black closed 9 of 10 pp (90%: 1). (50 + 0 + 100) / 250 = 0.6.
## CBP: Black went from 1 pp to 5 pp behind (0, 200 members); Asian closed 6 of 10 pp (60%:
## 0.75); AIAN closed 0.5 of 5 pp (10%: 0.25). (0 + 75 + 25) / 400 = 0.25.
## HBD: the whole population's poor control rose from 20% to 22%, 2 pp worse: no leveling
## down, so HBD scores 0. WCV: the peer has no well-care members, so the peers' cut point
## is not scored and each group's points fall back to 0: WCV scores 0.
## Scored: COL 25%, CBP 20%, HBD 20%, WCV 15%, together 80%.
## COL $1,650,000.00 x 25/80 x 0.6 = $309,375.00; CBP $1,650,000.00 x 20/80 x 0.25 =
## $103,125.00. Members preferring another language trail everyone else by 1.08 pp (COL)
## and 1.07 pp (CBP), within 2 pp on both: the $50,000.00 language bonus is paid.
example "language bonus, leveling down and every closure tier"
  organization "Example Clinic"
  rows
    COL ALL        2022:  910 of 1300
    COL ALL        2024:  936 of 1300
    COL White      2022:  700 of 1000
    COL White      2024:  720 of 1000
    COL AIAN       2022:   40 of   50
    COL AIAN       2024:   35 of   50
    COL Asian      2022:   65 of  100
    COL Asian      2024:   66 of  100
    COL Black      2022:   60 of  100
    COL Black      2024:   71 of  100
    COL NonEnglish 2022:   69 of  100
    COL NonEnglish 2024:   71 of  100
    CBP ALL        2022: 1200 of 1500
    CBP ALL        2024: 1200 of 1500
    CBP White      2022:  800 of 1000
    CBP White      2024:  800 of 1000
    CBP Black      2022:  158 of  200
    CBP Black      2024:  150 of  200
    CBP Asian      2022:   70 of  100
    CBP Asian      2024:   76 of  100
    CBP AIAN       2022:   75 of  100
    CBP AIAN       2024: 75.5 of  100
    CBP NonEnglish 2022:   79 of  100
    CBP NonEnglish 2024:   79 of  100
    HBD ALL        2022:  200 of 1000
    HBD ALL        2024:  220 of 1000
    WCV ALL        2022:  580 of 1000
    WCV ALL        2024:  600 of 1000
    WCV Black      2024:   66 of  100
    WCV Hispanic   2024:   55 of  100
    DSF ALL        2022:  400 of 1000
    DSF ALL        2024:  420 of 1000
    SNS ALL        2022:  500 of 1000
    SNS ALL        2024:  520 of 1000
  rows for "Peer Clinic"
    COL ALL 2024: 700 of 1000
    CBP ALL 2024: 700 of 1000
    HBD ALL 2024: 200 of 1000
    WCV ALL 2024:   0 of    0
    DSF ALL 2024: 400 of 1000
    SNS ALL 2024: 500 of 1000
  expect group_score(COL, AIAN) = 1
  expect group_score(COL, Asian) = 0
  expect group_score(COL, Black) = 1
  expect group_score(CBP, Black) = 0
  expect group_score(CBP, Asian) = 0.75
  expect group_score(CBP, AIAN) = 0.25
  expect measure_score(HBD) = 0
  expect pediatric_score(WCV) = 0
  expect measure_payout(COL) = $309,375.00
  expect measure_payout(CBP) = $103,125.00
  expect measure_payout(HBD) = $0.00
  expect measure_payout(WCV) = $0.00
  expect equity_payment = $412,500.00
  expect language_bonus = $50,000.00
  expect total_payment = $462,500.00
end

## Settled as of 2024-06-30, before Amendment 1: the pool is $1,500,000.00. The peers'
## cut point is the 67th percentile of 60% and 80%: 60% + 0.67 x 20 pp = 73.4%. Black at
## 66% is 7.4 pp below it (0 points), Hispanic at 70% is 3.4 pp below (0.5 points):
## 0.5 / 1.5 = 1/3. WCV is the only scored measure: $1,500,000.00 x 100% x 1/3.
example "peers set the pediatric cut point"
  organization "Example Clinic"
  as of 2024-06-30
  rows
    COL ALL      2022: 700 of 1000
    COL ALL      2024: 720 of 1000
    CBP ALL      2022: 600 of 1000
    CBP ALL      2024: 610 of 1000
    HBD ALL      2022: 300 of 1000
    HBD ALL      2024: 290 of 1000
    WCV ALL      2022: 580 of 1000
    WCV ALL      2024: 600 of 1000
    WCV Black    2024:  66 of  100
    WCV Hispanic 2024:  70 of  100
    DSF ALL      2022: 400 of 1000
    DSF ALL      2024: 420 of 1000
    SNS ALL      2022: 500 of 1000
    SNS ALL      2024: 520 of 1000
  rows for "Peer Clinic"
    COL ALL 2024: 700 of 1000
    CBP ALL 2024: 700 of 1000
    HBD ALL 2024: 200 of 1000
    WCV ALL 2024: 800 of 1000
    DSF ALL 2024: 400 of 1000
    SNS ALL 2024: 500 of 1000
  expect peer_cut(WCV, performance) = 73.4%
  expect measure_payout(WCV) = $500,000.00
  expect total_payment = $500,000.00
end

## With the rider starting in 2025 it is not in force in the 2024 performance year, so WCV
## is not scored either, no measure is, and nothing is paid. None of the 40 Black members
## was screened for depression (DSF): a rate of 0% has no log rate ratio.
example "nothing scored before the pediatric rider starts"
  organization "Example Clinic"
  set pediatric_rider_start = 2025-01-01
  rows
    COL ALL   2022: 700 of 1000
    COL ALL   2024: 720 of 1000
    CBP ALL   2022: 600 of 1000
    CBP ALL   2024: 610 of 1000
    HBD ALL   2022: 300 of 1000
    HBD ALL   2024: 290 of 1000
    WCV ALL   2022: 580 of 1000
    WCV ALL   2024: 600 of 1000
    DSF ALL   2022: 400 of 1000
    DSF ALL   2024: 420 of 1000
    SNS ALL   2022: 500 of 1000
    SNS ALL   2024: 520 of 1000
    DSF Black 2024:   0 of   40
    DSF White 2024: 300 of  600
  expect pediatric_score(WCV) is not scored because "not in force"
  expect equity_payment = $0.00
  expect total_payment = $0.00
  expect black_white_log_ratio(DSF) is not scored because "has no logarithm"
end

## Bayside Community Health in the sample table, as its settlement statement shows. The
## total, $1,217,375.00, is paid as four installments of $304,343 (a quarter is $304,343.75,
## rounded down to whole dollars). On COL, Black members' 68.9% against White members'
## 71.5% is a log rate ratio of ln(0.9636) = -0.0370; the members preferring English, all
## 4300 but the 516 who prefer another language, were screened at 2686.22 / 3784 = 70.99%.
## The race groups' COL rates, 62%, 68.5%, 68.9% and 71.5%, lie around their mean of
## 67.725% with a standard deviation of 3.50 pp. Riverbend's CBP rate, 75.07%, is ahead of
## Bayside's 74.53%, and on HBD, where lower is better, its 23.19% beats Bayside's 23.48%.
## The HBD focus groups count 0.957 + 11.592 + 20.203 = 32.752 members still poorly
## controlled: 33. The COL rate ratio back from its rounded logarithm is e^-0.037 = 0.9637;
## the normal quantile of 97.5% is 1.95996, 1.96 to four decimals; the lower income band is
## first in the order of income.
example "the sample table: Bayside Community Health"
  organization "Bayside Community Health"
  table "showcase.csv"
  expect total_payment = $1,217,375.00
  expect quarterly_installment = $304,343
  expect black_white_log_ratio(COL) = -0.037
  expect english_preferring_rate(COL) = 70.99%
  expect race_deviation(COL) = 3.5 pp
  expect peers_ahead(CBP) = 1
  expect peers_ahead(HBD) = 1
  expect missed_opportunities(HBD) = 33
  expect black_white_ratio(COL) = 0.9637
  expect critical_value = 1.96
  expect lower_income_place = 1
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The equity payment stays within the pool, and the total within the pool and the bonus.
invariant "payments within the pools":
  always equity_payment >= $0.00
         and equity_payment <= pool
         and total_payment <= pool + language_bonus_amount

## The total is its two parts, to the cent.
invariant "the total is the sum of its parts":
  always total_payment = equity_payment + language_bonus

## Better care for a race focus group never lowers the equity payment on the measures scored
## by closing race gaps (WCV is scored against peers instead).
invariant "better care for a race focus group never pays less":
  equity_payment never falls when rate(m, g, performance) improves
  for each m in {COL, CBP, HBD, DSF, SNS}, g in focus groups of race

## No leveling down: a whole-population fall of 1 pp or more pays nothing for the measure.
invariant "no leveling down":
  always (measure_payout(m) otherwise $0.00) = $0.00
    when m != WCV and population_change(m) <= -1 pp
  for each m in measures
