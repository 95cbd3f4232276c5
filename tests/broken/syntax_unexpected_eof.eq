# expect: E0003 6:25 unexpected end of file
contract "Unfinished"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
