# expect: E0111 7:19 rows spelled "Other" in the table already belong to group `OtherRace` of stratification `race`
stratification race
  groups Asian, White, "Other" as OtherRace
  reference White
end
stratification language
  groups English, "Other" as OtherLanguage
  reference English
end
