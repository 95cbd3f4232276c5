# expect: E0307 2:1 takes at most one parameter
output pair_payout(m: measure, g: group): money = $0.00 rounded to cents half up
