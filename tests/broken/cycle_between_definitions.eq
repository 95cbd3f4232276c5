# expect: E0301 2:1 depends on itself
define gap_score: number = closure_score * 2

define closure_score: number = gap_score / 2
