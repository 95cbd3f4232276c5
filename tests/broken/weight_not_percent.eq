# expect: E0203 2:50 the weight of `COL` must be a percent, not a number
measure COL "Colorectal" higher is better weight 100
