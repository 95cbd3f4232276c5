# expect: E0202 4:35 cannot look for
measure COL "Colorectal cancer screening" higher is better

define listed(n: number): yesno = n in measures
