# expect: E0104 4:26 `gap` takes 2 arguments
define gap(a: percent, b: percent): pp = a - b

define doubled: pp = 2 * gap
