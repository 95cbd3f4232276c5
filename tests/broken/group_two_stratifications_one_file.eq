# expect: E0111 8:10 group `Other` is already in stratification `race`
stratification race
  groups Asian, Black, White, Other
  reference White
end

stratification language
  groups Other, English, Spanish
  reference English
end
