# expect: E0104 4:27 `pool` is money, not something to call
parameter pool: money = $1,000.00

define twice: money = 2 * pool(1)
