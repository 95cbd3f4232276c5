# expect: E0308 2:40 the third argument of `round` is a rounding mode
define third: number = round(1 / 3, 2, 3)
