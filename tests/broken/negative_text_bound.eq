# expect: E0201 3:9 cannot negate text
schedule credit(closure: percent): number
  below -"ten" pays 0
  from 0% pays 1
end
