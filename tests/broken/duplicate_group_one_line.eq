# expect: E0102 3:24 group `Black` is listed twice in `race`
stratification race
  groups Asian, Black, Black, White
  reference White
end
