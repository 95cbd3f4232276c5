# expect: E0009 3:29 in code or a comment
parameter pool: money = $1,000.00
# The pool is fixed at last.‮ $0.00 = pool
