# expect: E0009 2:39 is not ended
parameter pool: money = $1,000.00 per "‮Section 4"
