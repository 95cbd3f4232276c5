# expect: E0313 10:3 `simulated lower` needs `seed:`
# expect: E0313 12:71 `draws` is given twice
# expect: E0313 14:68 a standard error has no level: it measures the spread of the
# expect: E0313 16:45 a confidence level lies strictly between 0% and 100%, not 10
# expect: E0313 18:57 the number of draws is a whole number from 2 to 100,000, not
# expect: E0313 20:67 a seed is a whole number, 0 or more, not -3
# expect: E0313 23:26 a simulated interval cannot be simulated again
measure COL "Colorectal" higher is better
define missing(p: period): percent =
  simulated lower(rate(COL, ALL, p), level: 95%, draws: 100)
define twice(p: period): percent =
  simulated upper(rate(COL, ALL, p), level: 95%, draws: 100, seed: 1, draws: 200)
define leveled(p: period): pp =
  simulated standard error(rate(COL, ALL, p), draws: 100, seed: 1, level: 90%)
define certain(p: period): percent =
  simulated lower(rate(COL, ALL, p), level: 100%, draws: 100, seed: 1)
define half(p: period): percent =
  simulated lower(rate(COL, ALL, p), level: 95%, draws: 1.5, seed: 1)
define negative(p: period): percent =
  simulated upper(rate(COL, ALL, p), level: 95%, draws: 10, seed: -3)
define nested(p: period): percent =
  simulated lower(
    rate(COL, ALL, p) + (simulated upper(rate(COL, ALL, p), level: 90%, draws: 10, seed: 1) - 0%),
    level: 95%, draws: 10, seed: 2)
