# A reward in the style of the Medicare Advantage Health Equity Index (designed by CMS for
# the 2027 Star Ratings; its future is uncertain). The design follows the published outline;
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
#   it is lower. A plan with no members on the three measures has no share (and no index):
#   it earns nothing and is left out of the median.
#
# Settle it with:
#   eqlang eval contracts/ma-health-equity-index.eq \
#     --table contracts/ma-health-equity-index.csv

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

## The share of the plan's members, over the three measures, with social risk factors; a
## plan with no members has no share.
define social_risk_share: percent =
  if sum(denominator(m, ALL, performance) for each m in measures) = 0
  then not scored because "the plan has no members on the three measures"
  else sum(denominator(m, SocialRisk, performance) for each m in measures)
       / sum(denominator(m, ALL, performance) for each m in measures)
       * 100%

output risk_share: percent =
  social_risk_share
  rounded to 2 decimals half even

## The median social-risk share of the plans in the table that have members.
define median_share: percent =
  median(social_risk_share at o for each o in organizations, not scored: skip)

output index: number =
  if count(measure_score(m) is scored for each m in measures) < measures_needed
  then not scored because "the plan is ranked on fewer than two measures"
  else mean(
    measure_score(m) weighted by weight(m)
    for each m in measures, not scored: rescale)
  rounded to 4 decimals half even

## The most the plan can be rewarded, by its social-risk share against the median.
define maximum_reward: number =
  if social_risk_share >= median_share
  then full_reward
  else if social_risk_share >= median_share / 2
  then reduced_reward
  else 0 because "the plan's social-risk share is below half the median"

output reward: number =
  max(0, index) * maximum_reward otherwise (0 because "the plan has no index")
  rounded to 3 decimals half up

# ---- worked examples (run them with `eqlang test contracts/ma-health-equity-index.eq`) ---
## Three plans, each with 100 members with social risk factors on every measure. A plan's
## place is one after the plans doing strictly better; of three ranked plans, place 1 is the
## top third (its middle, 0.5, comes before 3 / 3 = 1), place 3 the bottom (its middle, 2.5,
## comes after 2), place 2 the middle.
## COL: Summit 70%, Harbor and Valley 60%: Harbor and Valley share second place, so Harbor
## scores 0. CBP: Harbor and Summit share first place at 70%, Valley 60%: Harbor +1. HBD
## (lower is better): Harbor 20%, Valley 25%, Summit 30%: Harbor +1.
## Index (20% x 0 + 40% x 1 + 40% x 1) / 100% = 0.8.
## Social-risk shares: Harbor 300 of 750 members (250 a measure), 40%; Summit 300 of 1200,
## 25%; Valley 300 of 1500, 20%. The median is 25%, and Harbor's 40% is above it: the full
## 0.4 stars. Reward 0.8 x 0.4 = 0.32.
example "thirds among three plans and the full reward"
  organization "Harbor Medicare"
  rows
    COL ALL        2024: 150 of 250
    COL SocialRisk 2024:  60 of 100
    CBP ALL        2024: 175 of 250
    CBP SocialRisk 2024:  70 of 100
    HBD ALL        2024:  50 of 250
    HBD SocialRisk 2024:  20 of 100
  rows for "Summit Senior"
    COL ALL        2024: 240 of 400
    COL SocialRisk 2024:  70 of 100
    CBP ALL        2024: 280 of 400
    CBP SocialRisk 2024:  70 of 100
    HBD ALL        2024: 100 of 400
    HBD SocialRisk 2024:  30 of 100
  rows for "Valley Advantage"
    COL ALL        2024: 300 of 500
    COL SocialRisk 2024:  60 of 100
    CBP ALL        2024: 350 of 500
    CBP SocialRisk 2024:  60 of 100
    HBD ALL        2024: 125 of 500
    HBD SocialRisk 2024:  25 of 100
  expect measure_score(COL) = 0
  expect measure_score(CBP) = 1
  expect measure_score(HBD) = 1
  expect index = 0.8
  expect social_risk_share = 40%
  expect median_share = 25%
  expect maximum_reward = 0.4
  expect reward = 0.32
end

## Four plans; a plan with fewer than 50 members with social risk factors on a measure is
## not ranked there.
## COL: only Harbor and Coastal have 50 such members, and two plans make no thirds: COL is
## not scored, and its weight is shared by the others.
## CBP: Coastal has 40, so three plans are ranked: Harbor 75%, Summit 70%, Valley 60%:
## Harbor +1. HBD: Coastal has 40 again: Summit 20%, Harbor 25%, Valley 30%: Harbor 0.
## Index (40% x 1 + 40% x 0) / 80% = 0.5.
## Shares: Harbor 300 of 1500, 20%; Summit 240 of 960, 25%; Valley 240 of 800, 30%; Coastal
## 180 of 450, 40%. The median of four is (25% + 30%) / 2 = 27.5%, and half of it 13.75%:
## Harbor's 20% is between, so at most 0.2 stars. Reward 0.5 x 0.2 = 0.1.
example "a plan below the median share earns up to 0.2"
  organization "Harbor Medicare"
  rows
    COL ALL        2024: 300 of 500
    COL SocialRisk 2024:  70 of 100
    CBP ALL        2024: 350 of 500
    CBP SocialRisk 2024:  75 of 100
    HBD ALL        2024: 125 of 500
    HBD SocialRisk 2024:  25 of 100
  rows for "Summit Senior"
    COL ALL        2024: 192 of 320
    COL SocialRisk 2024:  24 of  40
    CBP ALL        2024: 224 of 320
    CBP SocialRisk 2024:  70 of 100
    HBD ALL        2024:  80 of 320
    HBD SocialRisk 2024:  20 of 100
  rows for "Valley Advantage"
    COL ALL        2024:  180 of 300
    COL SocialRisk 2024:   20 of  40
    CBP ALL        2024:  175 of 250
    CBP SocialRisk 2024:   60 of 100
    HBD ALL        2024: 62.5 of 250
    HBD SocialRisk 2024:   30 of 100
  rows for "Coastal Care"
    COL ALL        2024:   90 of 150
    COL SocialRisk 2024:   60 of 100
    CBP ALL        2024:  105 of 150
    CBP SocialRisk 2024:   28 of  40
    HBD ALL        2024: 37.5 of 150
    HBD SocialRisk 2024:   10 of  40
  expect measure_score(COL) is not scored because "fewer than three organizations"
  expect measure_score(CBP) = 1
  expect measure_score(HBD) = 0
  expect index = 0.5
  expect risk_share = 20%
  expect median_share = 27.5%
  expect maximum_reward = 0.2
  expect reward = 0.1
end

## COL: Valley 70%, Harbor 60%, Summit 50%: Harbor 0. CBP: Summit and Valley share first
## place at 65%, Harbor is third at 55%: -1. HBD: Summit 25%, Valley 30%, Harbor 35%: -1.
## Index (20% x 0 - 40% - 40%) / 100% = -0.8; a negative index earns nothing.
## Shares: Harbor 300 of 3000 members, 10%; Summit 300 of 1200, 25%; Valley 300 of 750, 40%.
## Harbor's 10% is below half the 25% median (12.5%), so it could earn nothing anyway.
example "a negative index and a low social-risk share earn nothing"
  organization "Harbor Medicare"
  rows
    COL ALL        2024: 600 of 1000
    COL SocialRisk 2024:  60 of  100
    CBP ALL        2024: 700 of 1000
    CBP SocialRisk 2024:  55 of  100
    HBD ALL        2024: 250 of 1000
    HBD SocialRisk 2024:  35 of  100
  rows for "Summit Senior"
    COL ALL        2024: 240 of 400
    COL SocialRisk 2024:  50 of 100
    CBP ALL        2024: 280 of 400
    CBP SocialRisk 2024:  65 of 100
    HBD ALL        2024: 100 of 400
    HBD SocialRisk 2024:  25 of 100
  rows for "Valley Advantage"
    COL ALL        2024:  150 of 250
    COL SocialRisk 2024:   70 of 100
    CBP ALL        2024:  175 of 250
    CBP SocialRisk 2024:   65 of 100
    HBD ALL        2024: 62.5 of 250
    HBD SocialRisk 2024:   30 of 100
  expect measure_score(CBP) = -1
  expect index = -0.8
  expect risk_share = 10%
  expect maximum_reward = 0
  expect reward = 0
end

## Harbor has only 40 members with social risk factors on COL and on CBP, so it is ranked
## on HBD alone (20%, ahead of Summit's 25% and Valley's 30%: +1). One measure is fewer than
## the two an index needs: no index, and no reward, although Harbor's share, 180 of 450
## members (40%), is above the median (Summit 300 of 1200, 25%; Valley 300 of 1500, 20%).
example "ranked on one measure, no index"
  organization "Harbor Medicare"
  rows
    COL ALL        2024:   90 of 150
    COL SocialRisk 2024:   24 of  40
    CBP ALL        2024:  105 of 150
    CBP SocialRisk 2024:   28 of  40
    HBD ALL        2024: 37.5 of 150
    HBD SocialRisk 2024:   20 of 100
  rows for "Summit Senior"
    COL ALL        2024: 240 of 400
    COL SocialRisk 2024:  70 of 100
    CBP ALL        2024: 280 of 400
    CBP SocialRisk 2024:  70 of 100
    HBD ALL        2024: 100 of 400
    HBD SocialRisk 2024:  25 of 100
  rows for "Valley Advantage"
    COL ALL        2024: 300 of 500
    COL SocialRisk 2024:  60 of 100
    CBP ALL        2024: 350 of 500
    CBP SocialRisk 2024:  60 of 100
    HBD ALL        2024: 125 of 500
    HBD SocialRisk 2024:  30 of 100
  expect measure_score(COL) is not scored because "no data for the group"
  expect measure_score(HBD) = 1
  expect index is not scored because "fewer than two measures"
  expect maximum_reward = 0.4
  expect reward = 0
end

## Coastal has no members on any measure: it is ranked nowhere and has no share, so no index
## and no reward. The median leaves it out: of Harbor's 40%, Summit's 25% and Valley's 20%
## (as in the first example), it is 25%.
example "a plan with no members"
  organization "Coastal Care"
  rows
    COL ALL 2024: 0 of 0
    CBP ALL 2024: 0 of 0
    HBD ALL 2024: 0 of 0
  rows for "Harbor Medicare"
    COL ALL        2024: 150 of 250
    COL SocialRisk 2024:  60 of 100
    CBP ALL        2024: 175 of 250
    CBP SocialRisk 2024:  70 of 100
    HBD ALL        2024:  50 of 250
    HBD SocialRisk 2024:  20 of 100
  rows for "Summit Senior"
    COL ALL        2024: 240 of 400
    COL SocialRisk 2024:  70 of 100
    CBP ALL        2024: 280 of 400
    CBP SocialRisk 2024:  70 of 100
    HBD ALL        2024: 100 of 400
    HBD SocialRisk 2024:  30 of 100
  rows for "Valley Advantage"
    COL ALL        2024: 300 of 500
    COL SocialRisk 2024:  60 of 100
    CBP ALL        2024: 350 of 500
    CBP SocialRisk 2024:  60 of 100
    HBD ALL        2024: 125 of 500
    HBD SocialRisk 2024:  25 of 100
  expect measure_score(COL) is not scored because "no data for the group"
  expect index is not scored because "fewer than two measures"
  expect social_risk_share is not scored because "no members"
  expect risk_share is not scored because "no members"
  expect median_share = 25%
  expect maximum_reward is not scored because "no members"
  expect reward = 0
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The index lies between -1 and +1; the reward between none and the full reward.
invariant "the index lies between -1 and +1":
  always index >= -1 and index <= 1 when index is scored

invariant "the reward lies between none and the full reward":
  always reward >= 0 and reward <= full_reward
