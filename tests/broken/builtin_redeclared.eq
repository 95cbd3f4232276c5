# expect: E0102 2:1 `rate` is the name of a builtin
define rate: percent = 50%
