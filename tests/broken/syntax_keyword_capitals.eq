# expect: E0002 3:50 unexpected `AND`
parameter small_gap: pp = 2 pp
define both(a: pp, b: pp): yesno = a < small_gap AND b < small_gap
