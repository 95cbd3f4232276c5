# expect: E0304 5:3 no tier covers the top of the domain
schedule credit(closure: percent): number
  domain from 0% through 100%
  from 0% to 50% pays 0
  from 50% to 100% pays 1
end
