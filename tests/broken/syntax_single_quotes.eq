# expect: E0004 2:37 unexpected character `'`
parameter pool: money = $100.00 per 'Section 4.1'
