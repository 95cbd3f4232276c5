# expect: E0002 5:1 unexpected `define`
# xfail: `define` after an unfinished expression is read as a name, so the error lands on `gap_closed` (5:8)
parameter small_gap: pp = 2 pp
define closed(gap: pp): yesno = gap <= small_gap and
define gap_closed: yesno = closed(1 pp)
