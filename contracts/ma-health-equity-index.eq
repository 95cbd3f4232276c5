# A reward in the style of the Medicare Advantage Health Equity Index (designed by CMS for the
# 2027 Star Ratings; its future is uncertain). The design follows the published outline;
# every number in it (weights, minimum sizes, the mapping to the reward) and every plan in
# the sample table ma-health-equity-index.csv are illustrative, not CMS's specifications.
#
# The terms in plain English:
# - Three measures, for members with social risk factors (dual eligibility, the low-income
#   subsidy or disability): colorectal cancer screening (weight 1), controlling high blood
#   pressure (weight 2) and HbA1c poor control (weight 2, where a lower rate is better).
# - On each measure, every plan in the table with at least 50 such members is ranked among
#   the others by those members' rate: the top third scores +1, the middle third 0, the
#   bottom third -1 (a tie shares the better place; fewer than three ranked plans, no
#   thirds).
# - A plan's index is the weighted mean of its scores over the measures where it is ranked,
#   from -1 to +1; a plan ranked on fewer than two measures has no index.
# - The reward is the positive part of the index times the plan's maximum reward: 0.4 stars
#   when its share of members with social risk factors is at least the median share of the
#   plans in the table, 0.2 when it is at least half the median but below it, and none when
#   it is lower.
#
# Settle it with:
#   eqlang eval contracts/ma-health-equity-index.eq --table contracts/ma-health-equity-index.csv

## A Health Equity Index style reward for Medicare Advantage plans (illustrative).
contract "Health Equity Index reward (illustrative)"
  payer "Medicare Advantage Star Ratings (illustrative)"
  provider each organization
  currency USD
  period performance is "2024"
  version "illustrative-1"
  effective 2024-01-01 to 2024-12-31
end

import hedis
import groups
import statistics
import payment

measure COL from hedis weight 20% minimum denominator 50
measure CBP from hedis weight 40% minimum denominator 50
## HbA1c poor control: a lower rate is better.
measure HBD from hedis weight 40% minimum denominator 50

## Members with social risk factors, compared with everyone else.
stratification social from groups.social_risk
end

## The largest reward, in stars, and the one for plans below the median social-risk share.
parameter full_reward: number = 0.4 per "HEI outline, reward"
parameter reduced_reward: number = 0.2 per "HEI outline, reward"

## The fewest measures a plan must be ranked on to have an index.
parameter measures_needed: count = 2 per "HEI outline, eligibility"

## The plan's score on a measure: +1, 0 or -1 by its third among the plans.
output measure_score(m: measure): number =
  payment.peer_third(m, SocialRisk, performance)
  not rounded

## The share of the plan's members, over the three measures, with social risk factors.
define social_risk_share: percent =
  sum(denominator(m, SocialRisk, performance) for each m in measures)
    / sum(denominator(m, ALL, performance) for each m in measures) * 100%

output risk_share: percent = social_risk_share rounded to 2 decimals half even

## The median social-risk share of all plans in the table.
define median_share: percent = median(social_risk_share at o for each o in organizations)

output index: number =
  if count(measure_score(m) is scored for each m in measures) < measures_needed
  then not scored because "the plan is ranked on fewer than two measures"
  else mean(measure_score(m) weighted by weight(m) for each m in measures,
            not scored: rescale)
  rounded to 4 decimals half even

## The most the plan can be rewarded, by its social-risk share against the median.
define maximum_reward: number =
  if social_risk_share >= median_share then full_reward
  else if social_risk_share >= median_share / 2 then reduced_reward
  else 0 because "the plan's social-risk share is below half the median"

output reward: number =
  max(0, index) * maximum_reward
  otherwise (0 because "the plan has no index")
  rounded to 3 decimals half up

# ---- promises: `eqlang check --properties` searches for tables that break them -------------

## The index lies between -1 and +1; the reward between none and the full reward.
invariant "the index lies between -1 and +1": always index >= -1 and index <= 1
  when index is scored

invariant "the reward lies between none and the full reward":
  always reward >= 0 and reward <= full_reward
