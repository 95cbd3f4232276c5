# expect: E0308 4:29 only `mean` can be weighted
measure COL "Colorectal" higher is better weight 100%
define total_weight: percent =
  sum(weight(m) weighted by weight(m) for each m in measures)
