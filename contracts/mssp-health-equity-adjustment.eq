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
# - The underserved multiplier is the share of the ACO's members, over the four measures,
#   who are underserved (dually eligible, receiving the low-income subsidy, or living in a
#   high-deprivation neighborhood), as a fraction from 0 to 1.
# - An ACO whose multiplier is below 0.2 earns no bonus. Otherwise the bonus is the scaler
#   times the multiplier, capped at 10 points, added to its quality score.
#
# Settle it with:
#   eqlang eval contracts/mssp-health-equity-adjustment.eq \
#     --table contracts/mssp-health-equity-adjustment.csv

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
import groups
import payment

measure COL from hedis
measure BCS from hedis
measure CBP from hedis
## HbA1c poor control: a lower rate is better.
measure HBD from hedis

## Underserved members, compared with everyone else.
stratification underserved from groups.underserved
end

## Points for the top, middle and bottom third of ACOs on a measure.
parameter top_points: number = 4 per "HEA outline, performance scaler"
parameter middle_points: number = 2 per "HEA outline, performance scaler"
parameter bottom_points: number = 0 per "HEA outline, performance scaler"

## The lowest multiplier that earns a bonus, and the most bonus points.
parameter multiplier_floor: number = 0.2 per "HEA outline, eligibility"
parameter bonus_cap: number = 10 per "HEA outline, cap"

output measure_points(m: measure): number =
  payment.third_points(payment.peer_third(m, ALL, performance), top_points, middle_points,
                       bottom_points)
  otherwise (0 because "the ACO is not ranked on this measure")
  not rounded

output performance_scaler: number =
  sum(measure_points(m) for each m in measures)
  not rounded

output underserved_multiplier: number =
  sum(denominator(m, Underserved, performance) for each m in measures)
    / sum(denominator(m, ALL, performance) for each m in measures)
  rounded to 4 decimals half even

output bonus_points: number =
  if underserved_multiplier < multiplier_floor
  then 0 because "fewer than 20% of the ACO's members are underserved"
  else min(performance_scaler * underserved_multiplier, bonus_cap)
  rounded to 2 decimals half up
