# expect: E0308 3:37 the number of decimal places must be written out
parameter places: count = 2
define third: number = round(1 / 3, places, half up)
