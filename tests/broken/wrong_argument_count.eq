# expect: E0103 8:3 `rate` takes 3 arguments, but 2 were given
measure COL "Colorectal cancer screening" higher is better
stratification race
  groups Asian, White
  reference White
end
define asian_rate(p: period): percent =
  rate(COL, Asian)
