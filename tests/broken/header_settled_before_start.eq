# expect: E0110 6:3 the contract is settled as of 2023-06-30, before it takes effect on 2024-01-01
contract "Early"
  provider each organization
  currency USD
  effective 2024-01-01 to 2024-12-31
  settled as of 2023-06-30
  period performance is "2024"
end
