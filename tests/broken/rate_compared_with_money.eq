# expect: E0202 9:3 cannot compare a percent with money
measure COL "Colorectal cancer screening" higher is better
stratification race
  groups Black, White
  reference White
end
parameter target: money = $60.00
define met(p: period): yesno =
  rate(COL, Black, p) >= target
