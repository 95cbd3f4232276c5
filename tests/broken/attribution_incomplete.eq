# expect: E0114 18:41 the threshold is a percent, not a number
# expect: E0114 19:24 a member's probabilities sum to 1, not 2
contract "Example"
  provider each organization
  currency USD
  period performance is "2024"
end

measure COL "Colorectal cancer screening" higher is better

stratification race
  groups Black, White
  reference White
end

attribution of race
  self-reported first
  imputed to the most probable group at 0.8 or more, else White
  probabilities sum to 2 within 1%
end
