# expect: E0011 3:10 `Blаck` mixes scripts in one word
stratification race
  groups "Blаck" as Black, White
  reference White
end
