# expect: E0102 6:1 `COL` is declared twice
## A measure declared a second time, without a weight: only the duplicate is reported, once,
## and the weights of the first declarations still sum to 100%.
measure COL "Colorectal cancer screening" higher is better weight 50%
measure CBP "Controlling high blood pressure" higher is better weight 50%
measure COL "Colorectal cancer screening" lower is better
