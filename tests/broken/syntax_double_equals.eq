# expect: E0002 4:33 `==` is not an eqlang operator
parameter small_gap: pp = 2 pp

define closed(g: pp): yesno = g == small_gap
