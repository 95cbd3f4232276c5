# expect: E0002 4:34 unexpected `=`
parameter small_gap: pp = 2 pp

define closed(g: pp): yesno = g == small_gap
