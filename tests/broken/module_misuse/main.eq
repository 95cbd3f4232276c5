# expect: E0307 terms.eq:8:1 an imported module cannot have outputs; `bonus` would never be settled
# expect: E0106 terms.eq:6:46 group `White` is in none of the contract's stratifications
# expect: E0203 14:25 expected a percent, found money
# expect: E0103 16:3 `terms.gap` takes 2 arguments, but 1 was given
contract "Main"
  provider each organization
  currency USD
  period performance is "2024"
end

import "terms.eq" as terms

define white_rate: percent = terms.white(performance)
define share: percent = terms.pool
define gap_of(p: period): pp =
  terms.gap(p)
