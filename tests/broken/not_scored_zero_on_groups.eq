# expect: E0308 8:9 `not scored: zero` needs numeric values
# expect: E0201 8:7 `min` needs numbers, found a group
stratification race
  groups Black, White
  reference White
end
define lowest: group =
  min(g for each g in focus groups, not scored: zero)
