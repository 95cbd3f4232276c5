# expect: E0202 7:3 a group has no order
stratification race
  groups Black, White
  reference White
end
define first(g: group): yesno =
  g < White
