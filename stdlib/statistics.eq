# Statistical safeguards: which groups have enough data to be scored, confidence intervals
# for a group's rate, coverage rules that allow a metric only when enough groups of a
# stratification have data, a reliability rule that admits a group by the width of its
# rate's interval, and shrinkage of small groups' rates toward the organization's rate.
# Counts may be fractional where group membership is imputed; every rule here compares them
# exactly as they stand, and treats a fractional count as a number of members when it
# measures how uncertain a rate is. The square root, logarithm, exponential and normal
# quantile are builtins computed to 34 significant digits.

## The critical value of a two-sided 95% interval (z = 1.96), used by `wilson_lower` and
## `wilson_upper`. Unit: a plain number.
parameter wilson_z: number = 1.96

## Yes when group `g` has data on measure `m` in period `p`: a denominator above 0 and at
## least the measure's own minimum denominator (`minimum denominator N` on the contract's
## measure; 0 when it gives none). This is the rule every metric of `disparity` applies to
## decide which groups take part. Always yes or no.
## Example: statistics.has_data(COL, Black, performance)
define has_data(m: measure, g: group, p: period): yesno =
  denominator(m, g, p) > 0 and denominator(m, g, p) >= min_denominator(m)

## The rate of group `g` when it has data (see `has_data`). Unit: percent. Not scored when
## the group has no members (denominator 0), or fewer than the measure's minimum
## denominator; the reason says which.
## Example: statistics.usable_rate(CBP, Hispanic, baseline)
define usable_rate(m: measure, g: group, p: period): percent =
  if denominator(m, g, p) = 0
  then not scored because "the group has no members in this measure and period (denominator 0)"
  else if denominator(m, g, p) < min_denominator(m)
  then not scored because "the group's denominator is below the measure's minimum denominator"
  else rate(m, g, p)

## Yes when group `g` has at least `minimum` members in measure `m` and period `p` (and at
## least the measure's own minimum denominator, and more than 0). The contract's
## minimum-denominator rule, when it sets one figure for every measure. Always yes or no.
## Example: statistics.large_enough(COL, Asian, performance, 30)
define large_enough(m: measure, g: group, p: period, minimum: count): yesno =
  denominator(m, g, p) > 0 and denominator(m, g, p) >= max(minimum, min_denominator(m))

## Yes when group `g` and the group it is compared with (its stratification's reference, in
## each period) both have at least `minimum` members in both periods: the usual condition
## for scoring a change in a gap. No when any of the four falls short, or when there is no
## reference group to compare with (a best-performing reference no group qualifies for).
## Example: statistics.scorable(HBD, Black, baseline, performance, 30)
define scorable(m: measure, g: group, before: period, after: period,
    minimum: count): yesno =
  large_enough(m, g, before, minimum)
    and large_enough(m, g, after, minimum)
    and large_enough(m, reference(m, g, before), before, minimum)
    and large_enough(m, reference(m, g, after), after, minimum)
  otherwise no

## The number of groups of stratification `s` that have data (see `has_data`) on measure
## `m` in period `p`. Unit: a count.
## Example: statistics.groups_with_data(COL, race, performance)
define groups_with_data(m: measure, s: stratification, p: period): count =
  count(has_data(m, g, p) for each g in groups of s)

## The share of the groups of stratification `s` that have data on measure `m` in period
## `p`. Unit: percent (3 of 4 groups is 75%).
## Example: statistics.coverage(COL, race, performance)
define coverage(m: measure, s: stratification, p: period): percent =
  groups_with_data(m, s, p) / count(g for each g in groups of s) * 100%

## The coverage rule: yes when at least `share` of the groups of `s` have data on `m` in
## `p`, and at least two do (no disparity can be measured with fewer). A contract reports a
## metric only when this holds: `if statistics.covered(m, race, p, 75%) then ... else not
## scored because "..."`. Always yes or no.
## Example: statistics.covered(COL, race, performance, 75%)
define covered(m: measure, s: stratification, p: period, share: percent): yesno =
  coverage(m, s, p) >= share and groups_with_data(m, s, p) >= 2

## One bound of the Wilson score interval for a rate `x` observed among `n` members, with
## critical value `z`; `side` is -1 for the lower bound and 1 for the upper. Unlike the
## plain normal interval it stays between 0% and 100% and behaves at rates of 0% and 100%.
## With y = x as a fraction: (y + z²/(2n) + side · z · √(y(1 − y)/n + z²/(4n²))) / (1 +
## z²/n). The square root is a builtin. Unit: percent. Not scored when `n` is 0 or less.
## Example: statistics.wilson_bound(62%, 48.5, 1.96, -1)
define wilson_bound(x: percent, n: count, z: number, side: number): percent =
  if n <= 0
  then not scored because "no members (denominator 0), so the rate has no interval"
  else (x / 100%
        + z * z / (2 * n)
        + side * z * sqrt(x / 100% * (1 - x / 100%) / n + z * z / (4 * n * n)))
       / (1 + z * z / n)
       * 100%

## The lower bound of the 95% Wilson score interval of group `g`'s rate (`wilson_bound` with
## side −1 and z = 1.96). Unit: percent. Not scored when the group has no members.
## Example: statistics.wilson_lower(COL, Black, performance)
define wilson_lower(m: measure, g: group, p: period): percent =
  wilson_bound(rate(m, g, p), denominator(m, g, p), wilson_z, -1)

## The upper bound of the 95% Wilson score interval of group `g`'s rate (`wilson_bound` with
## side 1 and z = 1.96). Unit: percent. Not scored when the group has no members.
## Example: statistics.wilson_upper(COL, Black, performance)
define wilson_upper(m: measure, g: group, p: period): percent =
  wilson_bound(rate(m, g, p), denominator(m, g, p), wilson_z, 1)

## Yes when group `g` does worse than group `h` on measure `m` in period `p` beyond chance:
## their 95% Wilson intervals do not overlap, `g`'s on the worse side (below for a measure
## where higher is better, above for one where lower is better). Not scored when either
## group has no members.
## Example: statistics.clearly_worse(CBP, Black, White, performance)
define clearly_worse(m: measure, g: group, h: group, p: period): yesno =
  if higher_is_better(m)
  then wilson_upper(m, g, p) < wilson_lower(m, h, p)
  else wilson_lower(m, g, p) > wilson_upper(m, h, p)

## The critical value of a two-sided confidence interval at `level`: the standard normal
## quantile of 50% + level / 2, so that a share `level` of a normal distribution lies within
## this many standard errors of its mean (1.959963984540054... for 95%, 1.644853626951472...
## for 90%). The quantile is the builtin `normal_quantile`, exact to 34 significant digits.
## Unit: a plain number. A level outside 0% to 100% stops settlement (E0401).
## Example: statistics.z_value(95%) is about 1.96
define z_value(level: percent): number =
  normal_quantile(50% + level / 2)

## The sampling variance of a rate `y` observed among `n` members, y(1 − y) / n with y as a
## fraction: the binomial variance, the square of the rate's standard error. It is 0 at rates
## of 0% and 100%. Unit: a plain number (a squared fraction: 0.0025 is a standard error of 5
## points). Not scored when `y` is not scored or `n` is 0.
## Example: statistics.rate_variance(50%, 100) is 0.0025
# A rate that is not scored keeps its own reason.
define rate_variance(y: percent, n: count): number =
  if y is not scored
  then y / 100%
  else if n = 0
  then not scored because "no members (denominator 0), so the rate has no variance"
  else y / 100% * (1 - y / 100%) / n

## The standard error of group `g`'s rate: √(y(1 − y) / n), with y the rate as a fraction
## and n its denominator. Unit: percentage points. Not scored when the group has no data
## (see `usable_rate`), with the reason.
## Example: statistics.rate_standard_error(COL, Black, performance)
define rate_standard_error(m: measure, g: group, p: period): pp =
  sqrt(rate_variance(usable_rate(m, g, p), denominator(m, g, p))) * 100 pp

## The lower bound of the Wilson score interval of group `g`'s rate at confidence `level`
## (`wilson_lower` is this at 95%, with z rounded to 1.96). Unit: percent. Not scored when the
## group has no members.
## Example: statistics.wilson_lower_at(COL, Black, performance, 90%)
define wilson_lower_at(m: measure, g: group, p: period, level: percent): percent =
  wilson_bound(rate(m, g, p), denominator(m, g, p), z_value(level), -1)

## The upper bound of the Wilson score interval of group `g`'s rate at confidence `level`
## (`wilson_bound` with side 1 and z = `z_value(level)`). Unit: percent. Not scored when the
## group has no members.
## Example: statistics.wilson_upper_at(COL, Black, performance, 90%)
define wilson_upper_at(m: measure, g: group, p: period, level: percent): percent =
  wilson_bound(rate(m, g, p), denominator(m, g, p), z_value(level), 1)

## How wide the Wilson score interval of group `g`'s rate is at confidence `level`, from its
## lower to its upper bound: 2z·√(y(1 − y)/n + z²/(4n²)) / (1 + z²/n). Unit: percentage
## points. Not scored when the group has no members.
## Example: statistics.wilson_width(COL, Black, performance, 95%)
define wilson_width(m: measure, g: group, p: period, level: percent): pp =
  wilson_upper_at(m, g, p, level) - wilson_lower_at(m, g, p, level)

## The reliability rule, a contract's alternative to a fixed minimum denominator: yes when
## group `g` has members and the Wilson score interval of its rate at confidence `level` is
## narrower than `width`. A group is then large enough exactly when its rate is known well
## enough, which depends on the rate as well as the count: at 95%, an interval narrower than
## 20 points needs 93 members at a rate of 50%, 78 at 70% and 37 at 90%, where a fixed
## minimum asks the same of all. (Away from 0% and 100%, the count a width w needs at rate y
## is close to z²·4y(1 − y) / w²; near them the Wilson interval asks for more.) Always yes
## or no.
## Example: statistics.reliable(COL, Black, performance, 20 pp, 95%) is yes
define reliable(m: measure, g: group, p: period, width: pp, level: percent): yesno =
  denominator(m, g, p) > 0 and wilson_width(m, g, p, level) < width

## The rate of group `g` when it is reliable (see `reliable`). Unit: percent. Not scored when
## the group has no members, or its rate's interval is `width` or wider; the reason says
## which.
## Example: statistics.reliable_rate(COL, Asian, performance, 20 pp, 95%)
define reliable_rate(m: measure, g: group, p: period, width: pp, level: percent): percent =
  if denominator(m, g, p) = 0
  then not scored because "the group has no members in this measure and period (denominator 0)"
  else if not reliable(m, g, p, width, level)
  then not scored because "the group's rate is not reliable: its interval is as wide as the stated width or wider"
  else rate(m, g, p)

## Group `g`'s rate shrunk toward the organization's whole-population rate, the beta-binomial
## estimate: (x + κμ) / (n + κ), with x and n the group's numerator and denominator, μ the
## organization's rate (its ALL row) as a fraction, and κ = `strength`, a count of members.
## It is the mean of the group's rate after seeing x of n when, before, the rate was taken to
## follow a Beta(κμ, κ(1 − μ)) distribution: the organization's rate, held as firmly as κ
## members would hold it. A large group keeps nearly its own rate, a small one moves toward
## the organization's (its own share of the weight is `shrinkage_weight`, n / (n + κ)); with
## κ = 0 it is the group's own rate. Unit: percent. Not scored when the organization has no
## members, or the group has none and κ is 0.
## Example: statistics.shrunk_rate(COL, AIAN, performance, 20)
define shrunk_rate(m: measure, g: group, p: period, strength: count): percent =
  if denominator(m, g, p) + strength = 0
  then not scored because "the group has no members and the shrinkage strength is 0"
  else (numerator(m, g, p) + strength * (rate(m, ALL, p) / 100%))
       / (denominator(m, g, p) + strength)
       * 100%

## The share of the weight a shrunk rate gives the group's own rate (see `shrunk_rate`):
## n / (n + κ). Unit: percent (a group of 20 members shrunk with a strength of 20 keeps 50%
## of its own rate's weight). Not scored when both are 0.
## Example: statistics.shrinkage_weight(COL, AIAN, performance, 20)
define shrinkage_weight(m: measure, g: group, p: period, strength: count): percent =
  if denominator(m, g, p) + strength = 0
  then not scored because "the group has no members and the shrinkage strength is 0"
  else denominator(m, g, p) / (denominator(m, g, p) + strength) * 100%
