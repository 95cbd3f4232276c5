# expect: E0111 9:10 group `Other` is already in stratification `race`
# xfail: one mistake is reported twice: E0102 `Other` is declared twice, at the same place
stratification race
  groups Asian, Black, White, Other
  reference White
end

stratification language
  groups Other, English, Spanish
  reference English
end
