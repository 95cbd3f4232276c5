# expect: E0110 terms.eq:2:1 an imported module cannot have a contract header
contract "Main"
  provider each organization
  currency USD
  period baseline is "2022"
end

import "terms.eq" as terms
