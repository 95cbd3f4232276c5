# Disparity metrics: how far apart the groups of a stratification are on one measure in one
# period. Each metric takes the measure, the stratification (a contract's own, passed by
# name: `disparity.index_of_disparity(COL, race, performance)`) or a group, and the period.
# Only groups with data take part (`statistics.has_data`: a denominator above 0 and at least
# the measure's minimum denominator); a metric that cannot be computed is not scored, with
# the reason, never an error. Absolute gaps are oriented by the measure's direction, so a
# positive gap always means a group fares worse. Relative metrics (ratios, the index of
# disparity, the Theil index) use the rates as the table gives them, so for a measure where
# lower is better they describe the adverse rate: framing changes relative metrics, not
# absolute gaps. Where a metric needs the overall mean rate, it is the population-weighted
# mean of the groups with data.

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

## The gap between group `g` and the group its stratification compares it with (its
## reference: a named group, the best-performing group, the whole population or the rest
## of the population). Unit: percentage points, positive when `g` fares worse, negative when
## it fares better. Not scored when `g` or its reference has no data.
## Example: disparity.gap_to_reference(COL, Black, performance)
define gap_to_reference(m: measure, g: group, p: period): pp =
  shortfall(
    m,
    statistics.usable_rate(m, g, p),
    statistics.usable_rate(m, reference(m, g, p), p))

## The gap to the reference as a share of the reference group's rate: a gap of 7 pp below a
## reference rate of 70% is a relative gap of 10%. Unit: percent, positive when `g` fares
## worse. Not scored when either group has no data or the reference rate is 0%.
## Example: disparity.relative_gap(COL, Black, performance)
define relative_gap(m: measure, g: group, p: period): percent =
  if statistics.usable_rate(m, reference(m, g, p), p) = 0%
  then not scored because "the reference group's rate is 0%, so a relative gap is undefined"
  else gap_to_reference(m, g, p)
       / (statistics.usable_rate(m, reference(m, g, p), p) - 0%)
       * 100%

## The rate ratio: group `g`'s rate divided by its reference group's rate (1 when equal).
## Unit: a plain number. Not scored when either group has no data or the reference rate is
## 0%.
## Example: disparity.rate_ratio(HBD, Hispanic, performance)
define rate_ratio(m: measure, g: group, p: period): number =
  if statistics.usable_rate(m, reference(m, g, p), p) = 0%
  then not scored because "the reference group's rate is 0%, so the ratio is undefined"
  else statistics.usable_rate(m, g, p) / statistics.usable_rate(m, reference(m, g, p), p)

## The best rate among the groups of `s` with data: the highest when higher is better, the
## lowest when lower is better. Unit: percent. Not scored when no group has data.
## Example: disparity.best_rate(HBD, race, performance)
define best_rate(m: measure, s: stratification, p: period): percent =
  if statistics.groups_with_data(m, s, p) = 0
  then not scored because "no group of the stratification has data on this measure"
  else if higher_is_better(m)
  then max(statistics.usable_rate(m, g, p) for each g in groups of s, not scored: skip)
  else min(statistics.usable_rate(m, g, p) for each g in groups of s, not scored: skip)

## The gap between group `g` and the best-performing group of `s` (see `best_rate`). Unit:
## percentage points, 0 for the best group and positive for every other. Not scored when `g`
## is not a group of `s` or has no data, or no group has data.
## Example: disparity.gap_to_best(COL, Hispanic, race, performance)
define gap_to_best(m: measure, g: group, s: stratification, p: period): pp =
  if not g in groups of s
  then not scored because "the group is not in the stratification"
  else shortfall(m, statistics.usable_rate(m, g, p), best_rate(m, s, p))

## The equal-weighted mean of the rates of the groups of `s` with data: every group counts
## the same, whatever its size. Unit: percent. Not scored when no group has data.
## Example: disparity.mean_rate(CBP, race, performance)
define mean_rate(m: measure, s: stratification, p: period): percent =
  if statistics.groups_with_data(m, s, p) = 0
  then not scored because "no group of the stratification has data on this measure"
  else mean(rate(m, g, p) for each g in groups of s where statistics.has_data(m, g, p))

## The population-weighted mean of the rates of the groups of `s` with data: each group
## weighs by its denominator, so this is the pooled rate of their members. It is the overall
## mean (μ) of the other metrics. Unit: percent. Not scored when no group has data.
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
  if statistics.usable_rate(m, reference(m, g, p), p) = 0%
  then not scored because "the reference group's rate is 0%, so a relative distance is undefined"
  else abs(
         statistics.usable_rate(m, g, p) - statistics.usable_rate(m, reference(m, g, p), p))
       / (statistics.usable_rate(m, reference(m, g, p), p) - 0%)

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

## The mean difference from the best group, unweighted: the mean of every group's gap to the
## best-performing group (`gap_to_best`), over the groups with data, the best one counting
## 0. Unit: percentage points. Not scored when fewer than two groups have data.
## Example: disparity.mean_difference_from_best(COL, race, performance)
define mean_difference_from_best(m: measure, s: stratification, p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    gap_to_best(m, g, s, p)
    for each g in groups of s where statistics.has_data(m, g, p))

## The mean difference from the best group, population-weighted: as
## `mean_difference_from_best`, with each group weighing by its denominator, so it reads as
## the average member's distance from the best group's rate. Unit: percentage points. Not
## scored when fewer than two groups have data.
## Example: disparity.weighted_mean_difference_from_best(COL, race, performance)
define weighted_mean_difference_from_best(m: measure, s: stratification, p: period): pp =
  if not enough_groups(m, s, p)
  then not scored because "fewer than two groups of the stratification have data"
  else mean(
    gap_to_best(m, g, s, p) weighted by denominator(m, g, p)
    for each g in groups of s where statistics.has_data(m, g, p))
