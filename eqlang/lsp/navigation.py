"""Navigation: takes an analysed document and a place in it, gives what is written there
(a declaration, a name of one, a loop variable), where it is declared, every place it is
written (in the file, its imports and the standard library), the edits that rename it, and
the outline of the file.

The symbol index of the checked program (``Program.symbols``) holds the declarations and
the uses of top-level names and of rules' parameters. Loop variables, the uses of an
import's alias and the names written in worked examples are not in it, so they are found
here from the program's expressions and the file's syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs

from eqlang.check import units as t
from eqlang.check.scope import name_span
from eqlang.check.warnings import claim_parts, name_at_start, rule_parts, syntax_names
from eqlang.core import builtins
from eqlang.core import program as p
from eqlang.lsp.documents import Analyzed, analyze_text
from eqlang.syntax import ast as s
from eqlang.syntax.parser_tables import data_path, grammar_parser
from eqlang.syntax.source import Span

#: What a name must look like (grammar/eqlang.lark's NAME).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def reserved_words() -> frozenset[str]:
    """Every word the grammar gives a meaning, the types, the builtins and ``ALL``."""
    words = {str(term.pattern.value) for term in grammar_parser().terminals
             if term.pattern.type == "str" and _NAME.fullmatch(str(term.pattern.value))}
    return frozenset(words | t.ALL_TYPES | builtins.NAMES | {"ALL", "half", "even", "down",
                                                             "toward", "away", "zero", "skip",
                                                             "propagate", "rescale"})


@attrs.frozen(eq=False)
class Target:
    """What is written at a place: a name and everything known of it."""

    name: str
    #: parameter, definition, output, schedule, measure, group, period, stratification,
    #: module, "parameter of a rule" or "loop variable".
    kind: str
    #: Its key in the symbol index (a loop variable has none).
    key: str | None
    declaration: Span | None
    #: Every place the name is written, the declaration first.
    references: tuple[Span, ...]
    symbol: p.Symbol | None = None
    binder: p.Binder | None = None
    #: For a loop variable, the aggregation or invariant that binds it.
    owner: str = ""


class RenameRefused(ValueError):
    """A rename that cannot be done, with the reason for the writer."""


class Navigator:
    """Answers questions about places in one analysed document."""

    def __init__(self, analyzed: Analyzed) -> None:
        assert analyzed.analysis is not None and analyzed.source is not None
        self.analyzed = analyzed
        self.program = analyzed.analysis.program
        self.source = analyzed.source
        self._loops: list[tuple[Span, str, p.Binder, str]] | None = None

    # ---- what is where --------------------------------------------------------------------

    def main_rules(self) -> list[p.Rule]:
        return [r for r in self.program.rules.values() if r.module == self.program.main.key]

    def expressions(self) -> Iterator[tuple[str, p.Expr]]:
        """Each top-level expression of the file, with the rule or invariant it is in."""
        main = self.program.main.key
        for rule in self.program.rules.values():
            if rule.module != main:
                continue
            for part in rule_parts(rule):
                yield rule.key, part
        for parameter in self.program.parameters.values():
            if parameter.module == main:
                yield parameter.key, parameter.value
                for amendment in parameter.amendments:
                    yield parameter.key, amendment.value
        for invariant in self.program.invariants:
            for part in claim_parts(invariant):
                yield f"invariant {invariant.title}", part

    def loops(self) -> list[tuple[Span, str, p.Binder, str]]:
        """Each place a loop variable is written: (span, binding, binder, owner); a binding
        names one binder, the binder's own name coming first."""
        if self._loops is None:
            found: list[tuple[Span, str, p.Binder, str]] = []
            for owner, part in self.expressions():
                if not owner.startswith("invariant "):
                    _scoped(part, {}, owner, found)
            for invariant in self.program.invariants:
                owner = f"invariant {invariant.title}"
                bound = {}
                for b in invariant.binders:
                    binding = _binding(owner, b)
                    bound[b.name] = (binding, b)
                    if b.span is not None:
                        found.append((name_at_start(b.span, b.name), binding, b, owner))
                for part in claim_parts(invariant):
                    _scoped(part, bound, owner, found)
            self._loops = found
        return self._loops

    def expression_at(self, offset: int) -> p.Expr | None:
        """The smallest expression of the file written around ``offset``."""
        best: p.Expr | None = None
        for _, part in self.expressions():
            for e in p.walk(part):
                span = e.span
                if span is None or span.source is not self.source:
                    continue
                if span.start <= offset <= span.end and (
                        best is None or best.span is None
                        or span.end - span.start < best.span.end - best.span.start):
                    best = e
        return best

    def target_at(self, offset: int) -> Target | None:
        for span, binding, binder, owner in self.loops():
            if span.start <= offset <= span.end:
                return self._loop_target(binding, binder, owner)
        line, column = self.source.position(offset)
        symbol = self.program.symbols.at(self.source.path, line, column)
        if symbol is None:
            symbol = self._example_symbol(offset)
        if symbol is None:
            return None
        return Target(symbol.name, symbol.kind, symbol.key, symbol.span,
                      tuple(self.references(symbol.key)), symbol=symbol)

    def _loop_target(self, binding: str, binder: p.Binder, owner: str) -> Target:
        spans = tuple(span for span, b, _, _ in self.loops() if b == binding)
        return Target(binder.name, "loop variable", None, spans[0], spans, binder=binder,
                      owner=owner)

    def _example_symbol(self, offset: int) -> p.Symbol | None:
        """The symbol of a name the index leaves out: in a worked example, an alias."""
        found = list(self.example_uses())
        for d in self.program.main.module.declarations:
            if isinstance(d, s.Import):
                found += [(span, f"module:{d.alias}") for span in self.alias_uses(d.alias)]
        for span, key in found:
            if span.start <= offset <= span.end:
                return self.program.symbols.declarations.get(key)
        return None

    # ---- references -----------------------------------------------------------------------

    def references(self, key: str) -> list[Span]:
        """Every place the symbol ``key`` is written, its declaration first."""
        found = list(self.program.symbols.references(key))
        found += [span for span, used in self.example_uses() if used == key]
        if key.startswith("module:"):
            found += self.alias_uses(key[len("module:"):])
        seen: set[tuple[str, int, int]] = set()
        unique = []
        for span in found:
            marker = (span.source.path, span.start, span.end)
            if marker not in seen:
                seen.add(marker)
                unique.append(span)
        return unique

    def example_uses(self) -> list[tuple[Span, str]]:
        """The names a worked example of the file writes, with the symbols they name."""
        declarations = self.program.symbols.declarations
        found: list[tuple[Span, str]] = []

        def named(span: Span, text: str, *keys: str) -> None:
            for key in keys:
                if key in declarations:
                    found.append((span, key))
                    return

        for d in self.program.main.module.declarations:
            if not isinstance(d, s.Example):
                continue
            for item in d.items:
                if isinstance(item, s.ExampleSet):
                    named(name_span(item.span, item.name), item.name, item.name)
                elif isinstance(item, s.Expectation):
                    named(_last(item.name), item.name.dotted, item.name.dotted)
                    for arg in item.args:
                        named(_last(arg), arg.dotted, arg.dotted, f"group:{arg.dotted}",
                              f"period:{arg.dotted}")
                elif isinstance(item, s.ExampleRows):
                    for row in item.rows:
                        for word, kind in ((row.measure, ""), (row.group, "group:"),
                                           (row.period, "period:")):
                            if word.kind == "name":
                                named(word.span, word.text, kind + word.text)
        return found

    def alias_uses(self, alias: str) -> list[Span]:
        """Where an import's alias is written: `alias.NAME`, `from alias`."""
        found: list[Span] = []
        for d in self.program.main.module.declarations:
            if isinstance(d, s.Import):
                continue
            for name in syntax_names(d):
                if len(name.parts) == 2 and name.parts[0] == alias:
                    found.append(name_at_start(name.span, alias))
            if isinstance(d, s.Measure) and d.origin == alias:
                match = re.search(rf"\bfrom\s+({re.escape(alias)})\b", d.span.text)
                if match is not None:
                    found.append(d.span.source.span(d.span.start + match.start(1),
                                                    d.span.start + match.end(1)))
        return found

    # ---- rename ---------------------------------------------------------------------------

    def rename(self, offset: int, new: str, others: dict[Path, str]
               ) -> dict[Path, list[tuple[Span, str]]]:
        """The edits, by file, that rename what is written at ``offset`` to ``new``; raises
        ``RenameRefused`` with the reason when it cannot be done."""
        target = self.target_at(offset)
        if target is None:
            raise RenameRefused("there is no name here to rename")
        self.refuse(target, new)
        edits: dict[Path, list[tuple[Span, str]]] = {}
        for span in target.references:
            edits.setdefault(self.analyzed.file_of(span), []).append((span, new))
        self.verify(edits, others, new)
        return edits

    def refuse(self, target: Target, new: str) -> None:
        if not _NAME.fullmatch(new):
            raise RenameRefused(f"`{new}` is not a name: a name is letters, digits and `_`, "
                                "not starting with a digit")
        if new in reserved_words():
            raise RenameRefused(f"`{new}` is a word of the language or a builtin")
        if new == target.name:
            raise RenameRefused(f"it is already called `{new}`")
        stdlib = data_path("stdlib").resolve()
        for span in target.references:
            if self.analyzed.file_of(span).resolve().parent == stdlib:
                raise RenameRefused(f"`{target.name}` is declared in the standard library, "
                                    "which is not edited")
        if target.kind == "measure":
            raise RenameRefused("a measure's code is how the measure tables name it; "
                                "rename it in the tables and the contract together")
        if target.kind == "group" and self.program.spelling(target.name) == target.name:
            raise RenameRefused(f"group `{target.name}` is spelled so in the measure tables; "
                                f"give it its spelling first: `{target.name} "
                                f"\"{target.name}\"`")
        if target.kind == "module" and any(
                isinstance(d, s.Import) and d.alias == target.name and d.path is None
                for d in self.program.main.module.declarations):
            raise RenameRefused("a standard library module is imported by its own name")
        taken = self._taken(target)
        if new in taken:
            raise RenameRefused(f"`{new}` is already a name where `{target.name}` is used")

    def _taken(self, target: Target) -> set[str]:
        """The names that ``new`` would clash with or be captured by."""
        taken: set[str] = set()
        modules = {m.key: m for m in self.program.modules}
        declared_in = target.declaration.source.path if target.declaration else None
        for loaded in modules.values():
            if loaded.source.path == declared_in or target.kind in (
                    "loop variable", "parameter of a rule"):
                taken |= _top_levelsyntax_names(loaded.module)
        for span in target.references:
            for rule in self.program.rules.values():
                if rule.span is not None and rule.span.source is span.source \
                        and rule.span.start <= span.start < rule.span.end:
                    taken |= {q.name for q in rule.params}
                    for part in rule_parts(rule):
                        taken |= {b.name for e in p.walk(part) if isinstance(e, p.Aggregate)
                                  for b in e.binders}
        taken.discard(target.name)
        return taken

    def verify(self, edits: dict[Path, list[tuple[Span, str]]], others: dict[Path, str],
               new: str) -> None:
        """Refuse edits after which the file would not check as it did."""
        texts = dict(others)
        main = self.analyzed.path
        texts[main] = self.analyzed.text
        for path, changes in edits.items():
            text = texts.get(path)
            if text is None:
                text = path.read_text(encoding="utf-8")
            for span, replacement in sorted(changes, key=lambda c: -c[0].start):
                text = text[:span.start] + replacement + text[span.end:]
            texts[path] = text
        after = analyze_text(main, texts[main], {k: v for k, v in texts.items() if k != main})
        before = {d.code for d in self.analyzed.problems if not d.is_warning}
        broken = [d for d in after.problems if not d.is_warning and d.code not in before]
        if broken:
            raise RenameRefused(f"renaming to `{new}` would make the contract wrong: "
                                f"{broken[0].message}")




def _binding(owner: str, binder: p.Binder) -> str:
    start = binder.span.start if binder.span is not None else 0
    return f"{owner}@{start}"


def _scoped(e: p.Expr, bound: dict[str, tuple[str, p.Binder]], owner: str,
            found: list[tuple[Span, str, p.Binder, str]]) -> None:
    """Record each loop variable written in ``e`` with the binder it refers to."""
    if isinstance(e, p.Local):
        hit = bound.get(e.name)
        if hit is not None and e.span is not None:
            found.append((e.span, hit[0], hit[1], owner))
        return
    if not isinstance(e, p.Aggregate):
        for child in p.children(e):
            _scoped(child, bound, owner, found)
        return
    for b in e.binders:
        for item in p.domain_items(b.domain):
            _scoped(item, bound, owner, found)
    if e.share is not None:
        _scoped(e.share, bound, owner, found)
    inner = dict(bound)
    for b in e.binders:
        binding = _binding(owner, b)
        inner[b.name] = (binding, b)
        if b.span is not None:
            found.append((name_at_start(b.span, b.name), binding, b, owner))
    for part in (e.where, e.value, e.weight):
        if part is not None:
            _scoped(part, inner, owner, found)



def _last(name: s.Name) -> Span:
    return name.span.source.span(name.span.end - len(name.parts[-1]), name.span.end)



def _top_levelsyntax_names(module: s.Module) -> set[str]:
    names: set[str] = set()
    for d in module.declarations:
        if isinstance(d, s.ContractHeader):
            names |= {str(f.values[0]) for f in d.fields if f.kind == "period"}
        elif isinstance(d, s.Import):
            names.add(d.alias)
        elif isinstance(d, s.Measure):
            names.add(d.code)
        elif isinstance(d, s.Stratification):
            names.add(d.name)
            names |= {g.name for item in d.items for g in item.groups}
        elif isinstance(d, s.Parameter | s.Definition | s.Output | s.Schedule | s.Input):
            names.add(d.name)
    return names




@attrs.frozen
class Outline:
    """One entry of a file's outline: a declaration, or a part of one."""

    name: str
    #: module, constant, enum, enum member, function, event, object, namespace, field.
    kind: str
    detail: str
    span: Span
    name_span: Span
    children: tuple[Outline, ...] = ()


def outline(module: s.Module) -> list[Outline]:
    """The declarations of a parsed file, in order, with the periods of its header and the
    groups of its stratifications below them."""
    found: list[Outline] = []
    for d in module.declarations:
        if isinstance(d, s.ContractHeader):
            periods = tuple(
                Outline(str(f.values[0]), "field", f"period \"{f.values[1]}\"", f.span,
                        name_span(f.span, str(f.values[0])))
                for f in d.fields if f.kind == "period")
            found.append(Outline(d.title, "namespace", "contract", d.span, d.span, periods))
        elif isinstance(d, s.Import):
            found.append(Outline(d.alias, "module", d.path or "standard library", d.span,
                                 name_span(d.span, d.alias, last=True)))
        elif isinstance(d, s.Measure):
            found.append(Outline(d.code, "constant", d.title or "measure", d.span,
                                 name_span(d.span, d.code)))
        elif isinstance(d, s.Stratification):
            groups = tuple(
                Outline(g.name, "enum member", g.spelling or "group", g.span, g.span)
                for item in d.items for g in item.groups)
            found.append(Outline(d.name, "enum", d.title or "stratification", d.span,
                                 name_span(d.span, d.name), groups))
        elif isinstance(d, s.Parameter):
            found.append(Outline(d.name, "constant", f"parameter: {d.type}", d.span,
                                 name_span(d.span, d.name)))
        elif isinstance(d, s.Definition | s.Output | s.Schedule):
            kind = {s.Definition: "define", s.Output: "output", s.Schedule: "schedule"}[type(d)]
            found.append(Outline(d.name, "function", f"{kind}: {d.return_type or '(inferred)'}",
                                 d.span, name_span(d.span, d.name)))
        elif isinstance(d, s.Invariant):
            found.append(Outline(d.title, "event", "invariant", d.span, d.span))
        elif isinstance(d, s.Example):
            found.append(Outline(d.title, "object", "worked example", d.span, d.span))
        elif isinstance(d, s.Input):
            found.append(Outline(d.name, "field", f"organization input: {d.type}", d.span,
                                 name_span(d.span, d.name)))
        elif isinstance(d, s.Attribution):
            names = ", ".join(n.dotted for n in d.stratifications)
            found.append(Outline(f"attribution of {names}", "object", "attribution terms",
                                 d.span, d.span))
    return found
