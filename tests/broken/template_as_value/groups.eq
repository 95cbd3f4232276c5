# A module of the template_as_value case.
stratification omb_race
  groups Black, White
  reference White
end
