# Statistical safeguards: which groups have enough data to be scored, confidence intervals
# for a group's rate, and coverage rules that allow a metric only when enough groups of a
# stratification have data. Counts may be fractional where group membership is imputed;
# every rule here compares them exactly as they stand.

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
## The square root is a builtin. Unit: percent. Not scored when `n` is 0 or less.
## Example: statistics.wilson_bound(62%, 48.5, 1.96, -1)
define wilson_bound(x: percent, n: count, z: number, side: number): percent =
  if n <= 0
  then not scored because "no members (denominator 0), so the rate has no interval"
  else (x / 100%
        + z * z / (2 * n)
        + side * z * sqrt(x / 100% * (1 - x / 100%) / n + z * z / (4 * n * n)))
       / (1 + z * z / n)
       * 100%

## The lower bound of the 95% Wilson score interval of group `g`'s rate. Unit: percent. Not
## scored when the group has no members.
## Example: statistics.wilson_lower(COL, Black, performance)
define wilson_lower(m: measure, g: group, p: period): percent =
  wilson_bound(rate(m, g, p), denominator(m, g, p), wilson_z, -1)

## The upper bound of the 95% Wilson score interval of group `g`'s rate. Unit: percent. Not
## scored when the group has no members.
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
