# expect: E0111 main.eq:6:10 group `Other` is already in stratification `race`
import "groups.eq" as groups

stratification race from groups.race end
stratification language
  groups Other, English, Spanish
  reference English
end
