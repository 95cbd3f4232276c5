# Equity terms in the style of Blue Cross Blue Shield of Massachusetts's equity-linked
# contracts, for Mass General Brigham. The design and every number in it (withhold,
# thresholds, benchmarks, points, dates) and the sample table bluecross-mgb.csv are
# illustrative: they are not Blue Cross's terms, which are not public.
#
# The terms in plain English:
# - A withhold: 2% of each unit's $5,000,000 base payment is held back and paid back in
#   proportion to the unit's equity points.
# - Three measures weighted about a third each: colorectal cancer screening (34%),
#   controlling high blood pressure (33%) and HbA1c poor control (33%, a lower rate is
#   better).
# - Groups as NCQA stratifies them: race (Unknown and Declined kept apart), with Asian and
#   Black members in focus; and ethnicity, with Hispanic or Latino members in focus. A group
#   needs 30 members on a measure to be scored.
# - Each focus group earns up to 10 points per measure for its own 2024 rate: attainment
#   points for where the rate stands between a threshold (0 points) and a benchmark (10
#   points), or improvement points (at most 9) for the share of the way from its 2022 rate
#   to the benchmark it covered, whichever is more. The thresholds and benchmarks are the
#   same for every group, so the groups furthest behind have the most to gain.
# - No leveling down: a measure earns no points when the whole population's rate got worse
#   by more than 1.5 points.
# - A measure's points are the mean of its scored focus groups' points; the equity score is
#   the measures' points over the 10 they could earn.
# - Data completeness: a unit where fewer than 10% of colorectal screening members have no
#   race recorded (Unknown and Declined together) earns a $10,000 bonus. A unit with no
#   screening members in 2024 has no share to show, so it earns no bonus.
#
# Settle it with:
#   eqlang eval contracts/bluecross-mgb.eq --table contracts/bluecross-mgb.csv

## Equity withhold and data-completeness bonus, Mass General Brigham (illustrative terms).
contract "Equity performance terms: Mass General Brigham"
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

measure COL from hedis weight 34% minimum denominator 30
measure CBP from hedis weight 33% minimum denominator 30
## HbA1c poor control: a lower rate is better.
measure HBD from hedis weight 33% minimum denominator 30

## Race as NCQA reports it; Unknown and Declined are reported, not paid on.
stratification race from groups.ncqa_race
  focus Asian, Black
end

## Ethnicity as NCQA reports it.
stratification ethnicity from groups.ncqa_ethnicity
end

## Each unit's base payment, of which the withhold is held back.
parameter base_payment: money = $5,000,000.00 per "Schedule 2, section 1"

## The share of the base payment withheld.
parameter withhold_share: percent = 2% per "Schedule 2, section 1"

## The data-completeness bonus and the share of members without a race it allows.
parameter completeness_bonus: money = $10,000.00 per "Schedule 2, section 5"
parameter missing_race_allowed: percent = 10% per "Schedule 2, section 5"

## A whole-population fall larger than this cancels the measure's points.
parameter leveling_margin: pp = 1.5 pp per "Schedule 2, section 4"

## The rate at which attainment points start (0 points).
define threshold(m: measure): percent =
  60%
  except 62% when m = CBP per "Schedule 2, table A"
  except 35% when m = HBD per "Schedule 2, table A"

## The rate that earns all 10 attainment points.
define benchmark(m: measure): percent =
  78%
  except 80% when m = CBP per "Schedule 2, table A"
  except 18% when m = HBD per "Schedule 2, table A"

## A focus group's points on a measure: the more of attainment and improvement points.
define group_points(m: measure, g: group): number =
  if not statistics.has_data(m, g, performance)
  then not scored because "the group has fewer than 30 members in 2024"
  else max(
    payment.achievement_points(
      payment.attainment_score(rate(m, g, performance), threshold(m), benchmark(m))),
    min(
      9,
      payment.achievement_points(
        payment.improvement_score(
          m,
          statistics.usable_rate(m, g, baseline),
          rate(m, g, performance),
          benchmark(m)))
      otherwise 0))

## A measure's points: the mean points of its scored focus groups, or 0 when the whole
## population's care got worse by more than 1.5 points.
output measure_points(m: measure): number =
  if payment.leveled_down(m, baseline, performance, leveling_margin)
  then 0 because "the whole population's rate got worse by more than 1.5 points"
  else mean(group_points(m, g) for each g in {Asian, Black, Hispanic}, not scored: skip)
       otherwise not scored because "no focus group has 30 members in 2024"
  rounded to 2 decimals half even

## The equity score: the weighted measure points over the 10 points a measure can earn.
output equity_score: percent =
  mean(measure_points(m) weighted by weight(m) for each m in measures, not scored: rescale)
    / 10
    * 100%
  otherwise (0% because "no measure could be scored")
  rounded to 2 decimals half even

output withhold: money =
  payment.withheld(base_payment, withhold_share)
  rounded to cents half up

output withhold_returned: money =
  payment.withhold_returned(withhold, equity_score / 100%)
  rounded to cents half up

## The share of colorectal screening members with no race recorded in 2024; a unit with no
## screening members has no share.
output missing_race: percent =
  if denominator(COL, ALL, performance) = 0
  then not scored because "the unit has no colorectal screening members in 2024"
  else (denominator(COL, Unknown, performance) + denominator(COL, Declined, performance))
       / denominator(COL, ALL, performance)
       * 100%
  rounded to 2 decimals half even

output data_bonus: money =
  (if missing_race < missing_race_allowed
   then completeness_bonus
   else $0.00 because "10% or more of members have no race recorded")
  otherwise ($0.00 because "no screening members in 2024, so completeness cannot be shown")
  rounded to cents half up

output total_payment: money =
  withhold_returned + data_bonus
  rounded to cents half up

# ---- worked examples (run them with `eqlang test contracts/bluecross-mgb.eq`) ------------
## Each focus group has 100 members; points are tenths of a score, rounded down.
## COL (threshold 60%, benchmark 78%, 18 pp apart): Asian at 80% is past the benchmark (10
## attainment points); from 75% it also covered all the way to the benchmark, but
## improvement points stop at 9. Black at 69% is half way (5), but covered 18 of the 27 pp
## from 51% to the benchmark (2/3: 6). Hispanic at 63% earns 1 for attainment, but covered
## 18 of 33 pp from 45% (0.55: 5). Points (10 + 6 + 5) / 3 = 7.
## CBP (62%, 80%): Asian at 71% is half way (5), having lost ground since 2022 (74%: 0).
## Black at 59% is below the threshold (0), but covered 9 of the 30 pp from 50% (0.3: 3).
## Hispanic has 20 members and is not scored. Points (5 + 3) / 2 = 4.
## HBD (lower is better; 35%, 18%): Asian at 18% meets the benchmark (10); it was already
## at 16% in 2022, so there is no improvement score (0). Black at 26.5% is half way (5); it
## improved 3.5 of the 12 pp from 30% (0.29: 2). Hispanic at 36% is worse than the threshold
## and has no 2022 rate (0). Points (10 + 5 + 0) / 3 = 5.
## Equity score (7 x 34% + 4 x 33% + 5 x 33%) / 10 = 5.35 / 10 = 53.5%, so $53,500.00 of
## the $100,000.00 withhold (2% of $5,000,000.00) comes back. 60 Unknown and 30 Declined of
## 1000 screening members lack a race: 9%, below 10%, so the $10,000.00 bonus is paid.
example "attainment and improvement points on every measure"
  organization "Example Unit"
  rows
    COL ALL      2022:  700 of 1000
    COL ALL      2024:  720 of 1000
    COL Asian    2022:   75 of  100
    COL Asian    2024:   80 of  100
    COL Black    2022:   51 of  100
    COL Black    2024:   69 of  100
    COL Hispanic 2022:   45 of  100
    COL Hispanic 2024:   63 of  100
    COL Unknown  2024:   40 of   60
    COL Declined 2024:   20 of   30
    CBP ALL      2022:  650 of 1000
    CBP ALL      2024:  660 of 1000
    CBP Asian    2022:   74 of  100
    CBP Asian    2024:   71 of  100
    CBP Black    2022:   50 of  100
    CBP Black    2024:   59 of  100
    CBP Hispanic 2022:   12 of   20
    CBP Hispanic 2024:   14 of   20
    HBD ALL      2022:  220 of 1000
    HBD ALL      2024:  210 of 1000
    HBD Asian    2022:   16 of  100
    HBD Asian    2024:   18 of  100
    HBD Black    2022:   30 of  100
    HBD Black    2024: 26.5 of  100
    HBD Hispanic 2024:   36 of  100
  expect threshold(COL) = 60%
  expect benchmark(COL) = 78%
  expect threshold(CBP) = 62%
  expect benchmark(CBP) = 80%
  expect threshold(HBD) = 35%
  expect benchmark(HBD) = 18%
  expect group_points(COL, Asian) = 10
  expect group_points(COL, Black) = 6
  expect group_points(COL, Hispanic) = 5
  expect measure_points(COL) = 7
  expect group_points(CBP, Asian) = 5
  expect group_points(CBP, Black) = 3
  expect group_points(CBP, Hispanic) is not scored because "fewer than 30 members"
  expect measure_points(CBP) = 4
  expect group_points(HBD, Asian) = 10
  expect group_points(HBD, Black) = 5
  expect group_points(HBD, Hispanic) = 0
  expect measure_points(HBD) = 5
  expect equity_score = 53.5%
  expect withhold = $100,000.00
  expect withhold_returned = $53,500.00
  expect missing_race = 9%
  expect data_bonus = $10,000.00
  expect total_payment = $63,500.00
end

## COL: no focus group has 30 members in 2024, so COL is not scored.
## CBP: the whole population's control rate fell from 70% to 68%, 2 pp, more than 1.5: CBP
## earns 0 points, although Black members at 72% would have earned 5.
## HBD: the whole population's poor control rose from 20% to 21.5%, exactly 1.5 pp, which is
## not more than the margin. Asian at 18% earns 10; Black at 24% is 11/17 of the way (6),
## and improved only 1 of the 7 pp from 25% (1). Points (10 + 6) / 2 = 8.
## Equity score (0 x 33% + 8 x 33%) / 66% / 10 = 40%: $40,000.00 of the withhold.
## 70 Unknown and 30 Declined of 1000 screening members: 10%, not below 10%, so no bonus.
example "leveling down and a measure without scored groups"
  organization "Example Unit"
  rows
    COL ALL      2022: 700 of 1000
    COL ALL      2024: 720 of 1000
    COL Asian    2024:  20 of   25
    COL Black    2024:  15 of   20
    COL Unknown  2024:  50 of   70
    COL Declined 2024:  20 of   30
    CBP ALL      2022: 700 of 1000
    CBP ALL      2024: 680 of 1000
    CBP Black    2022:  65 of  100
    CBP Black    2024:  72 of  100
    HBD ALL      2022: 200 of 1000
    HBD ALL      2024: 215 of 1000
    HBD Asian    2022:  18 of  100
    HBD Asian    2024:  18 of  100
    HBD Black    2022:  25 of  100
    HBD Black    2024:  24 of  100
  expect measure_points(COL) is not scored because "no focus group has 30 members"
  expect group_points(CBP, Black) = 5
  expect measure_points(CBP) = 0
  expect group_points(HBD, Black) = 6
  expect measure_points(HBD) = 8
  expect equity_score = 40%
  expect withhold_returned = $40,000.00
  expect missing_race = 10%
  expect data_bonus = $0.00
  expect total_payment = $40,000.00
end

## A small unit: no focus group reaches 30 members on any measure, so the equity score is
## 0% and nothing of the withhold comes back. 6 of its 150 screening members have no race
## recorded (4%), so the data-completeness bonus is still paid.
example "nothing scored returns no withhold"
  organization "Small Unit"
  rows
    COL ALL     2022: 100 of 150
    COL ALL     2024: 105 of 150
    COL Black   2024:  18 of  25
    COL Unknown 2024:   4 of   6
    CBP ALL     2022:  90 of 150
    CBP ALL     2024:  92 of 150
    HBD ALL     2022:  30 of 150
    HBD ALL     2024:  29 of 150
  expect equity_score = 0%
  expect withhold_returned = $0.00
  expect missing_race = 4%
  expect total_payment = $10,000.00
end

## A unit with no colorectal screening members in either year: COL is not scored, and with
## no screening members there is no share without a race to judge, so no bonus. CBP: Black
## members at 80% reach the benchmark (10 points; no 2022 rate, so no improvement score).
## HBD has no focus group rows. Equity score 10 / 10 = 100%: the whole $100,000.00 withhold.
example "no screening members, no completeness bonus"
  organization "New Unit"
  rows
    COL ALL   2022:   0 of    0
    COL ALL   2024:   0 of    0
    CBP ALL   2022: 700 of 1000
    CBP ALL   2024: 700 of 1000
    CBP Black 2024:  80 of  100
    HBD ALL   2022: 200 of 1000
    HBD ALL   2024: 200 of 1000
  expect measure_points(COL) is not scored because "no members"
  expect measure_points(CBP) = 10
  expect equity_score = 100%
  expect missing_race is not scored because "no colorectal screening members"
  expect data_bonus = $0.00
  expect total_payment = $100,000.00
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## No more than the withhold comes back, and the total is what comes back plus the bonus.
invariant "the withhold returned is at most the withhold":
  always withhold_returned >= $0.00 and withhold_returned <= withhold

invariant "the total is the sum of its parts":
  always total_payment = withhold_returned + data_bonus

## The equity score is a share of the points that could be earned.
invariant "the equity score is a share": always equity_score >= 0% and equity_score <= 100%
