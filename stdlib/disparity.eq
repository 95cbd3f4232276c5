# Disparity metrics: how far apart the groups of a stratification are on one measure in one
# period, with their uncertainty. Each metric takes the measure, the stratification (a
# contract's own, passed by name: `disparity.index_of_disparity(COL, race, performance)`) or
# a group, and the period. Only groups with data take part (`statistics.has_data`: a
# denominator above 0 and at least the measure's minimum denominator); a metric that cannot
# be computed is not scored, with the reason, never an error. Absolute gaps are oriented by
# the measure's direction, so a positive gap always means a group fares worse. Relative
# metrics (ratios, the index of disparity, the Theil index) use the rates as the table gives
# them, so for a measure where lower is better they describe the adverse rate: framing
# changes relative metrics, not absolute gaps. Where a metric needs the overall mean rate
# (μ), it is the population-weighted mean of the groups with data, and p_j is group j's
# share of their members.
#
# Uncertainty. Each group's rate y_j is taken as a binomial proportion of its n_j members,
# with sampling variance v_j = y_j(1 − y_j) / n_j (`statistics.rate_variance`), the groups'
# rates independent of one another. The difference, the ratio (on the log scale), the
# between-group variance, the population attributable risk and fraction, the Theil index and
# the mean log deviation have standard errors by formula (`..._standard_error`) and normal
# confidence intervals at a declared level (`..._lower`, `..._upper`: the metric ∓ z·SE, z
# from `statistics.z_value`; a ratio's interval is taken on the log scale). The other
# metrics' intervals come from simulation: `simulated lower(disparity.index_of_disparity(COL,
# race, performance), level: 95%, draws: 1000, seed: 2024)`, and `upper` and `standard
# error` likewise (language reference, section 27). A standard error is not scored where its
# metric is not, with the metric's reason. Where these definitions differ from the WHO's
# health-inequality conventions, docs/statistics.md gives the conversion.

import statistics

## How far rate `a` falls short of rate `b` on measure `m`: `b - a` when higher is better,
## `a - b` when lower is better. Unit: percentage points; positive when `a` is worse.
## Example: disparity.shortfall(HBD, 31.9%, 23.9%) is 8 pp
define shortfall(m: measure, a: percent, b: percent): pp =
  if higher_is_better(m) then b - a else a - b

## Yes when rate `a` is strictly better than rate `b` on measure `m` (higher when higher is
## better, lower when lower is better).
## Example: disparity.better(COL, 70.8%, 63.8%) is yes
define better(m: measure, a: percent, b: percent): yesno =
  shortfall(m, b, a) > 0 pp

## The rate of the group that group `g` is compared with (its stratification's reference:
## a named group, the best-performing group, the whole population or the rest of the
## population), when that group has data. Unit: percent. Not scored when the reference has
## no members, or fewer than the measure's minimum denominator, or there is no reference (a
## best-performing group that no group qualifies for); the reason says that it is the
## reference that falls short.
## Example: disparity.reference_rate(COL, Black, performance) is 80%
# Without a reference group, its rate is not scored with the reason there is none.
define reference_rate(m: measure, g: group, p: period): percent =
  if reference(m, g, p) is not scored
  then rate(m, reference(m, g, p), p)
  else if denominator(m, reference(m, g, p), p) = 0
  then not scored because "the reference group has no members in this measure and period (denominator 0)"
  else if denominator(m, reference(m, g, p), p) < min_denominator(m)
  then not scored because "the reference group's denominator is below the measure's minimum denominator"
  else rate(m, reference(m, g, p), p)

## The gap between group `g` and the group its stratification compares it with (its
## reference, see `reference_rate`): y_ref − y_g where higher is better, y_g − y_ref where
## lower is better (`shortfall`). Unit: percentage points, positive when `g` fares worse,
## negative when it fares better. Not scored when `g` or its reference has no data.
## Example: disparity.gap_to_reference(COL, Black, performance)
define gap_to_reference(m: measure, g: group, p: period): pp =
  shortfall(m, statistics.usable_rate(m, g, p), reference_rate(m, g, p))

## The sampling variance of group `g`'s rate (`statistics.rate_variance`), when the group has
## data. Unit: a plain number (a squared fraction). Not scored when the group has no data.
define group_variance(m: measure, g: group, p: period): number =
  statistics.rate_variance(statistics.usable_rate(m, g, p), denominator(m, g, p))

## The sampling variance of the rate of group `g`'s reference. Unit: a plain number. Not
## scored when the reference has no data.
define reference_variance(m: measure, g: group, p: period): number =
  statistics.rate_variance(reference_rate(m, g, p), denominator(m, reference(m, g, p), p))

## A plain number squared.
define square(x: number): number =
  x * x

## A rate as a fraction, squared: 20% gives 0.04.
define squared_fraction(y: percent): number =
  y / 100% * (y / 100%)

## The standard error of the gap to the reference: √(v_g + v_ref), the two rates' sampling
## variances added as those of independent samples. With a whole-population reference the
## group is part of the population it is compared with, and the two are not independent:
## the formula then overstates the error a little (the WHO's difference does the same).
## Unit: percentage points. Not scored when the gap is not.
## Example: disparity.gap_standard_error(COL, Black, performance)
define gap_standard_error(m: measure, g: group, p: period): pp =
  sqrt(group_variance(m, g, p) + reference_variance(m, g, p)) * 100 pp

## The lower bound of the gap's confidence interval at `level`: the gap minus z times its
## standard error (`gap_standard_error`), D − z · SE with z = `statistics.z_value(level)`.
## Unit: percentage points.
## Example: disparity.gap_lower(COL, Black, performance, 95%)
define gap_lower(m: measure, g: group, p: period, level: percent): pp =
  gap_to_reference(m, g, p) - statistics.z_value(level) * gap_standard_error(m, g, p)

## The upper bound of the gap's confidence interval at `level`: the gap plus z times its
## standard error, D + z · SE. Unit: percentage points.
## Example: disparity.gap_upper(COL, Black, performance, 95%)
define gap_upper(m: measure, g: group, p: period, level: percent): pp =
  gap_to_reference(m, g, p) + statistics.z_value(level) * gap_standard_error(m, g, p)

## Yes when group `g` fares worse than its reference beyond chance at confidence `level`:
## the gap's whole interval lies above 0 (a two-sided test at 1 − level). The usual term "a
## gap counts only if its 95% interval excludes 0" is `gap_significant(m, g, p, 95%)`. Not
## scored when the gap is not.
## Example: disparity.gap_significant(COL, Black, performance, 95%) is yes
define gap_significant(m: measure, g: group, p: period, level: percent): yesno =
  gap_lower(m, g, p, level) > 0 pp

## The gap to the reference as a share of the reference group's rate, D / y_ref × 100: a gap
## of 7 pp below a reference rate of 70% is a relative gap of 10%. Unit: percent, positive
## when `g` fares worse. Not scored when either group has no data or the reference rate is
## 0%.
## Example: disparity.relative_gap(COL, Black, performance)
define relative_gap(m: measure, g: group, p: period): percent =
  if (reference_rate(m, g, p) = 0%) otherwise no
  then not scored because "the reference group's rate is 0%, so a relative gap is undefined"
  else gap_to_reference(m, g, p) / (reference_rate(m, g, p) - 0%) * 100%

## The rate ratio y_g / y_ref: group `g`'s rate divided by its reference group's rate (1
## when equal), not oriented by the measure's direction.
## Unit: a plain number. Not scored when either group has no data or the reference rate is
## 0%.
## Example: disparity.rate_ratio(HBD, Hispanic, performance)
define rate_ratio(m: measure, g: group, p: period): number =
  if (reference_rate(m, g, p) = 0%) otherwise no
  then not scored because "the reference group's rate is 0%, so the ratio is undefined"
  else statistics.usable_rate(m, g, p) / reference_rate(m, g, p)

## The standard error of the rate ratio's natural logarithm: √(v_g / y_g² + v_ref / y_ref²)
## = √((1 − y_g)/(n_g y_g) + (1 − y_ref)/(n_ref y_ref)), by the delta method. Unit: a plain
## number, on the log scale. Not scored when the ratio is not, or `g`'s rate is 0% (a ratio
## of 0 has no logarithm).
## Example: disparity.rate_ratio_standard_error(HBD, Hispanic, performance)
define rate_ratio_standard_error(m: measure, g: group, p: period): number =
  if (statistics.usable_rate(m, g, p) = 0%) otherwise no
  then not scored because "the group's rate is 0%, so the ratio has no logarithm"
  else if (reference_rate(m, g, p) = 0%) otherwise no
  then not scored because "the reference group's rate is 0%, so the ratio is undefined"
  else sqrt(
    group_variance(m, g, p) / squared_fraction(statistics.usable_rate(m, g, p))
    + reference_variance(m, g, p) / squared_fraction(reference_rate(m, g, p)))

## The lower bound of the rate ratio's confidence interval at `level`, found on the log scale:
## ratio × exp(−z · SE). Unit: a plain number, above 0.
## Example: disparity.rate_ratio_lower(HBD, Hispanic, performance, 95%)
define rate_ratio_lower(m: measure, g: group, p: period, level: percent): number =
  rate_ratio(m, g, p) * exp(-statistics.z_value(level) * rate_ratio_standard_error(m, g, p))

## The upper bound of the rate ratio's confidence interval at `level`: ratio × exp(z · SE).
## Unit: a plain number.
## Example: disparity.rate_ratio_upper(HBD, Hispanic, performance, 95%)
define rate_ratio_upper(m: measure, g: group, p: period, level: percent): number =
  rate_ratio(m, g, p) * exp(statistics.z_value(level) * rate_ratio_standard_error(m, g, p))

## The standard error of the relative gap: the ratio times its log-scale standard error (the
## relative gap is 1 − ratio where higher is better, ratio − 1 where lower is better). Unit:
## percentage points.
## Example: disparity.relative_gap_standard_error(COL, Black, performance)
define relative_gap_standard_error(m: measure, g: group, p: period): pp =
  rate_ratio(m, g, p) * rate_ratio_standard_error(m, g, p) * 100 pp

## The lower bound of the relative gap's confidence interval at `level`, from the rate
## ratio's (taken on the log scale, so it is not symmetric about the relative gap): (1 −
## ratio upper) × 100 where higher is better, (ratio lower − 1) × 100 where lower is better.
## Unit: percent.
## Example: disparity.relative_gap_lower(COL, Black, performance, 95%)
define relative_gap_lower(m: measure, g: group, p: period, level: percent): percent =
  if higher_is_better(m)
  then (1 - rate_ratio_upper(m, g, p, level)) * 100%
  else (rate_ratio_lower(m, g, p, level) - 1) * 100%

## The upper bound of the relative gap's confidence interval at `level`: (1 − ratio lower)
## × 100 where higher is better, (ratio upper − 1) × 100 where lower is better. Unit:
## percent.
## Example: disparity.relative_gap_upper(COL, Black, performance, 95%)
define relative_gap_upper(m: measure, g: group, p: period, level: percent): percent =
  if higher_is_better(m)
  then (1 - rate_ratio_lower(m, g, p, level)) * 100%
  else (rate_ratio_upper(m, g, p, level) - 1) * 100%

## The best rate among the groups of `s` with data: the highest when higher is better, the
## lowest when lower is better (max_j y_j or min_j y_j). Unit: percent. Not scored when no
## group has data.
## Example: disparity.best_rate(HBD, race, performance)
define best_rate(m: measure, s: stratification, p: period): percent =
  if statistics.groups_with_data(m, s, p) = 0
  then not scored because "no group of the stratification has data on this measure"
  else if higher_is_better(m)
  then max(statistics.usable_rate(m, g, p) for each g in groups of s, not scored: skip)
  else min(statistics.usable_rate(m, g, p) for each g in groups of s, not scored: skip)

## The gap between group `g` and the best-performing group of `s` (see `best_rate`), y_best
## − y_g where higher is better, y_g − y_best where lower is better. Unit: percentage
## points, 0 for the best group and positive for every other. Not scored when `g` is not a
## group of `s` or has no data, or no group has data.
## Example: disparity.gap_to_best(COL, Hispanic, race, performance)
define gap_to_best(m: measure, g: group, s: stratification, p: period): pp =
  if not g in groups of s
  then not scored because "the group is not in the stratification"
  else shortfall(m, statistics.usable_rate(m, g, p), best_rate(m, s, p))

## How much group `g` weighs in the best rate, for the variance of a comparison with it: 1/k
## for each of the k groups of `s` whose rate is the best, 0 for every other group. Unit: a
## plain number.
define best_share(m: measure, g: group, s: stratification, p: period): number =
  if (statistics.usable_rate(m, g, p) = best_rate(m, s, p)) otherwise no
  then 1 / count(
    (statistics.usable_rate(m, h, p) = best_rate(m, s, p)) otherwise no
    for each h in groups of s)
  else 0

## The standard error of the gap to the best group: √(Σ (δ_j − b_j)² v_j), with δ_j 1 for `g`
## and b_j its share of the best rate (`best_share`), which is √(v_g + v_best) for a group
## below the best and 0 for the best group itself. Which group is best is taken as fixed.
## Unit: percentage points. Not scored when the gap is not.
## Example: disparity.gap_to_best_standard_error(COL, Black, race, performance)
define gap_to_best_standard_error(m: measure, g: group, s: stratification, p: period): pp =
  if gap_to_best(m, g, s, p) is not scored
  then gap_to_best(m, g, s, p)
  else sqrt(
         sum(
           square((if h = g then 1 else 0) - best_share(m, h, s, p))
             * group_variance(m, h, p)
           for each h in groups of s where statistics.has_data(m, h, p)))
       * 100 pp

## The lower bound of the confidence interval of the gap to the best group at `level`: the
## gap − z · SE, with z = `statistics.z_value(level)`. Unit: percentage points.
## Example: disparity.gap_to_best_lower(COL, Black, race, performance, 95%)
define gap_to_best_lower(m: measure, g: group, s: stratification, p: period,
    level: percent): pp =
  gap_to_best(m, g, s, p)
  - statistics.z_value(level) * gap_to_best_standard_error(m, g, s, p)

## The upper bound of the confidence interval of the gap to the best group at `level`: the
## gap + z · SE. Unit: percentage points.
## Example: disparity.gap_to_best_upper(COL, Black, race, performance, 95%)
define gap_to_best_upper(m: measure, g: group, s: stratification, p: period,
    level: percent): pp =
  gap_to_best(m, g, s, p)
  + statistics.z_value(level) * gap_to_best_standard_error(m, g, s, p)

## The equal-weighted mean of the rates of the groups of `s` with data, Σ y_j / J: every
## group counts the same, whatever its size. Unit: percent. Not scored when no group has data.
## Example: disparity.mean_rate(CBP, race, performance)
define mean_rate(m: measure, s: stratification, p: period): percent =
  if statistics.groups_with_data(m, s, p) = 0
  then not scored because "no group of the stratification has data on this measure"
  else mean(rate(m, g, p) for each g in groups of s where statistics.has_data(m, g, p))

## The population-weighted mean of the rates of the groups of `s` with data, μ = Σ p_j y_j
## with p_j = n_j / Σ n: each group weighs by its denominator, so this is the pooled rate of
## their members. It is the overall mean (μ) of the other metrics. Unit: percent. Not scored
## when no group has data.
## Example: disparity.weighted_mean_rate(CBP, race, performance)
define weighted_mean_rate(m: measure, s: stratification, p: period): percent =
  if statistics.groups_with_data(m, s, p) = 0
  then not scored because "no group of the stratification has data on this measure"
  else mean(
    rate(m, g, p) weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## Yes when at least two groups of `s` have data on `m` in `p`: the least any between-group
## metric needs.
define enough_groups(m: measure, s: stratification, p: period): yesno =
  statistics.groups_with_data(m, s, p) >= 2

## A distance in percentage points, squared, as a plain number: 3 pp gives 9.
define squared_points(x: pp): number =
  x / 1 pp * (x / 1 pp)

## The between-group variance: the population-weighted mean of each group's squared distance
## from the overall mean, Σ p_j (y_j − μ)², with p_j the group's share of the members of the
## groups with data. Unit: squared percentage points, as a plain number (two equal groups at
## 60% and 70% give 25). Not scored when fewer than two groups have data.
## Example: disparity.between_group_variance(CBP, race, performance)
define between_group_variance(m: measure, s: stratification, p: period): number =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    squared_points(rate(m, g, p) - weighted_mean_rate(m, s, p))
    weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## The index of disparity, unweighted: the mean absolute distance of the group rates from
## the overall mean, as a share of it, (Σ |y_j − μ| / J) / μ × 100, over the J groups with
## data. Unit: percent (0% when every group has the same rate). Not scored when fewer than
## two groups have data or the overall mean is 0%.
## Example: disparity.index_of_disparity(COL, race, performance)
define index_of_disparity(m: measure, s: stratification, p: period): percent =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else if weighted_mean_rate(m, s, p) = 0%
  then not scored because "every group's rate is 0%, so the index is undefined"
  else mean(
         abs(rate(m, g, p) - weighted_mean_rate(m, s, p))
         for each g in groups of s where statistics.has_data(m, g, p))
       / (weighted_mean_rate(m, s, p) - 0%)
       * 100%

## One group's term of the index of disparity against a reference: its absolute distance
## from its reference group's rate as a share of that rate. Unit: a plain number. Not scored
## when either group has no data or the reference rate is 0%.
define relative_distance(m: measure, g: group, p: period): number =
  if (reference_rate(m, g, p) = 0%) otherwise no
  then not scored because "the reference group's rate is 0%, so a relative distance is undefined"
  else abs(statistics.usable_rate(m, g, p) - reference_rate(m, g, p))
       / (reference_rate(m, g, p) - 0%)

## The index of disparity against the stratification's reference group:
## [Σ |y_j − y_ref| / (J − 1)] / y_ref × 100, over the groups with data other than the
## reference itself. With a whole-population or rest-of-population reference, every group
## is compared with its own reference. Unit: percent. Not scored when the reference has no
## data or a rate of 0%, or no other group has data.
## Example: disparity.index_of_disparity_to_reference(COL, race, performance)
define index_of_disparity_to_reference(m: measure, s: stratification, p: period): percent =
  if count(
       statistics.has_data(m, g, p) and reference(m, g, p) != g
       for each g in groups of s)
     = 0
  then not scored because "no group other than the reference has data"
  else mean(
         relative_distance(m, g, p)
         for each g in groups of s
         where statistics.has_data(m, g, p) and reference(m, g, p) != g)
       * 100%

## One group's term of the Theil index, x ln x for the ratio x of its rate to the mean, and
## 0 for a rate of 0% (the limit of x ln x). The logarithm is a builtin.
define theil_term(x: number): number =
  if x = 0 then 0 else x * ln(x)

## The Theil index: Σ p_j (y_j/μ) ln(y_j/μ), with p_j the population shares of the groups
## with data and μ their weighted mean rate. 0 when every group has the same rate; it grows
## as rates move apart. Unit: a plain number. Not scored when fewer than two groups have
## data or every rate is 0%.
## Example: disparity.theil_index(HBD, race, performance)
define theil_index(m: measure, s: stratification, p: period): number =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else if weighted_mean_rate(m, s, p) = 0%
  then not scored because "every group's rate is 0%, so the Theil index is undefined"
  else mean(
    theil_term(rate(m, g, p) / weighted_mean_rate(m, s, p)) weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## One group's term of the Theil index's variance: p_j² (ln(y_j/μ) − T)² v_j / μ², and 0 for
## a rate of 0% (whose variance is 0, the limit of the term).
define theil_variance_term(m: measure, g: group, s: stratification, p: period): number =
  if rate(m, g, p) = 0%
  then 0
  else square(
         share(m, g, s, p)
         * (ln(rate(m, g, p) / weighted_mean_rate(m, s, p)) - theil_index(m, s, p)))
       * group_variance(m, g, p)
       / squared_fraction(weighted_mean_rate(m, s, p))

## The standard error of the Theil index by the delta method: √(Σ p_j² (ln(y_j/μ) − T)² v_j
## / μ²), with T the index; this is the WHO's formula, whose (1 + ln r_j − Σ p_k r_k (1 +
## ln r_k)) is ln r_j − T. Unit: a plain number. Not scored when the index is not.
## Example: disparity.theil_index_standard_error(HBD, race, performance)
define theil_index_standard_error(m: measure, s: stratification, p: period): number =
  if theil_index(m, s, p) is not scored
  then theil_index(m, s, p)
  else sqrt(
    sum(
      theil_variance_term(m, g, s, p)
      for each g in groups of s where statistics.has_data(m, g, p)))

## The lower bound of the Theil index's normal confidence interval at `level`, T − z · SE,
## with z = `statistics.z_value(level)`. Unit: a plain number.
## Example: disparity.theil_index_lower(HBD, race, performance, 95%)
define theil_index_lower(m: measure, s: stratification, p: period, level: percent): number =
  theil_index(m, s, p) - statistics.z_value(level) * theil_index_standard_error(m, s, p)

## The upper bound of the Theil index's confidence interval at `level`, T + z · SE. Unit: a
## plain number.
## Example: disparity.theil_index_upper(HBD, race, performance, 95%)
define theil_index_upper(m: measure, s: stratification, p: period, level: percent): number =
  theil_index(m, s, p) + statistics.z_value(level) * theil_index_standard_error(m, s, p)

## The mean log deviation: Σ p_j (−ln(y_j / μ)), Theil's second measure, 0 when every group
## has the same rate and growing as rates move apart. Unit: a plain number (the WHO
## multiplies it by 1,000). Not scored when fewer than two groups have data, or a group's
## rate is 0% (its logarithm is undefined; the WHO substitutes a tiny rate).
## Example: disparity.mean_log_deviation(COL, race, performance)
define mean_log_deviation(m: measure, s: stratification, p: period): number =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else if any(
    rate(m, g, p) = 0%
    for each g in groups of s where statistics.has_data(m, g, p))
  then not scored because "a group's rate is 0%, so the mean log deviation is undefined"
  else mean(
    -ln(rate(m, g, p) / weighted_mean_rate(m, s, p)) weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## The standard error of the mean log deviation by the delta method (the WHO's formula):
## √(Σ p_j² (1/μ − 1/y_j)² v_j), rates as fractions. Unit: a plain number. Not scored when
## the deviation is not.
## Example: disparity.mean_log_deviation_standard_error(COL, race, performance)
define mean_log_deviation_standard_error(m: measure, s: stratification, p: period): number =
  if mean_log_deviation(m, s, p) is not scored
  then mean_log_deviation(m, s, p)
  else sqrt(
    sum(
      square(
        share(m, g, s, p)
        * (1 / (weighted_mean_rate(m, s, p) / 100%) - 1 / (rate(m, g, p) / 100%)))
        * group_variance(m, g, p)
      for each g in groups of s where statistics.has_data(m, g, p)))

## The lower bound of the mean log deviation's normal confidence interval at `level`, MLD − z
## · SE, with z = `statistics.z_value(level)`. Unit: a plain number.
## Example: disparity.mean_log_deviation_lower(COL, race, performance, 95%)
define mean_log_deviation_lower(m: measure, s: stratification, p: period,
    level: percent): number =
  mean_log_deviation(m, s, p)
  - statistics.z_value(level) * mean_log_deviation_standard_error(m, s, p)

## The upper bound of the mean log deviation's confidence interval at `level`, MLD + z · SE.
## Unit: a plain number.
## Example: disparity.mean_log_deviation_upper(COL, race, performance, 95%)
define mean_log_deviation_upper(m: measure, s: stratification, p: period,
    level: percent): number =
  mean_log_deviation(m, s, p)
  + statistics.z_value(level) * mean_log_deviation_standard_error(m, s, p)

## The mean difference from the best group, unweighted: the mean of every group's gap to the
## best-performing group (`gap_to_best`), Σ |y_best − y_j| / J over the groups with data,
## the best one counting 0. Unit: percentage points. Not scored when fewer than two groups
## have data.
## Example: disparity.mean_difference_from_best(COL, race, performance)
define mean_difference_from_best(m: measure, s: stratification, p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    gap_to_best(m, g, s, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## The mean difference from the best group, population-weighted: as
## `mean_difference_from_best`, with each group weighing by its denominator, Σ p_j |y_best −
## y_j|, so it reads as the average member's distance from the best group's rate. Unit:
## percentage points. Not scored when fewer than two groups have data.
## Example: disparity.weighted_mean_difference_from_best(COL, race, performance)
define weighted_mean_difference_from_best(m: measure, s: stratification, p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    gap_to_best(m, g, s, p) weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## The members of the groups of `s` that have data on `m` in `p`: the denominator the
## population shares p_j divide by. Unit: a count.
## Example: disparity.members_with_data(COL, race, performance) is 860
define members_with_data(m: measure, s: stratification, p: period): count =
  sum(denominator(m, g, p) for each g in groups of s where statistics.has_data(m, g, p))

## Group `g`'s share of the members of the groups of `s` with data, p_j = n_j / Σ n. Unit: a
## plain number. Not scored when `g` is not a group of `s` or has no data.
## Example: disparity.share(COL, White, race, performance)
# Never 0 here, since the sum counts the group's own members; said for `eqlang bounds`.
define share(m: measure, g: group, s: stratification, p: period): number =
  if not g in groups of s
  then not scored because "the group is not in the stratification"
  else if not statistics.has_data(m, g, p)
  then not scored because "the group has no data on this measure"
  else if members_with_data(m, s, p) = 0
  then not scored because "no group of the stratification has data on this measure"
  else denominator(m, g, p) / members_with_data(m, s, p)

## Group `g`'s sampling variance in squared percentage points: v_j × 10,000, the scale of
## `between_group_variance`. Unit: a plain number.
define points_variance(m: measure, g: group, p: period): number =
  group_variance(m, g, p) * 10000

## The standard error of the between-group variance, the exact variance of the weighted sum
## of squares when the rates are normal (the WHO's formula, from Harper and Lynch):
## √(4 Σ p_j² v_j (y_j − μ)² + 2[(Σ p_j² v_j)² − Σ p_j⁴ v_j² + Σ p_j² (1 − p_j)² v_j²]),
## rates in percentage points. Unit: squared percentage points, as a plain number. Not
## scored when fewer than two groups have data.
## Example: disparity.between_group_variance_standard_error(COL, race, performance)
define between_group_variance_standard_error(m: measure, s: stratification,
    p: period): number =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else sqrt(
    4 * sum(
      square(share(m, g, s, p))
        * points_variance(m, g, p)
        * squared_points(rate(m, g, p) - weighted_mean_rate(m, s, p))
      for each g in groups of s where statistics.has_data(m, g, p))
    + 2
        * (square(
             sum(
               square(share(m, g, s, p)) * points_variance(m, g, p)
               for each g in groups of s where statistics.has_data(m, g, p)))
           - sum(
             square(square(share(m, g, s, p)) * points_variance(m, g, p))
             for each g in groups of s where statistics.has_data(m, g, p))
           + sum(
             square(share(m, g, s, p) * (1 - share(m, g, s, p)) * points_variance(m, g, p))
             for each g in groups of s where statistics.has_data(m, g, p))))

## The lower bound of the between-group variance's normal confidence interval at `level`,
## BGV − z · SE with z = `statistics.z_value(level)` (it may reach below 0 for a small
## variance; a test that the variance exceeds 0 reads it as it is). Unit: squared percentage
## points, as a plain number.
## Example: disparity.between_group_variance_lower(COL, race, performance, 95%)
define between_group_variance_lower(m: measure, s: stratification, p: period,
    level: percent): number =
  between_group_variance(m, s, p)
  - statistics.z_value(level) * between_group_variance_standard_error(m, s, p)

## The upper bound of the between-group variance's confidence interval at `level`, BGV + z ·
## SE. Unit: squared percentage points, as a plain number.
## Example: disparity.between_group_variance_upper(COL, race, performance, 95%)
define between_group_variance_upper(m: measure, s: stratification, p: period,
    level: percent): number =
  between_group_variance(m, s, p)
  + statistics.z_value(level) * between_group_variance_standard_error(m, s, p)

## The between-group standard deviation: the square root of the between-group variance,
## √(Σ p_j (y_j − μ)²), in the rates' own points (two equal groups at 60% and 70% give 5 pp).
## Its interval comes from simulation. Unit: percentage points. Not scored when fewer than
## two groups have data.
## Example: disparity.between_group_standard_deviation(CBP, race, performance)
define between_group_standard_deviation(m: measure, s: stratification, p: period): pp =
  sqrt(between_group_variance(m, s, p)) * 1 pp

## The coefficient of variation: the between-group standard deviation as a share of the
## overall mean, √(Σ p_j (y_j − μ)²) / μ × 100. Its interval comes from simulation. Unit:
## percent. Not scored when fewer than two groups have data or every rate is 0%.
## Example: disparity.coefficient_of_variation(COL, race, performance)
define coefficient_of_variation(m: measure, s: stratification, p: period): percent =
  if (weighted_mean_rate(m, s, p) = 0%) otherwise no
  then not scored because "every group's rate is 0%, so the coefficient is undefined"
  else between_group_standard_deviation(m, s, p) / (weighted_mean_rate(m, s, p) - 0%) * 100%

## The index of disparity, population-weighted: the members' mean absolute distance from
## the overall mean as a share of it, Σ p_j |y_j − μ| / μ × 100. Its interval comes from
## simulation. Unit: percent. Not scored when fewer than two groups have data or every rate
## is 0%.
## Example: disparity.weighted_index_of_disparity(COL, race, performance)
define weighted_index_of_disparity(m: measure, s: stratification, p: period): percent =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else if weighted_mean_rate(m, s, p) = 0%
  then not scored because "every group's rate is 0%, so the index is undefined"
  else weighted_mean_difference_from_mean(m, s, p)
       / (weighted_mean_rate(m, s, p) - 0%)
       * 100%

## The mean difference from the mean, unweighted: Σ |y_j − μ| / J over the J groups with
## data, every group counting the same. Its interval comes from simulation. Unit: percentage
## points. Not scored when fewer than two groups have data.
## Example: disparity.mean_difference_from_mean(COL, race, performance)
define mean_difference_from_mean(m: measure, s: stratification, p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    abs(rate(m, g, p) - weighted_mean_rate(m, s, p))
    for each g in groups of s where statistics.has_data(m, g, p))

## The mean difference from the mean, population-weighted: Σ p_j |y_j − μ|, the average
## member's distance from the overall rate. Its interval comes from simulation. Unit:
## percentage points. Not scored when fewer than two groups have data.
## Example: disparity.weighted_mean_difference_from_mean(COL, race, performance)
define weighted_mean_difference_from_mean(m: measure, s: stratification, p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    abs(rate(m, g, p) - weighted_mean_rate(m, s, p)) weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## The mean difference from the reference, population-weighted: Σ p_j |y_j − y_ref| over
## the groups with data, each against its own reference (`reference_rate`) and the
## reference group counting 0, the shares taken among all the groups with data. Its interval
## comes from simulation. Unit: percentage points. Not scored when fewer than two groups
## have data or a group's reference has none.
## Example: disparity.weighted_mean_difference_from_reference(COL, race, performance)
define weighted_mean_difference_from_reference(m: measure, s: stratification,
    p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    abs(rate(m, g, p) - reference_rate(m, g, p)) weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## How much group `g` weighs in the reference rate of the population attributable risk: 1
## for the stratification's reference group when it is a group of `s` (a named group, or the
## best-performing one), 0 for the others; with a whole-population or rest-of-population
## reference, the best-performing groups share it (`best_share`). Unit: a plain number.
define attributable_share(m: measure, g: group, s: stratification, p: period): number =
  if any((reference(m, h, p) = h) otherwise no for each h in groups of s)
  then (if (reference(m, g, p) = g) otherwise no then 1 else 0)
  else best_share(m, g, s, p)

## The rate the population attributable risk compares the overall mean with: the reference
## group's rate (see `attributable_share`). Unit: percent. Not scored when the reference
## group has no data.
## Example: disparity.attributable_reference_rate(COL, race, performance) is 80%
define attributable_reference_rate(m: measure, s: stratification, p: period): percent =
  if sum(
       attributable_share(m, g, s, p)
       for each g in groups of s where statistics.has_data(m, g, p))
     = 0
  then not scored because "the reference group has no data on this measure"
  else sum(
    attributable_share(m, g, s, p) * rate(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## The population attributable risk: how far the overall mean rate μ of the groups of `s`
## falls short of the reference group's rate, the gain in the overall rate if every group did
## as well as the reference (PAR = y_ref − μ where higher is better, μ − y_ref where lower
## is better). The reference is the stratification's reference group, or, with a
## whole-population or rest-of-population reference, the best-performing group (the WHO's
## choice for groups without a reference). Unit: percentage points; negative when the
## reference group fares worse than the mean (the WHO sets it to 0 then). Not scored when
## fewer than two groups have data or the reference group has none.
## Example: disparity.population_attributable_risk(COL, race, performance)
define population_attributable_risk(m: measure, s: stratification, p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else shortfall(m, weighted_mean_rate(m, s, p), attributable_reference_rate(m, s, p))

## The standard error of the population attributable risk by the delta method:
## √(Σ (a_j − p_j)² v_j), with a_j the group's weight in the reference rate
## (`attributable_share`) and p_j its share of the members. Unit: percentage points. Not
## scored when the risk is not.
## Example: disparity.population_attributable_risk_standard_error(COL, race, performance)
define population_attributable_risk_standard_error(m: measure, s: stratification,
    p: period): pp =
  if population_attributable_risk(m, s, p) is not scored
  then population_attributable_risk(m, s, p)
  else sqrt(
         sum(
           square(attributable_share(m, g, s, p) - share(m, g, s, p))
             * group_variance(m, g, p)
           for each g in groups of s where statistics.has_data(m, g, p)))
       * 100 pp

## The lower bound of the population attributable risk's confidence interval at `level`,
## PAR − z · SE with z = `statistics.z_value(level)`. Unit: percentage points.
## Example: disparity.population_attributable_risk_lower(COL, race, performance, 95%)
define population_attributable_risk_lower(m: measure, s: stratification, p: period,
    level: percent): pp =
  population_attributable_risk(m, s, p)
  - statistics.z_value(level) * population_attributable_risk_standard_error(m, s, p)

## The upper bound of the population attributable risk's confidence interval at `level`,
## PAR + z · SE. Unit: percentage points.
## Example: disparity.population_attributable_risk_upper(COL, race, performance, 95%)
define population_attributable_risk_upper(m: measure, s: stratification, p: period,
    level: percent): pp =
  population_attributable_risk(m, s, p)
  + statistics.z_value(level) * population_attributable_risk_standard_error(m, s, p)

## The population attributable fraction: the population attributable risk as a share of the
## overall mean, PAR / μ × 100. Unit: percent. Not scored when the risk is not, or every rate
## is 0%.
## Example: disparity.population_attributable_fraction(COL, race, performance)
define population_attributable_fraction(m: measure, s: stratification, p: period): percent =
  if (weighted_mean_rate(m, s, p) = 0%) otherwise no
  then not scored because "every group's rate is 0%, so the fraction is undefined"
  else population_attributable_risk(m, s, p) / (weighted_mean_rate(m, s, p) - 0%) * 100%

## The standard error of the population attributable fraction by the delta method:
## √(Σ (a_j − R p_j)² v_j) / μ, with R = y_ref / μ (the WHO uses a formula for a 2×2 table
## instead). Unit: percentage points. Not scored when the fraction is not.
## Example: disparity.population_attributable_fraction_standard_error(COL, race, performance)
define population_attributable_fraction_standard_error(m: measure, s: stratification,
    p: period): pp =
  if population_attributable_fraction(m, s, p) is not scored
  then population_attributable_fraction(m, s, p) - 0%
  else sqrt(
         sum(
           square(
             attributable_share(m, g, s, p)
             - attributable_reference_rate(m, s, p)
                 / weighted_mean_rate(m, s, p)
                 * share(m, g, s, p))
             * group_variance(m, g, p)
           for each g in groups of s where statistics.has_data(m, g, p)))
       / (weighted_mean_rate(m, s, p) / 100%)
       * 100 pp

## The lower bound of the population attributable fraction's confidence interval at
## `level`, PAF − z · SE with z = `statistics.z_value(level)`. Unit: percent.
## Example: disparity.population_attributable_fraction_lower(COL, race, performance, 95%)
define population_attributable_fraction_lower(m: measure, s: stratification, p: period,
    level: percent): percent =
  population_attributable_fraction(m, s, p)
  - statistics.z_value(level) * population_attributable_fraction_standard_error(m, s, p)

## The upper bound of the population attributable fraction's confidence interval at
## `level`, PAF + z · SE. Unit: percent.
## Example: disparity.population_attributable_fraction_upper(COL, race, performance, 95%)
define population_attributable_fraction_upper(m: measure, s: stratification, p: period,
    level: percent): percent =
  population_attributable_fraction(m, s, p)
  + statistics.z_value(level) * population_attributable_fraction_standard_error(m, s, p)
