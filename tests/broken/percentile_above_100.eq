# expect: E0308 4:14 a percentile lies between 0% and 100%, not 167%
## The top third of peers starts at the 67th percentile; 167% is a slip of the keyboard.
define top_third_cut(m: measure, p: period): percent =
  percentile(167%, rate(m, ALL, p) at o for each o in organizations)
