"""Formatting: takes a parsed ``syntax.Module``, gives its canonical source text.

The layout is fixed (one blank line between declarations, two-space indentation, comments
above the declaration they belong to), so two texts that parse to the same module format
to the same text, and formatting formatted text changes nothing. Expressions get only the
parentheses the grammar needs to read them back as the same tree.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from eqlang import syntax as s

INDENT = "  "
#: Body lines longer than this have their top-level ``if`` broken over several lines.
MAX_BODY_WIDTH = 92

# How tightly each kind of expression binds, loosest first; the values mirror the chain of
# rules in grammar/eqlang.lark (expr, because, otherwise, or_expr, ... atom). An operand is
# printed bare when it binds at least as tightly as the grammar rule at its position allows.
_IF = 0
_BECAUSE = 1
_OTHERWISE = 2
_OR = 3
_AND = 4
_NOT = 5
_COMPARISON = 6
_SUM = 7
_PRODUCT = 8
_UNARY = 9
_POSTFIX = 10
_ATOM = 11

_ROUNDING_UNITS = ("cents", "dollars")

_MEASURE_FLAGS = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
}
_MEASURE_VALUED = {
    "weight": "weight",
    "minimum_denominator": "minimum denominator",
}

_REFERENCE_WORDS = {
    "best": "best performing group",
    "whole": "whole population",
    "rest": "rest of population",
}


def format_module(module: s.Module) -> str:
    """The canonical text of a module; empty when it has neither declarations nor comments."""
    blocks = [
        "\n".join([*_leading_lines(d.leading), *_declaration_lines(d)])
        for d in module.declarations
    ]
    if module.trailing:
        blocks.append("\n".join(module.trailing))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def format_expr(expr: s.Expr) -> str:
    """One expression on one line, with the fewest parentheses that keep its tree."""
    return _expr(expr, _IF)


def format_literal(literal: s.Literal) -> str:
    """A literal as eqlang writes it; a negative number gets a leading ``-``."""
    kind, value = literal.kind, literal.value
    if kind == "yesno":
        return "yes" if value else "no"
    if kind == "text":
        assert isinstance(value, str)
        return quote(value)
    if kind == "date":
        assert isinstance(value, datetime.date)
        return value.isoformat()
    assert isinstance(value, Decimal), f"{kind} literal holds {value!r}"
    sign = "-" if value < 0 else ""
    # 'f' keeps the exponent's fraction digits ($1,000.00 stays .00) and never writes 1E+3,
    # which the grammar could not read.
    digits = format(value.copy_abs(), "f")
    if kind == "money":
        whole, _, fraction = digits.partition(".")
        grouped = f"{int(whole):,}"
        return f"{sign}${grouped}.{fraction}" if fraction else f"{sign}${grouped}"
    if kind == "percent":
        return f"{sign}{digits}%"
    if kind == "points":
        return f"{sign}{digits} pp"
    if kind == "number":
        return f"{sign}{digits}"
    raise ValueError(f"unknown literal kind {kind!r}")


def quote(text: str) -> str:
    """Text in double quotes, escaped so the STRING token reads back exactly this text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# ---- expressions ------------------------------------------------------------------------


def _binding(expr: s.Expr) -> int:
    match expr:
        case s.If():
            return _IF
        case s.Because():
            return _BECAUSE
        case s.Otherwise():
            return _OTHERWISE
        case s.Or():
            return _OR
        case s.And():
            return _AND
        case s.Not():
            return _NOT
        case s.Compare() | s.MemberOf() | s.IsScored():
            return _COMPARISON
        case s.Binary(op=op):
            return _SUM if op in ("+", "-") else _PRODUCT
        case s.Negate():
            return _UNARY
        case s.AtOrganization():
            return _POSTFIX
        case s.Literal(value=Decimal() as value) if value < 0:
            # Only a built tree can hold this: it prints as `-x`, which reads back as a
            # Negate, so it must be bracketed wherever a unary minus would be.
            return _UNARY
        case _:
            return _ATOM


def _expr(expr: s.Expr, tightest_allowed: int) -> str:
    """``expr`` at a position whose grammar rule accepts ``tightest_allowed`` or tighter."""
    text = _bare(expr)
    return f"({text})" if _binding(expr) < tightest_allowed else text


def _bare(expr: s.Expr) -> str:
    match expr:
        case s.If(condition, then, otherwise):
            return (
                f"if {_expr(condition, _IF)} then {_expr(then, _IF)} "
                f"else {_expr(otherwise, _IF)}"
            )
        case s.Because(value, reason):
            return f"{_expr(value, _OTHERWISE)} because {quote(reason)}"
        case s.Otherwise(value, fallback):
            # Right-associative: a fallback may itself be an `otherwise`, a value may not.
            return f"{_expr(value, _OR)} otherwise {_expr(fallback, _OTHERWISE)}"
        case s.Or(left, right):
            return f"{_expr(left, _OR)} or {_expr(right, _AND)}"
        case s.And(left, right):
            return f"{_expr(left, _AND)} and {_expr(right, _NOT)}"
        case s.Not(operand):
            return f"not {_expr(operand, _NOT)}"
        case s.Compare(op, left, right):
            # Comparisons do not chain, so both sides must bind tighter than a comparison.
            return f"{_expr(left, _SUM)} {op} {_expr(right, _SUM)}"
        case s.MemberOf(element, domain):
            return f"{_expr(element, _SUM)} in {_domain(domain)}"
        case s.IsScored(operand, negated):
            return f"{_expr(operand, _SUM)} is {'not ' if negated else ''}scored"
        case s.Binary(op, left, right):
            level = _SUM if op in ("+", "-") else _PRODUCT
            return f"{_expr(left, level)} {op} {_expr(right, level + 1)}"
        case s.Negate(operand):
            return f"-{_expr(operand, _UNARY)}"
        case s.AtOrganization(value, organization):
            return f"{_expr(value, _POSTFIX)} at {_expr(organization, _ATOM)}"
        case s.Literal():
            return format_literal(expr)
        case s.Name():
            return expr.dotted
        case s.Call():
            return _call(expr)
        case s.NotScoredLiteral(reason):
            return f"not scored because {quote(reason)}"
        case s.WholePopulation():
            return "ALL"
        case s.RoundingMode(mode):
            return mode
    raise TypeError(f"not an expression: {expr!r}")


def _call(call: s.Call) -> str:
    parts = [", ".join(format_expr(a) for a in call.args)] if call.args else []
    if call.weighted_by is not None:
        parts.append(f"weighted by {format_expr(call.weighted_by)}")
    if call.for_each is not None:
        parts.append(_for_each(call.for_each))
    return f"{call.callee.dotted}({' '.join(parts)})"


def _binders(binders: tuple[s.Binder, ...]) -> str:
    return "for each " + ", ".join(f"{b.name} in {_domain(b.domain)}" for b in binders)


def _for_each(clause: s.ForEach) -> str:
    text = _binders(clause.binders)
    if clause.where is not None:
        text += f" where {format_expr(clause.where)}"
    if clause.not_scored is not None:
        text += f", not scored: {clause.not_scored}"
    return text


def _domain(domain: s.Domain) -> str:
    match domain:
        case s.AllMeasures():
            return "measures"
        case s.AllOrganizations():
            return "organizations"
        case s.FocusGroups(stratification):
            return "focus groups" + (f" of {stratification}" if stratification else "")
        case s.StratificationGroups(stratification):
            return "groups" + (f" of {stratification}" if stratification else "")
        case s.Listed(items):
            return "{" + ", ".join(item.dotted for item in items) + "}"
    raise TypeError(f"not a domain: {domain!r}")


def _body_lines(expr: s.Expr, indent: str) -> list[str]:
    """A definition or output body: one line, unless a long top-level ``if`` is split."""
    flat = indent + format_expr(expr)
    if len(flat) <= MAX_BODY_WIDTH or not isinstance(expr, s.If):
        return [flat]
    return _if_lines(expr, indent)


def _if_lines(expr: s.If, indent: str) -> list[str]:
    # Every branch of an `if` is a full expression in the grammar, so splitting lines never
    # needs extra parentheses; layout is whitespace only.
    lines = [f"{indent}if {format_expr(expr.condition)}"]
    then_flat = f"{indent}then {format_expr(expr.then)}"
    if len(then_flat) > MAX_BODY_WIDTH and isinstance(expr.then, s.If):
        lines.append(f"{indent}then")
        lines.extend(_if_lines(expr.then, indent + INDENT))
    else:
        lines.append(then_flat)
    else_flat = f"{indent}else {format_expr(expr.otherwise)}"
    if len(else_flat) > MAX_BODY_WIDTH and isinstance(expr.otherwise, s.If):
        # An `else if` chain stays at one depth, the way people write it by hand.
        chained = _if_lines(expr.otherwise, indent)
        lines.append(f"{indent}else {chained[0][len(indent):]}")
        lines.extend(chained[1:])
    else:
        lines.append(else_flat)
    return lines


# ---- declarations -----------------------------------------------------------------------


def _leading_lines(leading: s.Leading) -> list[str]:
    # Plain comments keep their own `#`; doc lines were stored without their `##`.
    docs = [f"## {line}" if line else "##" for line in leading.doc]
    return [*leading.comments, *docs]


def _declaration_lines(declaration: s.Declaration) -> list[str]:
    match declaration:
        case s.ContractHeader():
            return _header_lines(declaration)
        case s.Import(alias, path):
            return [f"import {alias}" if path is None else f"import {quote(path)} as {alias}"]
        case s.Measure():
            return [_measure_line(declaration)]
        case s.Stratification():
            return _stratification_lines(declaration)
        case s.Parameter():
            return _parameter_lines(declaration)
        case s.Definition() | s.Output():
            return _rule_lines(declaration)
        case s.Schedule():
            return _schedule_lines(declaration)
        case s.Invariant():
            return _invariant_lines(declaration)
        case s.Example():
            return _example_lines(declaration)
    raise TypeError(f"not a declaration: {declaration!r}")


def _header_lines(header: s.ContractHeader) -> list[str]:
    lines = [f"contract {quote(header.title)}"]
    lines.extend(INDENT + _header_field(f) for f in header.fields)
    lines.append("end")
    return lines


def _header_field(field: s.HeaderField) -> str:
    values = field.values
    match field.kind:
        case "payer":
            return f"payer {_header_text(values[0])}"
        case "provider_named":
            return f"provider {_header_text(values[0])}"
        case "provider_each":
            return "provider each organization"
        case "currency":
            return f"currency {values[0]}"
        case "period":
            return f"period {values[0]} is {_header_text(values[1])}"
        case "version":
            return f"version {_header_text(values[0])}"
        case "effective":
            return f"effective {_header_date(values[0])} to {_header_date(values[1])}"
        case "settled_as_of":
            return f"settled as of {_header_date(values[0])}"
    raise ValueError(f"unknown header field {field.kind!r}")


def _header_text(value: str | datetime.date) -> str:
    assert isinstance(value, str), value
    return quote(value)


def _header_date(value: str | datetime.date) -> str:
    assert isinstance(value, datetime.date), value
    return value.isoformat()


def _measure_line(measure: s.Measure) -> str:
    words = ["measure", measure.code]
    if measure.origin is not None:
        words.append(f"from {measure.origin}")
    if measure.title is not None:
        words.append(quote(measure.title))
    for attribute in measure.attributes:
        if attribute.kind in _MEASURE_FLAGS:
            words.append(_MEASURE_FLAGS[attribute.kind])
        elif attribute.kind in _MEASURE_VALUED and attribute.value is not None:
            words.append(f"{_MEASURE_VALUED[attribute.kind]} {format_literal(attribute.value)}")
        else:
            raise ValueError(f"unknown measure attribute {attribute!r}")
    return " ".join(words)


def _stratification_lines(stratification: s.Stratification) -> list[str]:
    head = f"stratification {stratification.name}"
    if stratification.origin is not None:
        head += f" from {stratification.origin.dotted}"
    if stratification.title is not None:
        head += f" {quote(stratification.title)}"
    lines = [head]
    lines.extend(INDENT + _stratification_item(i) for i in stratification.items)
    lines.append("end")
    return lines


def _stratification_item(item: s.StratificationItem) -> str:
    if item.kind == "groups":
        entries = (
            g.name if g.spelling is None else f"{quote(g.spelling)} as {g.name}"
            for g in item.groups
        )
        return "groups " + ", ".join(entries)
    if item.kind == "focus":
        return "focus " + ", ".join(f.name for f in item.focus)
    if item.kind == "reference" and item.reference is not None:
        reference = item.reference
        if reference.kind == "group" and reference.group is not None:
            return f"reference {reference.group}"
        if reference.kind in _REFERENCE_WORDS:
            return f"reference {_REFERENCE_WORDS[reference.kind]}"
    raise ValueError(f"unknown stratification item {item!r}")


def _citation(citation: str | None) -> str:
    return "" if citation is None else f" per {quote(citation)}"


def _parameter_lines(parameter: s.Parameter) -> list[str]:
    lines = [
        f"parameter {parameter.name}: {parameter.type} = {format_expr(parameter.value)}"
        + _citation(parameter.citation)
    ]
    lines.extend(
        f"{INDENT}amended to {format_expr(a.value)} from {a.effective.isoformat()}"
        + _citation(a.citation)
        for a in parameter.amendments
    )
    return lines


def _params(params: tuple[s.Param, ...] | None) -> str:
    if params is None:
        return ""
    return "(" + ", ".join(f"{p.name}: {p.type}" for p in params) + ")"


def declaration_head(declaration: s.Parameter | s.Definition | s.Output | s.Schedule) -> str:
    """The line that names a declaration with its parameters and type, without its body:
    ``define gap(m: measure, g: group, p: period): pp``."""
    match declaration:
        case s.Parameter():
            return f"parameter {declaration.name}: {declaration.type}"
        case s.Schedule():
            param = declaration.param
            return (f"schedule {declaration.name}({param.name}: {param.type}): "
                    f"{declaration.return_type}")
    keyword = "output" if isinstance(declaration, s.Output) else "define"
    returns = "" if declaration.return_type is None else f": {declaration.return_type}"
    return f"{keyword} {declaration.name}{_params(declaration.params)}{returns}"


def _rule_lines(rule: s.Definition | s.Output) -> list[str]:
    lines = [f"{declaration_head(rule)} ="]
    lines.extend(_body_lines(rule.body, INDENT))
    if isinstance(rule, s.Output):
        lines.append(INDENT + _rounding(rule.rounding))
    if rule.citation is not None:
        lines.append(f"{INDENT}per {quote(rule.citation)}")
    lines.extend(
        f"{INDENT}except {format_expr(e.value)} when {format_expr(e.condition)}"
        + _citation(e.citation)
        for e in rule.exceptions
    )
    return lines


def _rounding(rounding: s.Rounding) -> str:
    if rounding.unit is None:
        return "not rounded"
    target = (
        rounding.unit if rounding.unit in _ROUNDING_UNITS else f"{rounding.places} decimals"
    )
    return f"rounded to {target} {rounding.mode}"


def format_range(range_: s.Range) -> str:
    """A tier's or domain's range as written: ``from 25% to 50%``."""
    low = format_literal(range_.low) if range_.low is not None else ""
    high = format_literal(range_.high) if range_.high is not None else ""
    match range_.kind:
        case "below":
            return f"below {high}"
        case "up_to":
            return f"up to {high}"
        case "above":
            return f"above {low}"
        case "from":
            return f"from {low}"
        case "from_to":
            return f"from {low} to {high}"
        case "from_through":
            return f"from {low} through {high}"
    raise ValueError(f"unknown range kind {range_.kind!r}")


def _schedule_lines(schedule: s.Schedule) -> list[str]:
    lines = [declaration_head(schedule)]
    if schedule.domain is not None:
        lines.append(f"{INDENT}domain {format_range(schedule.domain)}")
    lines.extend(
        f"{INDENT}{format_range(t.range)} pays {format_expr(t.value)}" for t in schedule.tiers
    )
    lines.append("end")
    return lines


def _claim(claim: s.Claim) -> str:
    if isinstance(claim, s.Always):
        text = f"always {format_expr(claim.claim)}"
        if claim.condition is not None:
            text += f" when {format_expr(claim.condition)}"
        return text
    return (f"{format_expr(claim.value)} never {claim.change} when "
            f"{format_expr(claim.moved)} {claim.motion}")


def format_claim(invariant: s.Invariant) -> str:
    """An invariant's claim and its ``for each`` on one line, as a report quotes it."""
    claim = _claim(invariant.claim)
    return f"{claim} {_binders(invariant.binders)}" if invariant.binders else claim


def _invariant_lines(invariant: s.Invariant) -> list[str]:
    head = f"invariant {quote(invariant.title)}:"
    claim = _claim(invariant.claim)
    one_line = f"{head} {claim}"
    # A short claim over no `for each` reads best as one sentence; anything longer puts the
    # claim and its `for each` on lines of their own, the way it is read aloud.
    if not invariant.binders and len(one_line) <= MAX_BODY_WIDTH:
        return [one_line]
    lines = [head, INDENT + claim]
    if invariant.binders:
        lines.append(INDENT + _binders(invariant.binders))
    return lines


def _example_lines(example: s.Example) -> list[str]:
    lines = [f"example {quote(example.title)}"]
    for item in example.items:
        match item:
            case s.ExampleOrganization(name):
                lines.append(f"{INDENT}organization {quote(name)}")
            case s.ExampleSet(name, value):
                lines.append(f"{INDENT}set {name} = {format_literal(value)}")
            case s.ExampleAsOf(date):
                lines.append(f"{INDENT}as of {date.isoformat()}")
            case s.ExampleTable(path):
                lines.append(f"{INDENT}table {quote(path)}")
            case s.ExampleRows(organization, rows):
                head = "rows" if organization is None else f"rows for {quote(organization)}"
                lines.append(INDENT + head)
                lines.extend(INDENT * 2 + row for row in _row_lines(rows))
            case s.Expectation():
                lines.append(INDENT + _expectation(item))
    lines.append("end")
    return lines


def _table_word(word: s.TableWord) -> str:
    return quote(word.text) if word.kind == "quoted" else word.text


def _row_lines(rows: tuple[s.ExampleRow, ...]) -> list[str]:
    """Rows as a small table: key columns aligned left, counts aligned right."""
    cells = [
        (_table_word(r.measure), _table_word(r.group), _table_word(r.period) + ":",
         format_literal(r.numerator), format_literal(r.denominator))
        for r in rows
    ]
    widths = [max((len(c[i]) for c in cells), default=0) for i in range(5)]
    return [
        f"{m:<{widths[0]}} {g:<{widths[1]}} {p:<{widths[2]}} {n:>{widths[3]}} of {d:>{widths[4]}}"
        for m, g, p, n, d in cells
    ]


def _expectation(expectation: s.Expectation) -> str:
    target = expectation.name.dotted
    if expectation.args:
        target += "(" + ", ".join(a.dotted for a in expectation.args) + ")"
    if expectation.value is not None:
        return f"expect {target} = {format_literal(expectation.value)}"
    reason = "" if expectation.reason is None else f" because {quote(expectation.reason)}"
    return f"expect {target} is not scored{reason}"
