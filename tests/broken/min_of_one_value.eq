# expect: E0103 3:3 `max` of values takes at least 2 arguments
define capped(x: number): number =
  max(x)
