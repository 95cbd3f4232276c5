# expect: E0102 5:1 `pool` is declared twice
parameter pool: money = $1,000,000.00
parameter small_gap: pp = 2 pp

define pool: money = $500,000.00
