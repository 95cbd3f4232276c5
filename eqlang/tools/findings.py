"""Findings of a settlement: takes a settled run (an exact evaluator that settled some
organizations), gives what a reader must not miss beside the outputs: the groups that were
left out of a measure or not scored, with the reason and the group's members, every other
value that was not scored, and totals across organizations.

The settlement summary (``eqlang.render.summary``) and the statements
(``eqlang.statements``) print them; they are read from the values the evaluator already
computed, so finding them settles nothing again.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from eqlang.backends.derivation import Key, Settlement
from eqlang.core import program as p
from eqlang.core.values import Entity, Group, NotScored, Quantity, Truth, Value, display


@attrs.frozen
class GroupFinding:
    """A group left out of a measure (a ``where`` filter said no) or not scored there."""

    measure: str
    group: str
    #: ``credit(CBP, Hispanic)``: the value that says so.
    value: str
    #: Why: the reason it is not scored, or ``is no`` for a filter.
    reason: str
    left_out: bool
    #: The group's members (denominator) in each period the tables have: (label, count).
    members: tuple[tuple[str, Decimal], ...] = ()

    @property
    def members_text(self) -> str:
        if not self.members:
            return "no rows in the tables"
        return ", ".join(f"{_count(n)} in {label}" for label, n in self.members)

    def text(self) -> str:
        what = "left out" if self.left_out else "not scored"
        return f"{self.measure} {self.group}: {what}: {self.value} {self.reason} " \
            f"(members: {self.members_text})"


@attrs.frozen
class Unscored:
    """A value of the organization that is not scored, other than a group's."""

    value: str
    reason: str


@attrs.frozen
class Findings:
    """What one organization's settlement leaves out."""

    groups: tuple[GroupFinding, ...]
    unscored: tuple[Unscored, ...]

    @property
    def empty(self) -> bool:
        return not self.groups and not self.unscored


def filter_rules(program: p.Program) -> frozenset[str]:
    """Rules called as the ``where`` filter of an aggregation: a ``no`` leaves an item out."""
    found = set()
    for rule in program.rules.values():
        parts = [rule.body, *(x.value for x in rule.exceptions),
                 *(x.condition for x in rule.exceptions), *(t.value for t in rule.tiers)]
        for part in parts:
            for e in p.walk(part) if part is not None else ():
                if isinstance(e, p.Aggregate) and isinstance(e.where, p.Call):
                    found.add(e.where.rule)
    return frozenset(found)


#: How a settled run answers for one value: ``computed(org, rule, args)``, None where the
#: settlement did not reach it (``Evaluator.computed``, or the columnar backend's).
Computed = Callable[[str, str, tuple[Value, ...]], Value | None]


class Finder:
    """Finds each settled organization's findings from the values its settlement reached:
    each rule of the organization whose parameters are measures, groups and periods, for
    every measure, group and period of the contract."""

    def __init__(self, program: p.Program, computed: Computed, tables: Any) -> None:
        self.program = program
        self.computed = computed
        self.tables = tables
        self.filters = filter_rules(program)
        domains = {
            "measure": [Entity("measure", m) for m in program.contract_measures],
            "group": [Group("named", g) for strat in program.stratifications.values()
                      for g in strat.groups],
            "period": [Entity("period", name) for name in program.periods],
        }
        self.calls: list[tuple[str, tuple[Value, ...]]] = []
        for name, rule in program.rules.items():
            kinds = [param.type for param in rule.params]
            if name in program.organization_rules and all(k in domains for k in kinds):
                self.calls += [(name, args) for args in itertools.product(
                    *(domains[k] for k in kinds))]

    def findings(self, st: Settlement, shown: Iterable[str] = ()) -> Findings:
        """``st``'s findings; values named in ``shown`` (``measure_score(HBD)``) are left
        out of ``unscored``, having been shown already."""
        listed = set(shown)
        groups: dict[tuple[str, str, str], GroupFinding] = {}
        unscored: list[Unscored] = []
        for name, args in self.calls:
            value = self.computed(st.org, name, args)
            if value is None:
                continue
            key = Key(st.org, name, args)
            measure = next((a.name for a in key.args if isinstance(a, Entity)
                            and a.kind == "measure"), None)
            group = next((a for a in key.args if isinstance(a, Group) and a.kind == "named"),
                         None)
            left_out = key.name in self.filters and value == Truth(False)
            if group is not None and measure is not None and (
                    left_out or isinstance(value, NotScored)):
                reason = "is no" if left_out else f"is not scored: {value.reason}" \
                    if isinstance(value, NotScored) else ""
                # A reason passed up from value to value is said once, by the first value.
                place = (measure, str(group.name), reason)
                if place not in groups:
                    groups[place] = GroupFinding(measure, str(group.name), key.id, reason,
                                                 left_out, self._members(st.org, measure,
                                                                         str(group.name)))
            elif isinstance(value, NotScored) and key.id not in listed:
                unscored.append(Unscored(key.id, value.reason))
        return Findings(tuple(groups.values()), tuple(unscored))

    def _members(self, org: str, measure: str, group: str) -> tuple[tuple[str, Decimal], ...]:
        spelled = self.program.spelling(group)
        found = []
        for label in dict.fromkeys(self.program.periods.values()):
            row = self.tables.lookup(org, measure, spelled, label)
            if row is not None:
                found.append((label, row.denominator))
        return tuple(found)


def _count(number: Decimal) -> str:
    return display(Quantity("count", number))


@attrs.frozen
class Total:
    """One output summed across organizations: ``payout`` or ``measure_payout(COL)``."""

    output: str
    total: Quantity
    scored: int
    settled: int


def totals(program: p.Program, settlements: Sequence[Settlement]) -> list[Total]:
    """Each money or count output summed over the organizations where it is scored."""
    found: dict[str, list[Value]] = {}
    for st in settlements:
        for name, value in st.outputs.items():
            items = value.items() if isinstance(value, dict) else [(None, value)]
            for key, item in items:
                found.setdefault(name if key is None else f"{name}({key})", []).append(item)
    result = []
    for label, values in found.items():
        quantities = [v for v in values if isinstance(v, Quantity)]
        units = {q.unit for q in quantities}
        if len(units) != 1 or units & {"money", "count"} != units:
            continue
        # Wide enough that no sum of amounts is ever rounded.
        with decimal.localcontext(prec=120):
            total = sum((q.magnitude for q in quantities), Decimal(0))
        result.append(Total(label, Quantity(units.pop(), total), len(quantities),
                            len(values)))
    return result


def choose_headline(program: p.Program, bounds: Sequence[Any]) -> tuple[str | None, Any]:
    """The output a statement leads with, and the most it can be: the scalar money output
    with the greatest upper bound (a later one on ties), else the last scalar output."""
    highest: dict[str, Any] = {}
    for bound in bounds:
        if bound.argument is None and isinstance(bound.value, Quantity):
            highest[bound.output] = bound.value
    scalar = [name for name in program.outputs if not program.rules[name].params]
    money = [n for n in scalar if program.rules[n].type == "money"]
    if money:
        def top(name: str) -> Decimal:
            upper = upper_bound(highest.get(name))
            return upper if upper is not None else Decimal("Infinity")
        best = max(reversed(money), key=top)
        return best, upper_bound(highest.get(best))
    if scalar:
        return scalar[-1], upper_bound(highest.get(scalar[-1]))
    return None, None


def upper_bound(value: Any) -> Decimal | None:
    """The upper end of a bound's value, when it is finite."""
    if value is None or isinstance(value, NotScored):
        return None
    magnitude = getattr(value, "magnitude", None)
    high = getattr(magnitude, "high", magnitude)
    if isinstance(high, Decimal) and high.is_finite():
        return high
    return None
