# expect: E0001 2:16 a control character, \x1b
contract "Evil ]0;pwned"
end
