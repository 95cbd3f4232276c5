"""Declarations: the first pass of checking. Takes a loaded contract and its modules, gives
each module's names, the header, the measures and the stratifications, or errors.

Every module's names are known before any expression is resolved, so a contract can use
what its modules declare, and a declaration what comes below it, in any order. The
stratifications the contract takes from a module's templates are completed here.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable, Iterator
from decimal import Decimal

import attrs

from eqlang.check import units as t
from eqlang.core import builtins
from eqlang.core.program import MeasureInfo, StratificationInfo, Symbol, Use
from eqlang.core.values import shift
from eqlang.diagnostics import Collector, Diagnostic, Note, did_you_mean
from eqlang.syntax import ast as s
from eqlang.syntax.modules import LoadedModule, all_modules
from eqlang.syntax.source import Span

HEADER_FIELDS = {
    "payer": "payer", "provider_named": "provider", "provider_each": "provider",
    "currency": "currency", "period": "period", "version": "version",
    "effective": "effective", "settled_as_of": "settled as of",
}

#: What each kind of declaration is called in the symbol index.
_SYMBOL_KINDS = {"parameter": "parameter", "definition": "definition", "output": "output",
                 "schedule": "schedule", "measure": "measure", "period": "period",
                 "stratification": "stratification", "module": "module", "group": "group",
                 "input": "organization input"}


@attrs.frozen
class Ref:
    """What a top-level name refers to. ``kind``: parameter, definition, output, schedule,
    measure, group, period, stratification, module or input (an organization input);
    ``key`` is unique in the program."""

    kind: str
    key: str


class ModuleScope:
    """The top-level names of one module."""

    def __init__(self, loaded: LoadedModule, prefix: str) -> None:
        self.loaded = loaded
        self.prefix = prefix
        self.names: dict[str, tuple[Ref, Span]] = {}
        #: The stratification each group name was first listed in.
        self.group_owners: dict[str, str] = {}


class Pass:
    """What every pass shares: the diagnostics of the whole check."""

    def __init__(self, diagnostics: Collector) -> None:
        self.diagnostics = diagnostics

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None,
              notes: tuple[Note, ...] = ()) -> None:
        self.diagnostics.add(Diagnostic(code, message, span, hint=hint, notes=notes))

    def suggest(self, name: str, candidates: Iterable[str]) -> str | None:
        """``did_you_mean``, skipped once further errors are only counted: a file with
        thousands of misspelt names would otherwise take time in the square of them."""
        return None if self.diagnostics.full else did_you_mean(name, candidates)


def symbol_key(ref: Ref, scope: ModuleScope) -> str:
    """The key of a declaration in the symbol index (see ``eqlang.core.program.Symbol``)."""
    if ref.kind in ("group", "period"):
        return f"{ref.kind}:{ref.key}"
    if ref.kind == "module":
        return f"module:{scope.prefix}{ref.key}"
    if ref.kind == "stratification":
        return f"stratification:{ref.key}"
    return ref.key


def name_span(span: Span, name: str, last: bool = False) -> Span:
    """Where ``name`` is written in a declaration: the first time after its keyword, or the
    last time (``import "common.eq" as common``)."""
    text = span.text
    keyword = len(text) - len(text.lstrip().split(None, 1)[-1]) if text.strip() else 0
    found = None
    start = text.rfind(name) if last else text.find(name, keyword)
    while start >= keyword:
        end = start + len(name)
        if not (_word(text, start - 1) or _word(text, end)):
            found = start
            break
        start = text.rfind(name, keyword, start) if last else text.find(name, end)
    if found is None:
        return span
    return span.source.span(span.start + found, span.start + found + len(name))


def _word(text: str, index: int) -> bool:
    """Whether the character at ``index`` (if any) belongs to a name."""
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


class Declarations(Pass):
    """The names of every module and what the contract declares, as far as it can be read."""

    def __init__(self, main: LoadedModule, diagnostics: Collector) -> None:
        super().__init__(diagnostics)
        self.main = main
        self.modules = all_modules(main)
        self.scopes: dict[str, ModuleScope] = {}
        self.prefixes: dict[str, str] = {}
        self.measures: dict[str, MeasureInfo] = {}
        self.main_measures: tuple[str, ...] = ()
        self.stratifications: dict[str, StratificationInfo] = {}
        self.group_strata: dict[str, str] = {}
        #: Parameters and rules by key, with the module each is declared in.
        self.parameters: dict[str, tuple[s.Parameter, str]] = {}
        self.bodies: dict[str, tuple[s.Definition | s.Output | s.Schedule, str]] = {}
        #: Declarations refused as duplicates: checked for their own errors, never used.
        self.duplicates: list[tuple[s.Declaration, str]] = []
        #: Table spellings of the contract's groups: spelling -> (group, stratification).
        self.table_spellings: dict[str, tuple[str, str]] = {}
        self.periods: dict[str, str] = {}
        self.header: s.ContractHeader | None = None
        self.provider: str | None = None
        self.settled_as_of: datetime.date | None = None
        self.symbols: dict[str, Symbol] = {}
        #: Uses of import aliases in `from MODULE` clauses.
        self.uses: list[Use] = []

    def run(self) -> Declarations:
        self.prefixes = self._alias_paths()
        for loaded in self.modules:
            self._declare(loaded)
        self._check_header()
        self._collect_measures()
        self._collect_stratifications()
        return self

    def _alias_paths(self) -> dict[str, str]:
        """Each module's key prefix: the aliases that lead to it from the contract.

        ``import "common.eq" as common`` gives ``common.``; a module that ``common`` imports
        as ``rates`` gives ``common.rates.``. Two modules never share a path, so the keys of
        their declarations never collide, whatever aliases they use.
        """
        prefixes = {self.main.key: ""}
        queue = deque([self.main])
        while queue:
            current = queue.popleft()
            for alias in sorted(current.imports):
                target = current.imports[alias]
                if target.key not in prefixes:
                    prefixes[target.key] = prefixes[current.key] + alias + "."
                    queue.append(target)
        return prefixes

    def _declare(self, loaded: LoadedModule) -> None:
        scope = ModuleScope(loaded, self.prefixes[loaded.key])
        self.scopes[loaded.key] = scope
        headers = [d for d in loaded.module.declarations if isinstance(d, s.ContractHeader)]
        if loaded is self.main and headers:
            self.header = headers[0]
        for extra in headers[1:]:
            self.error("E0102", "a file has one contract header; this is a second one",
                       extra.span, hint="merge the two headers",
                       notes=(Note("the first header", headers[0].span),))
        if loaded is not self.main and headers:
            self.error("E0110", "an imported module cannot have a contract header",
                       headers[0].span, hint="remove the header from the module")
        if loaded is not self.main:
            for d in loaded.module.declarations:
                if isinstance(d, s.Input | s.Attribution):
                    # What each organization brings, and how its members count, are terms
                    # of one contract's run, read with its tables.
                    what = "organization inputs" if isinstance(d, s.Input) else \
                        "attribution terms"
                    self.error("E0113" if isinstance(d, s.Input) else "E0114",
                               f"an imported module cannot declare {what}", d.span,
                               hint="declare them in the contract; a module's definitions "
                               "can take an input's value as a parameter")
                if isinstance(d, s.Output):
                    # Only the contract's outputs are settled; one in a module would be
                    # silently ignored.
                    self.error("E0307", f"an imported module cannot have outputs; `{d.name}` "
                               "would never be settled", d.span,
                               hint="write it as `define` in the module, and output it from "
                               "the contract")
        for declaration in loaded.module.declarations:
            for name, ref, span in self._names_declared(declaration, scope.prefix):
                if self._bind(scope, name, ref, span):
                    self._register(declaration, ref.key, loaded.key)
                    doc = getattr(getattr(declaration, "leading", None), "doc", ())
                    self._symbol(scope, ref, name,
                                 name_span(span, name, last=isinstance(declaration, s.Import)),
                                 doc)
                elif isinstance(declaration, s.Parameter | s.Definition | s.Output | s.Schedule):
                    self.duplicates.append((declaration, loaded.key))
            if isinstance(declaration, s.Stratification):
                for item in declaration.items:
                    for g in item.groups:
                        if self._bind(scope, g.name, Ref("group", g.name), g.span,
                                      stratification=declaration.name):
                            self._symbol(scope, Ref("group", g.name), g.name,
                                         g.span.source.span(g.span.end - len(g.name),
                                                            g.span.end), ())

    def _register(self, d: s.Declaration, key: str, module_key: str) -> None:
        if isinstance(d, s.Parameter):
            self.parameters[key] = (d, module_key)
        elif isinstance(d, s.Definition | s.Output | s.Schedule):
            self.bodies[key] = (d, module_key)

    def _names_declared(self, d: s.Declaration, prefix: str) -> Iterator[tuple[str, Ref, Span]]:
        if isinstance(d, s.ContractHeader):
            for f in d.fields:
                if f.kind == "period":
                    yield str(f.values[0]), Ref("period", str(f.values[0])), f.span
        elif isinstance(d, s.Import):
            yield d.alias, Ref("module", d.alias), d.span
        elif isinstance(d, s.Measure):
            yield d.code, Ref("measure", d.code), d.span
        elif isinstance(d, s.Stratification):
            # A module's stratifications are templates; the prefix keeps them apart from
            # the contract's own, which are the only ones that are values.
            yield d.name, Ref("stratification", prefix + d.name), d.span
        elif isinstance(d, s.Parameter):
            yield d.name, Ref("parameter", prefix + d.name), d.span
        elif isinstance(d, s.Input) and not prefix:
            yield d.name, Ref("input", d.name), d.span
        elif isinstance(d, s.Definition | s.Output | s.Schedule):
            kind = {s.Definition: "definition", s.Output: "output",
                    s.Schedule: "schedule"}[type(d)]
            yield d.name, Ref(kind, prefix + d.name), d.span

    def _bind(self, scope: ModuleScope, name: str, ref: Ref, span: Span,
              stratification: str | None = None) -> bool:
        """Declare a name in a module; false, with an error, if it cannot be declared."""
        if name in scope.names:
            owner = scope.group_owners.get(name)
            if stratification is not None and owner is not None and owner != stratification:
                # One group in two stratifications: E0111 for the contract's own (checked
                # with the stratifications); a module's are templates and may share groups.
                return False
            first = scope.names[name][1]
            if stratification is not None and owner == stratification:
                self.error("E0102", f"group `{name}` is listed twice in `{stratification}`",
                           span, hint="list each group once",
                           notes=(Note("first listed here", first),))
                return False
            self.error("E0102", f"`{name}` is declared twice", span,
                       hint="rename one of them; every name in a file is declared once",
                       notes=(Note(f"`{name}` first declared here", first),))
            return False
        if name in builtins.NAMES or name == "ALL":
            self.error("E0102", f"`{name}` is the name of a builtin and cannot be redeclared",
                       span, hint="choose another name")
            return False
        scope.names[name] = (ref, span)
        if stratification is not None:
            scope.group_owners[name] = stratification
        return True

    # ---- header ---------------------------------------------------------------------------

    def _check_header(self) -> None:
        header = self.header
        if header is None:
            return
        seen: dict[str, s.HeaderField] = {}
        for f in header.fields:
            label = HEADER_FIELDS[f.kind]
            if label == "period":
                name, value = str(f.values[0]), str(f.values[1])
                self._table_spelling(f"the label of period `{name}`", value, f.span, "E0110")
                if value in self.periods.values():
                    self.error("E0102", f"period \"{value}\" is named twice", f.span,
                               hint="each period of the table is named once")
                self.periods[name] = value
                continue
            if label in seen:
                self.error("E0102", f"the header gives `{label}` twice", f.span,
                           hint="keep one", notes=(Note("first given here", seen[label].span),))
                continue
            seen[label] = f
            if f.kind == "provider_named":
                self.provider = str(f.values[0])
                self._table_spelling("the provider's name", self.provider, f.span, "E0110")
            elif f.kind == "currency":
                code = str(f.values[0])
                if code != "USD":
                    self.error("E0110", f"currency `{code}` is not supported", f.span,
                               hint="amounts are written in dollars ($); use `currency USD`")
            elif f.kind == "effective":
                start, end = f.values
                assert isinstance(start, datetime.date) and isinstance(end, datetime.date)
                if end < start:
                    self.error("E0110", f"the contract ends ({end}) before it starts ({start})",
                               f.span, hint="swap the dates")
            elif f.kind == "settled_as_of":
                assert isinstance(f.values[0], datetime.date)
                self.settled_as_of = f.values[0]
        if "effective" in seen and "settled as of" in seen:
            start = seen["effective"].values[0]
            settled = seen["settled as of"].values[0]
            assert isinstance(start, datetime.date) and isinstance(settled, datetime.date)
            if settled < start:
                self.error("E0110", f"the contract is settled as of {settled}, before it "
                           f"takes effect on {start}", seen["settled as of"].span,
                           hint="settle on or after the start of the contract, usually after "
                           "its performance period ends",
                           notes=(Note("the contract takes effect here",
                                       seen["effective"].span),))
        for required in ("provider", "currency"):
            if required not in seen:
                self.error("E0110", f"the contract header does not say its {required}",
                           header.span,
                           hint="add `provider each organization` or `provider \"Name\"`"
                           if required == "provider" else "add `currency USD`")
        if not self.periods:
            self.error("E0110", "the contract header names no period", header.span,
                       hint='add for example `period baseline is "2022"`')

    def _table_spelling(self, what: str, text: str, span: Span, code: str) -> bool:
        """Whether ``text`` can match a key cell of a measure table; false, with an error,
        if it cannot: tables are read with the spaces around a cell removed, and a key cell
        is never empty."""
        if text.strip() and text == text.strip():
            return True
        problem = ("is empty" if not text.strip() else
                   "begins or ends with a space, so no row of a table can match it (tables "
                   "are read without the spaces around a cell)")
        self.error(code, f"{what} {problem}", span,
                   hint=f"write it as the measure table spells it: \"{text.strip()}\""
                   if text.strip() else "write it as the measure table spells it")
        return False

    # ---- measures and groups ------------------------------------------------------------

    def _collect_measures(self) -> None:
        templates: dict[tuple[str, str], s.Measure] = {}
        for loaded in self.modules:
            for d in loaded.module.declarations:
                if isinstance(d, s.Measure):
                    templates[(loaded.key, d.code)] = d
        # The contract's own declaration of a code wins over a module's; of two in the
        # contract, the first (the second is refused as a duplicate, E0102).
        main_codes = list(dict.fromkeys(
            d.code for d in self.main.module.declarations if isinstance(d, s.Measure)))
        taken: set[str] = set()
        for loaded in reversed(self.modules):
            for d in loaded.module.declarations:
                if isinstance(d, s.Measure):
                    info = self._measure_info(loaded, d, templates)
                    main_first = loaded is self.main and d.code not in taken
                    if info is not None and (main_first or d.code not in self.measures):
                        self.measures[d.code] = info
                    if loaded is self.main:
                        taken.add(d.code)
        self.measures = {
            **{c: self.measures[c] for c in main_codes if c in self.measures},
            **{c: m for c, m in self.measures.items() if c not in main_codes},
        }
        self.main_measures = tuple(c for c in main_codes if c in self.measures)

    def _measure_info(self, loaded: LoadedModule, d: s.Measure,
                      templates: dict[tuple[str, str], s.Measure]) -> MeasureInfo | None:
        attributes: list[s.MeasureAttribute] = []
        title, doc = d.title, d.leading.doc
        if d.origin is not None:
            source = loaded.imports.get(d.origin)
            if source is not None:
                self.uses.append(Use(name_span(d.span, d.origin, last=True),
                                     f"module:{self.prefixes[loaded.key]}{d.origin}"))
            if source is None:
                self.error("E0101", f"`{d.origin}` is not an imported module", d.span,
                           hint=self.suggest(d.origin, loaded.imports)
                           or f"add `import {d.origin}` above")
                return None
            template = templates.get((source.key, d.code))
            if template is None:
                codes = [c for (k, c) in templates if k == source.key]
                self.error("E0101", f"module `{d.origin}` has no measure `{d.code}`", d.span,
                           hint=self.suggest(d.code, codes) or "check the measure code")
                return None
            attributes.extend(template.attributes)
            title = title or template.title
            doc = doc or template.leading.doc
        seen: dict[str, s.MeasureAttribute] = {}
        for a in d.attributes:
            kind = "direction" if a.kind.endswith("is_better") else a.kind
            if kind in seen:
                self.error("E0102", f"measure `{d.code}` states its {kind.replace('_', ' ')} "
                           "twice", a.span, hint="keep one",
                           notes=(Note("first stated here", seen[kind].span),))
            seen[kind] = a
        attributes.extend(d.attributes)
        direction: bool | None = None
        weight: Decimal | None = None
        minimum: Decimal | None = None
        for a in attributes:
            if a.kind == "higher_is_better":
                direction = True
            elif a.kind == "lower_is_better":
                direction = False
            elif a.kind == "weight":
                weight = self._attribute_value(d, a, "percent")
            elif a.kind == "minimum_denominator":
                minimum = self._attribute_value(d, a, "number")
        if direction is None and loaded is self.main:
            self.error("E0112", f"measure `{d.code}` does not say which direction is better",
                       d.span, hint="add `higher is better` or `lower is better`")
        return MeasureInfo(d.code, title, direction, weight, minimum, doc, d.span)

    def _attribute_value(self, d: s.Measure, a: s.MeasureAttribute, unit: str) -> Decimal | None:
        assert a.value is not None
        actual = t.literal_type(a.value)
        if not t.assignable(actual, unit if unit != "number" else "count"):
            self.error("E0203", f"the {a.kind.replace('_', ' ')} of `{d.code}` must be "
                       f"{t.describe(unit)}, not {t.describe(actual)}", a.value.span,
                       hint="write a weight as a percent, like `weight 35%`" if unit == "percent"
                       else "write a plain count, like `minimum denominator 30`")
            return None
        assert isinstance(a.value.value, Decimal)
        value = a.value.value
        if value < 0:
            self.error("E0203", f"the {a.kind.replace('_', ' ')} of `{d.code}` cannot be "
                       "negative", a.value.span, hint="use zero or more")
        return shift(value, -2) if unit == "percent" else value

    def _collect_stratifications(self) -> None:
        # A module's stratifications are templates a contract may start from; only the
        # contract's own stratifications say which groups its tables are read by. A
        # standard library file checked by itself is still a module.
        for loaded in self.modules if self.main.library else self.modules[1:]:
            for d in loaded.module.declarations:
                if isinstance(d, s.Stratification):
                    self._stratification(d, main=False)
        if self.main.library:
            return
        scope = self.scopes[self.main.key]
        for d in self.main.module.declarations:
            if not isinstance(d, s.Stratification):
                continue
            derived = self._derive(d)
            if derived is None:
                continue
            self._stratification(derived, main=True)
            if d.origin is not None:
                for item in derived.items:
                    for g in item.groups:
                        if g.name not in scope.names:
                            self._bind(scope, g.name, Ref("group", g.name), d.span,
                                       stratification=d.name)

    def _derive(self, d: s.Stratification) -> s.Stratification | None:
        """The stratification with what it does not say itself taken from its template."""
        if d.origin is None:
            return d
        parts = d.origin.parts
        module = self.main.imports.get(parts[0]) if len(parts) == 2 else None
        if module is not None:
            self.uses.append(Use(d.origin.span.source.span(
                d.origin.span.start, d.origin.span.start + len(parts[0])), f"module:{parts[0]}"))
        if module is None:
            self.error("E0101", f"`{d.origin.dotted}` does not name a stratification of an "
                       "imported module", d.origin.span,
                       hint="write `from MODULE.NAME`, for example `from groups.omb_1997`, "
                       "after `import groups`")
            return None
        templates = {t.name: t for t in module.module.declarations
                     if isinstance(t, s.Stratification)}
        template = templates.get(parts[1])
        if template is None:
            self.error("E0101", f"module `{parts[0]}` has no stratification `{parts[1]}`",
                       d.origin.span, hint=self.suggest(parts[1], templates)
                       or "check the module's stratifications")
            return None
        own = {item.kind for item in d.items}
        inherited = tuple(item for item in template.items if item.kind not in own)
        return attrs.evolve(d, items=inherited + d.items, origin=None)

    def _stratification(self, d: s.Stratification, main: bool) -> None:
        kinds: dict[str, s.StratificationItem] = {}
        groups: dict[str, s.GroupEntry] = {}
        spellings: dict[str, str] = {}
        for item in d.items:
            if item.kind in kinds:
                self.error("E0102", f"stratification `{d.name}` has two `{item.kind}` lines",
                           item.span, hint="merge them into one line",
                           notes=(Note("the first one", kinds[item.kind].span),))
                continue
            kinds[item.kind] = item
            for g in item.groups:
                if g.name in groups:
                    continue  # a name listed twice was reported when it was declared
                spelled = g.spelling or g.name
                if spelled == "ALL":
                    self.error("E0111", "rows spelled \"ALL\" in the table are the whole "
                               "population, not a group of a stratification", g.span,
                               hint="write `ALL` in formulas for the whole population, and "
                               "list only the groups here")
                    continue
                if g.spelling is not None and not self._table_spelling(
                        f"the table spelling of group `{g.name}`", g.spelling, g.span, "E0106"):
                    continue
                if spelled in spellings:
                    self.error("E0102", f"group \"{spelled}\" is listed twice, as "
                               f"`{spellings[spelled]}` and as `{g.name}`", g.span,
                               hint="list each group of the table once")
                    continue
                if main and not self._one_stratification(d.name, g, spelled):
                    continue
                groups[g.name] = g
                spellings[spelled] = g.name
                if main:
                    self.group_strata[g.name] = d.name
                    self.table_spellings[spelled] = (g.name, d.name)
        if "groups" not in kinds:
            self.error("E0106", f"stratification `{d.name}` lists no groups", d.span,
                       hint="add a line like `groups Asian, Black, Hispanic, White`")
            return
        reference = kinds["reference"].reference if "reference" in kinds else None
        if reference is None and main:
            self.error("E0106", f"stratification `{d.name}` has no reference group", d.span,
                       hint="add `reference White`, `reference best performing group`, "
                       "`reference whole population` or `reference rest of population`")
        if reference is not None and reference.kind == "group":
            assert reference.group is not None
            if reference.group not in groups:
                self.error("E0106", f"reference group `{reference.group}` is not a group of "
                           f"`{d.name}`", reference.span,
                           hint=self.suggest(reference.group, groups)
                           or f"add it to the `groups` line of `{d.name}`")
        focus: list[str] = []
        if "focus" in kinds:
            for entry in kinds["focus"].focus:
                if entry.name not in groups:
                    self.error("E0106", f"focus group `{entry.name}` is not a group of "
                               f"`{d.name}`", entry.span,
                               hint=self.suggest(entry.name, groups)
                               or f"add it to the `groups` line of `{d.name}`")
                elif reference is not None and entry.name == reference.group:
                    self.error("E0106", f"`{entry.name}` is the reference group; it cannot "
                               "also be a focus group", entry.span,
                               hint="a group's gap to itself is always zero; remove it here")
                elif entry.name in focus:
                    self.error("E0102", f"focus group `{entry.name}` is listed twice",
                               entry.span, hint="list each focus group once")
                else:
                    focus.append(entry.name)
        else:
            focus = [g for g in groups if reference is None or g != reference.group]
        order = kinds["ordered"].order if "ordered" in kinds else None
        if order is not None and len(groups) < 2:
            self.error("E0106", f"stratification `{d.name}` is ordered but has fewer than two "
                       "groups", kinds["ordered"].span,
                       hint="an order needs at least two groups; list them on the `groups` "
                       "line, or remove the `ordered` line")
        if not main:
            return
        self.stratifications[d.name] = StratificationInfo(
            d.name, tuple(groups), {v: k for k, v in spellings.items()}, reference,
            tuple(focus), d.span, order,
        )

    def _one_stratification(self, name: str, g: s.GroupEntry, spelled: str) -> bool:
        """Whether a group of the contract belongs to no other stratification, by name or
        by the spelling its rows have in the table; false, with an error, otherwise."""
        hint = ("a table's group column names each group once; a group belongs to one "
                "stratification")
        other = self.group_strata.get(g.name)
        if other is not None and other != name:
            self.error("E0111", f"group `{g.name}` is already in stratification `{other}`",
                       g.span, hint=hint)
            return False
        taken = self.table_spellings.get(spelled)
        if taken is not None and taken[1] != name:
            self.error("E0111", f"rows spelled \"{spelled}\" in the table already belong to "
                       f"group `{taken[0]}` of stratification `{taken[1]}`", g.span,
                       hint=hint + "; if the table means two groups, it must spell them "
                       "differently")
            return False
        return True

    # ---- declarations ---------------------------------------------------------------------


    def _symbol(self, scope: ModuleScope, ref: Ref, name: str, span: Span,
                doc: tuple[str, ...]) -> None:
        key = symbol_key(ref, scope)
        self.symbols.setdefault(key, Symbol(key, name, _SYMBOL_KINDS[ref.kind], span, doc=doc))

