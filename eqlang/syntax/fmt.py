"""Formatting: takes a parsed ``syntax.Module``, gives its canonical source text.

The layout is fixed: two-space indentation, each comment line where it stood above its
declaration (comments from inside a declaration or after it on its last line go right above
it), a blank line between declarations where the source had one, and lines of at most
``WIDTH`` columns wherever they can be broken. Each declaration is described as a document
(``eqlang.syntax.layout``) whose groups go on one line when they fit and break at the places a
reader expects otherwise: before an operator, between the arguments of a call, at ``then``
and ``else``, at ``for each`` and ``where``. Two texts that parse to the same module, laid
out the same way, format to the same text, and formatting formatted text changes nothing.
Expressions get the parentheses the grammar needs to read them back as the same tree,
around an ``if`` nested where a reader could not tell where it ends, and those the writer
put around a comparison or a yes/no operation that is an operand of another operator.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from eqlang.syntax import ast as s
from eqlang.syntax.layout import (
    HARDLINE,
    LINE,
    SOFTLINE,
    Align,
    Doc,
    Fill,
    Group,
    Hug,
    IfBreak,
    Nest,
    flat,
    join,
    render,
)

#: Columns of indentation per level.
INDENT = 2
#: The line width fmt keeps to, as far as a line can be broken (a long text in quotes or a
#: comment cannot).
WIDTH = 92

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

_LOGICAL_WORDS: dict[type, str] = {s.And: "and", s.Or: "or"}

_REFERENCE_WORDS = {
    "best": "best performing group",
    "whole": "whole population",
    "rest": "rest of population",
}


def format_module(module: s.Module) -> str:
    """The canonical text of a module; empty when it has neither declarations nor comments."""
    parts: list[str] = []
    for declaration in module.declarations:
        if parts:
            parts.append("\n\n" if _set_apart(declaration.leading) else "\n")
        lines = [*_leading_lines(declaration.leading), render(_declaration(declaration), WIDTH)]
        parts.append("\n".join(lines))
    if module.trailing:
        parts.append("\n\n" if parts else "")
        parts.append("\n".join(module.trailing))
    return "".join(parts) + "\n" if parts else ""


def format_expr(expr: s.Expr) -> str:
    """One expression on one line, with the parentheses that keep its tree (and those around
    a nested ``if`` that a reader needs)."""
    return flat(_expr(expr, _IF))


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


def _expr(expr: s.Expr, tightest_allowed: int, operand: bool | None = None) -> Doc:
    """``expr`` at a position whose grammar rule accepts ``tightest_allowed`` or tighter.

    An ``operand`` (by default, any position that does not take a whole expression) is part
    of a larger expression: a chain of operators in it indents its broken lines, so that
    they stand apart from those of the expression around it.
    """
    if _binding(expr) < tightest_allowed or _kept_brackets(expr, tightest_allowed):
        # A broken bracketed expression lines up inside its bracket.
        return Group(("(", Align(_bare(expr, operand=False)), ")"))
    return _bare(expr, tightest_allowed > _IF if operand is None else operand)


def _kept_brackets(expr: s.Expr, tightest_allowed: int) -> bool:
    """Whether the writer's own parentheses stay: around a comparison or a yes/no operation
    that is an operand of another operator, where they show how it groups (``(rate(m, g, p)
    < target) otherwise no``, ``not (a < b)``, ``(a < b) and c``), but not around a whole
    argument, condition or body, which reads the same without them. Within a run of one
    operator (``(a and b) and c``) they say nothing, and the run is printed as one."""
    return tightest_allowed > _IF and getattr(expr, "bracketed", False)


#: When a chain may keep its line and let only its last operand break (see ``_hugging``).
Hugging = Literal["never", "when needed", "always"]


def _chain(first: Doc, links: list[tuple[str, Doc]], hug: Hugging, operand: bool) -> Doc:
    """Operands joined by operators. Broken, each operator starts a line, level with the
    first operand the way a sum is written in a column, or indented when the chain is itself
    an operand. A chain that hugs its last operand stays on its line and lets only that
    operand break, when that is enough: ``pool * sum(``."""
    rest = tuple((LINE, f"{op} ", doc) for op, doc in links)
    chain = Group(Align((first, Nest(INDENT if operand else 0, rest))))
    if hug == "never":
        return chain
    last_op, last = links[-1]
    head = (first, *((f" {op} ", doc) for op, doc in links[:-1]), f" {last_op} ")
    continuation = len(last_op) + 1 + (INDENT if operand else 0)
    return Hug(head, last, chain, None if hug == "always" else continuation)


def _hugging(operands: list[s.Expr]) -> Hugging:
    """A chain may hug its last operand when that is a call with something in its brackets,
    whose lines then indent from the chain's line (a bracketed expression lines up inside
    its bracket instead, too far to the right). It does whenever it can after plain names
    and numbers (``pool * sum(``), and otherwise only when the call would not fit on a line
    of its own anyway."""
    last = operands[-1]
    if not (isinstance(last, s.Call) and (last.args or last.for_each or last.weighted_by)):
        return "never"
    return "always" if all(_plain(e) for e in operands[:-1]) else "when needed"


def _left_chain(expr: s.Expr, level: int) -> tuple[Doc, list[tuple[str, Doc]], Hugging]:
    """A left-associative run of one operator level, ``a - b + c``: its first operand, the
    others with their operators, and how it may hug the last."""
    ops: list[str] = []
    others: list[s.Expr] = []
    while isinstance(expr, s.Binary | s.And | s.Or) and _binding(expr) == level:
        ops.append(expr.op if isinstance(expr, s.Binary) else _LOGICAL_WORDS[type(expr)])
        others.append(expr.right)
        expr = expr.left
    ops.reverse()
    others.reverse()
    links = [(op, _expr(e, level + 1)) for op, e in zip(ops, others, strict=True)]
    return _expr(expr, level), links, _hugging([expr, *others])


def _otherwise_chain(expr: s.Otherwise) -> tuple[Doc, list[tuple[str, Doc]], Hugging]:
    # Right-associative: a fallback may itself be an `otherwise`, a value may not.
    values = [expr.value]
    fallback: s.Expr = expr.fallback
    while isinstance(fallback, s.Otherwise):
        values.append(fallback.value)
        fallback = fallback.fallback
    docs = [_expr(v, _OR) for v in values]
    links = [("otherwise", d) for d in [*docs[1:], _expr(fallback, _OTHERWISE)]]
    return docs[0], links, _hugging([*values, fallback])


def _bare(expr: s.Expr, operand: bool) -> Doc:
    match expr:
        case s.Or():
            return _chain(*_left_chain(expr, _OR), operand)
        case s.And():
            return _chain(*_left_chain(expr, _AND), operand)
        case s.Otherwise():
            return _chain(*_otherwise_chain(expr), operand)
        case s.If():
            return Group(_if(expr))
        case s.Because(value, reason):
            return _clauses(_expr(value, _OTHERWISE), [f"because {quote(reason)}"])
        case s.Not(operand=negated):
            return ("not ", _expr(negated, _NOT))
        case s.Compare(op, left, right):
            # Comparisons do not chain, so both sides must bind tighter than a comparison.
            return _chain(_expr(left, _SUM), [(op, _expr(right, _SUM))],
                          _hugging([left, right]), operand)
        case s.MemberOf(element, domain):
            return _chain(_expr(element, _SUM), [("in", _domain(domain))], "never", operand)
        case s.IsScored(scored, negated):
            return (_expr(scored, _SUM), f" is {'not ' if negated else ''}scored")
        case s.Binary(op):
            level = _SUM if op in ("+", "-") else _PRODUCT
            return _chain(*_left_chain(expr, level), operand)
        case s.Negate(negated):
            return ("-", _expr(negated, _UNARY))
        case s.AtOrganization(value, organization):
            return (_expr(value, _POSTFIX), " at ", _expr(organization, _ATOM))
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
        case s.ThisOrganization():
            return "organization"
        case s.RoundingMode(mode):
            return mode
        case s.Simulated():
            return _simulated(expr)
    raise TypeError(f"not an expression: {expr!r}")


def _if(expr: s.If) -> Doc:
    """An ``if`` without its group: broken, ``if``, ``then`` and ``else`` start lines, and an
    ``else if`` chain stays at one depth, the way people write it by hand. The grammar needs
    no brackets around a branch, but a reader does around an ``if`` inside a condition or a
    ``then`` on one line (``then (if a then 1 else 0) else 2``), so those get them."""
    condition = _bracketed_if(expr.condition) if isinstance(expr.condition, s.If) else (
        _expr(expr.condition, _IF))
    if isinstance(expr.then, s.If):
        # On lines of its own, indented, a nested `if` needs no brackets.
        inner = (IfBreak("", flat="("), _if(expr.then), IfBreak("", flat=")"))
        then: Doc = Group(("then", Nest(INDENT, (LINE, *inner))))
    else:
        then = ("then ", _expr(expr.then, _IF))
    otherwise = (
        _if(expr.otherwise) if isinstance(expr.otherwise, s.If)
        else _expr(expr.otherwise, _IF)
    )
    return ("if ", condition, LINE, then, LINE, "else ", otherwise)


def _bracketed_if(expr: s.If) -> Doc:
    return Group(("(", Align(_if(expr)), ")"))


def _call(call: s.Call) -> Doc:
    """A call, or an aggregation. Broken: one argument a line (plain names and numbers
    share lines), then the ``for each`` clause, which breaks again at ``where`` and ``not
    scored`` if it must."""
    aggregated = call.for_each is not None or call.weighted_by is not None
    items = [_expr(a, _IF) for a in call.args[:-1]]
    items += [_aggregated(a) if aggregated else _expr(a, _IF) for a in call.args[-1:]]
    plain = [_plain(a) for a in call.args]
    if call.weighted_by is not None:
        weighting = ("weighted by ", _aggregated(call.weighted_by))
        items[-1:] = [Group((*items[-1:], LINE, weighting) if items else weighting)]
        plain[-1:] = [False]
    inner = _arguments(items, plain)
    if call.for_each is not None:
        inner.append(_for_each(call.for_each))
    if not inner:
        return f"{call.callee.dotted}()"
    return Group((f"{call.callee.dotted}(", Nest(INDENT, (SOFTLINE, *join(LINE, inner))), ")"))


def _simulated(expr: s.Simulated) -> Doc:
    """``simulated lower(value, level: 95%, draws: 1000, seed: 7)``, broken as a call is."""
    items = [_expr(expr.value, _IF)] + [(f"{o.name}: ", _expr(o.value, _IF))
                                        for o in expr.options]
    plain = [_plain(expr.value)] + [_plain(o.value) for o in expr.options]
    inner = _arguments(items, plain)
    return Group((f"simulated {expr.bound}(", Nest(INDENT, (SOFTLINE, *join(LINE, inner))),
                  ")"))


def _plain(expr: s.Expr) -> bool:
    return isinstance(expr, s.Name | s.Literal | s.WholePopulation | s.RoundingMode)


def _arguments(items: list[Doc], plain: list[bool]) -> list[Doc]:
    """Arguments with their commas, a run of plain ones filling lines together."""
    pieces: list[Doc] = []
    run: list[Doc] = []
    for written, is_plain in zip(_commas(items), plain, strict=True):
        if is_plain:
            run.append(written)
            continue
        if run:
            pieces.append(Fill(tuple(run)))
            run = []
        pieces.append(written)
    if run:
        pieces.append(Fill(tuple(run)))
    return pieces


def _aggregated(expr: s.Expr) -> Doc:
    """The value an aggregation aggregates (or weighs by), which a clause follows: an ``if``
    there is bracketed and a broken chain indented, so that ``else 0 for each g`` does not
    read as one clause."""
    if isinstance(expr, s.If):
        return _bracketed_if(expr)
    return _expr(expr, _IF, operand=True)


def _binders(binders: tuple[s.Binder, ...]) -> Doc:
    """``for each m in measures, g in groups``; too long, the binders line up below."""
    items = [(f"{b.name} in ", _domain(b.domain)) for b in binders]
    return ("for each ", Align(Fill(_commas(items))))


def _commas(items: list[Doc]) -> tuple[Doc, ...]:
    """Items with a comma after each but the last."""
    return tuple((item, ",") if i < len(items) - 1 else item for i, item in enumerate(items))


def _for_each(clause: s.ForEach) -> Doc:
    parts: list[Doc] = [_binders(clause.binders)]
    if clause.where is not None:
        parts += [LINE, "where ", _expr(clause.where, _IF)]
    if clause.not_scored is not None:
        parts += [",", LINE, f"not scored: {clause.not_scored}"]
    return Group(tuple(parts))


def _domain(domain: s.Domain) -> Doc:
    match domain:
        case s.AllMeasures():
            return "measures"
        case s.AllOrganizations(same):
            return "organizations" + (f" with the same {same.dotted}" if same else "")
        case s.FocusGroups(stratification):
            return "focus groups" + (f" of {stratification}" if stratification else "")
        case s.StratificationGroups(stratification):
            return "groups" + (f" of {stratification}" if stratification else "")
        case s.Listed(items):
            return ("{", Align(Fill(_commas([item.dotted for item in items]))), "}")
    raise TypeError(f"not a domain: {domain!r}")


# ---- declarations -----------------------------------------------------------------------


def _leading_lines(leading: s.Leading) -> list[str]:
    """The lines above a declaration, without the blank line that may set it apart."""
    # Plain comments keep their own `#`; doc lines were stored without their `##`.
    docs = iter(f"## {line}" if line else "##" for line in leading.doc)
    comments = iter(leading.comments)
    lines = []
    for entry in _layout(leading)[1:] if _set_apart(leading) else _layout(leading):
        if entry == s.BLANK_LINE:
            lines.append("")
        else:
            lines.append(next(comments) if entry == s.COMMENT_LINE else next(docs))
    return lines


def _layout(leading: s.Leading) -> tuple[str, ...]:
    """The layout the source gave, or the canonical one when there is none that fits the
    comments (a built tree, or one whose comments were changed after parsing)."""
    layout = leading.layout
    if (
        layout is not None
        and layout.count(s.COMMENT_LINE) == len(leading.comments)
        and layout.count(s.DOC_LINE) == len(leading.doc)
    ):
        return layout
    return (
        s.BLANK_LINE,
        *(s.COMMENT_LINE for _ in leading.comments),
        *(s.DOC_LINE for _ in leading.doc),
    )


def _set_apart(leading: s.Leading) -> bool:
    """Whether a blank line stands between the declaration and the one before it."""
    layout = _layout(leading)
    return bool(layout) and layout[0] == s.BLANK_LINE


def _declaration(declaration: s.Declaration) -> Doc:
    match declaration:
        case s.ContractHeader():
            return _header(declaration)
        case s.Import(alias, path):
            return f"import {alias}" if path is None else f"import {quote(path)} as {alias}"
        case s.Measure():
            return _measure(declaration)
        case s.Stratification():
            return _stratification(declaration)
        case s.Parameter():
            return _parameter(declaration)
        case s.Definition() | s.Output():
            return _rule(declaration)
        case s.Schedule():
            return _schedule(declaration)
        case s.Invariant():
            return _invariant(declaration)
        case s.Example():
            return _example(declaration)
        case s.Input():
            return _input(declaration)
        case s.Attribution():
            return _attribution(declaration)
    raise TypeError(f"not a declaration: {declaration!r}")


def _block(head: Doc, items: list[Doc]) -> Doc:
    """A declaration that ends with `end`: its items one a line, indented."""
    return (head, Nest(INDENT, tuple((HARDLINE, item) for item in items)), HARDLINE, "end")


def _header(header: s.ContractHeader) -> Doc:
    return _block(f"contract {quote(header.title)}", [_header_field(f) for f in header.fields])


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


def _measure(measure: s.Measure) -> Doc:
    words = ["measure", measure.code]
    if measure.origin is not None:
        words.append(f"from {measure.origin}")
    if measure.title is not None:
        words.append(quote(measure.title))
    attributes = []
    for attribute in measure.attributes:
        if attribute.kind in _MEASURE_FLAGS:
            attributes.append(_MEASURE_FLAGS[attribute.kind])
        elif attribute.kind in _MEASURE_VALUED and attribute.value is not None:
            valued = _MEASURE_VALUED[attribute.kind]
            attributes.append(f"{valued} {format_literal(attribute.value)}")
        else:
            raise ValueError(f"unknown measure attribute {attribute!r}")
    if not attributes:
        return " ".join(words)
    # Too long for a line, the attributes continue below the name and title.
    return Group((" ".join(words), Nest(INDENT, (LINE, Fill(tuple(attributes))))))


def _listing(keyword: str, entries: list[str]) -> Doc:
    """``keyword a, b, c``, continued on indented lines when it does not fit."""
    return (keyword, " ", Nest(INDENT, Fill(_commas(list(entries)))))


def _stratification(stratification: s.Stratification) -> Doc:
    head = f"stratification {stratification.name}"
    if stratification.origin is not None:
        head += f" from {stratification.origin.dotted}"
    if stratification.title is not None:
        head += f" {quote(stratification.title)}"
    return _block(head, [_stratification_item(i) for i in stratification.items])


def _stratification_item(item: s.StratificationItem) -> Doc:
    if item.kind == "groups":
        entries = [
            g.name if g.spelling is None else f"{quote(g.spelling)} as {g.name}"
            for g in item.groups
        ]
        return _listing("groups", entries)
    if item.kind == "focus":
        return _listing("focus", [f.name for f in item.focus])
    if item.kind == "ordered" and item.order is not None:
        return f"ordered {item.order}"
    if item.kind == "reference" and item.reference is not None:
        reference = item.reference
        if reference.kind == "group" and reference.group is not None:
            return f"reference {reference.group}"
        if reference.kind in _REFERENCE_WORDS:
            return f"reference {_REFERENCE_WORDS[reference.kind]}"
    raise ValueError(f"unknown stratification item {item!r}")


def _clauses(first: Doc, clauses: list[Doc]) -> Doc:
    """``first`` with clauses after it (``when ...``, ``per ...``), each on a line of its own,
    indented, when they do not all fit on one line."""
    return Group((first, Nest(INDENT, tuple((LINE, c) for c in clauses))))


def _citation(citation: str | None) -> list[Doc]:
    return [] if citation is None else [f"per {quote(citation)}"]


def _parameter(parameter: s.Parameter) -> Doc:
    head = f"parameter {parameter.name}: {parameter.type} = "
    value = _clauses((head, _expr(parameter.value, _IF)), _citation(parameter.citation))
    amendments = tuple(
        (
            HARDLINE,
            _clauses(
                ("amended to ", _expr(a.value, _IF), f" from {a.effective.isoformat()}"),
                _citation(a.citation),
            ),
        )
        for a in parameter.amendments
    )
    return (value, Nest(INDENT, amendments))


def _input(declared: s.Input) -> Doc:
    head = f"input {declared.name}: {declared.type}"
    if declared.range is not None:
        head += f" {format_range(declared.range)}"
    if declared.choices:
        head = (head, " one of ", Nest(INDENT, Fill(_commas(
            [format_literal(c) for c in declared.choices]))))
    return _clauses(head, _citation(declared.citation))


def _attribution(block: s.Attribution) -> Doc:
    head = "attribution of " + ", ".join(n.dotted for n in block.stratifications)
    return _block(head, [attribution_line(i) for i in block.items])


def attribution_line(item: s.AttributionItem) -> str:
    """One line of an attribution block as written: ``imputed counted fractionally``."""
    match item.kind:
        case "self_reported_first":
            return "self-reported first"
        case "imputed_fractionally":
            return "imputed counted fractionally"
        case "imputed_most_probable":
            assert item.threshold is not None
            return (f"imputed to the most probable group at {format_literal(item.threshold)} "
                    f"or more, else {item.otherwise}")
        case "probabilities_within" | "probabilities_exactly":
            assert item.total is not None
            total = format_literal(item.total)
            if item.tolerance is None:
                return f"probabilities sum to {total} exactly"
            return f"probabilities sum to {total} within {format_literal(item.tolerance)}"
    raise ValueError(f"unknown attribution line {item.kind!r}")


def _params(params: tuple[s.Param, ...] | None) -> str:
    if params is None:
        return ""
    return "(" + ", ".join(f"{p.name}: {p.type}" for p in params) + ")"


def declaration_head(declaration: s.Parameter | s.Definition | s.Output | s.Schedule) -> str:
    """The line that names a declaration with its parameters and type, without its body:
    ``define gap(m: measure, g: group, p: period): pp``."""
    return flat(_head(declaration))


def _head(declaration: s.Parameter | s.Definition | s.Output | s.Schedule,
          after: str = "") -> Doc:
    """A declaration's head, then ``after``. A long parameter list fills the lines below,
    indented twice, so that the parameters stand apart from the body under them."""
    match declaration:
        case s.Parameter():
            return f"parameter {declaration.name}: {declaration.type}{after}"
        case s.Schedule():
            keyword, params = "schedule", (declaration.param,)
            returns = f": {declaration.return_type}"
        case s.Definition() | s.Output():
            keyword = "output" if isinstance(declaration, s.Output) else "define"
            params = declaration.params
            returns = "" if declaration.return_type is None else f": {declaration.return_type}"
    name = f"{keyword} {declaration.name}"
    if params is None:
        return f"{name}{returns}{after}"
    if not params:
        return f"{name}(){returns}{after}"
    items = [f"{p.name}: {p.type}," for p in params]
    items[-1] = f"{items[-1][:-1]}){returns}{after}"
    return (f"{name}(", Nest(2 * INDENT, Fill(tuple(items))))


def _rule(rule: s.Definition | s.Output) -> Doc:
    lines: list[Doc] = [_expr(rule.body, _IF)]
    if isinstance(rule, s.Output):
        lines.append(_rounding(rule.rounding))
    lines.extend(_citation(rule.citation))
    lines.extend(
        _clauses(("except ", _expr(e.value, _IF)),
                 [("when ", _expr(e.condition, _IF)), *_citation(e.citation)])
        for e in rule.exceptions
    )
    return (_head(rule, " ="), Nest(INDENT, tuple((HARDLINE, line) for line in lines)))


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


def _schedule(schedule: s.Schedule) -> Doc:
    items: list[Doc] = []
    if schedule.domain is not None:
        items.append(f"domain {format_range(schedule.domain)}")
    # The tiers read as a table: what each range pays starts in one column.
    ranges = [format_range(t.range) for t in schedule.tiers]
    width = max(len(r) for r in ranges)
    items.extend(
        (f"{r:<{width}} pays ", _expr(tier.value, _IF))
        for r, tier in zip(ranges, schedule.tiers, strict=True)
    )
    return _block(_head(schedule), items)


def _claim(claim: s.Claim) -> Doc:
    if isinstance(claim, s.Always):
        condition = [] if claim.condition is None else [("when ", _expr(claim.condition, _IF))]
        return _clauses(("always ", _expr(claim.claim, _IF)), condition)
    return _clauses(
        (_expr(claim.value, _IF), f" never {claim.change}"),
        [("when ", _expr(claim.moved, _IF), f" {claim.motion}")],
    )


def format_claim(invariant: s.Invariant) -> str:
    """An invariant's claim and its ``for each`` on one line, as a report quotes it."""
    claim = flat(_claim(invariant.claim))
    return f"{claim} {flat(_binders(invariant.binders))}" if invariant.binders else claim


def _invariant(invariant: s.Invariant) -> Doc:
    head = f"invariant {quote(invariant.title)}:"
    claim = _claim(invariant.claim)
    # A claim over no `for each` reads best as one sentence when it fits; anything longer
    # puts the claim and its `for each` on lines of their own, the way it is read aloud.
    if not invariant.binders:
        return Group((head, Nest(INDENT, (LINE, claim))))
    return (head, Nest(INDENT, (HARDLINE, claim, HARDLINE, _binders(invariant.binders))))


def _example(example: s.Example) -> Doc:
    items: list[Doc] = []
    for item in example.items:
        match item:
            case s.ExampleOrganization(name):
                items.append(f"organization {quote(name)}")
            case s.ExampleSet(name, value):
                items.append(f"set {name} = {format_literal(value)}")
            case s.ExampleAsOf(date):
                items.append(f"as of {date.isoformat()}")
            case s.ExampleTable(path):
                items.append(f"table {quote(path)}")
            case s.ExampleRows(organization, rows):
                head = "rows" if organization is None else f"rows for {quote(organization)}"
                rows_doc = tuple((HARDLINE, row) for row in _row_lines(rows))
                items.append((head, Nest(INDENT, rows_doc)))
            case s.ExampleInputs(organization, inputs):
                # On one line when it fits, as a sentence; else one input a line.
                head = "inputs" if organization is None else f"inputs for {quote(organization)}"
                given = tuple((LINE, f"{i.name} {format_literal(i.value)}") for i in inputs)
                items.append(Group((head, Nest(INDENT, given))))
            case s.Expectation():
                items.append(_expectation(item))
    return _block(f"example {quote(example.title)}", items)


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
