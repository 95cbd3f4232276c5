# expect: E0306 3:33 a parameter's value must be a constant
measure COL "Colorectal" higher is better
parameter col_weight: percent = weight(COL)
