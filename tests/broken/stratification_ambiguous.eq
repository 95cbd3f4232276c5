# expect: E0106 13:25 more than one stratification
stratification race
  groups Asian, Black, White
  reference White
end

stratification language
  groups English, Spanish
  reference English
end

define group_count: count =
  count(g for each g in focus groups)
