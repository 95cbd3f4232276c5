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
from typing import Any

import attrs

from eqlang.backends.exact import Evaluator, Node
from eqlang.check.checker import Program, _walk
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
    """Records decisions as the evaluator reports them (an ``evaluate.DecisionRecorder``)."""

    def __init__(self) -> None:
        self.taken: set[tuple[int, str]] = set()
        self.by_node: dict[tuple[str, str], list[tuple[Any, str]]] = {}

    def decided(self, site: object, outcome: str, node: Node | None) -> None:
        self.taken.add((id(site), outcome))
        if node is not None:
            self.by_node.setdefault((node.org, node.id), []).append((site, outcome))

    def of(self, node: Node) -> list[tuple[Any, str]]:
        """The decisions made while deriving one value, each site once, in the order made."""
        seen: dict[tuple[int, str], tuple[Any, str]] = {}
        for site, outcome in self.by_node.get((node.org, node.id), []):
            seen.setdefault((id(site), outcome), (site, outcome))
        return list(seen.values())


@attrs.frozen
class Item:
    """One thing an example can exercise. ``outcome`` is rule, tier, then, else, applies,
    general, value or fallback; ``site`` the node decided at (a rule's key for a rule)."""

    outcome: str
    site: Any
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


def items_of(program: Program) -> tuple[Item, ...]:
    """Every rule, tier, branch, exception and ``otherwise`` of the contract file itself."""
    found: list[Item] = []
    for declaration in program.main.module.declarations:
        # Invariants are promises checked by `check --properties`, not rules that pay.
        if isinstance(declaration, s.Example | s.Invariant | s.ContractHeader | s.Import
                      | s.Measure | s.Stratification):
            continue
        name = declaration.name
        if not isinstance(declaration, s.Parameter):
            found.append(Item("rule", name, name, declaration.span, _heading(declaration)))
        for node in _walk(declaration):
            found.extend(_items_at(node, name, declaration))
    return tuple(sorted(found, key=lambda i: (i.span.start, list(_ORDER).index(i.outcome))))


_ORDER = ("rule", "general", "applies", "tier", "then", "else", "value", "fallback")


def _items_at(node: Any, rule: str, declaration: Any) -> Iterable[Item]:
    if isinstance(node, s.If):
        yield Item("then", node, rule, node.then.span, _clip(node.then.span.text))
        yield Item("else", node, rule, node.otherwise.span, _clip(node.otherwise.span.text))
    elif isinstance(node, s.Otherwise):
        yield Item("value", node, rule, node.value.span, _clip(node.value.span.text))
        yield Item("fallback", node, rule, node.fallback.span, _clip(node.fallback.span.text))
    elif isinstance(node, s.Tier):
        yield Item("tier", node, rule, node.span, _clip(node.span.text))
    elif isinstance(node, s.Exception_):
        yield Item("applies", node, rule, node.span, _clip(node.span.text))
    elif isinstance(node, s.Definition | s.Output) and node.exceptions:
        yield Item("general", node.body, rule, node.body.span, _clip(node.body.span.text))


def coverage(program: Program, runs: Iterable[tuple[Evaluator, DecisionLog]]) -> Coverage:
    """Which items of the contract file the examples' settlements exercised."""
    items = items_of(program)
    taken: set[tuple[int, str]] = set()
    evaluated: set[str] = set()
    count = 0
    for evaluator, log in runs:
        count += 1
        taken |= log.taken
        evaluated.update(node.name for node in evaluator.nodes.values()
                         if node.kind in _RULE_KINDS)
    covered = frozenset(
        index for index, item in enumerate(items)
        if (item.site in evaluated if item.outcome == "rule"
            else (id(item.site), item.outcome) in taken)
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
