# expect: E0112 2:1 does not say which direction is better
measure ED30 "Emergency department visits within 30 days of discharge" weight 100%
