# expect: E0304 6:3 no tier covers values between 25% and 30%
schedule credit(closure: percent): number
  domain from 0% through 100%
  from 0% to 25% pays 0
  ## Typo: 30% where 25% was meant; closures from 25% to 30% earn nothing defined.
  from 30% to 50% pays 0.5
  from 50% through 100% pays 1
end
