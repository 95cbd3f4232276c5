# expect: E0004 2:39 unexpected character `"`
parameter pool: money = $1,000.00 per "Section 4.1
