# expect: E0110 4:3 currency `EUR` is not supported
contract "Euro"
  provider each organization
  currency EUR
  period baseline is "2022"
end
