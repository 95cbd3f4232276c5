# expect: E0103 5:3 `gap` takes 2 arguments, but 3 were given
define gap(a: percent, b: percent): pp = a - b

define sample_gap: pp =
  gap(60%, 50%, 40%)
