# expect: E0010 5:14 cannot round to 999999999999 decimals
parameter pool: money = $1,000.00

output share: money = pool / 3
  rounded to 999999999999 decimals half even
