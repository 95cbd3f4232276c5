# expect: E0303 6:3 two tiers overlap
## Closure of 25% falls in both the first and the second tier.
schedule credit(closure: percent): number
  domain from 0% through 100%
  from 0% through 25% pays 0
  from 25% to 50% pays 0.5
  from 50% through 100% pays 1
end
