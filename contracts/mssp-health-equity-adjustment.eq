# A bonus in the style of the Medicare Shared Savings Program's health equity adjustment
# (2023-2025 performance years). The design follows the published outline; every number in
# it (points per third, the eligibility floor, the measures) and every ACO in the sample
# table mssp-health-equity-adjustment.csv are illustrative, not CMS's specifications. The
# points per third (4, 2, 0) are recalled from the program's rules, not verified.
#
# The terms in plain English:
# - Four quality measures, on all of the ACO's members: colorectal cancer screening, breast
#   cancer screening, controlling high blood pressure and HbA1c poor control (a lower rate
#   is better).
# - On each measure the ACO is ranked among all ACOs in the table: the top third earns 4
#   points, the middle third 2 and the bottom third none (a tie shares the better place).
#   A measure the ACO is not ranked on (it has no data, or fewer than three ACOs do) earns
#   nothing. The points add up to the performance scaler (at most 16).
# - The underserved multiplier is the higher of two shares of the ACO's assigned
#   beneficiaries, both facts of the ACO given in its organization table: those dually
#   eligible for Medicare and Medicaid or receiving the Part D low-income subsidy, and those
#   living in a high-deprivation neighborhood (a high Area Deprivation Index). It is a
#   fraction from 0 to 1, rounded half even to four decimals; the rounded multiplier is the
#   one compared and paid on.
# - An ACO whose multiplier is below 0.2 earns no bonus. Otherwise the bonus is the scaler
#   times the multiplier, capped at 10 points, added to its quality score. An ACO with no
#   members on the four measures is ranked on none and earns no bonus.
#
# Settle it with:
#   eqlang eval contracts/mssp-health-equity-adjustment.eq \
#     --table contracts/mssp-health-equity-adjustment.csv \
#     --organizations contracts/mssp-health-equity-adjustment-organizations.csv

## A health equity adjustment style bonus for accountable care organizations (illustrative).
contract "Health equity adjustment bonus (illustrative)"
  payer "Medicare Shared Savings Program (illustrative)"
  provider each organization
  currency USD
  period performance is "2024"
  version "illustrative-1"
  effective 2024-01-01 to 2024-12-31
end

import hedis
import payment

measure COL from hedis
measure BCS from hedis
measure CBP from hedis
## HbA1c poor control: a lower rate is better.
measure HBD from hedis

## The share of the ACO's assigned beneficiaries dually eligible for Medicare and Medicaid
## or enrolled in the Part D low-income subsidy.
input dual_or_lis_share: percent per "HEA outline, underserved multiplier"

## The share of the ACO's assigned beneficiaries living in a neighborhood with a high Area
## Deprivation Index.
input high_adi_share: percent per "HEA outline, underserved multiplier"

## Points for the top, middle and bottom third of ACOs on a measure.
parameter top_points: number = 4 per "HEA outline, performance scaler"
parameter middle_points: number = 2 per "HEA outline, performance scaler"
parameter bottom_points: number = 0 per "HEA outline, performance scaler"

## The lowest multiplier that earns a bonus, and the most bonus points.
parameter multiplier_floor: number = 0.2 per "HEA outline, eligibility"
parameter bonus_cap: number = 10 per "HEA outline, cap"

output measure_points(m: measure): number =
  payment.third_points(
    payment.peer_third(m, ALL, performance),
    top_points, middle_points, bottom_points)
  otherwise (0 because "the ACO is not ranked on this measure")
  not rounded

output performance_scaler: number =
  sum(measure_points(m) for each m in measures)
  not rounded

output underserved_multiplier: number =
  max(dual_or_lis_share, high_adi_share) / 100%
  rounded to 4 decimals half even

output bonus_points: number =
  if underserved_multiplier < multiplier_floor
  then 0 because "fewer than 20% of the ACO's beneficiaries are underserved"
  else min(performance_scaler * underserved_multiplier, bonus_cap)
  rounded to 2 decimals half up

# ---- worked examples: `eqlang test contracts/mssp-health-equity-adjustment.eq` -----------
## Three ACOs of 1000 members on each measure. Of three ranked ACOs, the first place is the
## top third (4 points), the last the bottom (none), the second the middle (2); an ACO's
## place is one after those doing strictly better, so a tie shares the better place.
## COL: Harbor 70%, Summit 65%, Valley 60%: first, 4. BCS: Summit 70%, Harbor and Valley
## 65%: they share second place, 2. CBP: Valley 70%, Summit 65%, Harbor 60%: last, 0. HBD
## (lower is better): Harbor 20%, Summit 25%, Valley 30%: first, 4.
## Scaler 4 + 2 + 0 + 4 = 10.
## 12% of Harbor's beneficiaries are dually eligible or receive the subsidy and 20% live in
## a high-deprivation neighborhood: the higher share, 0.2, is exactly the floor, so Harbor
## qualifies: 10 x 0.2 = 2 bonus points.
example "points by peer third, at the multiplier floor"
  organization "Harbor ACO"
  inputs dual_or_lis_share 12% high_adi_share 20%
  inputs for "Summit ACO" dual_or_lis_share 30% high_adi_share 25%
  inputs for "Valley ACO" dual_or_lis_share 15% high_adi_share 40%
  rows
    COL ALL 2024: 700 of 1000
    BCS ALL 2024: 650 of 1000
    CBP ALL 2024: 600 of 1000
    HBD ALL 2024: 200 of 1000
  rows for "Summit ACO"
    COL ALL 2024: 650 of 1000
    BCS ALL 2024: 700 of 1000
    CBP ALL 2024: 650 of 1000
    HBD ALL 2024: 250 of 1000
  rows for "Valley ACO"
    COL ALL 2024: 600 of 1000
    BCS ALL 2024: 650 of 1000
    CBP ALL 2024: 700 of 1000
    HBD ALL 2024: 300 of 1000
  expect measure_points(COL) = 4
  expect measure_points(BCS) = 2
  expect measure_points(CBP) = 0
  expect measure_points(HBD) = 4
  expect performance_scaler = 10
  expect underserved_multiplier = 0.2
  expect bonus_points = 2
end

## Harbor is first on every measure (on BCS it shares first place with Summit at 70%): 16
## points. 75% of its beneficiaries are dually eligible or receive the subsidy (more than
## the 60% in high-deprivation neighborhoods), a multiplier of 0.75: 16 x 0.75 = 12 points,
## capped at 10.
example "the cap of 10 points"
  organization "Harbor ACO"
  inputs dual_or_lis_share 75% high_adi_share 60%
  inputs for "Summit ACO" dual_or_lis_share 20% high_adi_share 10%
  inputs for "Valley ACO" dual_or_lis_share 35% high_adi_share 30%
  rows
    COL ALL 2024: 750 of 1000
    BCS ALL 2024: 700 of 1000
    CBP ALL 2024: 720 of 1000
    HBD ALL 2024: 180 of 1000
  rows for "Summit ACO"
    COL ALL 2024: 700 of 1000
    BCS ALL 2024: 700 of 1000
    CBP ALL 2024: 680 of 1000
    HBD ALL 2024: 220 of 1000
  rows for "Valley ACO"
    COL ALL 2024: 650 of 1000
    BCS ALL 2024: 600 of 1000
    CBP ALL 2024: 640 of 1000
    HBD ALL 2024: 260 of 1000
  expect measure_points(BCS) = 4
  expect performance_scaler = 16
  expect underserved_multiplier = 0.75
  expect bonus_points = 10
end

## BCS: Harbor has no members in the measure (0 of 0), so it is not ranked: 0. HBD: Valley
## has none, so only two ACOs have data and there are no thirds: 0 for Harbor too. COL:
## Harbor 70%, Summit 65%, Valley 60%: 4. CBP: Summit 70%, Harbor 65%, Valley 60%: 2.
## Scaler 6. Harbor's shares are 15% and 9.5%: a multiplier of 0.15, below the 0.2 floor:
## no bonus.
example "unranked measures and a multiplier below the floor"
  organization "Harbor ACO"
  inputs dual_or_lis_share 15% high_adi_share 9.5%
  inputs for "Summit ACO" dual_or_lis_share 25% high_adi_share 30%
  inputs for "Valley ACO" dual_or_lis_share 40% high_adi_share 20%
  rows
    COL ALL 2024: 700 of 1000
    BCS ALL 2024:   0 of    0
    CBP ALL 2024: 650 of 1000
    HBD ALL 2024: 200 of 1000
  rows for "Summit ACO"
    COL ALL 2024: 650 of 1000
    BCS ALL 2024: 700 of 1000
    CBP ALL 2024: 700 of 1000
    HBD ALL 2024: 250 of 1000
  rows for "Valley ACO"
    COL ALL 2024: 600 of 1000
    BCS ALL 2024: 650 of 1000
    CBP ALL 2024: 600 of 1000
    HBD ALL 2024:   0 of    0
  expect measure_points(BCS) = 0
  expect measure_points(HBD) = 0
  expect measure_points(COL) = 4
  expect measure_points(CBP) = 2
  expect performance_scaler = 6
  expect underserved_multiplier = 0.15
  expect bonus_points = 0
end

## Harbor has no members on any of the four measures: it is ranked on none (0 points), so
## its multiplier of 0.35 (the 35% in high-deprivation neighborhoods) earns no bonus.
example "an ACO with no members"
  organization "Harbor ACO"
  inputs dual_or_lis_share 30% high_adi_share 35%
  inputs for "Summit ACO" dual_or_lis_share 20% high_adi_share 10%
  rows
    COL ALL 2024: 0 of 0
    BCS ALL 2024: 0 of 0
    CBP ALL 2024: 0 of 0
    HBD ALL 2024: 0 of 0
  rows for "Summit ACO"
    COL ALL 2024: 650 of 1000
    BCS ALL 2024: 700 of 1000
    CBP ALL 2024: 700 of 1000
    HBD ALL 2024: 250 of 1000
  expect performance_scaler = 0
  expect underserved_multiplier = 0.35
  expect bonus_points = 0
end

# ---- promises: `eqlang check --properties` searches for tables that break them -----------

## The scaler is at most four measures' top points; the bonus at most the cap.
invariant "the scaler is at most four top places":
  always performance_scaler >= 0 and performance_scaler <= 4 * top_points

invariant "the bonus lies between none and the cap":
  always bonus_points >= 0 and bonus_points <= bonus_cap

invariant "no bonus below the multiplier floor":
  always bonus_points = 0 when underserved_multiplier < multiplier_floor
