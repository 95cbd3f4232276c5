# expect: E0102 5:3 the header gives `currency` twice
contract "Twice"
  provider each organization
  currency USD
  currency USD
  period baseline is "2022"
end
