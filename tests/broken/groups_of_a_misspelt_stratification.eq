# expect: E0101 7:60 `rac` is not a stratification
stratification race
  groups Black, White
  reference White
end

define size: count = count(g for each g in focus groups of rac)
