# Payment building blocks: scores that turn gaps and rates into credit from 0 to 1, peer
# comparisons across every organization in the measure tables, tiered schedules, pools whose
# weights are rescaled over the measures that were scored, caps, floors and withholds, and
# guards against "leveling down" (a gap that closes because care got worse for the group
# that was doing better). Scores are plain numbers from 0 (no credit) to 1 (full credit);
# a score that cannot be computed is not scored, with the reason, and the contract decides
# what that means for payment.

import disparity
import statistics

# ---- closing gaps ------------------------------------------------------------------------

## The share of a baseline gap closed by the performance period:
## (baseline − performance) ÷ baseline. Unit: percent; negative when the gap widened, above
## 100% when the group overtook its reference. Not scored when there was no gap in the
## baseline (0 pp or less), since nothing was there to close.
## Example: payment.gap_closure(8 pp, 5 pp) is 37.5%
define gap_closure(baseline_gap: pp, performance_gap: pp): percent =
  if baseline_gap <= 0 pp
  then not scored because "there was no gap to close in the baseline"
  else (baseline_gap - performance_gap) / baseline_gap * 100%

## Credit for the share of a gap closed: in proportion, reaching full credit (1) at
## `full_credit` closed and never below 0. Unit: a plain number from 0 to 1. Not scored when
## `full_credit` is 0% or less.
## Example: payment.closure_credit(37.5%, 50%) is 0.75
define closure_credit(closed: percent, full_credit: percent): number =
  if full_credit <= 0%
  then not scored because "full credit must be reached at a share above 0%"
  else clamp(closed / full_credit, 0, 1)

## The gap-closure score of group `g` on measure `m` from period `before` to `after`,
## against the group's reference: a baseline gap of at most `small_gap` already counts as
## closed (1 if it is still at most `small_gap` after, else 0); a wider one earns
## `closure_credit` for the share closed. Unit: a plain number from 0 to 1. Not scored when
## `g` or its reference has no data in either period.
## Example: payment.gap_closure_score(COL, Black, baseline, performance, 2 pp, 50%)
define gap_closure_score(m: measure, g: group, before: period, after: period, small_gap: pp,
    full_credit: percent): number =
  if disparity.gap_to_reference(m, g, before) <= small_gap
  then (if disparity.gap_to_reference(m, g, after) <= small_gap then 1 else 0)
  else closure_credit(
    gap_closure(
      disparity.gap_to_reference(m, g, before),
      max(0 pp, disparity.gap_to_reference(m, g, after))),
    full_credit)

# ---- attainment and improvement ----------------------------------------------------------

## The attainment score of a rate `x`: 0 at or short of `threshold`, 1 at or beyond
## `benchmark`, in proportion between. For a measure where lower is better, give a threshold
## above the benchmark (30% and 15%, say); the formula needs no direction. Unit: a plain
## number from 0 to 1. Not scored when the threshold equals the benchmark.
## Example: payment.attainment_score(66%, 60%, 75%) is 0.4
define attainment_score(x: percent, threshold: percent, benchmark: percent): number =
  if threshold = benchmark
  then not scored because "the threshold equals the benchmark, so there is no scale between"
  else clamp((x - threshold) / (benchmark - threshold), 0, 1)

## The change in a rate from `before` to `after` on measure `m`, oriented so that a positive
## change is better care. Unit: percentage points.
## Example: payment.improvement(HBD, 31.9%, 29.4%) is 2.5 pp
define improvement(m: measure, before: percent, after: percent): pp =
  disparity.shortfall(m, before, after)

## The improvement score: the share of the distance from the baseline rate `before` to the
## `benchmark` covered by `after`, from 0 (no better) to 1 (benchmark reached). Unit: a
## plain number from 0 to 1. Not scored when the baseline was already at or beyond the
## benchmark (there is no distance to cover; score attainment instead).
## Example: payment.improvement_score(COL, 60%, 63%, 75%) is 0.2
define improvement_score(m: measure, before: percent, after: percent,
    benchmark: percent): number =
  if improvement(m, before, benchmark) <= 0 pp
  then not scored because "the baseline rate was already at or beyond the benchmark"
  else clamp(improvement(m, before, after) / improvement(m, before, benchmark), 0, 1)

## Whether a target is met the Oregon way: the rate `after` reaches the `benchmark`, or it
## closes at least `share` of the distance from the baseline rate `before` to the benchmark
## (the organization's own improvement target). Always yes or no once both rates are scored.
## Example: payment.benchmark_or_improvement_met(CBP, 62%, 64%, 72%, 10%) is yes
define benchmark_or_improvement_met(m: measure, before: percent, after: percent,
    benchmark: percent, share: percent): yesno =
  not disparity.better(m, benchmark, after)
  or not disparity.better(m, before + (benchmark - before) * share, after)

## Achievement points from 0 to 10 by tenths of a score from 0 to 1 (0.45 earns 4 points),
## as state Medicaid ACO programs score a measure. Unit: a plain number.
## Example: payment.achievement_points(0.45) is 4
schedule achievement_points(score: number): number
  domain from 0 through 1
  from 0 to 0.1    pays 0
  from 0.1 to 0.2  pays 1
  from 0.2 to 0.3  pays 2
  from 0.3 to 0.4  pays 3
  from 0.4 to 0.5  pays 4
  from 0.5 to 0.6  pays 5
  from 0.6 to 0.7  pays 6
  from 0.7 to 0.8  pays 7
  from 0.8 to 0.9  pays 8
  from 0.9 to 1    pays 9
  from 1 through 1 pays 10
end

## Credit by quarters of a gap closed: nothing below 25%, then 0.25, 0.5 and 0.75, and full
## credit from 100%. Unit: a plain number from 0 to 1. A common grid; a contract with other
## tiers declares its own schedule.
## Example: payment.closure_quarters(60%) is 0.5
schedule closure_quarters(closed: percent): number
  below 25%        pays 0
  from 25% to 50%  pays 0.25
  from 50% to 75%  pays 0.5
  from 75% to 100% pays 0.75
  from 100%        pays 1
end

# ---- peers -----------------------------------------------------------------------------

## The number of organizations in the measure tables where group `g` has data on `m` in `p`
## (see `statistics.has_data`). Unit: a count.
## Example: payment.peers_with_data(COL, ALL, performance)
define peers_with_data(m: measure, g: group, p: period): count =
  count(statistics.has_data(m, g, p) at o for each o in organizations)

## A peer cut point: the `share` percentile of group `g`'s rate across every organization in
## the measure tables with data (interpolating between ranks). For a measure where lower is
## better, the better cut is the lower percentile. Unit: percent. Not scored when no
## organization has data.
## Example: payment.peer_cut(CBP, ALL, performance, 67%)
define peer_cut(m: measure, g: group, p: period, share: percent): percent =
  if peers_with_data(m, g, p) = 0
  then not scored because "no organization has data on this measure for the group"
  else percentile(
    share,
    statistics.usable_rate(m, g, p) at o
    for each o in organizations, not scored: skip)

## The peers' median rate of group `g` on `m` in `p`. Unit: percent. Not scored when no
## organization has data.
## Example: payment.peer_median(COL, SocialRisk, performance)
define peer_median(m: measure, g: group, p: period): percent =
  peer_cut(m, g, p, 50%)

## The number of organizations whose rate for group `g` is strictly better than this
## organization's. Unit: a count.
define peers_ahead(m: measure, g: group, p: period): count =
  count(
    disparity.better(
      m,
      statistics.usable_rate(m, g, p) at o,
      statistics.usable_rate(m, g, p))
    for each o in organizations, not scored: skip)

## The number of organizations whose rate for group `g` is strictly worse than this
## organization's. Unit: a count.
define peers_behind(m: measure, g: group, p: period): count =
  count(
    disparity.better(
      m,
      statistics.usable_rate(m, g, p),
      statistics.usable_rate(m, g, p) at o)
    for each o in organizations, not scored: skip)

## The peer third of this organization on group `g`'s rate, ranked among every organization
## with data in the measure tables. Its place is one after the organizations doing strictly
## better, so tied organizations share the better place. The place is in the top third (1)
## when its middle lies in the first third of the ranking, in the bottom third (-1) when
## its middle lies in the last third, and in the middle third (0) otherwise, which splits
## the ranking as evenly as its size allows: four organizations make one top, two middle
## and one bottom; five make two, one and two. Of three organizations at 70%, 60% and 60%,
## the two at 60% share second place, the middle third. Unit: a plain number. Not scored
## when this organization has no data for the group, or fewer than three organizations do.
## Example: payment.peer_third(COL, SocialRisk, performance)
define peer_third(m: measure, g: group, p: period): number =
  if not statistics.has_data(m, g, p)
  then not scored because "this organization has no data for the group, so it is not ranked"
  else if peers_with_data(m, g, p) < 3
  then not scored because "fewer than three organizations have data, so there are no thirds"
  else if 3 * (peers_ahead(m, g, p) + 0.5) < peers_with_data(m, g, p)
  then 1
  else if 3 * (peers_ahead(m, g, p) + 0.5) > 2 * peers_with_data(m, g, p)
  then -1
  else 0

## Points for a peer third (see `peer_third`): `top` for 1, `middle` for 0, `bottom` for -1.
## Unit: a plain number.
## Example: payment.third_points(payment.peer_third(CBP, ALL, performance), 4, 2, 0)
define third_points(third: number, top: number, middle: number, bottom: number): number =
  if third > 0 then top else if third < 0 then bottom else middle

# ---- pools, caps, floors and withholds ---------------------------------------------------

## A measure's weight rescaled over the weight of the measures that were scored, so that the
## scored measures share the whole pool: `weight ÷ scored_weight`. Unit: percent. Not scored
## when no weight was scored.
## Example: payment.rescaled_weight(30%, 70%) is about 42.86%
define rescaled_weight(weight: percent, scored_weight: percent): percent =
  if scored_weight <= 0%
  then not scored because "no measure with a weight was scored"
  else weight / scored_weight * 100%

## A measure's payout from a pool: the pool times the measure's rescaled weight (see
## `rescaled_weight`) times its score. Unit: money. Not scored when the score is not.
## Example: payment.pool_payout($500,000.00, 30%, 70%, 0.5)
define pool_payout(pool: money, weight: percent, scored_weight: percent,
    score: number): money =
  pool * rescaled_weight(weight, scored_weight) * score

## An amount never above `cap`. Unit: money.
## Example: payment.capped($1,250.00, $1,000.00) is $1,000.00
define capped(amount: money, cap: money): money =
  min(amount, cap)

## An amount never below `floor`. Unit: money.
## Example: payment.floored(-$300.00, $0.00) is $0.00
define floored(amount: money, floor: money): money =
  max(amount, floor)

## An amount never above `share` of `base` (a cap written as a share, such as 5% of the
## budget). Unit: money.
## Example: payment.capped_at_share($80,000.00, $1,000,000.00, 5%) is $50,000.00
define capped_at_share(amount: money, base: money, share: percent): money =
  min(amount, base * share)

## The amount withheld from a `base` payment at the withhold `share`. Unit: money.
## Example: payment.withheld($2,000,000.00, 2%) is $40,000.00
define withheld(base: money, share: percent): money =
  base * share

## The part of a withhold paid back for a score from 0 to 1 (a score outside is clamped): a
## score of 0.75 returns three quarters. Unit: money.
## Example: payment.withhold_returned($40,000.00, 0.75) is $30,000.00
define withhold_returned(withhold: money, score: number): money =
  withhold * clamp(score, 0, 1)

# ---- no leveling down --------------------------------------------------------------------

## Yes when the whole population's rate on `m` got worse from `before` to `after` by more
## than `margin`. Not scored when the whole population has no members in either period.
## Example: payment.leveled_down(COL, baseline, performance, 1 pp)
define leveled_down(m: measure, before: period, after: period, margin: pp): yesno =
  improvement(m, rate(m, ALL, before), rate(m, ALL, after)) < -margin

## Yes when the rate of the group `g` is compared with got worse from `before` to `after` by
## more than `margin`: a gap that closes this way closes by worse care, not better. Not
## scored when the reference has no data in either period.
## Example: payment.reference_worsened(CBP, Black, baseline, performance, 1 pp)
define reference_worsened(m: measure, g: group, before: period, after: period,
    margin: pp): yesno =
  improvement(
    m,
    statistics.usable_rate(m, reference(m, g, before), before),
    statistics.usable_rate(m, reference(m, g, after), after))
  < -margin

## The no-leveling-down guard: yes when neither the whole population nor `g`'s reference
## group got worse by more than `margin`. A contract pays a closed gap only when this holds.
## Not scored when either rate is not.
## Example: payment.no_leveling_down(COL, Black, baseline, performance, 1 pp)
define no_leveling_down(m: measure, g: group, before: period, after: period,
    margin: pp): yesno =
  not leveled_down(m, before, after, margin)
  and not reference_worsened(m, g, before, after, margin)

## A score, or 0 when the no-leveling-down guard fails (see `no_leveling_down`), with the
## reason in the trace. Unit: a plain number.
## Example: payment.guarded_score(0.8, COL, Black, baseline, performance, 1 pp)
define guarded_score(score: number, m: measure, g: group, before: period, after: period,
    margin: pp): number =
  if no_leveling_down(m, g, before, after, margin)
  then score
  else 0
    because "care got worse for the whole population or the reference group (leveling down)"
