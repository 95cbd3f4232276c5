# expect: E0001 - not valid UTF-8
parameter city: text = "Montréal"
