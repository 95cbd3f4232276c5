# expect: E0201 6:3 cannot weight money by money: their product has no unit
## A weighted sum is a sum of products, so its value and weight must multiply: an amount
## can be weighted by a share, not by another amount.
measure COL "Colorectal" higher is better weight 100%
define paid: money =
  sum($1,000.00 weighted by $2.00 for each m in measures)
