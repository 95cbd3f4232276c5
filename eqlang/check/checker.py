"""Checking: takes loaded modules, gives a ``Program`` ready to evaluate, or every error found.

It resolves names (with "did you mean"), counts arguments, infers and checks types and units
(remembering where each type came from, for the message), finds cycles between
definitions, and proves the static promises of a contract: weights that sum to 100%, tiers
that neither overlap nor leave gaps, exceptions that cannot apply at once, groups that exist.
The evaluator reads the resolutions recorded here and never looks a name up again.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from eqlang.check import units as t
from eqlang.core.values import plain_number, shift
from eqlang.diagnostics import Collector, Diagnostic, EqlangError, Note, counted, did_you_mean
from eqlang.syntax import ast as s
from eqlang.syntax.modules import LoadedModule, all_modules, load
from eqlang.syntax.source import Span

if TYPE_CHECKING:
    from eqlang.check.examples import CheckedExample

#: Builtin functions with fixed signatures: argument types and result type.
FIXED_BUILTINS: dict[str, tuple[tuple[str, ...], str]] = {
    "rate": (("measure", "group", "period"), "percent"),
    "numerator": (("measure", "group", "period"), "count"),
    "denominator": (("measure", "group", "period"), "count"),
    "weight": (("measure",), "percent"),
    "min_denominator": (("measure",), "count"),
    "higher_is_better": (("measure",), "yesno"),
    "reference": (("measure", "group", "period"), "group"),
    "rest": (("group",), "group"),
    "sqrt": (("number",), "number"),
    "ln": (("number",), "number"),
}
#: Builtins whose result has the unit of their arguments.
UNIT_BUILTINS = {"abs": 1, "clamp": 3, "round": 3}
AGGREGATES = frozenset(
    {"sum", "mean", "min", "max", "count", "all", "any", "median", "percentile"}
)
#: The aggregations that take `weighted by`.
WEIGHTED_AGGREGATES = frozenset({"sum", "mean"})
BUILTIN_NAMES = frozenset(FIXED_BUILTINS) | frozenset(UNIT_BUILTINS) | AGGREGATES
ROUNDING_MODES = ("half up", "half even", "half down", "toward zero", "away from zero")
HEADER_FIELDS = {
    "payer": "payer", "provider_named": "provider", "provider_each": "provider",
    "currency": "currency", "period": "period", "version": "version",
    "effective": "effective", "settled_as_of": "settled as of",
}


@attrs.frozen
class Ref:
    """What a name or call resolved to. ``kind``: local, parameter, definition, output,
    schedule, measure, group, period, builtin, aggregate."""

    kind: str
    key: str


@attrs.frozen
class MeasureInfo:
    code: str
    title: str | None
    higher_is_better: bool | None
    weight: Decimal | None
    min_denominator: Decimal | None
    doc: tuple[str, ...]
    span: Span


@attrs.frozen
class StratificationInfo:
    name: str
    groups: tuple[str, ...]
    spellings: dict[str, str]
    reference: s.Reference | None
    focus: tuple[str, ...]
    span: Span


@attrs.frozen
class Callable:
    """A definition, output or schedule, with where it lives."""

    key: str
    declaration: s.Definition | s.Output | s.Schedule
    params: tuple[s.Param, ...]
    type: str
    module: str


@attrs.frozen
class ParameterInfo:
    key: str
    declaration: s.Parameter
    type: str
    module: str


@attrs.frozen(eq=False)
class Program:
    """A checked contract: everything the evaluator needs, already resolved."""

    main: LoadedModule
    modules: tuple[LoadedModule, ...]
    header: s.ContractHeader | None
    periods: dict[str, str]
    provider: str | None
    measures: dict[str, MeasureInfo]
    stratifications: dict[str, StratificationInfo]
    group_strata: dict[str, str]
    parameters: dict[str, ParameterInfo]
    callables: dict[str, Callable]
    outputs: tuple[str, ...]
    refs: dict[int, Ref]
    types: dict[int, str]
    settled_as_of: datetime.date | None
    #: The contract's own invariants, in the order declared.
    invariants: tuple[s.Invariant, ...] = ()
    #: The contract's worked examples, checked and ready to run.
    examples: tuple[CheckedExample, ...] = ()
    #: The measures the contract itself declares, in its order: what `measures` ranges over.
    contract_measures: tuple[str, ...] = ()

    @property
    def effective(self) -> tuple[datetime.date, datetime.date] | None:
        """The first and last day the contract is in effect, if its header says."""
        for f in self.header.fields if self.header is not None else ():
            if f.kind == "effective":
                start, end = f.values
                assert isinstance(start, datetime.date) and isinstance(end, datetime.date)
                return start, end
        return None


@attrs.frozen
class Typed:
    """A type with the text that gave it, for messages about conflicts."""

    type: str
    origin: Span | None
    why: str


ERROR = "error"


def _literal_type(literal: s.Literal) -> str:
    return {"points": "pp", "money": "money", "percent": "percent", "number": "number",
            "date": "date", "text": "text", "yesno": "yesno"}[literal.kind]


def signed_literal(expr: s.Expr) -> s.Literal | None:
    """A constant written out, `-3` included, as one literal; None for anything else."""
    if isinstance(expr, s.Literal):
        return expr
    if isinstance(expr, s.Negate) and isinstance(expr.operand, s.Literal) \
            and isinstance(expr.operand.value, Decimal):
        return s.Literal(expr.operand.kind, expr.operand.value.copy_negate(), span=expr.span)
    return None


def value_problem(name: str, declared: str, literal: s.Literal) -> tuple[str, str | None] | None:
    """Why a constant cannot be the value of `name`, declared ``declared``: a message and a
    hint (None when there is no specific advice), or None when it can.

    The one rule for a value given outside an expression: ``eqlang eval --set``, a worked
    example's ``set``, and the range of a parameter's own literal value.
    """
    actual = _literal_type(literal)
    text = " ".join(literal.span.text.split())
    if not t.assignable(actual, declared):
        return (f"`{name}` is {t.describe(declared)}, but `{text}` is {t.describe(actual)}",
                _unit_hint(actual, declared))
    if declared in t.NON_NEGATIVE and isinstance(literal.value, Decimal) and literal.value < 0:
        return (f"`{name}` is {t.describe(declared)}, which cannot be negative, but it is "
                f"given `{text}`",
                "a count is a number of members: write zero or more, like `30`")
    return None


class _ModuleScope:
    """The top-level names of one module."""

    def __init__(self, loaded: LoadedModule, prefix: str) -> None:
        self.loaded = loaded
        self.prefix = prefix
        self.names: dict[str, tuple[Ref, Span]] = {}
        #: The stratification each group name was first listed in.
        self.group_owners: dict[str, str] = {}


class Checker:
    def __init__(self, main: LoadedModule) -> None:
        self.main = main
        self.modules = all_modules(main)
        self.diagnostics = Collector()
        self.scopes: dict[str, _ModuleScope] = {}
        self.prefixes: dict[str, str] = {}
        self.measures: dict[str, MeasureInfo] = {}
        self.stratifications: dict[str, StratificationInfo] = {}
        self.group_strata: dict[str, str] = {}
        self.parameters: dict[str, ParameterInfo] = {}
        self.callables: dict[str, Callable] = {}
        self.bodies: dict[str, tuple[s.Definition | s.Output | s.Schedule, str]] = {}
        #: Declarations refused as duplicates: checked for their own errors, never used.
        self.duplicates: list[tuple[s.Declaration, str]] = []
        #: Table spellings of the contract's groups: spelling -> (group, stratification).
        self.table_spellings: dict[str, tuple[str, str]] = {}
        self.inferred: dict[str, Typed] = {}
        self.in_progress: list[str] = []
        self.refs: dict[int, Ref] = {}
        self.types: dict[int, str] = {}
        self.periods: dict[str, str] = {}
        self.header: s.ContractHeader | None = None
        self.provider: str | None = None
        self.settled_as_of: datetime.date | None = None
        self.cycle_reported: set[frozenset[str]] = set()
        self.invariants: tuple[s.Invariant, ...] = ()

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None,
              notes: tuple[Note, ...] = ()) -> None:
        self.diagnostics.add(Diagnostic(code, message, span, hint=hint, notes=notes))

    def suggest(self, name: str, candidates: Iterable[str]) -> str | None:
        """``did_you_mean``, skipped once further errors are only counted: a file with
        thousands of misspelt names would otherwise take time in the square of them."""
        return None if self.diagnostics.full else did_you_mean(name, candidates)

    # ---- top level ----------------------------------------------------------------------

    def run(self) -> Program:
        self.prefixes = self._alias_paths()
        # Every module's names and declarations are known before any expression is checked,
        # so a contract can use what its modules declare, and a declaration what comes
        # below it, in any order.
        for loaded in self.modules:
            self._declare(loaded)
        self._check_header()
        self._collect_measures()
        self._collect_stratifications()
        for loaded in self.modules:
            self._check_module(loaded)
        self._check_weights()
        outputs = tuple(
            key for key, c in self.callables.items()
            if isinstance(c.declaration, s.Output) and c.module == self.main.key
        )
        program = Program(
            main=self.main, modules=tuple(self.modules), header=self.header,
            periods=self.periods, provider=self.provider, measures=self.measures,
            stratifications=self.stratifications, group_strata=self.group_strata,
            parameters=self.parameters, callables=self.callables, outputs=outputs,
            refs=self.refs, types=self.types, settled_as_of=self.settled_as_of,
            invariants=self.invariants, contract_measures=self.main_measures,
        )
        # Examples read the checked contract: the types of its outputs, its groups and
        # periods. Imported here because the examples module builds on this one.
        from eqlang.check.examples import check_examples

        examples, problems = check_examples(program)
        for problem in problems:
            self.diagnostics.add(problem)
        if self.diagnostics:
            raise EqlangError(self.diagnostics.finish("this contract and its modules"))
        return attrs.evolve(program, examples=examples)

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
        scope = _ModuleScope(loaded, self.prefixes[loaded.key])
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
                elif isinstance(declaration, s.Parameter | s.Definition | s.Output | s.Schedule):
                    self.duplicates.append((declaration, loaded.key))
            if isinstance(declaration, s.Stratification):
                for item in declaration.items:
                    for g in item.groups:
                        self._bind(scope, g.name, Ref("group", g.name), g.span,
                                   stratification=declaration.name)

    def _register(self, d: s.Declaration, key: str, module_key: str) -> None:
        if isinstance(d, s.Parameter):
            self.parameters[key] = ParameterInfo(key, d, d.type, module_key)
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
        elif isinstance(d, s.Definition | s.Output | s.Schedule):
            kind = {s.Definition: "definition", s.Output: "output",
                    s.Schedule: "schedule"}[type(d)]
            yield d.name, Ref(kind, prefix + d.name), d.span

    def _bind(self, scope: _ModuleScope, name: str, ref: Ref, span: Span,
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
        if name in BUILTIN_NAMES or name == "ALL":
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
        actual = _literal_type(a.value)
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

    def _check_weights(self) -> None:
        weighted = [c for c in self.main_measures if self.measures[c].weight is not None]
        if not weighted:
            return
        missing = [c for c in self.main_measures if self.measures[c].weight is None]
        if missing:
            for code in missing:
                self.error("E0302", f"measure `{code}` has no weight, but other measures do",
                           self.measures[code].span,
                           hint="give every measure of the contract a weight, or none")
            return
        total = sum((self.measures[c].weight or Decimal(0) for c in weighted), Decimal(0))
        if total != 1:
            def percent(value: Decimal | None) -> str:
                return f"{plain_number(value or Decimal(0), scale=True)}%"

            listing = " + ".join(f"{c} {percent(self.measures[c].weight)}" for c in weighted)
            self.error("E0302", f"the measure weights sum to {percent(total)}, not 100%",
                       self.measures[weighted[-1]].span,
                       hint=f"{listing} = {percent(total)}; adjust them to sum to 100%",
                       notes=tuple(Note(f"{c} weighs {percent(self.measures[c].weight)}",
                                        self.measures[c].span) for c in weighted[:-1]))

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
        if not main:
            return
        self.stratifications[d.name] = StratificationInfo(
            d.name, tuple(groups), {v: k for k, v in spellings.items()}, reference,
            tuple(focus), d.span,
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

    def _check_module(self, loaded: LoadedModule) -> None:
        scope = self.scopes[loaded.key]
        for d in loaded.module.declarations:
            if isinstance(d, s.Parameter | s.Definition | s.Output | s.Schedule):
                key = scope.prefix + d.name
                if key in self.parameters or key in self.bodies:
                    self._checked(key)
        for d, module_key in self.duplicates:
            if module_key != loaded.key:
                continue
            # A declaration refused as a duplicate is never used, but its own mistakes are
            # independent errors and are reported with the rest.
            if isinstance(d, s.Parameter):
                self._parameter_value(scope, d)
            elif isinstance(d, s.Definition | s.Output | s.Schedule):
                self._callable_body(scope, scope.prefix + d.name, d)
        self._invariants(loaded)

    # ---- invariants -------------------------------------------------------------------------

    def _invariants(self, loaded: LoadedModule) -> None:
        scope = self.scopes[loaded.key]
        seen: dict[str, s.Invariant] = {}
        for d in loaded.module.declarations:
            if not isinstance(d, s.Invariant):
                continue
            if d.title in seen:
                self.error("E0102", f"invariant \"{d.title}\" is declared twice", d.span,
                           hint="give each invariant its own title",
                           notes=(Note("first declared here", seen[d.title].span),))
                continue
            seen[d.title] = d
            self._invariant(scope, d)
        if loaded is self.main:
            self.invariants = tuple(seen.values())

    def _invariant(self, scope: _ModuleScope, d: s.Invariant) -> None:
        local: dict[str, Typed] = {}
        for binder in d.binders:
            if binder.name in local:
                self.error("E0102", f"`{binder.name}` is already bound here", binder.span,
                           hint="choose another name for the variable")
            local[binder.name] = Typed(self._domain(scope, local, binder.domain), binder.span,
                                       f"`{binder.name}` ranging over the domain")
        claim = d.claim
        if isinstance(claim, s.Always):
            self._boolean(scope, local, claim.claim, "an `always` claim is a yes/no statement")
            if claim.condition is not None:
                self._boolean(scope, local, claim.condition, "a `when` condition is yes or no")
            return
        value = self.expr(scope, local, claim.value)
        if value.type not in t.NUMERIC and value.type not in (ERROR, t.NOTHING):
            self.error("E0310", f"only a number can {claim.change[:-1]}; "
                       f"`{_clip(claim.value.span.text)}` gives {t.describe(value.type)}",
                       claim.value.span,
                       hint="name an output or definition that gives money, a percent, points "
                       "or a number, such as `payout`")
        self.expr(scope, local, claim.moved)
        self._moved_rate(claim.moved)

    def _moved_rate(self, moved: s.Expr) -> None:
        """The input of a relational invariant: a table rate of a group named outright."""
        is_rate = (isinstance(moved, s.Call) and moved.for_each is None
                   and self.refs.get(id(moved)) == Ref("builtin", "rate"))
        if not is_rate:
            self.error("E0310", "the input that moves must be a rate read from the measure "
                       "table", moved.span,
                       hint="write `rate(MEASURE, GROUP, PERIOD)`, for example "
                       "`rate(m, g, performance)`")
            return
        assert isinstance(moved, s.Call)
        if len(moved.args) != 3:
            return
        group = moved.args[1]
        named = isinstance(group, s.WholePopulation) or (
            isinstance(group, s.Name) and self.refs.get(id(group), Ref("", "")).kind
            in ("group", "local"))
        if not named:
            self.error("E0310", "the group whose rate moves must be named: a group, a `for "
                       "each` variable over groups, or ALL", group.span,
                       hint="move the rate of a group itself; `reference(...)` and "
                       "`rest(...)` are computed from the table, not rows of it")

    def _checked(self, key: str) -> Typed:
        """The type of a parameter, definition, output or schedule, checking it the first
        time it is asked for.

        Declarations are checked in the order they are used, so a name may be used above
        its declaration or from another module; a declaration that is reached again while
        it is being checked depends on itself, which is reported once per cycle.
        """
        if key in self.inferred:
            return self.inferred[key]
        if key in self.parameters:
            declaration: s.Declaration = self.parameters[key].declaration
            module_key = self.parameters[key].module
        else:
            declaration, module_key = self.bodies[key]
        if key in self.in_progress:
            cycle = [*self.in_progress[self.in_progress.index(key):], key]
            members = frozenset(cycle)
            if members not in self.cycle_reported:
                self.cycle_reported.add(members)
                hint = ("a parameter may use other parameters, but not one that leads back "
                        "to it; write one of them as a plain value"
                        if key in self.parameters else
                        "eqlang has no recursion, so every evaluation ends; compute the value "
                        "from other definitions instead")
                self.error("E0301", f"`{key}` depends on itself: {' -> '.join(cycle)}",
                           declaration.span, hint=hint)
            return Typed(ERROR, declaration.span, "a cycle")
        self.in_progress.append(key)
        if isinstance(declaration, s.Parameter):
            self._parameter_value(self.scopes[module_key], declaration)
            typed = self._parameter_type(key)
        else:
            assert isinstance(declaration, s.Definition | s.Output | s.Schedule)
            typed = self._callable_body(self.scopes[module_key], key, declaration)
            self.callables[key] = Callable(key, declaration, _params(declaration), typed.type,
                                           module_key)
        self.in_progress.pop()
        self.inferred[key] = typed
        return typed

    def _parameter_type(self, key: str) -> Typed:
        info = self.parameters[key]
        return Typed(info.type, info.declaration.type_span,
                     f"parameter `{key}`, declared {t.describe(info.type)}")

    def _check_params(self, params: tuple[s.Param, ...]) -> None:
        seen: set[str] = set()
        for p in params:
            if p.name in seen:
                self.error("E0102", f"parameter `{p.name}` is named twice", p.span,
                           hint="give each parameter its own name")
            seen.add(p.name)

    def _parameter_value(self, scope: _ModuleScope, d: s.Parameter) -> None:
        for value in (d.value, *(a.value for a in d.amendments)):
            if not self._constant(scope, value):
                continue
            typed = self.expr(scope, {}, value)
            self._expect(typed, d.type, value.span, f"parameter `{d.name}` is declared that "
                         "way", d.type_span)
            literal = signed_literal(value)
            if literal is not None and t.assignable(typed.type, d.type):
                problem = value_problem(d.name, d.type, literal)
                if problem is not None:
                    self.error("E0203", problem[0], value.span, hint=problem[1],
                               notes=(Note(f"`{d.name}` is declared {t.describe(d.type)}",
                                           d.type_span),))
        dates: dict[datetime.date, s.Amendment] = {}
        for amendment in d.amendments:
            if amendment.effective in dates:
                self.error("E0306", f"two amendments of `{d.name}` take effect on "
                           f"{amendment.effective}", amendment.span,
                           hint="give each amendment its own effective date",
                           notes=(Note("the other amendment", dates[amendment.effective].span),))
            dates[amendment.effective] = amendment

    def _constant(self, scope: _ModuleScope, expr: s.Expr) -> bool:
        """Whether a parameter's value is a constant; false, with an error, if it is not.

        A parameter is fixed when the contract is signed, so its value may use literals and
        other parameters, but nothing that is computed when the contract is settled.
        """
        for node in _walk(expr):
            if isinstance(node, s.Call | s.AtOrganization | s.WholePopulation):
                self.error("E0306", "a parameter's value must be a constant", node.span,
                           hint="use `define` for a value computed from the measure table")
                return False
            if isinstance(node, s.Name):
                found = self._lookup(scope, node)
                if found is not None and found[0].kind in ("definition", "output", "schedule"):
                    self.error("E0306", f"a parameter's value must be a constant; "
                               f"`{node.dotted}` is a {found[0].kind}, computed when the "
                               "contract is settled", node.span,
                               hint=f"declare it with `define` instead of `parameter`, or "
                               f"write the value itself in place of `{node.dotted}`")
                    return False
        return True

    def _callable_body(self, scope: _ModuleScope, key: str,
                       d: s.Definition | s.Output | s.Schedule) -> Typed:
        params = _params(d)
        self._check_params(params)
        local = {p.name: Typed(p.type, p.span, f"parameter `{p.name}`, declared "
                               f"{t.describe(p.type)}") for p in params}
        if isinstance(d, s.Schedule):
            return self._schedule(scope, d, local)
        body = self.expr(scope, local, d.body)
        declared = d.return_type
        result = body
        if declared is not None:
            self._expect(body, declared, d.body.span, f"`{d.name}` is declared that way",
                         d.span)
            result = Typed(declared, d.span, f"`{d.name}`, declared {t.describe(declared)}")
        elif body.type == t.NOTHING:
            self.error("E0203", f"`{d.name}` is never scored, so its type is unknown",
                       d.body.span, hint=f"declare its type: `define {d.name}: number = ...`")
        for exception in d.exceptions:
            value = self.expr(scope, local, exception.value)
            self._expect(value, result.type, exception.value.span,
                         f"the general rule of `{d.name}` gives {t.describe(result.type)}",
                         d.body.span)
            condition = self.expr(scope, local, exception.condition)
            self._expect(condition, "yesno", exception.condition.span, "an exception applies "
                         "when its condition is yes", None)
        self._exception_overlaps(d)
        if isinstance(d, s.Output):
            self._rounding(d, result)
            self._output_params(d)
        return Typed(result.type if result.type != t.NOTHING else ERROR, result.origin,
                     f"`{key}` gives {t.describe(result.type)}")

    def _rounding(self, d: s.Output, result: Typed) -> None:
        if d.rounding.places is None:
            return
        if result.type not in t.NUMERIC and result.type != ERROR:
            self.error("E0307", f"output `{d.name}` gives {t.describe(result.type)}, which "
                       "cannot be rounded", d.rounding.span, hint="write `not rounded`")
        elif d.rounding.unit in ("cents", "dollars") and result.type not in ("money", ERROR):
            self.error("E0307", f"output `{d.name}` gives {t.describe(result.type)}; only "
                       f"money is rounded to {d.rounding.unit}", d.rounding.span,
                       hint="round to a number of decimals: `rounded to 4 decimals half even`")

    def _output_params(self, d: s.Output) -> None:
        params = d.params or ()
        if len(params) > 1 or any(p.type not in ("measure", "group") for p in params):
            self.error("E0307", f"output `{d.name}` is settled per measure or per group, so it "
                       "takes at most one parameter, of type measure or group",
                       d.span, hint="compute other breakdowns with `define` and output one "
                       "value per measure or group")

    def _exception_overlaps(self, d: s.Definition | s.Output) -> None:
        keyed: list[tuple[s.Exception_, str, frozenset[str]]] = []
        for exception in d.exceptions:
            simple = _simple_condition(exception.condition)
            if simple is None:
                continue
            name, values = simple
            for other, other_name, other_values in keyed:
                shared = values & other_values
                if other_name == name and shared:
                    self.error(
                        "E0305",
                        f"two exceptions of `{d.name}` apply when `{name}` is "
                        f"{', '.join(sorted(shared))}",
                        exception.span,
                        hint="exceptions may not overlap: say in one of them which value wins",
                        notes=(Note("the other exception", other.span),),
                    )
            keyed.append((exception, name, values))

    def _schedule(self, scope: _ModuleScope, d: s.Schedule, local: dict[str, Typed]) -> Typed:
        unit = d.param.type
        if unit not in t.NUMERIC:
            self.error("E0309", f"a schedule maps numbers to values; `{d.param.name}` is "
                       f"{t.describe(unit)}", d.param.span, hint="use a numeric type")
        bounds: list[s.Literal] = []
        for r in ([d.domain] if d.domain else []) + [tier.range for tier in d.tiers]:
            bounds.extend(b for b in (r.low, r.high) if b is not None)
        bounds_agree = unit in t.NUMERIC
        for bound in bounds:
            actual = _literal_type(bound)
            if not t.assignable(actual, unit):
                bounds_agree = False
                self.error("E0309", f"tier bound is {t.describe(actual)} but `{d.param.name}` "
                           f"is {t.describe(unit)}", bound.span,
                           hint="write every bound in the unit of the schedule's input")
        for tier in d.tiers:
            value = self.expr(scope, local, tier.value)
            self._expect(value, d.return_type, tier.value.span,
                         f"schedule `{d.name}` is declared that way", d.span)
        if bounds_agree:
            # Bounds in different units cannot be ordered, so coverage waits for them.
            self._tier_coverage(d)
        return Typed(d.return_type, d.span,
                     f"schedule `{d.name}`, declared {t.describe(d.return_type)}")

    def _tier_coverage(self, d: s.Schedule) -> None:
        intervals = sorted(
            ((*tier_interval(tier.range), tier) for tier in d.tiers),
            key=lambda iv: (iv[0], not iv[1]),
        )
        lo, lo_closed, hi, hi_closed = (
            tier_interval(d.domain) if d.domain else (_NEG_INF, False, _POS_INF, False)
        )
        for i in range(1, len(intervals)):
            _, _, a_hi, a_hi_c, a = intervals[i - 1]
            b_lo, b_lo_c, _, _, b = intervals[i]
            if b_lo < a_hi or (b_lo == a_hi and a_hi_c and b_lo_c):
                self.error("E0303", "two tiers overlap", b.range.span,
                           hint="make one tier end where the next begins: `from 0% to 25%` "
                           "then `from 25% to 50%`",
                           notes=(Note("overlaps this tier", a.range.span),))
            elif b_lo > a_hi or (b_lo == a_hi and not a_hi_c and not b_lo_c):
                self.error("E0304", f"no tier covers values between {_show(a_hi, a.range.high)} "
                           f"and {_show(b_lo, b.range.low)}", b.range.span,
                           hint="extend a tier so that each one begins where the previous ends",
                           notes=(Note("the tier before the gap", a.range.span),))
        first_lo, first_lo_c, first = intervals[0][0], intervals[0][1], intervals[0][4]
        last_hi, last_hi_c, last = intervals[-1][2], intervals[-1][3], intervals[-1][4]
        domain_low = d.domain.low if d.domain else None
        domain_high = d.domain.high if d.domain else None
        if first_lo > lo or (first_lo == lo and lo_closed and not first_lo_c):
            self.error("E0304", f"no tier covers the bottom of the domain "
                       f"({_stretch(lo, domain_low, 'below', first_lo, first.range.low)})",
                       first.range.span,
                       hint="start the first tier at the bottom of the domain, or use `below`")
        if last_hi < hi or (last_hi == hi and hi_closed and not last_hi_c):
            self.error("E0304", f"no tier covers the top of the domain "
                       f"({_stretch(hi, domain_high, 'above', last_hi, last.range.high)})",
                       last.range.span,
                       hint="end the last tier at the top of the domain, or use `from X`")
        for _, _, _, _, tier in intervals:
            t_lo, t_lo_c, t_hi, t_hi_c = tier_interval(tier.range)
            if t_lo < lo or t_hi > hi or (t_lo == lo and t_lo_c and not lo_closed) or (
                t_hi == hi and t_hi_c and not hi_closed
            ):
                self.error("E0304", "this tier reaches outside the schedule's domain",
                           tier.range.span, hint="keep every tier inside `domain`")

    # ---- expressions ----------------------------------------------------------------------

    def _expect(self, typed: Typed, wanted: str, span: Span, because: str,
                because_span: Span | None) -> None:
        if typed.type == ERROR or t.assignable(typed.type, wanted):
            return
        notes = []
        if typed.origin is not None and typed.origin != span:
            notes.append(Note(f"{t.describe(typed.type)} comes from {typed.why}", typed.origin))
        notes.append(Note(f"{t.describe(wanted)} is expected because {because}", because_span))
        hint = _unit_hint(typed.type, wanted) or _expected_hint(typed.type, wanted,
                                                                because_span is not None)
        self.error("E0203", f"expected {t.describe(wanted)}, found {t.describe(typed.type)}",
                   span, hint=hint, notes=tuple(notes))

    def expr(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Expr) -> Typed:
        typed = self._expr(scope, local, e)
        self.types[id(e)] = typed.type
        return typed

    def _expr(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Expr) -> Typed:
        method = getattr(self, "_x_" + type(e).__name__)
        return method(scope, local, e)

    def _x_Literal(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Literal) -> Typed:
        return Typed(_literal_type(e), e.span, f"the literal `{e.span.text}`")

    def _x_NotScoredLiteral(self, scope: _ModuleScope, local: dict[str, Typed],
                            e: s.NotScoredLiteral) -> Typed:
        return Typed(t.NOTHING, e.span, "`not scored`")

    def _x_WholePopulation(self, scope: _ModuleScope, local: dict[str, Typed],
                           e: s.WholePopulation) -> Typed:
        return Typed("group", e.span, "`ALL`")

    def _x_RoundingMode(self, scope: _ModuleScope, local: dict[str, Typed],
                        e: s.RoundingMode) -> Typed:
        return Typed(t.ROUNDING_MODE, e.span, "a rounding mode")

    def _target(self, scope: _ModuleScope, name: s.Name) -> tuple[_ModuleScope, str] | None:
        """The module a top-level name is declared in, and its name there."""
        parts = name.parts
        if len(parts) == 1:
            return scope, parts[0]
        if len(parts) == 2 and parts[0] in scope.loaded.imports:
            return self.scopes[scope.loaded.imports[parts[0]].key], parts[1]
        return None

    def _lookup(self, scope: _ModuleScope, name: s.Name) -> tuple[Ref, Span] | None:
        """What a top-level name refers to, if anything, without reporting."""
        target = self._target(scope, name)
        return target[0].names.get(target[1]) if target is not None else None

    def _resolve(self, scope: _ModuleScope, local: dict[str, Typed], name: s.Name,
                 called: bool = False) -> tuple[Ref, Span | None] | None:
        """What a name refers to and where that was declared; None, with an error, if
        it refers to nothing. A name that is ``called`` may also be a misspelt builtin."""
        first = name.parts[0]
        if len(name.parts) == 1 and first in local:
            return Ref("local", first), local[first].origin
        target = self._target(scope, name)
        if target is None:
            if first in scope.loaded.imports:
                self.error("E0101", f"`{name.dotted}` names something inside a module's "
                           "module", name.span, hint=f"a module's declarations are named "
                           f"`{first}.NAME`; import the inner module to use its names")
            else:
                self.error("E0101", f"`{first}` is not an imported module", name.span,
                           hint=self.suggest(first, scope.loaded.imports)
                           or f"add `import {first}` at the top of the file")
            return None
        target_scope, part = target
        entry = target_scope.names.get(part)
        if entry is None:
            candidates: list[str] = []
            if not self.diagnostics.full:
                candidates.extend(target_scope.names)
                if target_scope is scope:
                    candidates.extend(local)
                    if called:
                        candidates.extend(BUILTIN_NAMES)
            self.error("E0101", f"`{name.dotted}` is not defined", name.span,
                       hint=self.suggest(part, candidates)
                       or "declare it with `define`, `parameter`, `measure`, in a "
                       "stratification's `groups` line or, for a period, in the contract "
                       "header: `period baseline is \"2022\"`")
            return None
        return entry

    def _ref_type(self, ref: Ref, span: Span | None, local: dict[str, Typed]) -> Typed:
        """The type of what a name refers to: a local, a table entity or a declaration."""
        if ref.kind == "local":
            return local[ref.key]
        if ref.kind in ("measure", "group", "period", "stratification"):
            return Typed(ref.kind, span, f"the {ref.kind} `{ref.key}`")
        return self._checked(ref.key)

    def _not_a_value(self, ref: Ref, name: s.Name, role: str) -> bool:
        """Report a module or stratification template used as a value, or a module or
        stratification called; true if it was. A contract's own stratification is a value
        of type stratification, passed to functions that range over its groups."""
        if ref.kind not in ("module", "stratification"):
            return False
        if ref.kind == "module":
            hint = (f"call a definition inside it: `{name.dotted}.NAME(...)`"
                    if role == "something to call"
                    else f"name something inside it, like `{name.dotted}.NAME`")
        elif ref.key not in self.stratifications:
            self.error("E0104", f"`{name.dotted}` is a module's stratification template, not "
                       "a stratification of the contract", name.span,
                       hint=f"take it in the contract with `stratification NAME from "
                       f"{name.dotted}`, then use NAME")
            return True
        elif role == "a value":
            return False
        else:
            hint = f"write `groups of {name.dotted}` or `focus groups of {name.dotted}`"
        self.error("E0104", f"`{name.dotted}` is a {ref.kind}, not {role}", name.span,
                   hint=hint)
        return True

    def _x_Name(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Name) -> Typed:
        resolved = self._resolve(scope, local, e)
        if resolved is None or self._not_a_value(resolved[0], e, "a value"):
            return Typed(ERROR, e.span, "")
        ref, span = resolved
        self.refs[id(e)] = ref
        if ref.kind == "group" and ref.key not in self.group_strata \
                and scope.loaded is not self.main:
            # Settlement reads a group through the contract's stratifications; a module's
            # own are templates, read by nothing until the contract takes one.
            self.error("E0106", f"group `{ref.key}` is in none of the contract's "
                       "stratifications", e.span,
                       hint="take the module's stratification into the contract with "
                       "`stratification NAME from MODULE.TEMPLATE`, or pass the group to the "
                       "definition as an argument")
            return Typed(ERROR, e.span, "")
        typed = self._ref_type(ref, span, local)
        if ref.kind in ("definition", "output", "schedule"):
            params = self._params_of(ref.key)
            if params:
                self.error("E0104", f"`{e.dotted}` takes {counted(len(params), 'argument')}",
                           e.span,
                           hint=f"call it: `{e.dotted}({', '.join(p.name for p in params)})`")
                return Typed(ERROR, e.span, "")
        return typed

    def _params_of(self, key: str) -> tuple[s.Param, ...]:
        return _params(self.bodies[key][0])

    def _x_Call(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Call) -> Typed:
        name = e.callee.dotted
        if e.for_each is not None or (name in AGGREGATES and name not in ("min", "max")):
            return self._aggregate(scope, local, e)
        if e.weighted_by is not None:
            self.error("E0308", "`weighted by` belongs to an aggregation", e.weighted_by.span,
                       hint="write `sum(x weighted by w for each m in measures)` or `mean(...)`")
        if name in FIXED_BUILTINS:
            self.refs[id(e)] = Ref("builtin", name)
            wanted, result = FIXED_BUILTINS[name]
            args = self._args(scope, local, e, len(wanted))
            for arg, node, want in zip(args, e.args, wanted, strict=False):
                self._expect(arg, want, node.span, f"`{name}` takes {t.describe(want)} here",
                             None)
            return Typed(result, e.span, f"`{name}(...)`")
        if name in ("min", "max") or name in UNIT_BUILTINS:
            self.refs[id(e)] = Ref("builtin", name)
            return self._unit_builtin(scope, local, e, name)
        resolved = self._resolve(scope, local, e.callee, called=True)
        if resolved is None or resolved[0].kind not in ("definition", "output", "schedule"):
            if resolved is not None and not self._not_a_value(resolved[0], e.callee,
                                                              "something to call"):
                typed = self._ref_type(resolved[0], resolved[1], local)
                if typed.type != ERROR:
                    self.error("E0104", f"`{name}` is {t.describe(typed.type)}, not something "
                               "to call", e.callee.span, hint=f"write `{name}` without "
                               "parentheses")
            for arg in e.args:
                self.expr(scope, local, arg)
            return Typed(ERROR, e.span, "")
        ref = resolved[0]
        typed = self._ref_type(ref, resolved[1], local)
        self.refs[id(e)] = ref
        params = self._params_of(ref.key)
        args = self._args(scope, local, e, len(params), params)
        for arg, node, param in zip(args, e.args, params, strict=False):
            self._expect(arg, param.type, node.span,
                         f"parameter `{param.name}` of `{name}` is declared that way",
                         param.span)
        return Typed(typed.type, e.span, f"`{name}(...)`, which gives {t.describe(typed.type)}")

    def _args(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Call,
              count: int, params: tuple[s.Param, ...] | None = None) -> list[Typed]:
        args = [self.expr(scope, local, a) for a in e.args]
        if len(args) != count:
            self.error("E0103", f"`{e.callee.dotted}` takes {counted(count, 'argument')}, "
                       f"but {len(args)} "
                       f"{'were' if len(args) != 1 else 'was'} given", e.span,
                       hint=_signature_hint(e.callee.dotted, params))
        return args

    def _unit_builtin(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Call,
                      name: str) -> Typed:
        if name in ("min", "max"):
            args = [self.expr(scope, local, a) for a in e.args]
            if len(args) < 2:
                self.error("E0103", f"`{name}` of values takes at least 2 arguments", e.span,
                           hint=f"for a {name} over a set, write "
                           f"`{name}(x for each m in measures)`")
                return Typed(ERROR, e.span, "")
            return self._same_unit(args, e, name)
        args = self._args(scope, local, e, UNIT_BUILTINS[name])
        if len(args) != UNIT_BUILTINS[name]:
            return Typed(ERROR, e.span, "")
        if name == "round":
            value, places, mode = args
            self._expect(places, "count", e.args[1].span, "`round` takes a number of decimal "
                         "places here", None)
            if not isinstance(e.args[1], s.Literal):
                self.error("E0308", "the number of decimal places must be written out",
                           e.args[1].span, hint="for example `round(x, 2, half up)`")
            if mode.type != t.ROUNDING_MODE and mode.type != ERROR:
                self.error("E0308", "the third argument of `round` is a rounding mode",
                           e.args[2].span, hint="one of: " + ", ".join(ROUNDING_MODES))
            args = [value]
        elif name == "clamp":
            return self._same_unit(args, e, name)
        value = args[0]
        if value.type not in t.NUMERIC and value.type not in (ERROR, t.NOTHING):
            self.error("E0201", f"`{name}` needs a number, found {t.describe(value.type)}",
                       e.args[0].span, hint="apply it to money, a percent, points or a number",
                       notes=(Note(f"{t.describe(value.type)} comes from {value.why}",
                                   value.origin),))
            return Typed(ERROR, e.span, "")
        return Typed(value.type, e.span, f"`{name}(...)`")

    def _same_unit(self, args: list[Typed], e: s.Call, name: str) -> Typed:
        result = args[0]
        for arg, node in zip(args[1:], e.args[1:], strict=False):
            if ERROR in (arg.type, result.type):
                result = arg if result.type == ERROR else result
                continue
            joined = t.join(result.type, arg.type)
            if joined is None or joined not in t.NUMERIC:
                self._conflict("E0201", f"`{name}` compares values of one unit; found "
                               f"{t.describe(result.type)} and {t.describe(arg.type)}",
                               node.span, result, arg, _unit_hint(arg.type, result.type))
                return Typed(ERROR, e.span, "")
            result = Typed(joined, result.origin, result.why)
        return Typed(result.type, e.span, f"`{name}(...)` of {t.describe(result.type)}")

    def _conflict(self, code: str, message: str, span: Span, a: Typed, b: Typed,
                  hint: str | None) -> None:
        notes = tuple(
            Note(f"{t.describe(x.type)} comes from {x.why}", x.origin)
            for x in (a, b) if x.origin is not None and x.origin != span
        )
        self.error(code, message, span, hint=hint, notes=notes)

    def _groups_of(self, local: dict[str, Typed],
                   d: s.FocusGroups | s.StratificationGroups) -> None:
        """Resolve the stratification of `groups of NAME`, recorded for the evaluator: a
        parameter of type stratification, or one of the contract's stratifications."""
        name = d.stratification
        # `groups of NAME` ends with the name: that is what the carets stand under.
        named = d.span.source.span(d.span.end - len(name), d.span.end) if name else d.span
        if name is not None and name in local:
            self.refs[id(d)] = Ref("local", name)
            found = local[name]
            if found.type not in ("stratification", ERROR):
                self.error("E0203", f"expected a stratification, found {t.describe(found.type)}",
                           named, hint=f"declare the parameter `{name}: stratification`, or "
                           "name one of the contract's stratifications",
                           notes=(Note(f"`{name}` is {t.describe(found.type)}: {found.why}",
                                       found.origin),))
            return
        if name is None:
            # A module's definitions are settled with the contract's stratifications, so the
            # same rule holds for them. Counted as declared, so that a stratification with
            # its own error does not make this one look wrong too.
            declared = [x.name for x in self.main.module.declarations
                        if isinstance(x, s.Stratification)]
            if not declared:
                self.error("E0106", "the contract declares no stratification, so there "
                           "are no groups to range over", d.span,
                           hint="declare one with `stratification NAME ... end`")
                return
            if len(declared) > 1:
                self.error("E0106", "the contract has more than one stratification; say "
                           "which", d.span, hint=f"write `{_domain_words(d)} of "
                           f"{declared[0]}`, for example, or take the stratification as a "
                           "parameter `s: stratification`")
                return
            name = declared[0]
        elif name not in self.stratifications:
            self.error("E0101", f"`{name}` is not a stratification", named,
                       hint=self.suggest(name, [*self.stratifications, *local])
                       or "declare it with `stratification`, or take it as a parameter "
                       "`s: stratification`")
            return
        if name in self.stratifications:
            self.refs[id(d)] = Ref("stratification", name)

    def _domain(self, scope: _ModuleScope, local: dict[str, Typed], d: s.Domain) -> str:
        if isinstance(d, s.AllMeasures):
            return "measure"
        if isinstance(d, s.AllOrganizations):
            return "organization"
        if isinstance(d, s.FocusGroups | s.StratificationGroups):
            self._groups_of(local, d)
            return "group"
        kinds = set()
        for item in d.items:
            kinds.add(self.expr(scope, local, item).type)
        kinds.discard(ERROR)
        if len(kinds) > 1:
            self.error("E0201", "a list holds things of one kind; this one mixes "
                       + " and ".join(sorted(t.describe(k) for k in kinds)), d.span,
                       hint="list only measures, only groups or only periods")
            return ERROR
        return kinds.pop() if kinds else ERROR

    def _aggregate(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Call) -> Typed:
        name = e.callee.dotted
        if name not in AGGREGATES:
            self.error("E0104", f"`{name}` is not an aggregation", e.callee.span,
                       hint=self.suggest(name, AGGREGATES)
                       or "aggregations are: " + ", ".join(sorted(AGGREGATES)))
            return Typed(ERROR, e.span, "")
        self.refs[id(e)] = Ref("aggregate", name)
        if e.for_each is None:
            self.error("E0308", f"`{name}` needs a `for each` clause", e.span,
                       hint=f"write `{name}(x for each m in measures)`")
            return Typed(ERROR, e.span, "")
        inner = dict(local)
        for binder in e.for_each.binders:
            if binder.name in inner:
                self.error("E0102", f"`{binder.name}` is already bound here", binder.span,
                           hint="choose another name for the loop variable")
            inner[binder.name] = Typed(self._domain(scope, local, binder.domain), binder.span,
                                       f"`{binder.name}` ranging over the domain")
        if e.for_each.where is not None:
            condition = self.expr(scope, inner, e.for_each.where)
            self._expect(condition, "yesno", e.for_each.where.span, "a `where` filter is a "
                         "yes/no condition", None)
        expected_args = 2 if name == "percentile" else 1
        if len(e.args) != expected_args:
            self.error("E0103", f"`{name}` takes {counted(expected_args, 'value')} "
                       "before `for each`, found "
                       f"{len(e.args)}", e.span,
                       hint="write `percentile(67%, x for each o in organizations)`"
                       if name == "percentile" else f"write `{name}(x for each ...)`")
            return Typed(ERROR, e.span, "")
        if name == "percentile":
            share = self.expr(scope, local, e.args[0])
            self._expect(share, "percent", e.args[0].span, "`percentile` takes a percent "
                         "first", None)
            written = e.args[0]
            if isinstance(written, s.Literal) and isinstance(written.value, Decimal) \
                    and written.kind == "percent" and not 0 <= written.value <= 100:
                self.error("E0308", f"a percentile lies between 0% and 100%, not "
                           f"{written.span.text}", written.span,
                           hint="the 67th percentile is `percentile(67%, ...)`")
        element = self.expr(scope, inner, e.args[-1])
        weight = self.expr(scope, inner, e.weighted_by) if e.weighted_by is not None else None
        if weight is not None and e.weighted_by is not None:
            if name not in WEIGHTED_AGGREGATES:
                self.error("E0308", f"`{name}` cannot be weighted; only `sum` and `mean` can",
                           e.weighted_by.span,
                           hint="remove `weighted by`, or write `sum(x weighted by w ...)` or "
                           "`mean(x weighted by w ...)`")
                weight = None
            elif weight.type not in t.NUMERIC and weight.type not in (ERROR, t.NOTHING):
                self.error("E0201", f"a weight must be a number, found "
                           f"{t.describe(weight.type)}", e.weighted_by.span,
                           hint="weight by a percent, a count, a number or money",
                           notes=(Note(f"{t.describe(weight.type)} comes from {weight.why}",
                                       weight.origin),))
                weight = Typed(ERROR, e.weighted_by.span, "")
        policy = e.for_each.not_scored
        if policy == "zero" and element.type not in t.NUMERIC and element.type != ERROR:
            self.error("E0308", "`not scored: zero` needs numeric values", e.for_each.span,
                       hint="use `skip` or `propagate`")
        if policy == "rescale" and e.weighted_by is None:
            self.error("E0308", "`not scored: rescale` scales up the weights of the scored "
                       f"items, but this `{name}` has no weights", e.for_each.span,
                       hint=f"weight the items: `{name}(x weighted by w for each ...)`; or "
                       "leave the not-scored items out with `not scored: skip`")
        if element.type == ERROR or (weight is not None and weight.type == ERROR):
            return Typed(ERROR, e.span, "")
        if name in ("all", "any"):
            self._expect(element, "yesno", e.args[-1].span, f"`{name}` checks yes/no answers",
                         None)
            return Typed("yesno", e.span, f"`{name}(...)`")
        if name == "count":
            if element.type != "yesno" and element.type not in t.ENTITY:
                self.error("E0201", "`count` counts items or yes answers, found "
                           f"{t.describe(element.type)}", e.args[-1].span,
                           hint="write `count(m for each m in measures where ...)`")
            return Typed("count", e.span, "`count(...)`")
        if element.type not in t.NUMERIC and element.type != t.NOTHING:
            self.error("E0201", f"`{name}` needs numbers, found {t.describe(element.type)}",
                       e.args[-1].span, hint="aggregate money, percents, points or numbers",
                       notes=(Note(f"{t.describe(element.type)} comes from {element.why}",
                                   element.origin),))
            return Typed(ERROR, e.span, "")
        if name == "sum" and weight is not None:
            # A weighted sum is a sum of products, so it has the unit of `value * weight`.
            if t.NOTHING in (element.type, weight.type):
                product: str | None = weight.type if element.type == t.NOTHING else element.type
            else:
                product = t.multiply(element.type, weight.type)
            if product is None:
                self._conflict("E0201", f"cannot weight {t.describe(element.type)} by "
                               f"{t.describe(weight.type)}: their product has no unit",
                               e.span, element, weight,
                               t.arithmetic_hint("*", element.type, weight.type))
                return Typed(ERROR, e.span, "")
            return Typed(product, e.span, f"`{name}(...)` of {t.describe(element.type)} "
                         f"weighted by {t.describe(weight.type)}")
        result = "number" if element.type == "count" and name == "mean" else element.type
        return Typed(result, e.span, f"`{name}(...)` of {t.describe(element.type)}")

    def _x_Binary(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Binary) -> Typed:
        left = self.expr(scope, local, e.left)
        right = self.expr(scope, local, e.right)
        if ERROR in (left.type, right.type):
            return Typed(ERROR, e.span, "")
        if t.NOTHING in (left.type, right.type):
            other = right if left.type == t.NOTHING else left
            return Typed(other.type, e.span, other.why)
        rule = {"+": t.add, "-": t.subtract, "*": t.multiply, "/": t.divide}[e.op]
        result = rule(left.type, right.type)
        if result is None:
            verb = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}[e.op]
            self._conflict(
                "E0201",
                f"cannot {verb} {t.describe(left.type)} and {t.describe(right.type)}"
                if e.op in "+*" else
                f"cannot {verb} {t.describe(right.type)} from {t.describe(left.type)}"
                if e.op == "-" else
                f"cannot divide {t.describe(left.type)} by {t.describe(right.type)}",
                e.span, left, right, t.arithmetic_hint(e.op, left.type, right.type),
            )
            return Typed(ERROR, e.span, "")
        return Typed(result, e.span, f"`{_clip(e.span.text)}`")

    def _x_Negate(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Negate) -> Typed:
        operand = self.expr(scope, local, e.operand)
        if operand.type not in t.NUMERIC and operand.type not in (ERROR, t.NOTHING):
            self.error("E0201", f"cannot negate {t.describe(operand.type)}", e.span,
                       hint="only amounts, percents, points and numbers have a minus sign")
            return Typed(ERROR, e.span, "")
        return Typed(operand.type, e.span, operand.why)

    def _x_Compare(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Compare) -> Typed:
        left = self.expr(scope, local, e.left)
        right = self.expr(scope, local, e.right)
        if ERROR in (left.type, right.type):
            return Typed("yesno", e.span, "a comparison")
        if not t.comparable(left.type, right.type):
            self._conflict("E0202", f"cannot compare {t.describe(left.type)} with "
                           f"{t.describe(right.type)}", e.span, left, right,
                           _unit_hint(right.type, left.type))
        elif e.op not in ("=", "!=") and not (t.ordered(left.type) and t.ordered(right.type)):
            self.error("E0202", f"{t.describe(left.type)} has no order; only `=` and `!=` "
                       "apply", e.span, hint="compare with `=` or `!=`")
        return Typed("yesno", e.span, "a comparison")

    def _boolean(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Expr,
                 role: str) -> None:
        typed = self.expr(scope, local, e)
        self._expect(typed, "yesno", e.span, role, None)

    def _x_Not(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Not) -> Typed:
        self._boolean(scope, local, e.operand, "`not` applies to yes/no")
        return Typed("yesno", e.span, "`not`")

    def _x_And(self, scope: _ModuleScope, local: dict[str, Typed], e: s.And) -> Typed:
        self._boolean(scope, local, e.left, "`and` joins yes/no answers")
        self._boolean(scope, local, e.right, "`and` joins yes/no answers")
        return Typed("yesno", e.span, "`and`")

    def _x_Or(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Or) -> Typed:
        self._boolean(scope, local, e.left, "`or` joins yes/no answers")
        self._boolean(scope, local, e.right, "`or` joins yes/no answers")
        return Typed("yesno", e.span, "`or`")

    def _x_If(self, scope: _ModuleScope, local: dict[str, Typed], e: s.If) -> Typed:
        self._boolean(scope, local, e.condition, "an `if` condition is yes or no")
        then = self.expr(scope, local, e.then)
        other = self.expr(scope, local, e.otherwise)
        return self._join(then, other, e, "the two branches of `if`")

    def _join(self, a: Typed, b: Typed, e: s.Expr, what: str) -> Typed:
        if ERROR in (a.type, b.type):
            return Typed(ERROR, e.span, "")
        joined = t.join(a.type, b.type)
        if joined is None:
            self._conflict("E0201", f"{what} give different types: {t.describe(a.type)} and "
                           f"{t.describe(b.type)}", e.span, a, b, _unit_hint(b.type, a.type))
            return Typed(ERROR, e.span, "")
        origin = a if a.type != t.NOTHING else b
        return Typed(joined, origin.origin, origin.why)

    def _x_Otherwise(self, scope: _ModuleScope, local: dict[str, Typed],
                     e: s.Otherwise) -> Typed:
        value = self.expr(scope, local, e.value)
        fallback = self.expr(scope, local, e.fallback)
        return self._join(value, fallback, e, "a value and its `otherwise` fallback")

    def _x_Because(self, scope: _ModuleScope, local: dict[str, Typed], e: s.Because) -> Typed:
        return self.expr(scope, local, e.value)

    def _x_IsScored(self, scope: _ModuleScope, local: dict[str, Typed], e: s.IsScored) -> Typed:
        self.expr(scope, local, e.operand)
        return Typed("yesno", e.span, "`is scored`")

    def _x_MemberOf(self, scope: _ModuleScope, local: dict[str, Typed], e: s.MemberOf) -> Typed:
        element = self.expr(scope, local, e.element)
        kind = self._domain(scope, local, e.domain)
        if ERROR not in (kind, element.type) and element.type != kind:
            self.error("E0202", f"cannot look for {t.describe(element.type)} among "
                       f"{t.describe_many(kind)}", e.span, hint="compare like with like")
        return Typed("yesno", e.span, "`in`")

    def _x_AtOrganization(self, scope: _ModuleScope, local: dict[str, Typed],
                          e: s.AtOrganization) -> Typed:
        org = self.expr(scope, local, e.organization)
        self._expect(org, "organization", e.organization.span, "`at` names an organization", None)
        return self.expr(scope, local, e.value)


_NEG_INF = Decimal("-Infinity")
_POS_INF = Decimal("Infinity")


def tier_interval(r: s.Range) -> tuple[Decimal, bool, Decimal, bool]:
    """Low, low-closed, high, high-closed of a range."""
    def v(bound: s.Literal | None) -> Decimal:
        assert bound is not None and isinstance(bound.value, Decimal)
        return bound.value
    return {
        "below": lambda: (_NEG_INF, False, v(r.high), False),
        "up_to": lambda: (_NEG_INF, False, v(r.high), True),
        "above": lambda: (v(r.low), False, _POS_INF, False),
        "from": lambda: (v(r.low), True, _POS_INF, False),
        "from_to": lambda: (v(r.low), True, v(r.high), False),
        "from_through": lambda: (v(r.low), True, v(r.high), True),
    }[r.kind]()


def _stretch(end: Decimal, end_bound: s.Literal | None, side: str, tier: Decimal,
             tier_bound: s.Literal | None) -> str:
    """The uncovered stretch between a domain's end and the nearest tier: `from 5 up to 10`."""
    if end.is_infinite():
        return f"values {side} {_show(tier, tier_bound)}"
    low, high = sorted([(end, end_bound), (tier, tier_bound)], key=lambda b: b[0])
    return f"from {_show(*low)} up to {_show(*high)}"


def _show(value: Decimal, bound: s.Literal | None) -> str:
    """A tier bound as the contract writes it, unit and all: `80%`, not `80`."""
    if value.is_infinite():
        return "no limit"
    return " ".join(bound.span.text.split()) if bound is not None else format(value, "f")


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:37] + "..."


def _unit_hint(found: str, wanted: str) -> str | None:
    pair = (found, wanted)
    if pair == ("pp", "percent"):
        return "percentage points are a distance between rates; to compare with a rate, " \
            "write the rate as a percent (`2%`), or declare the value as `pp`"
    if pair == ("percent", "pp"):
        return "a gap between rates is in percentage points: write `2 pp`, not `2%`"
    if pair == ("number", "percent") or pair == ("count", "percent"):
        return "write the value with a percent sign (`35%`), or multiply by `100%`"
    if pair == ("number", "pp") or pair == ("count", "pp"):
        return "write the value with its unit, for example `2 pp`"
    if pair == ("number", "money") or pair == ("count", "money"):
        return "write amounts with a dollar sign: `$1,000.00`"
    if "money" in pair and "percent" in pair:
        return "a share of an amount is `amount * percent`"
    if found == "stratification":
        return "a stratification stands for its groups only in `for each g in groups of NAME`"
    if wanted == "stratification":
        return "pass one of the contract's stratifications by its name, like `race`"
    return None


def _expected_hint(found: str, wanted: str, declared: bool) -> str:
    """How to fix a value of the wrong type where no unit hint applies."""
    if wanted == "yesno":
        advice = "write a yes/no condition here, such as a comparison: `gap <= 2 pp`"
    else:
        advice = f"write {t.describe(wanted)} here"
    if declared:
        advice += f", or declare it {t.describe(found)} if that is what it is"
    return advice


def _signature_hint(name: str, params: tuple[s.Param, ...] | None) -> str:
    """How to call a builtin, or a declaration with these parameters."""
    if params is not None:
        return f"call it as `{name}({', '.join(f'{p.name}: {p.type}' for p in params)})`"
    if name in FIXED_BUILTINS:
        args = ", ".join(FIXED_BUILTINS[name][0])
        return f"call it as `{name}({args})`"
    if name == "round":
        return "call it as `round(value, places, half up)`"
    if name == "clamp":
        return "call it as `clamp(value, low, high)`"
    if name == "abs":
        return "call it as `abs(value)`"
    return "check the declaration for the arguments it takes"


def _simple_condition(condition: s.Expr) -> tuple[str, frozenset[str]] | None:
    """``x = NAME`` or ``x in {A, B}`` as (x, {names}); anything else is checked at run time."""
    if isinstance(condition, s.Compare) and condition.op == "=":
        left, right = condition.left, condition.right
        if isinstance(left, s.Name) and isinstance(right, s.Name) and len(left.parts) == 1:
            return left.parts[0], frozenset({right.dotted})
    if isinstance(condition, s.MemberOf) and isinstance(condition.domain, s.Listed):
        element = condition.element
        if isinstance(element, s.Name) and len(element.parts) == 1:
            return element.parts[0], frozenset(i.dotted for i in condition.domain.items)
    return None


def _domain_words(d: s.FocusGroups | s.StratificationGroups) -> str:
    return "focus groups" if isinstance(d, s.FocusGroups) else "groups"


def _params(d: s.Definition | s.Output | s.Schedule) -> tuple[s.Param, ...]:
    """The parameters of a callable declaration; a schedule has exactly one."""
    return (d.param,) if isinstance(d, s.Schedule) else (d.params or ())


def _walk(node: Any) -> Iterator[Any]:
    """Every AST node below and including ``node``."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if attrs.has(type(current)):
            for field in attrs.fields(type(current)):
                if field.name == "span":
                    continue
                value = getattr(current, field.name)
                if attrs.has(type(value)):
                    stack.append(value)
                elif isinstance(value, tuple):
                    stack.extend(v for v in value if attrs.has(type(v)))


def check(main: LoadedModule) -> Program:
    """Check a loaded contract and its modules; raise ``EqlangError`` with every error."""
    return Checker(main).run()


def load_and_check(path: str) -> Program:
    """Read, parse and check a contract file."""
    return check(load(path))
