# A deliberately broken contract, for tests/test_invariant_search.py: a bonus for complete
# race data whose share divides by the whole population without a guard, so an organization
# with no screening members stops the settlement with a division by zero (E0401). The fix
# is the guard of contracts/bluecross-mgb.eq's `missing_race`.

## A data-completeness bonus with an unguarded share.
contract "Data completeness bonus (unguarded)"
  provider each organization
  currency USD
  period performance is "2024"
end

import hedis

measure COL from hedis

stratification race
  groups Black, White, Unknown
  reference White
end

parameter bonus: money = $10,000.00

## The share of screening members with no race recorded.
output missing_race: percent =
  denominator(COL, Unknown, performance) / denominator(COL, ALL, performance) * 100%
  rounded to 2 decimals half even

output data_bonus: money =
  if missing_race < 10% then bonus else $0.00
  rounded to cents half up

invariant "the bonus is at most the bonus": always data_bonus <= bonus
