"""Two versions of the terms compared: takes two checked contracts and the runs that settled
each on the same measure tables, gives what changed in the terms (parameters, measure
weights, tiers, groups, rules, each with its text in both versions), each organization's
outputs before and after, and for each output that changed the first value where the two
derivations part, as ``eqlang explain`` shows it (``eqlang diff``).

Where the derivations part: walking down from the output through the values that changed,
the first value reached by another way (another branch taken, another formula, a value
present in only one version); where every value on the way was reached the same way and
only numbers differ, the value at the bottom (a changed parameter or table value).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from eqlang.core import program as p
from eqlang.render import explain
from eqlang.tools.sections import Section
from eqlang.trace.writer import PEERS

if TYPE_CHECKING:
    from eqlang.api import Run

#: The kinds of term compared, in the order they are reported.
KINDS = ("parameter", "weight", "tiers", "groups", "rule", "header")


@attrs.frozen
class TermChange:
    """One declaration that differs: ``kind`` is one of ``KINDS``; ``old`` and ``new`` are
    (location, text), or None where the declaration is missing from that version."""

    kind: str
    name: str
    old: tuple[str, str] | None
    new: tuple[str, str] | None

    @property
    def change(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"


def _declarations(program: p.Program) -> Iterator[tuple[str, str, str, str]]:
    """(kind, name, location, text) of each declaration a negotiator can change."""
    for key, info in program.parameters.items():
        yield "parameter", key, info.span.location(), _text(info.span)
    for code in program.contract_measures:
        info = program.measures[code]
        facts = [f"weight {info.weight * 100:f}%".replace(".00%", "%")
                 if info.weight is not None else "no weight",
                 {True: "higher is better", False: "lower is better"}.get(
                     info.higher_is_better, "direction not given")]
        if info.min_denominator is not None:
            facts.append(f"minimum denominator {info.min_denominator}")
        yield "weight", code, info.span.location(), f"{_text(info.span)}  ({'; '.join(facts)})"
    for name, strat in program.stratifications.items():
        yield "groups", name, strat.span.location(), _text(strat.span)
    for key, rule in program.rules.items():
        location = rule.span.location() if rule.span is not None else ""
        yield ("tiers" if rule.kind == "schedule" else "rule"), key, location, _text(rule.span)
    header = program.header
    if header is not None:
        yield "header", "contract", header.span.location(), _text(header.span)


def _text(span: Any) -> str:
    return span.text.rstrip() if span is not None else ""


def _same(a: str, b: str) -> bool:
    """Texts that differ only in spacing say the same."""
    return " ".join(a.split()) == " ".join(b.split())


def term_changes(old: p.Program, new: p.Program) -> list[TermChange]:
    """Every declaration added, removed or changed, by kind, in the order of the new
    contract (removed ones after)."""
    before = {(k, n): (at, text) for k, n, at, text in _declarations(old)}
    after = {(k, n): (at, text) for k, n, at, text in _declarations(new)}
    changes = []
    for key, (at, text) in after.items():
        was = before.get(key)
        if was is None or not _same(was[1], text):
            changes.append(TermChange(key[0], key[1], was, (at, text)))
    changes += [TermChange(k, n, was, None) for (k, n), was in before.items()
                if (k, n) not in after]
    return sorted(changes, key=lambda c: KINDS.index(c.kind))


@attrs.frozen
class OutputChange:
    """One output of one organization whose value differs, and where its derivations
    part: the value's id and how ``explain`` shows it in each version."""

    org: str
    output: str
    old: str
    new: str
    parts_at: str | None
    old_explained: str | None
    new_explained: str | None


def _shape(node: dict[str, Any] | None) -> Any:
    """How a value was reached, without the numbers: its rule's text, and its reading and
    reasons with each value replaced by the name it stands for."""
    if node is None:
        return None

    def plain(parts: list[Any]) -> tuple[str, ...]:
        return tuple(part if isinstance(part, str) else part.get("text", part.get("node", ""))
                     for part in parts)

    return (node.get("kind"), node.get("expr"), plain(node.get("reading", [])),
            tuple(plain(c) for c in node.get("since", [])))


def _value(node: dict[str, Any] | None) -> Any:
    return None if node is None else node.get("value")


def parting(old: Section, new: Section, root: str) -> str | None:
    """The first value below ``root`` where the derivations of ``old`` and ``new`` part."""
    seen: set[str] = set()

    def walk(node_id: str) -> str | None:
        seen.add(node_id)
        before, after = old.node(node_id), new.node(node_id)
        if before is None or after is None or _shape(before) != _shape(after):
            return node_id
        uses = list(dict.fromkeys([*after["uses"], *before["uses"]]))
        for used in uses:
            if used in seen:
                continue
            if _value(old.node(used)) != _value(new.node(used)) or \
                    _shape(old.node(used)) != _shape(new.node(used)):
                return walk(used)
        return node_id

    return walk(root)


def explained(section: Section, node_id: str) -> str | None:
    """How ``explain`` shows one value and the values it used (one level down)."""
    if section.node(node_id) is None:
        return None
    trace = {"organizations": {section.org: section.section}, "peers": section.peers}
    return explain(trace, section.org, node_id, 1)


def output_changes(old: Section, new: Section) -> list[OutputChange]:
    """Each output of one organization whose value differs between the versions."""
    changes = []
    before_outputs = old.section["outputs"]
    after_outputs = new.section["outputs"]
    for name in dict.fromkeys([*after_outputs, *before_outputs]):
        for label, was, now in _entries(before_outputs.get(name), after_outputs.get(name),
                                        name):
            if was is not None and now is not None and was["value"] == now["value"]:
                continue
            root = (now or was)["node"]
            at = parting(old, new, root) if was is not None and now is not None else root
            changes.append(OutputChange(
                old.org, label, _shown(was), _shown(now), at,
                explained(old, at) if at is not None else None,
                explained(new, at) if at is not None else None))
    return changes


def _entries(before: Any, after: Any, name: str
             ) -> Iterator[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    if (before is None or "node" in before) and (after is None or "node" in after):
        yield name, before, after
        return
    before, after = before or {}, after or {}
    for key in dict.fromkeys([*after, *before]):
        yield f"{name}({key})", before.get(key), after.get(key)


def _shown(entry: Mapping[str, Any] | None) -> str:
    from eqlang.render import value_text

    if entry is None:
        return "(no such output)"
    return value_text(entry["value"])


@attrs.frozen
class Payout:
    """One scalar output of one organization in both versions."""

    org: str
    output: str
    old: dict[str, str] | None
    new: dict[str, str] | None

    @property
    def change(self) -> str:
        """The difference, for amounts of the same unit; empty otherwise."""
        if not (self.old and self.new) or "not_scored" in self.old or "not_scored" in self.new:
            return ""
        if self.old.get("type") != self.new.get("type") or self.old.get("type") not in (
                "money", "count", "number", "percent", "pp"):
            return ""
        from eqlang.render import value_text

        difference = Decimal(self.new["value"]) - Decimal(self.old["value"])
        sign = "+" if difference > 0 else ""
        shown = value_text({"type": self.new["type"], "value": format(difference, "f")})
        return "no change" if difference == 0 else sign + shown


@attrs.frozen
class Comparison:
    """Everything ``eqlang diff`` reports."""

    old_path: str
    new_path: str
    tables: tuple[str, ...]
    terms: tuple[TermChange, ...]
    payouts: tuple[Payout, ...]
    outputs: tuple[OutputChange, ...]


def payouts(old: Section, new: Section) -> list[Payout]:
    """The organization's outputs that take no arguments, in both versions."""
    before, after = old.section["outputs"], new.section["outputs"]
    found = []
    for name in dict.fromkeys([*after, *before]):
        was, now = before.get(name), after.get(name)
        if (was is None or "node" in was) and (now is None or "node" in now):
            found.append(Payout(old.org, name, was and was["value"], now and now["value"]))
    return found


def compare(old: Run, new: Run) -> Comparison:
    """Compare two runs of two versions of the terms on the same tables: the changes in
    the terms, each organization's outputs in both, and where each changed output's
    derivations part. The organizations are settled again, recording, one at a time."""
    organizations = [org for org in new.organizations if org in set(old.organizations)]
    olds = {section.org: section for section in old.sections()
            if section.org in set(organizations)}
    found: list[Payout] = []
    changed: list[OutputChange] = []
    for after in new.sections():
        before = olds.get(after.org)
        if before is None:
            continue
        found += payouts(before, after)
        changed += output_changes(before, after)
    return Comparison(old.program.main.source.path, new.program.main.source.path,
                      tuple(t.path for t in new.tables.tables),
                      tuple(term_changes(old.program, new.program)), tuple(found),
                      tuple(changed))


def render_text(comparison: Comparison) -> str:
    """The comparison as ``eqlang diff`` prints it."""
    from eqlang.render import value_text

    lines = [f"Terms: {comparison.old_path} (old) and {comparison.new_path} (new)"]
    if not comparison.terms:
        lines.append("  the terms are the same")
    for change in comparison.terms:
        lines.append(f"  {change.kind} {change.name}: {change.change}")
        for sign, side in (("-", change.old), ("+", change.new)):
            if side is not None:
                at, text = side
                first, *rest = text.splitlines() or [""]
                lines.append(f"    {sign} {at}: {first}")
                lines.extend(f"    {sign} {' ' * len(at)}  {line}" for line in rest)
    lines.append("")
    lines.append(f"Outputs on {', '.join(comparison.tables)}:")
    rows = [["organization", "output", "old", "new", "change"]]
    for payout in comparison.payouts:
        rows.append([payout.org, payout.output,
                     value_text(payout.old) if payout.old else "(none)",
                     value_text(payout.new) if payout.new else "(none)", payout.change])
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        lines.append("  " + "  ".join(
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
            for i, cell in enumerate(row)).rstrip())
    moved = sorted({c.org for c in comparison.outputs})
    lines.append("")
    if not comparison.outputs:
        lines.append("No output changed.")
        return "\n".join(lines) + "\n"
    lines.append(f"Outputs that changed: {len(comparison.outputs):,}, for "
                 f"{len(moved):,} organization{'s' if len(moved) != 1 else ''}: "
                 + ", ".join(moved))
    shown: set[tuple[str, str]] = set()
    for change in comparison.outputs:
        lines.append("")
        lines.append(f"{change.org}: {change.output} {change.old} -> {change.new}")
        if change.parts_at is None:
            continue
        at = change.parts_at.removeprefix(PEERS)
        if (change.org, change.parts_at) in shown:
            lines.append(f"  the derivations part at {at}, as shown above")
            continue
        shown.add((change.org, change.parts_at))
        lines.append(f"  the derivations part at {at}:")
        for label, text in (("old", change.old_explained), ("new", change.new_explained)):
            lines.append(f"  {label}:")
            lines.extend(f"    {line}" for line in (text or "(not in this version)\n")
                         .splitlines())
    return "\n".join(lines) + "\n"


def as_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as data, for ``eqlang diff --json``."""
    return {
        "old": comparison.old_path, "new": comparison.new_path,
        "tables": list(comparison.tables),
        "terms": [{"kind": c.kind, "name": c.name, "change": c.change,
                   "old": None if c.old is None else {"at": c.old[0], "text": c.old[1]},
                   "new": None if c.new is None else {"at": c.new[0], "text": c.new[1]}}
                  for c in comparison.terms],
        "outputs": [{"organization": p_.org, "output": p_.output, "old": p_.old, "new": p_.new,
                     "change": p_.change or None} for p_ in comparison.payouts],
        "changed": [{"organization": c.org, "output": c.output, "old": c.old, "new": c.new,
                     "parts_at": c.parts_at, "old_explained": c.old_explained,
                     "new_explained": c.new_explained} for c in comparison.outputs],
    }
