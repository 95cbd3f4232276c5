# SYNTAX TEST "source.eqlang" "worked examples and invariants"
example "a mixed year"
# <------- storage.type.example.eqlang
#       ^^^^^^^^^^^^^^ entity.name.section.eqlang string.quoted.double.eqlang
  organization "Example Health"
# ^^^^^^^^^^^^ keyword.other.eqlang
  set pool = $500,000.00
# ^^^ keyword.other.example.eqlang
#          ^ keyword.operator.comparison.eqlang
  as of 2024-12-31
# ^^^^^ keyword.other.example.eqlang
  table "rows.csv"
# ^^^^^ keyword.other.example.eqlang
  rows for "Example Health"
# ^^^^^^^^ keyword.other.example.eqlang
    COL ALL      2022: 980 of 1400
#   ^^^ entity.name.type.measure.eqlang
#       ^^^ constant.language.whole-population.eqlang
#                ^^^^ constant.numeric.decimal.eqlang
#                    ^ punctuation.separator.colon.eqlang
#                      ^^^ constant.numeric.decimal.eqlang
#                          ^^ keyword.other.eqlang
#                             ^^^^ constant.numeric.decimal.eqlang
    COL "Black or African American" baseline: 60.5 of 100
#       ^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.eqlang
#                                             ^^^^ constant.numeric.decimal.eqlang
  expect measure_payout(COL) = $210,000.00
# ^^^^^^ keyword.other.example.eqlang
#        ^^^^^^^^^^^^^^ entity.name.function.eqlang
#                              ^^^^^^^^^^^^ constant.numeric.money.eqlang
  expect payout is not scored because "nothing scored"
#               ^^^^^^^^^^^^^ keyword.operator.word.eqlang
#                             ^^^^^^^ keyword.control.eqlang
end
# <--- keyword.other.end.eqlang

invariant "payout within the pool": always payout >= $0.00 and payout <= pool
# <--------- storage.type.invariant.eqlang
#         ^^^^^^^^^^^^^^^^^^^^^^^^ entity.name.section.eqlang
#                                 ^ punctuation.separator.colon.eqlang
#                                   ^^^^^^ keyword.other.invariant.eqlang
invariant "better care never pays less":
  payout never falls when rate(m, g, performance) improves
#        ^^^^^ keyword.other.invariant.eqlang
#              ^^^^^ keyword.other.invariant.eqlang
#                    ^^^^ keyword.control.exception.eqlang
#                                                 ^^^^^^^^ keyword.other.invariant.eqlang
  for each m in measures, g in focus groups
# ^^^^^^^^ keyword.control.loop.eqlang
#               ^^^^^^^^ variable.language.domain.eqlang
