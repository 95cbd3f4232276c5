# expect: E0203 7:64 expected a stratification, found a group
stratification race
  groups Black, White
  reference White
end

define size(g: group): count = count(h for each h in groups of g)
