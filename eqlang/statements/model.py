"""What a statement shows: takes one organization's trace section (``eqlang.tools.sections``)
and the contract, gives the statement as plain data (``Statement``), ready for the page.

Everything comes from the trace section, so every figure is the trace's to the digit and
each carries how it was reached (``Figure.lines``, the lines ``eqlang explain`` prints
below a value). Values are sorted into the page's places by their arguments: a rule of a
measure and a group (``group_score(COL, Black)``, ``gap(COL, Black, baseline)`` by period)
goes in that measure's table of groups, a rule of a measure alone in its list of the
measure's values, a rule without arguments among the organization's values.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from eqlang.core import program as p
from eqlang.core.values import Quantity, display
from eqlang.render import derivation_lines, value_text
from eqlang.tools.findings import Findings, GroupFinding
from eqlang.tools.sections import Section
from eqlang.tools.values import argument_places

_RULE_KINDS = frozenset({"output", "definition", "schedule"})


@attrs.frozen
class Figure:
    """One value on the page: its name, how it reads, and how it was reached."""

    id: str
    text: str
    scored: bool
    lines: tuple[str, ...]
    kind: str = "definition"
    reason: str | None = None


@attrs.frozen
class Rate:
    """One group's rate in one period, from the tables (or absent)."""

    text: str
    numerator: str | None
    denominator: str | None
    figure: Figure | None = None


@attrs.frozen
class GroupRow:
    name: str
    reference: bool
    focus: bool
    rates: tuple[Rate, ...]
    values: tuple[Figure | None, ...]


@attrs.frozen
class MeasureSection:
    code: str
    title: str | None
    weight: str | None
    direction: str
    periods: tuple[str, ...]
    #: Column heads of the groups' values: ``gap (2022)``, ``group_score``.
    columns: tuple[str, ...]
    groups: tuple[GroupRow, ...]
    values: tuple[Figure, ...]
    findings: tuple[GroupFinding, ...]


@attrs.frozen
class RuleText:
    """A rule the settlement applied, with the contract lines behind it."""

    name: str
    kind: str
    at: str
    citation: str | None
    text: str


@attrs.frozen
class Statement:
    org: str
    headline: Figure | None
    outputs: tuple[Figure, ...]
    measures: tuple[MeasureSection, ...]
    others: tuple[Figure, ...]
    unscored: tuple[tuple[str, str], ...]
    rules: tuple[RuleText, ...]
    #: For the chart: each measure's amount (None when not scored), in contract order.
    measure_amounts: tuple[tuple[str, Decimal | None], ...]
    headline_amount: Decimal | None


def figure(node_id: str, node: dict[str, Any], view: Mapping[str, Any]) -> Figure:
    encoded = node["value"]
    scored = "not_scored" not in encoded
    text = value_text(encoded) if scored else "not scored"
    return Figure(node_id, text, scored, tuple(derivation_lines(node, view)), node["kind"],
                  None if scored else encoded["not_scored"])


def amount(node: dict[str, Any] | None) -> Decimal | None:
    if node is None or "not_scored" in node["value"]:
        return None
    try:
        return Decimal(node["value"]["value"])
    except (KeyError, ArithmeticError):
        return None


class Builder:
    """Builds statements of one contract: what is the same for every organization (the
    groups, periods, rules' texts) is worked out once."""

    def __init__(self, program: p.Program, headline: str | None,
                 per_measure: str | None) -> None:
        self.program = program
        self.headline = headline
        self.per_measure = per_measure
        self.periods = dict(program.periods)  # name -> label
        self.groups: list[tuple[str, bool, bool]] = []
        for strat in program.stratifications.values():
            reference = strat.reference.group if strat.reference is not None and \
                strat.reference.kind == "group" else None
            for group in strat.groups:
                if all(group != g for g, _, _ in self.groups):
                    self.groups.append((group, group == reference, group in strat.focus))
        self.rule_texts: dict[str, RuleText] = {}
        self.order = {name: index for index, name in enumerate(program.rules)}

    def build(self, section: Section, findings: Findings) -> Statement:
        view = section.view()
        nodes = section.nodes
        by_measure: dict[str, dict[str, Any]] = {m: {} for m in self.program.contract_measures}
        scalar: list[Figure] = []
        outputs: list[Figure] = []
        used_rules: dict[str, None] = {}
        for node_id, node in nodes.items():
            if node["kind"] not in _RULE_KINDS:
                continue
            used_rules[node["name"]] = None
            args = node["args"]
            shown = figure(node_id, node, view)
            if node["kind"] == "output":
                outputs.append(shown)
            if args and args[0] in by_measure:
                by_measure[args[0]][node_id] = (node, shown)
            elif not args and node["kind"] != "output":
                scalar.append(shown)
        for used in _peer_rules(section):
            node = section.node(used)
            if node is not None and node["kind"] in _RULE_KINDS:
                used_rules[node["name"]] = None
                scalar.append(figure(used, node, view))
        order = {name: index for index, name in enumerate(self.program.rules)}
        places = argument_places(self.program)
        outputs.sort(key=lambda f: (order.get(f.id.split("(")[0], 0),
                                    places.get(f.id.partition("(")[2].rstrip(")"), 0)))
        measures = tuple(self._measure(code, by_measure[code], section, findings)
                         for code in self.program.contract_measures)
        head = None
        if self.headline is not None:
            node = nodes.get(self.headline)
            head = figure(self.headline, node, view) if node is not None else None
        per = []
        for code in self.program.contract_measures:
            node = nodes.get(f"{self.per_measure}({code})") if self.per_measure else None
            per.append((code, amount(node)))
        return Statement(
            section.org, head, tuple(outputs), measures, tuple(scalar),
            tuple((u.value, u.reason) for u in findings.unscored),
            tuple(self._rule_text(name) for name in sorted(used_rules, key=lambda n:
                                                           order.get(n, 0))),
            tuple(per), amount(nodes.get(self.headline)) if self.headline else None)

    def _measure(self, code: str, found: dict[str, tuple[dict[str, Any], Figure]],
                 section: Section, findings: Findings) -> MeasureSection:
        info = self.program.measures[code]
        group_names = {g for g, _, _ in self.groups} | {"ALL"}
        columns: dict[str, dict[str, Figure]] = {}
        places: dict[str, tuple[int, int, str]] = {}
        values: list[tuple[int, str, Figure]] = []
        periods = list(self.periods)
        for node, shown in found.values():
            args = node["args"]
            rank = self.order.get(node["name"], len(self.order))
            if len(args) >= 2 and args[1] in group_names:
                head = node["name"]
                period = len(periods)
                if len(args) == 3 and args[2] in self.periods:
                    head = f"{node['name']} ({self.periods[args[2]]})"
                    period = periods.index(args[2])
                elif len(args) > 2:
                    head = f"{node['name']}({', '.join(['·', '·', *args[2:]])})"
                columns.setdefault(head, {})[args[1]] = shown
                places[head] = (rank, period, head)
            else:
                values.append((rank, shown.id, shown))
        columns = {head: columns[head] for head in sorted(columns, key=places.__getitem__)}
        rates = self._rates(code, section)
        rows = []
        for group, reference, focus in [*self.groups, ("ALL", False, False)]:
            rows.append(GroupRow(group, reference, focus, rates[group],
                                 tuple(columns[c].get(group) for c in columns)))
        direction = "higher is better" if info.higher_is_better else "lower is better" \
            if info.higher_is_better is not None else ""
        weight = display(Quantity("percent", info.weight)) if info.weight is not None else None
        return MeasureSection(code, info.title, weight, direction,
                              tuple(dict.fromkeys(self.periods.values())), tuple(columns),
                              tuple(rows), tuple(f for _, _, f in sorted(values)),
                              tuple(f for f in findings.groups if f.measure == code))

    def _rates(self, code: str, section: Section) -> dict[str, tuple[Rate, ...]]:
        view = section.view()
        rates: dict[str, tuple[Rate, ...]] = {}
        for group, _, _ in [*self.groups, ("ALL", False, False)]:
            found = []
            for name in dict.fromkeys(self.periods):
                node_id = f"rate({code}, {group}, {name})"
                node = section.nodes.get(node_id)
                found.append(self._rate(node_id, node, view))
            rates[group] = tuple(found)
        return rates

    @staticmethod
    def _rate(node_id: str, node: dict[str, Any] | None, view: Mapping[str, Any]) -> Rate:
        if node is None:
            return Rate("", None, None)
        rows = node.get("rows", [])
        shown = figure(node_id, node, view)
        if len(rows) == 1:
            return Rate(shown.text, rows[0]["numerator"], rows[0]["denominator"], shown)
        return Rate(shown.text, None, None, shown)

    def _rule_text(self, name: str) -> RuleText:
        found = self.rule_texts.get(name)
        if found is None:
            rule = self.program.rules[name]
            span = rule.span
            found = self.rule_texts[name] = RuleText(
                name, rule.kind, span.location() if span is not None else "",
                rule.citation, span.text if span is not None else "")
        return found


def _peer_rules(section: Section) -> list[str]:
    seen: dict[str, None] = {}
    for node in section.nodes.values():
        for used in node["uses"]:
            if used.startswith("peers::") and "::" not in used[len("peers::"):]:
                seen[used] = None
    return list(seen)


def per_measure_output(program: p.Program, headline: str | None) -> str | None:
    """The output per measure in the headline's unit (``measure_payout``), if there is one:
    the chart's steps from nothing to the payout."""
    if headline is None:
        return None
    unit = program.rules[headline].type
    for name in program.outputs:
        rule = program.rules[name]
        if rule.params and rule.params[0].type == "measure" and rule.type == unit:
            return name
    return None
