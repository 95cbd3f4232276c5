# expect: E0201 7:19 only a number has an interval, not yes/no
# expect: E0203 9:45 expected a percent, found percentage points
# expect: E0203 11:54 expected a count, found a percent
# expect: E0306 12:28 a parameter's value must be a constant
measure COL "Colorectal" higher is better
define flag(p: period): yesno =
  simulated lower(rate(COL, ALL, p) > 50%, level: 95%, draws: 100, seed: 1)
define points(p: period): percent =
  simulated lower(rate(COL, ALL, p), level: 95 pp, draws: 100, seed: 1)
define shares(p: period): pp =
  simulated standard error(rate(COL, ALL, p), draws: 10%, seed: 1)
parameter fixed: percent = simulated lower(50%, level: 95%, draws: 100, seed: 1)
