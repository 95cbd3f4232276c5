# expect: E0310 10:63 the input that moves must be a rate read from the measure table
# expect: E0310 11:16 only a number can rise; `payout > pool` gives yes/no
contract "Invariant" provider each organization currency USD period performance is "2024" end
import hedis
measure COL from hedis
stratification race groups Black, White reference White end
parameter pool: money = $100.00
output payout: money = pool * rate(COL, Black, performance) rounded to cents half up

invariant "more screening pays more": payout never falls when numerator(COL, Black, performance) rises
invariant "x": payout > pool never rises when rate(COL, Black, performance) rises
