# expect: E0101 11:27 `minimum_sise` is not defined
# expect: E0201 13:23 cannot add money and a percent
# expect: E0102 15:1 `pool` is declared twice
## Three independent mistakes: all are reported in one run.
measure COL "Colorectal cancer screening" higher is better

parameter pool: money = $1,000,000.00
parameter minimum_size: count = 30

define big_enough(m: measure, g: group, p: period): yesno =
  denominator(m, g, p) >= minimum_sise

define bonus: money = pool + 5%

parameter pool: money = $2,000,000.00
