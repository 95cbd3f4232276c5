# A module of the module_groups_bare case: a bare `groups` needs the contract to have one
# stratification; `groups of s` works with any.
define group_count: count = count(g for each g in groups)
define group_count_of(s: stratification): count = count(g for each g in groups of s)
