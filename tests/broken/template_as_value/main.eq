# expect: E0104 main.eq:9:24 `groups.omb_race` is a module's stratification template
import "groups.eq" as groups

stratification race from groups.omb_race
end

define size(s: stratification): count = count(g for each g in groups of s)

define n: count = size(groups.omb_race)
define m: count = size(race)
