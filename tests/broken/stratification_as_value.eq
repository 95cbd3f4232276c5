# expect: E0203 7:29 expected a count, found a stratification
stratification race
  groups Black, White
  reference White
end

define group_count: count = race
