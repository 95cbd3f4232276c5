# expect: E0110 2:1 the contract header does not say its currency
contract "No currency"
  provider each organization
  period baseline is "2022"
  period performance is "2024"
end
