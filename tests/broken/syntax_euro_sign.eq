# expect: E0004 2:25 unexpected character `€`
parameter pool: money = €1,000.00
