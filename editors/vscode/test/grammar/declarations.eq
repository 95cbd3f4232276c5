# SYNTAX TEST "source.eqlang" "declarations, header, imports, measures, groups, parameters"
# A plain comment.
# <------------------ comment.line.number-sign.eqlang
## A doc comment for the header.
# <-- comment.line.double-number-sign.documentation.eqlang
contract "Example equity terms"
# <-------- storage.type.contract.eqlang
#        ^^^^^^^^^^^^^^^^^^^^^^ entity.name.type.contract.eqlang string.quoted.double.eqlang
  payer "Example Health Plan"
# ^^^^^ keyword.other.header.eqlang
#       ^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.eqlang
  provider each organization
# ^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.header.eqlang
  currency USD
# ^^^^^^^^ keyword.other.header.eqlang
#          ^^^ variable.other.eqlang
  period baseline is "2022"
# ^^^^^^ keyword.other.header.eqlang
#        ^^^^^^^^ variable.other.constant.period.eqlang
#                 ^^ keyword.other.header.eqlang
  version "1.0"
# ^^^^^^^ keyword.other.header.eqlang
  effective 2024-01-01 to 2024-12-31
# ^^^^^^^^^ keyword.other.header.eqlang
#           ^^^^^^^^^^ constant.numeric.date.eqlang
#                      ^^ keyword.other.eqlang
  settled as of 2025-06-30
# ^^^^^^^^^^^^^ keyword.other.header.eqlang
end
# <--- keyword.other.end.eqlang

import hedis
# <------ keyword.control.import.eqlang
#      ^^^^^ entity.name.namespace.eqlang
import "lib/plan_terms.eq" as plan
# <------ keyword.control.import.eqlang
#      ^^^^^^^^^^^^^^^^^^^ string.quoted.double.eqlang
#                          ^^ keyword.control.import.eqlang
#                             ^^^^ entity.name.namespace.eqlang

measure COL from hedis weight 50%
# <------- storage.type.measure.eqlang
#       ^^^ entity.name.type.measure.eqlang
#           ^^^^ keyword.other.eqlang
#                      ^^^^^^ keyword.other.measure.eqlang
#                             ^^^ constant.numeric.percent.eqlang
#                               ^ keyword.other.unit.percent.eqlang
measure SDOH "Social needs screening" higher is better minimum denominator 30
#            ^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.eqlang
#                                     ^^^^^^^^^^^^^^^^ keyword.other.measure.eqlang
#                                                      ^^^^^^^^^^^^^^^^^^^ keyword.other.measure.eqlang
#                                                                          ^^ constant.numeric.decimal.eqlang
measure HBD lower is better
#           ^^^^^^^^^^^^^^^ keyword.other.measure.eqlang

stratification race "Race and ethnicity"
# <-------------- storage.type.stratification.eqlang
#              ^^^^ entity.name.type.stratification.eqlang
  groups Asian, "Black or African American" as Black, White
# ^^^^^^ keyword.other.groups.eqlang
#        ^^^^^ variable.other.eqlang
#             ^ punctuation.separator.comma.eqlang
#               ^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.eqlang
#                                           ^^ keyword.other.eqlang
  reference White
# ^^^^^^^^^ keyword.other.groups.eqlang
  focus Asian, Black
# ^^^^^ keyword.other.groups.eqlang
end
stratification deprivation "Neighborhood deprivation"
  groups Q1, Q2, Q3
  ordered least advantaged first
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.order.eqlang
  reference Q3
end
stratification ethnicity from groups.ethnicity
#                        ^^^^ keyword.other.eqlang
#                             ^^^^^^ entity.name.namespace.eqlang
#                                   ^ punctuation.accessor.eqlang
  reference best performing group
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.groups.eqlang
end
stratification area
  reference whole population
# ^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.groups.eqlang
  reference rest of population
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.groups.eqlang
end

parameter pool: money = $1,000,000.00 per "Section 4.1"
# <--------- storage.type.parameter.eqlang
#         ^^^^ variable.other.constant.eqlang
#             ^ punctuation.separator.type.eqlang
#               ^^^^^ storage.type.eqlang
#                     ^ keyword.operator.comparison.eqlang
#                       ^^^^^^^^^^^^^ constant.numeric.money.eqlang
#                                     ^^^ keyword.other.citation.eqlang
#                                         ^^^^^^^^^^^^^ string.quoted.double.eqlang
  amended to $1,200,000.00 from 2024-07-01 per "Amendment 1"
# ^^^^^^^^^^ keyword.other.citation.eqlang
#                          ^^^^ keyword.other.eqlang
#                               ^^^^^^^^^^ constant.numeric.date.eqlang
parameter small_gap: pp = 2 pp per "Section 3.3"
#                    ^^ storage.type.eqlang
#                         ^^^^ constant.numeric.points.eqlang
#                           ^^ keyword.other.unit.points.eqlang
parameter guard: yesno = yes
#                ^^^^^ storage.type.eqlang
#                        ^^^ constant.language.boolean.eqlang
parameter note: text = "a \"quoted\" word\n and a # sign"
#                      ^ punctuation.definition.string.begin.eqlang
#                         ^^ constant.character.escape.eqlang
#                                        ^^ constant.character.escape.eqlang
#                                                 ^ string.quoted.double.eqlang - comment
parameter size: count = 30  # as signed
#                       ^^ constant.numeric.decimal.eqlang
#                           ^^^^^^^^^^^ comment.line.number-sign.eqlang
