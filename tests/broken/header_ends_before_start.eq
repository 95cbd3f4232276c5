# expect: E0110 6:3 the contract ends (2023-12-31) before it starts (2024-01-01)
contract "Backwards"
  provider each organization
  currency USD
  period performance is "2024"
  effective 2024-01-01 to 2023-12-31
end
