# expect: E0106 5:9 focus group `Hispanic` is not a group of `race`
stratification race
  groups Asian, Black, White
  reference White
  focus Hispanic, Black
end
