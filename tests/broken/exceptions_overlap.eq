# expect: E0305 10:3 two exceptions of `focus_weight` apply when `g` is Black
stratification race
  groups Asian, Black, Hispanic, White
  reference White
end

define focus_weight(g: group): number =
  1
  except 2 when g in {Black, Hispanic}
  except 3 when g = Black
