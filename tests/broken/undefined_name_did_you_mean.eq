# expect: E0101 5:8 `minimum_sise` is not defined
parameter minimum_size: count = 30

define big_enough(n: count): yesno =
  n >= minimum_sise
