# expect: E0308 5:23 `not scored: rescale` scales up the weights of the scored items, but this `sum` has no weights
measure COL "Colorectal" higher is better
measure CBP "Blood pressure" higher is better
define total(p: period): percent =
  sum(rate(m, ALL, p) for each m in measures, not scored: rescale)
