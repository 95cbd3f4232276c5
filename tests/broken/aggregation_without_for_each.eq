# expect: E0308 3:3 `sum` needs a `for each` clause
define total: number =
  sum(1)
