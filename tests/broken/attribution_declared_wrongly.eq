# expect: E0114 24:22 `ethnic` is not a stratification of the contract
# expect: E0114 26:3 `Unknwn` is not a group of `race`
# expect: E0114 26:41 the threshold 120% is not a probability above 0% and at most 100%
# expect: E0114 27:33 the tolerance 0.5 is more than 0.01
# expect: E0114 30:1 the contract states its attribution terms twice
contract "Example"
  provider each organization
  currency USD
  period performance is "2024"
end

measure COL "Colorectal cancer screening" higher is better

stratification race
  groups Black, White, Unknown
  reference White
end

stratification ethnicity
  groups Hispanic, NotHispanic
  reference NotHispanic
end

attribution of race, ethnic
  self-reported first
  imputed to the most probable group at 120% or more, else Unknwn
  probabilities sum to 1 within 0.5
end

attribution of race
  imputed counted fractionally
end
