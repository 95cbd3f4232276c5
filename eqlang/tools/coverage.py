"""Coverage: takes a contract and the decisions its worked examples made, gives what they
never exercised.

While an example settles, the evaluator tells a ``DecisionLog`` which way each decision went:
the branch of an ``if``, the tier of a schedule, the exception that applied (or that none
did), whether an ``otherwise`` needed its fallback. ``coverage`` lists every such item of
the contract file and every rule (definition, output, schedule), marks the ones some example
exercised, and ``render_coverage`` prints the rest with file:line:col, in source order.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from eqlang.backends.derivation import Derivation, Key
from eqlang.backends.exact import Evaluator
from eqlang.core import program as p
from eqlang.diagnostics import counted
from eqlang.syntax import ast as s
from eqlang.syntax.source import Span
from eqlang.terminal import printable

#: Categories in the order the summary lists them, with the outcomes each one counts.
CATEGORIES = {
    "rules": ("rule",),
    "tiers": ("tier",),
    "branches": ("then", "else"),
    "exceptions": ("applies", "general"),
    "otherwise": ("value", "fallback"),
}
_RULE_KINDS = ("definition", "output", "schedule")
_TEXT_WIDTH = 60


class DecisionLog:
    """Records decisions as the evaluator reports them (a ``DecisionRecorder``)."""

    def __init__(self) -> None:
        self.taken: set[tuple[int, str]] = set()
        self.by_value: dict[Key, list[tuple[int, str]]] = {}

    def decided(self, site: int, outcome: str, derivation: Derivation | None) -> None:
        self.taken.add((site, outcome))
        if derivation is not None:
            self.by_value.setdefault(derivation.key, []).append((site, outcome))

    def of(self, derivation: Derivation) -> list[tuple[int, str]]:
        """The decisions made while deriving one value, each once, in the order made."""
        return list(dict.fromkeys(self.by_value.get(derivation.key, [])))


@attrs.frozen
class Item:
    """One thing an example can exercise. ``outcome`` is rule, tier, then, else, applies,
    general, value or fallback; ``site`` the site decided at (a rule's key for a rule)."""

    outcome: str
    site: int | str
    rule: str
    span: Span
    text: str

    @property
    def category(self) -> str:
        return next(c for c, outcomes in CATEGORIES.items() if self.outcome in outcomes)

    def describe(self) -> str:
        owner = f"`{self.rule}`"
        return {
            "rule": "rule never evaluated",
            "tier": f"tier of {owner} never used",
            "then": f"then branch in {owner} never taken",
            "else": f"else branch in {owner} never taken",
            "applies": f"exception of {owner} never applied",
            "general": f"general rule of {owner} never used (an exception always applied)",
            "value": f"`otherwise` in {owner} never had a scored value",
            "fallback": f"`otherwise` fallback in {owner} never used",
        }[self.outcome]


@attrs.frozen
class Coverage:
    """The items of one contract file and which of them the examples exercised."""

    path: str
    examples: int
    items: tuple[Item, ...]
    covered: frozenset[int]

    def is_covered(self, index: int) -> bool:
        return index in self.covered

    @property
    def percent(self) -> str:
        """Covered share with one decimal, rounded down: 99.96% is not shown as 100.0%."""
        if not self.items:
            return "100.0%"
        tenths = len(self.covered) * 1000 // len(self.items)
        return f"{tenths // 10}.{tenths % 10}%"

    def at_least(self, percent: int) -> bool:
        return len(self.covered) * 100 >= percent * len(self.items)


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _TEXT_WIDTH else flat[: _TEXT_WIDTH - 3] + "..."


def _heading(declaration: s.Definition | s.Output | s.Schedule) -> str:
    """A rule's first words as written, up to its `=` (or its input, for a schedule)."""
    text = " ".join(declaration.span.text.split())
    head = text.split(" =", 1)[0] if not isinstance(declaration, s.Schedule) else \
        text.split(")", 1)[0] + ")"
    return _clip(head)


def items_of(program: p.Program) -> tuple[Item, ...]:
    """Every rule, tier, branch, exception and ``otherwise`` of the contract file itself."""
    found: list[Item] = []
    main = program.main.key
    for parameter in program.parameters.values():
        if parameter.module == main:
            for value in (parameter.value, *(a.value for a in parameter.amendments)):
                found.extend(_branches(value, parameter.name))
    for rule in program.rules.values():
        if rule.module != main:
            continue
        name = rule.name
        assert rule.span is not None
        found.append(Item("rule", rule.key, name, rule.span, _heading(rule.declaration)))
        if rule.exceptions:
            assert rule.body is not None and rule.body.span is not None
            found.append(Item("general", rule.body.site, name, rule.body.span,
                              _clip(rule.body.span.text)))
        for exception in rule.exceptions:
            assert exception.span is not None
            found.append(Item("applies", exception.site, name, exception.span,
                              _clip(exception.span.text)))
            found.extend(_branches(exception.value, name))
            found.extend(_branches(exception.condition, name))
        for tier in rule.tiers:
            assert tier.span is not None
            found.append(Item("tier", tier.site, name, tier.span, _clip(tier.span.text)))
            found.extend(_branches(tier.value, name))
        if rule.body is not None:
            found.extend(_branches(rule.body, name))
    return tuple(sorted(found, key=lambda i: (i.span.start, list(_ORDER).index(i.outcome))))


_ORDER = ("rule", "general", "applies", "tier", "then", "else", "value", "fallback")


def _branches(expr: p.Expr, rule: str) -> Iterable[Item]:
    for node in p.walk(expr):
        if isinstance(node, p.If):
            yield _item("then", node.site, rule, node.then)
            yield _item("else", node.site, rule, node.otherwise)
        elif isinstance(node, p.Otherwise):
            yield _item("value", node.site, rule, node.value)
            yield _item("fallback", node.site, rule, node.fallback)


def _item(outcome: str, site: int, rule: str, branch: p.Expr) -> Item:
    assert branch.span is not None
    return Item(outcome, site, rule, branch.span, _clip(branch.span.text))


def coverage(program: p.Program, runs: Iterable[tuple[Evaluator, DecisionLog]]) -> Coverage:
    """Which items of the contract file the examples' settlements exercised."""
    items = items_of(program)
    taken: set[tuple[int, str]] = set()
    evaluated: set[str] = set()
    count = 0
    for evaluator, log in runs:
        count += 1
        taken |= log.taken
        evaluated.update(key.name for key in evaluator.memo if key.name in program.rules)
    covered = frozenset(
        index for index, item in enumerate(items)
        if (item.site in evaluated if item.outcome == "rule"
            else (item.site, item.outcome) in taken)
    )
    return Coverage(program.main.source.path, count, items, covered)


def render_coverage(result: Coverage) -> str:
    """The summary line, the count per category, and every item never exercised."""
    items = result.items
    examples = counted(result.examples, "example")
    lines = [f"coverage of {result.path} by {examples}: {len(result.covered)} of "
             f"{len(items)} items ({result.percent})"]
    parts = []
    for category, outcomes in CATEGORIES.items():
        members = [i for i, item in enumerate(items) if item.outcome in outcomes]
        done = sum(1 for i in members if result.is_covered(i))
        parts.append(f"{category} {done}/{len(members)}")
    lines.append("  " + ", ".join(parts))
    missed = [(i, item) for i, item in enumerate(items) if not result.is_covered(i)]
    unused_rules = {item.rule for _, item in missed if item.outcome == "rule"}
    shown = []
    for _, item in missed:
        if item.outcome == "rule":
            inside = sum(1 for _, other in missed
                         if other.rule == item.rule and other.outcome != "rule")
            extra = f" (and the {counted(inside, 'item')} inside it)" \
                if inside else ""
            shown.append(f"  {item.span.location()}: {item.describe()}{extra}: {item.text}")
        elif item.rule not in unused_rules:
            shown.append(f"  {item.span.location()}: {item.describe()}: {item.text}")
    if shown:
        lines.append("  not exercised:")
        lines.extend("  " + line for line in shown)
    return printable("\n".join(lines) + "\n")
