# expect: E0106 5:13 reference group `Whit` is not a group of `race`
## The reference group is misspelled, so it is not one of the groups.
stratification race
  groups Asian, Black, White
  reference Whit
end
