# expect: E0110 6:3 the provider's name begins or ends with a space, so no row of a table can match it
# expect: E0110 8:3 the label of period `baseline` is empty
# expect: E0110 9:3 the label of period `performance` begins or ends with a space
# expect: E0106 13:10 the table spelling of group `Black` begins or ends with a space
contract "Spaces around table names"
  provider "Harbor Clinic "
  currency USD
  period baseline is ""
  period performance is " 2024"
end

stratification race
  groups "Black or African American " as Black, White
  reference White
end
