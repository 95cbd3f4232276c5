# expect: E0201 4:31 cannot add money and a percent
parameter pool: money = $1,000,000.00

define enlarged_pool: money = pool + 10%
