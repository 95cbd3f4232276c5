# SYNTAX TEST "source.eqlang" "definitions, outputs, expressions, schedules, aggregations"
define gap(m: measure, g: group, p: period): pp =
# <------ storage.type.define.eqlang
#      ^^^ entity.name.function.eqlang
#          ^ variable.parameter.eqlang
#           ^ punctuation.separator.type.eqlang
#             ^^^^^^^ storage.type.eqlang
#                                   ^^^^^^ storage.type.eqlang
#                                            ^^ storage.type.eqlang
#                                               ^ keyword.operator.comparison.eqlang
  max(0 pp, rate(m, White, p) - rate(m, g, p))
# ^^^ support.function.builtin.eqlang
#           ^^^^ support.function.builtin.eqlang
#                             ^ keyword.operator.arithmetic.eqlang
#                                            ^ punctuation.section.parens.end.eqlang

define score(m: measure): number =
  if gap(m, Black, baseline) <= small_gap and not leveled_down(m)
# ^^ keyword.control.conditional.eqlang
#    ^^^ entity.name.function.eqlang
#                            ^^ keyword.operator.comparison.eqlang
#                                         ^^^ keyword.operator.logical.eqlang
#                                             ^^^ keyword.operator.logical.eqlang
  then plan.credit(m) otherwise 0 because "no credit"
# ^^^^ keyword.control.conditional.eqlang
#      ^^^^ entity.name.namespace.eqlang
#          ^ punctuation.accessor.eqlang
#           ^^^^^^ entity.name.function.eqlang
#                     ^^^^^^^^^ keyword.control.eqlang
#                                 ^^^^^^^ keyword.control.eqlang
  else not scored because "too few members"
# ^^^^ keyword.control.conditional.eqlang
#      ^^^^^^^^^^ constant.language.not-scored.eqlang
#                 ^^^^^^^ keyword.control.eqlang
  except 1 when m = COL or m in {CBP, HBD} per "Section 6"
# ^^^^^^ keyword.control.exception.eqlang
#          ^^^^ keyword.control.exception.eqlang
#                       ^^ keyword.operator.logical.eqlang
#                            ^^ keyword.operator.word.eqlang
#                               ^ punctuation.section.braces.begin.eqlang

define peers(o: organization): percent =
  median(rate(WCV, ALL, performance) at o for each o in organizations)
# ^^^^^^ support.function.builtin.eqlang
#                  ^^^ constant.language.whole-population.eqlang
#                                    ^^ keyword.operator.word.eqlang
#                                         ^^^^^^^^ keyword.control.loop.eqlang
#                                                       ^^^^^^^^^^^^^ variable.language.domain.eqlang

define paid: money =
  sum(pool * w weighted by weight(m) for each m in measures, g in focus groups of race
#              ^^^^^^^^^^^ keyword.control.loop.eqlang
#                          ^^^^^^ support.function.builtin.eqlang
#                                                                 ^^^^^ keyword.other.groups.eqlang
#                                                                       ^^^^^^ keyword.other.groups.eqlang
#                                                                              ^^ keyword.other.eqlang
    where measure_score(m) is scored and x is not scored, not scored: rescale)
#   ^^^^^ keyword.control.loop.eqlang
#                          ^^^^^^^^^ keyword.operator.word.eqlang
#                                          ^^^^^^^^^^^^^ keyword.operator.word.eqlang
#                                                         ^^^^^^^^^^ keyword.other.policy.eqlang
#                                                                     ^^^^^^^ constant.language.policy.eqlang

define rounded_value: money = round(x, 2, half even) - -1
#                                         ^^^^^^^^^ constant.language.rounding-mode.eqlang
#                                                    ^ keyword.operator.arithmetic.eqlang

output measure_payout(m: measure): money =
# <------ storage.type.output.eqlang
#      ^^^^^^^^^^^^^^ entity.name.function.eqlang
  pool * weight(m) / 100
  rounded to cents half up
# ^^^^^^^ keyword.other.rounding.eqlang
#         ^^ keyword.other.rounding.eqlang
#            ^^^^^ keyword.other.rounding.eqlang
#                  ^^^^^^^ constant.language.rounding-mode.eqlang
output share: percent = x rounded to 2 decimals away from zero
#                                    ^ constant.numeric.decimal.eqlang
#                                      ^^^^^^^^ keyword.other.rounding.eqlang
#                                               ^^^^^^^^^^^^^^ constant.language.rounding-mode.eqlang
output raw: number = x not rounded
#                      ^^^ keyword.other.rounding.eqlang
#                          ^^^^^^^ keyword.other.rounding.eqlang

schedule closure_credit(c: percent): number
# <-------- storage.type.schedule.eqlang
#        ^^^^^^^^^^^^^^ entity.name.function.eqlang
  domain up to 100%
# ^^^^^^ keyword.other.range.eqlang
#        ^^^^^ keyword.other.range.eqlang
  below 0%                pays 0
# ^^^^^ keyword.other.range.eqlang
#                         ^^^^ keyword.other.range.eqlang
  from 0% to 50%          pays 0.5
# ^^^^ keyword.other.eqlang
#                              ^^^ constant.numeric.decimal.eqlang
  from 50% through 100%   pays 1
#          ^^^^^^^ keyword.other.range.eqlang
  above -1 pp pays -$1.00
# ^^^^^ keyword.other.range.eqlang
#        ^^^^ constant.numeric.points.eqlang
#                   ^^^^^ constant.numeric.money.eqlang
end
# <--- keyword.other.end.eqlang
define bad: number = 1 € 2
#                      ^ invalid.illegal.character.eqlang

define gradient_upper(m: measure): number =
  simulated upper(gradient(m), level: 90%, draws: 1000, seed: 7)
# ^^^^^^^^^^^^^^^ keyword.other.simulation.eqlang
#                 ^^^^^^^^ entity.name.function.eqlang
#                              ^^^^^ keyword.other.simulation.eqlang
#                                          ^^^^^ keyword.other.simulation.eqlang
#                                                       ^^^^ keyword.other.simulation.eqlang

define gradient_error(m: measure): number =
  simulated standard error(gradient(m), draws: 1000, seed: 7)
# ^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.simulation.eqlang
