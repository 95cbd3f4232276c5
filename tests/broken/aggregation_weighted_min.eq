# expect: E0308 5:29 `min` cannot be weighted; only `sum` and `mean` can
# expect: E0308 6:45 `count` cannot be weighted; only `sum` and `mean` can
measure COL "Colorectal" higher is better weight 100%
define lowest: percent =
  min(weight(m) weighted by weight(m) for each m in measures)
define counted: count = count(m weighted by weight(m) for each m in measures)
