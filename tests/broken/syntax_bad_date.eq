# expect: E0007 7:13 is not a calendar date
contract "Leap year"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2023"
  effective 2023-02-29 to 2023-12-31
end
