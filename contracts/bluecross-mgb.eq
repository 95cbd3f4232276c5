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
#   race recorded (Unknown and Declined together) earns a $10,000 bonus.
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
  else max(payment.achievement_points(
             payment.attainment_score(rate(m, g, performance), threshold(m), benchmark(m))),
           min(9,
               payment.achievement_points(
                 payment.improvement_score(m, statistics.usable_rate(m, g, baseline),
                                           rate(m, g, performance), benchmark(m)))
               otherwise 0))

## A measure's points: the mean points of its scored focus groups, or 0 when the whole
## population's care got worse by more than 1.5 points.
output measure_points(m: measure): number =
  if payment.leveled_down(m, baseline, performance, leveling_margin)
  then 0 because "the whole population's rate got worse by more than 1.5 points"
  else mean(group_points(m, g) for each g in {Asian, Black, Hispanic}, not scored: skip)
       otherwise (not scored because "no focus group has 30 members in 2024")
  rounded to 2 decimals half even

## The equity score: the weighted measure points over the 10 points a measure can earn.
output equity_score: percent =
  mean(measure_points(m) weighted by weight(m) for each m in measures, not scored: rescale)
    / 10 * 100%
  otherwise (0% because "no measure could be scored")
  rounded to 2 decimals half even

output withhold: money = payment.withheld(base_payment, withhold_share) rounded to cents half up

output withhold_returned: money =
  payment.withhold_returned(withhold, equity_score / 100%)
  rounded to cents half up

## The share of colorectal screening members with no race recorded in 2024.
output missing_race: percent =
  (denominator(COL, Unknown, performance) + denominator(COL, Declined, performance))
    / denominator(COL, ALL, performance) * 100%
  rounded to 2 decimals half even

output data_bonus: money =
  if missing_race < missing_race_allowed
  then completeness_bonus
  else $0.00 because "10% or more of members have no race recorded"
  rounded to cents half up

output total_payment: money = withhold_returned + data_bonus rounded to cents half up

# ---- promises: `eqlang check --properties` searches for tables that break them -------------

## No more than the withhold comes back, and the total is what comes back plus the bonus.
invariant "the withhold returned is at most the withhold":
  always withhold_returned >= $0.00 and withhold_returned <= withhold

invariant "the total is the sum of its parts":
  always total_payment = withhold_returned + data_bonus

## The equity score is a share of the points that could be earned.
invariant "the equity score is a share": always equity_score >= 0% and equity_score <= 100%
