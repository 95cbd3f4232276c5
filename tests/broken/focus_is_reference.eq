# expect: E0106 5:16 is the reference group
stratification race
  groups Asian, Black, White
  reference White
  focus Asian, White
end
