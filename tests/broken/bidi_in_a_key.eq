# expect: E0009 3:16 in a name or a quoted key
stratification race
  groups "Black‏" as Black, White
  reference White
end
