# expect: E0203 2:22 is never scored, so its type is unknown
define placeholder = not scored because "terms to be agreed"
