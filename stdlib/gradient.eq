# Gradients across ordered groups: income or deprivation quintiles, education levels, any
# stratification whose groups are declared `ordered least advantaged first` (or `ordered
# most advantaged first`). Each measure takes the measure, the stratification and the
# period, uses the groups with data (`statistics.has_data`) in their order, and is not
# scored, with the reason, when the stratification is not ordered or fewer than two groups
# have data.
#
# A group's place is its ridit score: the share of the members (of the groups with data)
# in the groups below it in the order, plus half its own share, so the least advantaged
# members sit near 0 and the most advantaged near 1. The slope and relative indices of
# inequality fit the groups' rates to their ridit scores by least squares weighted by the
# groups' sizes; the concentration indices weigh each rate by its ridit score. These
# measures follow the WHO's orientation, not the measure's direction: each compares the
# most advantaged end with the least advantaged one, so for a measure where higher is better
# a positive slope means the advantaged do better, and where lower is better it means they
# do worse. Standard errors are by the delta method, with each group's rate a binomial
# proportion (`statistics.rate_variance`) and the ridit scores taken as fixed; intervals are
# normal at a declared level, and a ratio's is found on the log scale.

import statistics
import disparity

## Yes when the groups of `s` are declared ordered.
## Example: gradient.is_ordered(race) is no
define is_ordered(s: stratification): yesno =
  all(position(g) is scored for each g in groups of s)

## Yes when the measures of this module can be computed for `s` on `m` in `p`: its groups
## are ordered and at least two of them have data.
define computable(m: measure, s: stratification, p: period): yesno =
  is_ordered(s) and disparity.enough_groups(m, s, p)

## Why a measure of this module is not scored for `s`, when it is not `computable`. Unit: a
## plain number, always not scored.
define not_computable(s: stratification): number =
  if not is_ordered(s)
  then not scored because "the groups of the stratification are not declared ordered"
  else not scored because "fewer than two groups of the stratification have data"

## The ridit score of group `g`: the share of the members of the groups of `s` with data
## that are in groups below `g` in the order, plus half of `g`'s own share, the midpoint of
## its members' places from 0 (least advantaged) to 1 (most): X_j = Σ_{k below j} p_k + p_j
## / 2. Unit: a plain number. Not scored when `g` is not a group of `s` or has no data, or
## `s` is not ordered.
## Example: gradient.ridit(COL, Income1, income, performance) is 0.1
define ridit(m: measure, g: group, s: stratification, p: period): number =
  if not g in groups of s
  then not scored because "the group is not in the stratification"
  else if not statistics.has_data(m, g, p)
  then not scored because "the group has no data on this measure"
  else if not is_ordered(s)
  then not scored because "the groups of the stratification are not declared ordered"
  else sum(
         disparity.share(m, h, s, p)
         for each h in groups of s
         where statistics.has_data(m, h, p) and position(h) < position(g))
       + disparity.share(m, g, s, p) / 2

## How far the ridit scores spread about their mean of ½: Σ p_j (X_j − ½)², the weighted sum
## of squares a least-squares slope divides by. Unit: a plain number.
define ridit_spread(m: measure, s: stratification, p: period): number =
  sum(
    disparity.share(m, g, s, p) * disparity.square(ridit(m, g, s, p) - 0.5)
    for each g in groups of s where statistics.has_data(m, g, p))

## How much group `g`'s rate moves the slope: c_j = p_j (X_j − ½) / Σ p_k (X_k − ½)², so that
## the slope is Σ c_j y_j. Unit: a plain number.
# Above 0 whenever two groups have data; said for `eqlang bounds`.
define slope_weight(m: measure, g: group, s: stratification, p: period): number =
  if ridit_spread(m, s, p) = 0
  then not scored because "the groups with data have one ridit score"
  else disparity.share(m, g, s, p) * (ridit(m, g, s, p) - 0.5) / ridit_spread(m, s, p)

## The slope index of inequality: the slope of the line fitted to the groups' rates against
## their ridit scores (least squares, each group weighted by its share of the members), which
## is the fitted rate at the most advantaged end minus that at the least advantaged end.
## Since the weighted mean of the ridit scores is ½ and that of the rates is μ, the slope is
## Σ p_j (X_j − ½) y_j / Σ p_j (X_j − ½)². Unit: percentage points; positive when rates rise
## toward the advantaged end.
## Example: gradient.slope_index_of_inequality(COL, income, performance)
define slope_index_of_inequality(m: measure, s: stratification, p: period): pp =
  if not computable(m, s, p)
  then not_computable(s) * 1 pp
  else sum(
         slope_weight(m, g, s, p) * rate(m, g, p)
         for each g in groups of s where statistics.has_data(m, g, p))
       - 0%

## The standard error of the slope index: √(Σ c_j² v_j), the slope being Σ c_j y_j (see
## `slope_weight`). Unit: percentage points.
## Example: gradient.slope_index_of_inequality_standard_error(COL, income, performance)
define slope_index_of_inequality_standard_error(m: measure, s: stratification,
    p: period): pp =
  if slope_index_of_inequality(m, s, p) is not scored
  then slope_index_of_inequality(m, s, p)
  else sqrt(
         sum(
           disparity.square(slope_weight(m, g, s, p)) * disparity.group_variance(m, g, p)
           for each g in groups of s where statistics.has_data(m, g, p)))
       * 100 pp

## The lower bound of the slope index's confidence interval at `level`, SII − z · SE with
## z = `statistics.z_value(level)`. Unit: percentage points.
## Example: gradient.slope_index_of_inequality_lower(COL, income, performance, 95%)
define slope_index_of_inequality_lower(m: measure, s: stratification, p: period,
    level: percent): pp =
  slope_index_of_inequality(m, s, p)
  - statistics.z_value(level) * slope_index_of_inequality_standard_error(m, s, p)

## The upper bound of the slope index's confidence interval at `level`, SII + z · SE. Unit:
## percentage points.
## Example: gradient.slope_index_of_inequality_upper(COL, income, performance, 95%)
define slope_index_of_inequality_upper(m: measure, s: stratification, p: period,
    level: percent): pp =
  slope_index_of_inequality(m, s, p)
  + statistics.z_value(level) * slope_index_of_inequality_standard_error(m, s, p)

## The rate the fitted line gives the least advantaged end (ridit 0): μ − SII / 2. Unit:
## percent.
## Example: gradient.fitted_least_advantaged(COL, income, performance)
define fitted_least_advantaged(m: measure, s: stratification, p: period): percent =
  disparity.weighted_mean_rate(m, s, p) - slope_index_of_inequality(m, s, p) / 2

## The rate the fitted line gives the most advantaged end (ridit 1): μ + SII / 2. Unit:
## percent.
## Example: gradient.fitted_most_advantaged(COL, income, performance)
define fitted_most_advantaged(m: measure, s: stratification, p: period): percent =
  disparity.weighted_mean_rate(m, s, p) + slope_index_of_inequality(m, s, p) / 2

## The relative index of inequality: the fitted rate at the most advantaged end divided by
## that at the least advantaged end, (μ + SII/2) / (μ − SII/2); 1 when there is no gradient.
## Unit: a plain number. Not scored when the slope index is not, or the fitted line reaches
## 0% at either end.
## Example: gradient.relative_index_of_inequality(COL, income, performance)
define relative_index_of_inequality(m: measure, s: stratification, p: period): number =
  if (fitted_least_advantaged(m, s, p) <= 0%) otherwise no
  then not scored because "the fitted line reaches 0% at the least advantaged end, so the ratio is undefined"
  else if (fitted_most_advantaged(m, s, p) <= 0%) otherwise no
  then not scored because "the fitted line reaches 0% at the most advantaged end, so the ratio has no logarithm"
  else fitted_most_advantaged(m, s, p) / fitted_least_advantaged(m, s, p)

## The standard error of the relative index's natural logarithm by the delta method:
## √(Σ g_j² v_j), with g_j = (p_j + c_j/2) / (μ + SII/2) − (p_j − c_j/2) / (μ − SII/2), the
## derivative of ln((μ + SII/2) / (μ − SII/2)) by y_j. Unit: a plain number, on the log
## scale.
## Example: gradient.relative_index_of_inequality_standard_error(COL, income, performance)
define relative_index_of_inequality_standard_error(m: measure, s: stratification,
    p: period): number =
  if relative_index_of_inequality(m, s, p) is not scored
  then relative_index_of_inequality(m, s, p)
  else sqrt(
    sum(
      disparity.square(
        (disparity.share(m, g, s, p) + slope_weight(m, g, s, p) / 2)
          / (fitted_most_advantaged(m, s, p) / 100%)
        - (disparity.share(m, g, s, p) - slope_weight(m, g, s, p) / 2)
            / (fitted_least_advantaged(m, s, p) / 100%))
        * disparity.group_variance(m, g, p)
      for each g in groups of s where statistics.has_data(m, g, p)))

## The lower bound of the relative index's confidence interval at `level`, found on the log
## scale: RII × exp(−z · SE). Unit: a plain number.
## Example: gradient.relative_index_of_inequality_lower(COL, income, performance, 95%)
define relative_index_of_inequality_lower(m: measure, s: stratification, p: period,
    level: percent): number =
  relative_index_of_inequality(m, s, p)
  * exp(-statistics.z_value(level) * relative_index_of_inequality_standard_error(m, s, p))

## The upper bound of the relative index's confidence interval at `level`: RII × exp(z · SE).
## Unit: a plain number.
## Example: gradient.relative_index_of_inequality_upper(COL, income, performance, 95%)
define relative_index_of_inequality_upper(m: measure, s: stratification, p: period,
    level: percent): number =
  relative_index_of_inequality(m, s, p)
  * exp(statistics.z_value(level) * relative_index_of_inequality_standard_error(m, s, p))

## The absolute concentration index: Σ p_j (2X_j − 1) y_j, twice the weighted covariance of
## the rates with the ridit scores. Positive when rates concentrate among the advantaged,
## negative when among the disadvantaged, 0 without a gradient. Unit: percentage points.
## Example: gradient.absolute_concentration_index(COL, income, performance)
define absolute_concentration_index(m: measure, s: stratification, p: period): pp =
  if not computable(m, s, p)
  then not_computable(s) * 1 pp
  else sum(
         disparity.share(m, g, s, p) * (2 * ridit(m, g, s, p) - 1) * rate(m, g, p)
         for each g in groups of s where statistics.has_data(m, g, p))
       - 0%

## The standard error of the absolute concentration index: √(Σ (p_j (2X_j − 1))² v_j), the
## index being linear in the rates. Unit: percentage points.
## Example: gradient.absolute_concentration_index_standard_error(COL, income, performance)
define absolute_concentration_index_standard_error(m: measure, s: stratification,
    p: period): pp =
  if absolute_concentration_index(m, s, p) is not scored
  then absolute_concentration_index(m, s, p)
  else sqrt(
         sum(
           disparity.square(disparity.share(m, g, s, p) * (2 * ridit(m, g, s, p) - 1))
             * disparity.group_variance(m, g, p)
           for each g in groups of s where statistics.has_data(m, g, p)))
       * 100 pp

## The lower bound of the absolute concentration index's confidence interval at `level`,
## ACI − z · SE with z = `statistics.z_value(level)`. Unit: percentage points.
## Example: gradient.absolute_concentration_index_lower(COL, income, performance, 95%)
define absolute_concentration_index_lower(m: measure, s: stratification, p: period,
    level: percent): pp =
  absolute_concentration_index(m, s, p)
  - statistics.z_value(level) * absolute_concentration_index_standard_error(m, s, p)

## The upper bound of the absolute concentration index's confidence interval at `level`,
## ACI + z · SE. Unit: percentage points.
## Example: gradient.absolute_concentration_index_upper(COL, income, performance, 95%)
define absolute_concentration_index_upper(m: measure, s: stratification, p: period,
    level: percent): pp =
  absolute_concentration_index(m, s, p)
  + statistics.z_value(level) * absolute_concentration_index_standard_error(m, s, p)

## The relative concentration index: the absolute index divided by the overall mean,
## Σ p_j (2X_j − 1) y_j / μ, between −1 and 1. Unit: a plain number (the WHO multiplies it
## by 100). Not scored when every rate is 0%.
## Example: gradient.relative_concentration_index(COL, income, performance)
define relative_concentration_index(m: measure, s: stratification, p: period): number =
  if (disparity.weighted_mean_rate(m, s, p) = 0%) otherwise no
  then not scored because "every group's rate is 0%, so the index is undefined"
  else absolute_concentration_index(m, s, p) / (disparity.weighted_mean_rate(m, s, p) - 0%)

## The standard error of the relative concentration index by the delta method (the WHO's
## formula): √(Σ p_j² ((2X_j − 1) − RCI)² v_j) / μ. Unit: a plain number.
## Example: gradient.relative_concentration_index_standard_error(COL, income, performance)
define relative_concentration_index_standard_error(m: measure, s: stratification,
    p: period): number =
  if relative_concentration_index(m, s, p) is not scored
  then relative_concentration_index(m, s, p)
  else sqrt(
         sum(
           disparity.square(
             disparity.share(m, g, s, p)
             * (2 * ridit(m, g, s, p) - 1 - relative_concentration_index(m, s, p)))
             * disparity.group_variance(m, g, p)
           for each g in groups of s where statistics.has_data(m, g, p)))
       / (disparity.weighted_mean_rate(m, s, p) / 100%)

## The lower bound of the relative concentration index's confidence interval at `level`,
## RCI − z · SE with z = `statistics.z_value(level)`. Unit: a plain number.
## Example: gradient.relative_concentration_index_lower(COL, income, performance, 95%)
define relative_concentration_index_lower(m: measure, s: stratification, p: period,
    level: percent): number =
  relative_concentration_index(m, s, p)
  - statistics.z_value(level) * relative_concentration_index_standard_error(m, s, p)

## The upper bound of the relative concentration index's confidence interval at `level`,
## RCI + z · SE. Unit: a plain number.
## Example: gradient.relative_concentration_index_upper(COL, income, performance, 95%)
define relative_concentration_index_upper(m: measure, s: stratification, p: period,
    level: percent): number =
  relative_concentration_index(m, s, p)
  + statistics.z_value(level) * relative_concentration_index_standard_error(m, s, p)

## The place in the order of the least advantaged group of `s` with data on `m` in `p`
## (`position`: 1 for the least advantaged group of the stratification). Unit: a count.
define least_advantaged_place(m: measure, s: stratification, p: period): count =
  min(position(g) for each g in groups of s where statistics.has_data(m, g, p))

## The place in the order of the most advantaged group of `s` with data. Unit: a count.
define most_advantaged_place(m: measure, s: stratification, p: period): count =
  max(position(g) for each g in groups of s where statistics.has_data(m, g, p))

## Yes when group `g` is the least advantaged group of `s` with data on `m` in `p`.
define least_advantaged(m: measure, g: group, s: stratification, p: period): yesno =
  statistics.has_data(m, g, p) and position(g) = least_advantaged_place(m, s, p)

## Yes when group `g` is the most advantaged group of `s` with data on `m` in `p`.
define most_advantaged(m: measure, g: group, s: stratification, p: period): yesno =
  statistics.has_data(m, g, p) and position(g) = most_advantaged_place(m, s, p)

## The rate of the least advantaged group with data. Unit: percent.
## Example: gradient.least_advantaged_rate(COL, income, performance) is 55%
define least_advantaged_rate(m: measure, s: stratification, p: period): percent =
  max(rate(m, g, p) for each g in groups of s where least_advantaged(m, g, s, p))

## The rate of the most advantaged group with data. Unit: percent.
## Example: gradient.most_advantaged_rate(COL, income, performance) is 80%
define most_advantaged_rate(m: measure, s: stratification, p: period): percent =
  max(rate(m, g, p) for each g in groups of s where most_advantaged(m, g, s, p))

## The difference between the extreme groups by order: the most advantaged group's rate
## minus the least advantaged group's, y_most − y_least, among the groups with data (the
## WHO's difference for ordered groups). Unit: percentage points.
## Example: gradient.extreme_difference(COL, income, performance) is 25 pp
define extreme_difference(m: measure, s: stratification, p: period): pp =
  if not computable(m, s, p)
  then not_computable(s) * 1 pp
  else most_advantaged_rate(m, s, p) - least_advantaged_rate(m, s, p)

## The sampling variances of the two extreme groups' rates, added: v_most + v_least. Unit:
## a plain number.
define extreme_variance(m: measure, s: stratification, p: period): number =
  sum(
    disparity.group_variance(m, g, p)
    for each g in groups of s
    where least_advantaged(m, g, s, p) or most_advantaged(m, g, s, p))

## The standard error of the extreme difference: √(v_most + v_least). Unit: percentage
## points.
## Example: gradient.extreme_difference_standard_error(COL, income, performance)
define extreme_difference_standard_error(m: measure, s: stratification, p: period): pp =
  if extreme_difference(m, s, p) is not scored
  then extreme_difference(m, s, p)
  else sqrt(extreme_variance(m, s, p)) * 100 pp

## The lower bound of the extreme difference's confidence interval at `level`, D − z · SE
## with z = `statistics.z_value(level)`. Unit: percentage points.
## Example: gradient.extreme_difference_lower(COL, income, performance, 95%)
define extreme_difference_lower(m: measure, s: stratification, p: period,
    level: percent): pp =
  extreme_difference(m, s, p)
  - statistics.z_value(level) * extreme_difference_standard_error(m, s, p)

## The upper bound of the extreme difference's confidence interval at `level`, D + z · SE.
## Unit: percentage points.
## Example: gradient.extreme_difference_upper(COL, income, performance, 95%)
define extreme_difference_upper(m: measure, s: stratification, p: period,
    level: percent): pp =
  extreme_difference(m, s, p)
  + statistics.z_value(level) * extreme_difference_standard_error(m, s, p)

## The ratio of the extreme groups by order: the most advantaged group's rate divided by the
## least advantaged group's, y_most / y_least (the WHO's ratio for ordered groups). Unit: a
## plain number. Not scored when the least advantaged group's rate is 0%.
## Example: gradient.extreme_ratio(COL, income, performance)
define extreme_ratio(m: measure, s: stratification, p: period): number =
  if not computable(m, s, p)
  then not_computable(s)
  else if least_advantaged_rate(m, s, p) = 0%
  then not scored because "the least advantaged group's rate is 0%, so the ratio is undefined"
  else most_advantaged_rate(m, s, p) / least_advantaged_rate(m, s, p)

## The standard error of the extreme ratio's natural logarithm by the delta method:
## √(v_most / y_most² + v_least / y_least²). Unit: a plain number, on the log scale. Not
## scored when the ratio is not, or the most advantaged group's rate is 0%.
## Example: gradient.extreme_ratio_standard_error(COL, income, performance)
define extreme_ratio_standard_error(m: measure, s: stratification, p: period): number =
  if extreme_ratio(m, s, p) is not scored
  then extreme_ratio(m, s, p)
  else if most_advantaged_rate(m, s, p) = 0%
  then not scored because "the most advantaged group's rate is 0%, so the ratio has no logarithm"
  else sqrt(
    sum(
      disparity.group_variance(m, g, p) / disparity.squared_fraction(rate(m, g, p))
      for each g in groups of s
      where least_advantaged(m, g, s, p) or most_advantaged(m, g, s, p)))

## The lower bound of the extreme ratio's confidence interval at `level`, found on the log
## scale: ratio × exp(−z · SE), with z = `statistics.z_value(level)`. Unit: a plain number.
## Example: gradient.extreme_ratio_lower(COL, income, performance, 95%)
define extreme_ratio_lower(m: measure, s: stratification, p: period,
    level: percent): number =
  extreme_ratio(m, s, p)
  * exp(-statistics.z_value(level) * extreme_ratio_standard_error(m, s, p))

## The upper bound of the extreme ratio's confidence interval at `level`: ratio × exp(z ·
## SE). Unit: a plain number.
## Example: gradient.extreme_ratio_upper(COL, income, performance, 95%)
define extreme_ratio_upper(m: measure, s: stratification, p: period,
    level: percent): number =
  extreme_ratio(m, s, p)
  * exp(statistics.z_value(level) * extreme_ratio_standard_error(m, s, p))
