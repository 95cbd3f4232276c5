# expect: E0002 5:1 unexpected `define`
parameter pool: money = $1,000,000.00

output payout: money = pool * 50%
define half: percent = 50%
