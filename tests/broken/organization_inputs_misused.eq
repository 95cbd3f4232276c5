# expect: E0306 20:33 `member_months` is an organization input, read for each organization
# expect: E0202 21:19 `region` is never "Nrth"
# expect: E0101 22:32 `Harbor` is not defined
# expect: E0202 23:16 cannot compare an organization with a number
# expect: E0202 24:16 an organization has no order
# expect: E0104 25:66 `pool` is a parameter; peers are those with the same value
# expect: E0101 26:67 `regions` is not declared
# expect: E0101 27:16 `organisation` is not defined
contract "Example"
  provider each organization
  currency USD
  period performance is "2024"
end

measure COL "Colorectal cancer screening" higher is better

input member_months: count
input region: text one of "North", "South"

parameter pool: money = $4.00 * member_months
define in_north = region = "Nrth"
define harbor = organization = Harbor
define named = organization = 5
define first = organization < "B"
define peers = count(o for each o in organizations with the same pool)
define others = count(o for each o in organizations with the same regions)
define wrong = organisation = "A"
