# A module of the module_misuse case: its template's groups are not the contract's.
stratification omb
  groups Black, White
  reference White
end
define white(p: period): percent = rate(COL, White, p)
measure COL "Colorectal cancer screening" higher is better
output bonus: money = pool not rounded
parameter pool: money = $1,000.00
define gap(p: period, g: group): pp = rate(COL, g, p) - rate(COL, ALL, p)
