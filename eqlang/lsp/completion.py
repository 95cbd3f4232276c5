"""Completion: takes an analysed document (perhaps a partial or an older one, while the file
does not parse) and the text before the cursor, gives what can be written there.

The context is read from the text before the cursor, which is cheap and works whatever
state the file is in: after ``ALIAS.`` the names a module declares; after ``not scored:``
the policies; at a type's place (``parameter pool:``, ``(m:``) the types; at the start of
a line not indented, the declaration keywords; anywhere else the names in scope (the
file's declarations, the parameters and loop variables of the declaration being written),
the builtins, the groups, measures and periods, and the keywords of expressions.
"""

from __future__ import annotations

import re

import attrs

from eqlang.check import units as t
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.syntax import ast as s
from eqlang.syntax.parser_tables import DECLARATION_KEYWORDS

#: Keywords of expressions and clauses, offered where a value or clause can stand.
EXPRESSION_KEYWORDS = (
    "if", "then", "else", "and", "or", "not", "otherwise", "because", "for each", "in",
    "where", "at", "is scored", "is not scored", "not scored because", "weighted by",
    "measures", "organizations", "groups of", "focus groups of", "ALL", "yes", "no",
    "rounded to cents half up", "not rounded", "per", "except", "when",
)
POLICIES = ("skip", "zero", "propagate", "rescale")

_MEMBER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]*)$")
_POLICY = re.compile(r"not\s+scored\s*:\s*[A-Za-z]*$")
_TYPE_PLACE = re.compile(r"(?:^\s*(?:parameter|define|output|schedule)\b[^=]*|\()"
                         r"[^=()]*:\s*[A-Za-z]*$")
_FIRST_WORD = re.compile(r"^[A-Za-z_]*$")
_HEAD = re.compile(r"^[ \t>]*(?:define|output|schedule)\s+[A-Za-z_][A-Za-z0-9_]*\s*\(([^)]*)",
                   re.M)
_PARAM = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z]+)")
_BINDER = re.compile(r"(?:for\s+each|,)\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b")


@attrs.frozen
class Item:
    label: str
    #: keyword, function, variable, constant, module, type, field, enum, value.
    kind: str
    detail: str = ""
    documentation: str = ""


def complete(program: p.Program | None, before: str, declaration: str) -> list[Item]:
    """What can be written where the line reads ``before`` up to the cursor, inside the
    declaration whose text (up to the cursor) is ``declaration``."""
    member = _MEMBER.search(before)
    if member is not None:
        return _members(program, member.group(1)) if program is not None else []
    if _POLICY.search(before):
        return [Item(x, "enum", "not-scored policy") for x in POLICIES]
    if _TYPE_PLACE.search(before):
        return [Item(x, "type", t.describe(x)) for x in sorted(t.ALL_TYPES)]
    if _FIRST_WORD.match(before):
        return [Item(k, "keyword", "declaration") for k in DECLARATION_KEYWORDS]
    items = _locals(declaration)
    if program is not None:
        items += _names(program)
    items += [Item(f.name, "function", _signature(f), "builtin") for f in
              builtins.FUNCTIONS.values()]
    items += [Item(f.name, "function", f"{f.name}(VALUE for each X in SET)", "aggregation")
              for f in builtins.AGGREGATES.values() if f.name not in builtins.FUNCTIONS]
    items += [Item(k, "keyword") for k in EXPRESSION_KEYWORDS]
    return _unique(items)


def _signature(f: builtins.Function) -> str:
    if f.signature == builtins.FIXED:
        return f"{f.name}({', '.join(f.params)}): {f.result}"
    return f"{f.name}(...)"


def _unique(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.label not in seen:
            seen.add(item.label)
            kept.append(item)
    return kept


def _locals(declaration: str) -> list[Item]:
    """The parameters and loop variables written in the declaration so far."""
    items = []
    head = _HEAD.search(declaration)
    if head is not None:
        items += [Item(name, "variable", kind, "parameter")
                  for name, kind in _PARAM.findall(head.group(1))]
    items += [Item(name, "variable", "", "loop variable")
              for name in _BINDER.findall(declaration)]
    return items


def _names(program: p.Program) -> list[Item]:
    """The names the main file can use without a module's name in front."""
    items: list[Item] = []
    main = program.main.key
    for rule in program.rules.values():
        if rule.module == main:
            params = ", ".join(f"{q.name}: {q.type}" for q in rule.params)
            items.append(Item(rule.name, "function", f"{rule.kind} {rule.name}"
                              + (f"({params})" if params else "") + f": {rule.type}",
                              _doc(program, rule.key)))
    for parameter in program.parameters.values():
        if parameter.module == main:
            items.append(Item(parameter.name, "constant", f"parameter: {parameter.type}",
                              _doc(program, parameter.key)))
    for code, info in program.measures.items():
        items.append(Item(code, "enum", f"measure {info.title or ''}".rstrip(),
                          " ".join(info.doc)))
    for group, strat in program.group_strata.items():
        items.append(Item(group, "enum", f"group of {strat}"))
    for period, label in program.periods.items():
        items.append(Item(period, "enum", f"period \"{label}\""))
    for name in program.stratifications:
        items.append(Item(name, "enum", "stratification"))
    for alias, loaded in program.main.imports.items():
        items.append(Item(alias, "module", f"module {loaded.source.path}"))
    return items


def _members(program: p.Program, alias: str) -> list[Item]:
    loaded = program.main.imports.get(alias)
    if loaded is None:
        return []
    items = []
    for d in loaded.module.declarations:
        doc = " ".join(d.leading.doc) if hasattr(d, "leading") else ""
        if isinstance(d, s.Definition | s.Output | s.Schedule):
            params = (d.param,) if isinstance(d, s.Schedule) else (d.params or ())
            shown = ", ".join(f"{q.name}: {q.type}" for q in params)
            items.append(Item(d.name, "function", f"{d.name}({shown})" if shown else d.name,
                              doc))
        elif isinstance(d, s.Parameter):
            items.append(Item(d.name, "constant", f"parameter: {d.type}", doc))
        elif isinstance(d, s.Measure):
            items.append(Item(d.code, "enum", f"measure {d.title or ''}".rstrip(), doc))
        elif isinstance(d, s.Stratification):
            items.append(Item(d.name, "enum", "stratification template", doc))
    return items


def _doc(program: p.Program, key: str) -> str:
    symbol = program.symbols.declarations.get(key)
    return "\n".join(symbol.doc) if symbol is not None else ""
