# expect: E0002 7:1 unexpected `parameter`
# A stratification block that is never closed: the next declaration is where it breaks.
stratification race
  groups Asian, Black, White
  reference White

parameter pool: money = $1,000.00
