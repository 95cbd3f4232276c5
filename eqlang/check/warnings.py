"""Warnings: the last pass of checking. Takes a checked program without errors, gives
warnings about the file checked: what it accepts but its writer most likely did not mean.

Each warning has its code (``W0101``) and an explanation file in ``eqlang/codes/``:

- W0101 a loop variable never used in what the aggregation computes (the peer median that
  forgot ``at o``);
- W0102 a definition, parameter or import never used (a contract's outputs and invariants
  are its roots; a module's declarations are for its importers, so only their parameters
  and its imports are looked at);
- W0103 a measure of weight 0% used only through loops over all measures;
- W0104 a value compared with itself;
- W0105 a condition that can never be yes, or never no (``eqlang.check.folding``), and an
  ``is scored`` test of a value that is always scored (``eqlang.check.scoring``);
- W0106 an ``otherwise`` that can never apply, its value being always scored;
- W0107 a not-scored policy that can never apply, no item being ever not scored;
- W0108 an ``if`` whose two branches are the same.

Warnings are about the main file only: an imported module is warned about when it is
checked itself. A comment can allow one warning at one place (``eqlang.check.allow``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from eqlang.check.allow import apply_allows
from eqlang.check.dependence import free_locals
from eqlang.check.folding import Folder, Known
from eqlang.check.scoring import Scoring, scoring
from eqlang.core import program as p
from eqlang.core.values import Entity, Truth, display
from eqlang.diagnostics import WARNING, Diagnostic, Note
from eqlang.syntax import ast as s
from eqlang.syntax.source import Span

#: Every code this pass (and the allow comments) can give, in order.
WARNING_CODES = ("W0101", "W0102", "W0103", "W0104", "W0105", "W0106", "W0107", "W0108",
                 "W0109")

#: Builtins that read the rows of the organization being settled.
_READS_ROWS = frozenset({"rate", "numerator", "denominator", "reference"})
_ALWAYS = {"=": True, "<=": True, ">=": True, "!=": False, "<": False, ">": False}


def _warning(code: str, message: str, span: Span | None, hint: str | None = None,
             notes: tuple[Note, ...] = ()) -> Diagnostic:
    return Diagnostic(code, message, span, hint=hint, notes=notes, severity=WARNING)


def _text(e: p.Expr | None) -> str:
    """An expression as written, on one line."""
    if e is None or e.span is None:
        return "it"
    return " ".join(e.span.text.split())


def _yes(answer: bool) -> str:
    return "yes" if answer else "no"


class Warnings:
    def __init__(self, program: p.Program) -> None:
        self.program = program
        main = program.main
        self.main = main
        self.is_contract = any(isinstance(d, s.ContractHeader) for d in main.module.declarations)
        self.rules = [r for r in program.rules.values() if r.module == main.key]
        self.parameters = [q for q in program.parameters.values() if q.module == main.key]
        self.found: list[Diagnostic] = []
        # A module checked by itself is called from outside: its rules, and those of what it
        # imports, may be given anything.
        open_modules = frozenset() if self.is_contract else frozenset(
            m.key for m in program.modules)
        self.scoring: Scoring = scoring(program, open_modules)
        self.folder = Folder(program)
        self.self_compared: set[int] = set()

    def run(self) -> list[Diagnostic]:
        self.loops()
        self.unused()
        self.weightless_measures()
        self.comparisons()
        self.conditions()
        self.not_scored()
        self.same_branches()
        return apply_allows(self.main.source, self.found, WARNING_CODES)

    def warn(self, code: str, message: str, span: Span | None, hint: str | None = None,
             notes: tuple[Note, ...] = ()) -> None:
        self.found.append(_warning(code, message, span, hint, notes))

    # ---- what the main file holds ---------------------------------------------------------

    def roots(self) -> Iterator[p.Expr]:
        """Every top-level expression of the main file's rules, parameters and invariants."""
        for rule in self.rules:
            yield from rule_parts(rule)
        for parameter in self.parameters:
            yield parameter.value
            yield from (a.value for a in parameter.amendments)
        for invariant in self.program.invariants:
            yield from claim_parts(invariant)

    @functools.cached_property
    def _nodes(self) -> list[p.Expr]:
        return [e for root in self.roots() for e in p.walk(root)]

    def nodes(self) -> list[p.Expr]:
        """Every expression of the main file, parents before children: walked once, since
        five of the warnings look through them."""
        return self._nodes

    # ---- W0101: loop variables ------------------------------------------------------------

    def loops(self) -> None:
        for e in self.nodes():
            if not isinstance(e, p.Aggregate):
                continue
            read = set()
            for part in (e.value, e.where, e.weight):
                if part is not None:
                    read |= free_locals(part)
            for binder in e.binders:
                if binder.name not in read:
                    self.unused_binder(binder, e)
        for invariant in self.program.invariants:
            read = set()
            for part in claim_parts(invariant):
                read |= free_locals(part)
            for binder in invariant.binders:
                if binder.name not in read:
                    self.warn("W0101", f"loop variable `{binder.name}` is never used in the "
                              "invariant", name_at_start(binder.span, binder.name),
                              hint=f"use `{binder.name}` in the claim, or remove it from "
                              "`for each`: as written, the same claim is tested for each item")

    def unused_binder(self, binder: p.Binder, e: p.Aggregate) -> None:
        name = binder.name
        span = name_at_start(binder.span, name)
        if isinstance(binder.domain, p.Organizations) and self.reads_own_rows(e.value):
            self.warn(
                "W0101", f"loop variable `{name}` is never used: every item of this "
                f"`{e.function}` over organizations reads this organization's own rows",
                span, hint=f"write `{_text(e.value)} at {name}`, so that each item reads "
                f"organization `{name}`'s rows; as written, the `{e.function}` is of this "
                "organization's own value")
            return
        if e.function == "count" and e.where is not None:
            hint = (f"to count the items kept by `where`, count the variable itself: "
                    f"`count({name} for each ...)`")
        else:
            hint = (f"use `{name}` in the formula, or loop over the set you meant: as written, "
                    f"every item of the `{e.function}` has the same value")
        self.warn("W0101", f"loop variable `{name}` is never used in what the "
                  f"`{e.function}` computes", span, hint=hint)

    def reads_own_rows(self, e: p.Expr) -> bool:
        """Whether ``e`` reads the rows of the organization being settled (not through
        ``at``)."""
        if isinstance(e, p.At):
            return self.reads_own_rows(e.organization)
        if isinstance(e, p.Builtin) and e.name in _READS_ROWS:
            return True
        if isinstance(e, p.Call) and e.rule in self.program.organization_rules:
            return True
        return any(self.reads_own_rows(c) for c in p.children(e))

    # ---- W0102: what is never used --------------------------------------------------------

    def unused(self) -> None:
        for rule in self.rules:
            self.unused_params(rule)
        self.unused_imports()
        if self.is_contract:
            self.unreached()

    def unused_params(self, rule: p.Rule) -> None:
        if rule.kind == "schedule":
            return  # its one parameter is what the tiers range over
        read: set[str] = set()
        for part in rule_parts(rule):
            read |= free_locals(part)
        for q in rule.params:
            if q.name not in read:
                self.warn("W0102", f"parameter `{q.name}` of `{rule.name}` is never used",
                          name_at_start(q.span, q.name),
                          hint=f"remove it from `{rule.name}`'s parameters and from every "
                          "call, or use it in the formula")

    def unused_imports(self) -> None:
        # The symbol index has every use of an import's alias in the main file: `hedis.COL`,
        # `from hedis`, `from groups.omb_1997`.
        used = {use.key for use in self.program.symbols.uses
                if use.span.source is self.main.source}
        for d in self.main.module.declarations:
            if isinstance(d, s.Import) and f"module:{d.alias}" not in used:
                symbol = self.program.symbols.declarations.get(f"module:{d.alias}")
                self.warn("W0102", f"module `{d.alias}` is imported but never used",
                          symbol.span if symbol is not None else d.span,
                          hint="remove the import")

    def unreached(self) -> None:
        """Definitions and parameters of a contract that no output or invariant leads to."""
        reached: set[str] = set()
        stack: list[p.Expr] = []
        for key in self.program.outputs:
            stack.extend(rule_parts(self.program.rules[key]))
        for invariant in self.program.invariants:
            stack.extend(claim_parts(invariant))
        while stack:
            for e in p.walk(stack.pop()):
                key = e.rule if isinstance(e, p.Call) else (
                    e.key if isinstance(e, p.Parameter) else None)
                if key is None or key in reached:
                    continue
                reached.add(key)
                if isinstance(e, p.Call) and key in self.program.rules:
                    stack.extend(rule_parts(self.program.rules[key]))
                elif key in self.program.parameters:
                    parameter = self.program.parameters[key]
                    stack.extend([parameter.value, *(a.value for a in parameter.amendments)])
        written = {use.key for use in self.program.symbols.uses}
        unreached: list[tuple[str, str, Span | None]] = [
            (r.key, r.kind, r.span) for r in self.rules
            if r.kind != "output" and r.key not in reached]
        # A text parameter is a term read by people (where statements go), not computed with.
        unreached += [(q.key, "parameter", q.span) for q in self.parameters
                      if q.key not in reached and q.type != "text"]
        for key, kind, span in unreached:
            symbol = self.program.symbols.declarations.get(key)
            where = symbol.span if symbol is not None and symbol.span is not None else span
            if key in written:
                message = (f"{kind} `{key}` is used only by declarations that no output or "
                           "invariant uses")
            else:
                message = f"{kind} `{key}` is never used"
            self.warn("W0102", message, where,
                      hint="remove it, or use it where it was meant to count: nothing the "
                      "contract pays or promises depends on it")

    # ---- W0103: measures that count only where nothing weighs them --------------------------

    def weightless_measures(self) -> None:
        if not self.is_contract:
            return
        named: set[str] = set()
        looped = False
        for e in self._all_nodes():
            if isinstance(e, p.Const) and isinstance(e.value, Entity) \
                    and e.value.kind == "measure":
                named.add(e.value.name)
            if isinstance(e, p.Aggregate | p.MemberOf):
                domains = [b.domain for b in e.binders] if isinstance(e, p.Aggregate) \
                    else [e.domain]
                looped = looped or any(isinstance(d, p.Measures) for d in domains)
        for invariant in self.program.invariants:
            looped = looped or any(isinstance(b.domain, p.Measures) for b in invariant.binders)
        if not looped:
            return
        for code in self.program.contract_measures:
            info = self.program.measures[code]
            if info.weight != 0 or code in named:
                continue
            symbol = self.program.symbols.declarations.get(code)
            self.warn("W0103", f"measure `{code}` weighs 0% and is used only through loops "
                      "over all measures", symbol.span if symbol is not None else info.span,
                      hint="a weighted sum gives it nothing, yet `count`, `mean`, `all` and "
                      "the other aggregations over `measures` count it like any measure; "
                      "give it a weight, or leave it out of the contract")

    def _all_nodes(self) -> Iterator[p.Expr]:
        for rule in self.program.rules.values():
            for part in rule_parts(rule):
                yield from p.walk(part)
        for parameter in self.program.parameters.values():
            yield from p.walk(parameter.value)
        for invariant in self.program.invariants:
            for part in claim_parts(invariant):
                yield from p.walk(part)

    # ---- W0104: a value compared with itself --------------------------------------------------

    def comparisons(self) -> None:
        for e in self.nodes():
            if isinstance(e, p.Compare) and e.left == e.right and not _has_invalid(e):
                self.self_compared.add(e.site)
                answer = _yes(_ALWAYS[e.op])
                self.warn("W0104", f"`{_text(e.left)}` is compared with itself, so "
                          f"`{_text(e)}` is always {answer}", e.span,
                          hint="compare it with the value that was meant: another group, "
                          "period, measure or organization")

    # ---- W0105: conditions decided before anything is settled -------------------------------

    def conditions(self) -> None:
        for e in self.nodes():
            if isinstance(e, p.If):
                self.condition(e.condition, ("the `then` branch is never taken",
                                             "the `else` branch is never taken"))
            elif isinstance(e, p.Aggregate) and e.where is not None:
                self.condition(e.where, ("the filter keeps no item",
                                         "the filter keeps every item"))
            elif isinstance(e, p.IsScored):
                self.scored_test(e)
        for rule in self.rules:
            for exception in rule.exceptions:
                self.condition(exception.condition, ("the exception never applies",
                                                     "the exception always applies"))
        for invariant in self.program.invariants:
            claim = invariant.claim
            if isinstance(claim, p.Always) and claim.condition is not None:
                self.condition(claim.condition, ("the promise is never tested",
                                                 "`when` adds nothing to the promise"))

    def condition(self, e: p.Expr, effects: tuple[str, str]) -> None:
        """Warn about ``e``, or the largest parts of it, that are always yes or always no."""
        if e.site in self.self_compared or isinstance(e, p.Parameter):
            # A yes/no parameter tested by itself is a switch, there to be set (`--set`).
            return
        self.folder.read.clear()
        folded = self.folder.fold(e)
        if isinstance(folded, Known) and isinstance(folded.value, Truth):
            answer = folded.value.value
            notes = tuple(self._parameter_note(key) for key in sorted(self.folder.read))
            self.warn("W0105", f"this condition is never {_yes(not answer)}: "
                      f"{effects[1] if answer else effects[0]}", e.span,
                      hint="check what it compares: a comparison with a value it can never "
                      "reach, or a test of the contract's own parameters, decides nothing",
                      notes=notes)
            return
        if isinstance(e, p.And | p.Or):
            for operand in (e.left, e.right):
                self.condition(operand, ("this part never counts", "this part never counts"))
        elif isinstance(e, p.Not):
            self.condition(e.operand, effects[::-1])

    def _parameter_note(self, key: str) -> Note:
        info = self.program.parameters[key]
        value = self.folder.fold(info.value)
        shown = display(value.value) if isinstance(value, Known) else "as the contract sets it"
        return Note(f"`{key}` is {shown} here; `--set` may give it another value", info.span)

    def scored_test(self, e: p.IsScored) -> None:
        if self.scoring.tests.get(e.site, True):
            return
        answer = not e.negated
        self.warn("W0105", f"`{_text(e.operand)}` is always scored, so `{_text(e)}` is always "
                  f"{_yes(answer)}", e.span,
                  hint="nothing it reads can be not scored (a rate, a best performing "
                  "reference, a measure without a weight, an aggregation over no items); "
                  "remove the test")

    # ---- W0106, W0107: handling of not scored that never happens -----------------------------

    def not_scored(self) -> None:
        for e in self.nodes():
            if isinstance(e, p.Otherwise) and not self.scoring.otherwise.get(e.site, True):
                span = _after(e.span, e.value.span)
                self.warn("W0106", f"this `otherwise` can never apply: "
                          f"`{_text(e.value)}` is always scored", span,
                          hint=f"remove `otherwise {_text(e.fallback)}`, or make the value "
                          "not scored where the fallback should stand in")
            if isinstance(e, p.Aggregate) and e.policy != "propagate" \
                    and not self.scoring.items.get(e.site, True):
                span = _policy_span(e)
                self.warn("W0107", f"`not scored: {e.policy}` can never apply: no item of "
                          f"this `{e.function}` can be not scored", span,
                          hint=f"remove `not scored: {e.policy}`; without it the "
                          f"`{e.function}` gives the same value")

    # ---- W0108: an if that chooses between equal values --------------------------------------

    def same_branches(self) -> None:
        for e in self.nodes():
            if isinstance(e, p.If) and e.then == e.otherwise and not _has_invalid(e):
                self.warn("W0108", f"both branches of this `if` are "
                          f"`{_text(e.then)}`, so the condition changes nothing", e.span,
                          hint="write the value the condition should lead to in one of the "
                          "branches, or the value alone")


def rule_parts(rule: p.Rule) -> list[p.Expr]:
    """A rule's top-level expressions: its body, exceptions and tiers."""
    parts = [x for x in (rule.body,) if x is not None]
    for exception in rule.exceptions:
        parts += [exception.value, exception.condition]
    return parts + [tier.value for tier in rule.tiers]


def claim_parts(invariant: p.Invariant) -> list[p.Expr]:
    """An invariant's top-level expressions."""
    c = invariant.claim
    parts = [c.claim, c.condition] if isinstance(c, p.Always) else [c.value, c.moved]
    return [x for x in parts if x is not None]


def _has_invalid(e: p.Expr) -> bool:
    return any(isinstance(x, p.Invalid) for x in p.walk(e))


def name_at_start(span: Span | None, name: str) -> Span | None:
    """Where ``name`` is written at the start of ``span`` (a binder, a parameter)."""
    if span is None:
        return None
    start = span.start + max(0, span.text.find(name))
    return span.source.span(start, start + len(name))


def _after(whole: Span | None, first: Span | None) -> Span | None:
    """What follows ``first`` in ``whole``: `otherwise FALLBACK` after the value."""
    if whole is None or first is None:
        return whole
    text = whole.source.text
    start = first.end
    while start < whole.end and text[start].isspace():
        start += 1
    return whole.source.span(start, whole.end)


def _policy_span(e: p.Aggregate) -> Span | None:
    if e.span is None:
        return None
    found = e.span.text.rfind("not scored:")
    if found < 0:
        return e.span
    start = e.span.start + found
    end = start + len("not scored:")
    text = e.span.source.text
    while end < e.span.end and text[end] == " ":
        end += 1
    while end < e.span.end and text[end].isalpha():
        end += 1
    return e.span.source.span(start, end)


def syntax_names(node: object) -> Iterator[s.Name]:
    """Every name written in a piece of syntax (a declaration)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, s.Name):
            yield current
            continue
        fields = getattr(type(current), "__attrs_attrs__", ())
        for field in fields:
            if field.name in ("span", "leading"):
                continue
            value = getattr(current, field.name)
            if isinstance(value, tuple):
                stack.extend(value)
            elif hasattr(type(value), "__attrs_attrs__"):
                stack.append(value)


def check_warnings(program: p.Program) -> list[Diagnostic]:
    """The warnings about a checked program's main file, those allowed by a comment left
    out (and any allow comment that is wrong itself reported)."""
    return Warnings(program).run()

