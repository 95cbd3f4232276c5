# expect: E0307 4:36 only money is rounded to cents
parameter share: percent = 35%

output paid_share: percent = share rounded to cents half up
