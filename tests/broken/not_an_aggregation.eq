# expect: E0104 5:3 `total` is not an aggregation
measure COL "Colorectal cancer screening" higher is better

define measure_count: count =
  total(1 for each m in measures)
