# expect: E0001 2:44 a carriage return (CR) that does not end a line
parameter pool: money = $0.00 # Amendment 3parameter bonus: money = $5.00
