# expect: E0309 4:8 tier bound is percentage points but `closure` is a percent
schedule credit(closure: percent): number
  below 50% pays 0
  from 50 pp pays 1
end
