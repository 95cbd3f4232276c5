# expect: E0101 4:41 `hedes` is not an imported module
import hedis

define better: yesno = higher_is_better(hedes.COL)
