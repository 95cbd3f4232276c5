# expect: E0106 4:3 stratification `income` is ordered but has fewer than two groups
stratification income
  groups Low
  ordered least advantaged first
  reference rest of population
end
