# expect: E0301 4:1 `floor` depends on itself: floor -> ceiling -> floor
# expect: E0306 6:32 `bonus_rule` is a definition
## Two parameters written in terms of each other, and one that names a definition.
parameter floor: money = ceiling * 50%
parameter ceiling: money = floor * 2
parameter bonus: money = $10 + bonus_rule
define bonus_rule: money = $5.00
