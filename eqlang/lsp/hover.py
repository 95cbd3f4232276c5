"""Hover: takes an analysed document and a place in it, gives Markdown saying what is
written there: a name's declaration as ``eqlang fmt`` writes it, its type and unit, its
doc comment, a parameter's value and citation, a measure's definition in the module it
comes from, a group's stratification; elsewhere, the type of the expression under the
cursor.
"""

from __future__ import annotations

import attrs

from eqlang.check import units as t
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.core.values import Quantity, display
from eqlang.lsp.navigation import Navigator, Target
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_module
from eqlang.syntax.source import Span

#: A declaration longer than this many lines is shown cut, with a line saying so.
_MAX_LINES = 30


def _fenced(code: str) -> str:
    lines = code.rstrip("\n").split("\n")
    if len(lines) > _MAX_LINES:
        lines = [*lines[:_MAX_LINES], f"# ... {len(lines) - _MAX_LINES} more lines"]
    return "```eqlang\n" + "\n".join(lines) + "\n```"


def _declaration_text(d: s.Declaration) -> str:
    """A declaration as ``eqlang fmt`` writes it, without the comments above it."""
    return format_module(s.Module((attrs.evolve(d, leading=s.Leading()),)))


def _unit(type_name: str) -> str:
    if type_name in (p.UNTYPED, p.ERROR):
        return ""
    return f"Type: {t.describe(type_name)} (`{type_name}`)."


def hover(nav: Navigator, offset: int) -> tuple[str, Span | None] | None:
    """The Markdown to show for ``offset``, and the text it is about."""
    target = nav.target_at(offset)
    if target is not None:
        span = next((r for r in target.references
                     if r.source is nav.source and r.start <= offset <= r.end), None)
        return _target(nav, target), span
    e = nav.expression_at(offset)
    if e is None or e.span is None:
        return None
    if isinstance(e, p.Builtin | p.Aggregate):
        name = e.name if isinstance(e, p.Builtin) else e.function
        if offset <= e.span.start + len(name):
            return _builtin(name, e), e.span.source.span(e.span.start, e.span.start + len(name))
    text = " ".join(e.span.text.split())
    if len(text) > 80:
        text = text[:77] + "..."
    return f"`{text}`\n\n{_unit(e.type)}", e.span


def _builtin(name: str, e: p.Expr) -> str:
    function = builtins.FUNCTIONS.get(name) if isinstance(e, p.Builtin) else \
        builtins.AGGREGATES.get(name)
    parts = [f"**{name}**: a builtin {'aggregation' if isinstance(e, p.Aggregate) else 'function'}"]
    if function is not None and function.signature == builtins.FIXED and function.params:
        parts.append(f"`{name}({', '.join(function.params)})` gives "
                     f"{t.describe(function.result or e.type)}.")
    parts.append(_unit(e.type))
    parts.append("See docs/language.md, section 17 (builtins) and 12 (aggregations).")
    return "\n\n".join(x for x in parts if x)


def _target(nav: Navigator, target: Target) -> str:
    program = nav.program
    if target.kind == "loop variable":
        binder = target.binder
        assert binder is not None
        domain = binder.span.text if binder.span is not None else binder.name
        return "\n\n".join(x for x in (
            _fenced(f"for each {' '.join(domain.split())}"),
            f"A loop variable of {target.owner}.", _unit(binder.type)) if x)
    symbol = target.symbol
    assert symbol is not None and target.key is not None
    key = target.key
    parts: list[str] = []
    declaration = _syntax(nav, target)
    if target.kind == "parameter of a rule":
        rule_key, _, name = key.partition("#")
        rule = program.rules.get(rule_key)
        parts.append(_fenced(f"{name}: {symbol.type}"))
        if rule is not None:
            parts.append(f"A parameter of `{rule.name}`.")
        parts.append(_unit(symbol.type))
    elif declaration is not None:
        parts.append(_fenced(_declaration_text(declaration)))
    else:
        parts.append(f"**{symbol.kind}** `{symbol.name}`")
    parts.extend(_facts(nav, target, declaration))
    if symbol.doc and target.kind not in ("period", "group"):
        # A period or group has the doc comment of the header or stratification it is in.
        parts.append("\n".join(symbol.doc))
    where = target.declaration
    if where is not None and where.source is not nav.source:
        parts.append(f"Declared in `{where.source.path}`, line {where.line}.")
    return "\n\n".join(x for x in parts if x)


def _facts(nav: Navigator, target: Target, declaration: s.Declaration | None) -> list[str]:
    """What the checked program knows beyond the declaration's text."""
    program = nav.program
    key = target.key or ""
    kind = target.kind
    facts: list[str] = []
    if kind == "parameter" and key in program.parameters:
        info = program.parameters[key]
        facts.append(_unit(info.type))
        value = " ".join(info.value.span.text.split()) if info.value.span else "?"
        facts.append(f"Value: `{value}`" + (f", per \"{info.citation}\"." if info.citation
                                            else "."))
        for amendment in info.amendments:
            written = " ".join(amendment.value.span.text.split()) if amendment.value.span \
                else "?"
            facts.append(f"Amended to `{written}` from {amendment.effective}"
                         + (f", per \"{amendment.citation}\"." if amendment.citation else "."))
    elif kind in ("definition", "output", "schedule") and key in program.rules:
        rule = program.rules[key]
        facts.append(_unit(rule.type))
        if rule.citation:
            facts.append(f"Per \"{rule.citation}\".")
        if key in program.constant_rules:
            facts.append("Reads no measure table: the same for every organization.")
        elif key not in program.organization_rules:
            facts.append("The same for every organization (it reads other organizations' "
                         "rows only through `at`).")
    elif kind == "measure" and key in program.measures:
        facts.extend(_measure(nav, key, declaration))
    elif kind == "group":
        name = key.removeprefix("group:")
        strat = program.stratifications.get(program.group_strata.get(name, ""))
        if strat is not None:
            spelling = program.spelling(name)
            role = ("the reference group" if strat.reference is not None
                    and strat.reference.group == name else
                    "a focus group" if name in strat.focus else "a group")
            facts.append(f"{role.capitalize()} of stratification `{strat.name}`; measure "
                         f"tables spell it \"{spelling}\".")
    elif kind == "module":
        loaded = program.main.imports.get(symbol_name(key))
        if loaded is not None:
            facts.append(f"Module `{loaded.source.path}`.")
            first = loaded.module.declarations[0] if loaded.module.declarations else None
            intro = [c.lstrip("#").strip() for c in first.leading.comments] if first else []
            text = " ".join(w for w in intro if w and not set(w) <= set("-"))
            if text:
                facts.append(text)
    elif kind == "period":
        name = key.removeprefix("period:")
        label = program.periods.get(name)
        if label is not None:
            facts.append(f"Measure tables label this period \"{label}\".")
    return facts


def symbol_name(key: str) -> str:
    """A module symbol's alias: ``module:hedis`` is ``hedis``."""
    return key.partition(":")[2]


def _measure(nav: Navigator, code: str, declaration: s.Declaration | None) -> list[str]:
    info = nav.program.measures[code]
    facts = []
    direction = {True: "higher is better", False: "lower is better", None: "direction unknown"}
    weight = "no weight" if info.weight is None else \
        f"weight {display(Quantity('percent', info.weight))}"
    facts.append(f"{info.title or code}: {direction[info.higher_is_better]}, {weight}"
                 + (f", minimum denominator {info.min_denominator}"
                    if info.min_denominator is not None else "") + ".")
    if isinstance(declaration, s.Measure) and declaration.origin is not None:
        loaded = nav.program.main.imports.get(declaration.origin)
        template = next((d for d in loaded.module.declarations
                         if isinstance(d, s.Measure) and d.code == code), None) \
            if loaded is not None else None
        if template is not None:
            facts.append(f"As `{declaration.origin}` ({loaded.source.path}) defines it:")
            facts.append(_fenced(_declaration_text(template)))
    return facts


def _syntax(nav: Navigator, target: Target) -> s.Declaration | None:
    """The declaration a top-level name is declared by."""
    where = target.declaration
    if where is None:
        return None
    for loaded in nav.program.modules:
        if loaded.source is not where.source:
            continue
        for d in loaded.module.declarations:
            if d.span.start <= where.start < d.span.end and not isinstance(
                    d, s.ContractHeader | s.Stratification):
                return d
            if isinstance(d, s.Stratification) and d.span.start <= where.start < d.span.end:
                return d if target.kind == "stratification" else None
            if isinstance(d, s.ContractHeader):
                for f in d.fields:
                    if f.span.start <= where.start < f.span.end:
                        return None
    return None
