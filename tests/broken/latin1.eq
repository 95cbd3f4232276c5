# expect: E0001 2:30 not valid UTF-8
parameter city: text = "Montréal"
