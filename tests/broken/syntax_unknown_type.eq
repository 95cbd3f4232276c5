# expect: E0002 2:25 unexpected `integer`
parameter minimum_size: integer = 30
