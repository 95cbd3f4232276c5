# expect: E0002 4:1 unexpected `define`
parameter small_gap: pp = 2 pp
define closed(gap: pp): yesno = gap <= small_gap and
define gap_closed: yesno = closed(1 pp)
