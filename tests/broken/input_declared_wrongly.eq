# expect: E0113 15:15 an organization input is a number, yes/no or text, not a date
# expect: E0113 16:32 the range of `dual_share` is written in a number
# expect: E0113 17:1 `one of` lists the texts a text input may take
# expect: E0113 18:48 "small" is listed twice
# expect: E0113 19:28 `member_months` is a count, which is never negative
# expect: E0113 20:18 the range of `spread` holds no value
contract "Example"
  provider each organization
  currency USD
  period performance is "2024"
end

measure COL "Colorectal cancer screening" higher is better

input opened: date
input dual_share: percent from 0 through 100
input region: count one of "North", "South"
input size_band: text one of "small", "large", "small"
input member_months: count from -10 to 100
input spread: pp from 5 pp to 1 pp
