# expect: E0002 3:16 unexpected `=`
# expect: E0002 5:32 unexpected `)`
parameter pool = $100.00

define share: percent = (50% + )
