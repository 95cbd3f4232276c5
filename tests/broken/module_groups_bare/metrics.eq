# A module of the module_groups_bare case: it cannot know the contract's stratifications.
define group_count: count = count(g for each g in groups)
define group_count_of(s: stratification): count = count(g for each g in groups of s)
