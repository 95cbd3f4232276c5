# expect: E0104 7:29 `race` is a stratification, not a value
stratification race
  groups Black, White
  reference White
end

define group_count: count = race
