# expect: E0306 4:3 two amendments of `pool` take effect on 2024-07-01
parameter pool: money = $1,000,000.00 per "Section 4.1"
  amended to $1,200,000.00 from 2024-07-01 per "Amendment 1"
  amended to $1,250,000.00 from 2024-07-01 per "Amendment 2"
