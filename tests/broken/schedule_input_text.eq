# expect: E0309 3:16 a schedule maps numbers to values
# expect: E0309 4:8 tier bound is a number but `name` is text
schedule label(name: text): number
  from 0 pays 1
end
