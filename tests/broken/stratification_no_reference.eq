# expect: E0106 2:1 has no reference group
stratification race
  groups Asian, Black, White
end
