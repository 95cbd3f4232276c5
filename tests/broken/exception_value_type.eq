# expect: E0203 6:10 expected money, found a percent
parameter pool: money = $1,000.00
parameter waived: yesno = no

define payment: money = pool
  except 0% when waived
