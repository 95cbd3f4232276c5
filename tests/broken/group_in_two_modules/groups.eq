# A module of the group_in_two_modules case: a stratification a contract can start from.
stratification race
  groups Asian, Black, White, Other
  reference White
end
