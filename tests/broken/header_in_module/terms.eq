# A module of the header_in_module case: a module must not have a header.
contract "Shared terms"
  provider each organization
  currency USD
  period baseline is "2022"
end

parameter pool: money = $1,000.00
