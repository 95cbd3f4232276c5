# expect: E0008 8:1 this doc comment documents nothing: no declaration follows it
# A doc comment left behind after the last declaration, whose declaration was deleted.
measure COL "Colorectal cancer screening" higher is better

## The pool each organization can earn.
parameter pool: money = $1,000,000.00

## The bonus for complete race data, paid on top of the pool.
