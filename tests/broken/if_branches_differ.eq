# expect: E0201 5:3 the two branches of `if` give different types
parameter pool: money = $1,000.00

define bonus(met: yesno): money =
  if met then pool else 10%
