"""Rendering: takes settlements and traces, gives text for people and JSON for programs.

``summary`` is the settlement statement an analyst reads; ``outputs_json`` the machine form
of the same figures; ``explain`` walks a trace from one value down to the table rows, as an
indented tree a negotiator can follow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs

from eqlang.backends.derivation import Settlement, deep_enough
from eqlang.backends.exact import Evaluator
from eqlang.check import units as t
from eqlang.core import program as p
from eqlang.core.program import Program
from eqlang.core.values import (
    SCALED_UNITS,
    Entity,
    NotScored,
    Quantity,
    Text,
    Truth,
    Value,
    display,
    exact_text,
    shift,
)
from eqlang.diagnostics import counted
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import declaration_head, format_expr, format_range
from eqlang.terminal import printable
from eqlang.tools.findings import Finder, totals

#: Decimals shown to people for rates and scores; traces and --json keep every digit.
SHOWN_DIGITS = 4


def outputs_data(settlements: list[Settlement]) -> dict[str, dict[str, Any]]:
    """``{org: {output: value}}``: a decimal string (``"350000.00"``) for a number, an object
    keyed by measure code (or group) for an output defined per measure, and
    ``{"not_scored": reason}`` for a value that is not scored."""
    def encode(value: Value) -> Any:
        if isinstance(value, NotScored):
            return {"not_scored": value.reason}
        return exact_text(value)

    return {
        st.org: {
            name: ({k: encode(v) for k, v in value.items()} if isinstance(value, dict)
                   else encode(value))
            for name, value in st.outputs.items()
        }
        for st in settlements
    }


def outputs_json(settlements: list[Settlement]) -> str:
    """``outputs_data`` as the JSON text ``eqlang eval --json`` prints: sorted keys."""
    return json.dumps(outputs_data(settlements), sort_keys=True, indent=2,
                      ensure_ascii=False) + "\n"


def _title(program: Program) -> str:
    return program.header.title if program.header else program.main.source.path


#: Tables in the settlement summary are split into several of at most this width.
SUMMARY_WIDTH = 100


def summary(program: Program, evaluator: Evaluator, settlements: list[Settlement],
            overrides: dict[str, str] | None = None) -> str:
    """The settlement statement: what was settled on what, then per organization each
    output, the per-measure scores and payouts, and what was not scored and why."""
    lines = [f"{_title(program)}: settlement"]
    tables = ", ".join(t.path for t in evaluator.tables.tables)
    lines.append(f"  contract {program.main.source.path}; table{'s' if ',' in tables else ''} "
                 f"{tables}")
    if evaluator.organizations is not None:
        lines.append(f"  organization inputs from {evaluator.organizations.path}")
    if evaluator.as_of is not None:
        lines.append(f"  settled as of {evaluator.as_of.isoformat()}")
    for name, value in sorted((overrides or {}).items()):
        lines.append(f"  what-if: {name} set to {value} (--set), not the contract's value")
    lines.append("")
    finder = Finder(program, evaluator.computed, evaluator.tables)
    for st in settlements:
        lines.append(f"Organization: {st.org}")
        scalar = {k: v for k, v in st.outputs.items() if not isinstance(v, dict)}
        width = max([len(k) for k in scalar] + [10])
        for name, value in scalar.items():
            assert not isinstance(value, dict)
            lines.append(f"  {name:<{width}}  {_shown(value)}")
            if isinstance(value, Quantity) and value.note:
                lines.append(f"  {'':<{width}}  ({value.note})")
        columns = _per_measure_columns(program, evaluator, st)
        for block in _table_blocks(evaluator, st.org, columns):
            lines.append("")
            lines.extend("  " + row for row in block)
        per_group = _per_group_table(evaluator.program, st)
        if per_group:
            lines.append("")
            lines.extend("  " + row for row in per_group)
        notes = _notes(evaluator, st, columns)
        if notes:
            lines.append("")
            lines.append("  Notes:")
            lines.extend(f"    {what}: {why}" for what, why in notes)
        missing = _not_scored(evaluator, st, columns)
        found = finder.findings(st, shown=[what for what, _ in missing])
        if found.groups:
            lines.append("")
            lines.append("  Groups left out or not scored:")
            lines.extend(f"    {g.measure} {g.group}: {g.value} {g.reason} (members: "
                         f"{g.members_text})" for g in found.groups)
        missing += [(u.value, u.reason) for u in found.unscored]
        lines.append("")
        if missing:
            lines.append("  Not scored:")
            lines.extend(f"    {what}: {why}" for what, why in missing)
        elif not found.groups:
            lines.append("  Every value was scored.")
        else:
            lines.append("  Every other value was scored.")
        lines.append("")
    if len(settlements) > 1:
        lines.extend(_totals(program, settlements))
    return printable("\n".join(lines).rstrip() + "\n")


def _totals(program: Program, settlements: list[Settlement]) -> list[str]:
    """Each money and count output summed across the organizations."""
    rows = [[t.output, _shown(t.total), f"{t.scored:,} of {t.settled:,}"]
            for t in totals(program, settlements)]
    lines = [f"Totals across {counted(len(settlements), 'organization')}:"]
    if not rows:
        return [*lines, "  (no output is an amount of money or a count)"]
    return [*lines, *("  " + row for row in _format_table(["output", "total", "scored in"],
                                                          rows))]


def _shown(value: Value) -> str:
    """A value in the summary: as in explain, shortened with ``≈`` where digits are cut."""
    text = display(value, 2 if isinstance(value, Quantity) and value.unit == "money"
                   else SHOWN_DIGITS)
    if isinstance(value, NotScored):
        return "not scored"
    return text if text == display(value) else "≈" + text


def _per_measure_columns(program: Program, evaluator: Evaluator, st: Settlement) -> list[str]:
    """The per-measure outputs, and the per-measure rules they call directly with their own
    measure (the scores and weights behind a payout), in the order the contract declares
    them."""
    outputs = [name for name, value in st.outputs.items() if isinstance(value, dict)
               and program.rules[name].params[0].type == "measure"]
    wanted = set(outputs)
    for name in outputs:
        rule = program.rules[name]
        measure = rule.params[0].name
        for part in (rule.body, *(x.value for x in rule.exceptions)):
            for e in p.walk(part) if part is not None else ():
                if isinstance(e, p.Call) and len(e.args) == 1 and isinstance(
                        e.args[0], p.Local) and e.args[0].name == measure and (
                        program.rules[e.rule].params[0].type == "measure"):
                    wanted.add(e.rule)
    return [key for key in program.rules if key in wanted]


def _cell(evaluator: Evaluator, org: str, rule: str, code: str) -> Value | None:
    return evaluator.computed(org, rule, (Entity("measure", code),))


def _table_blocks(evaluator: Evaluator, org: str, columns: list[str]) -> list[list[str]]:
    """The per-measure table, split into blocks of columns that fit the page."""
    codes = list(evaluator.contract_measures)
    cells = {rule: [_shown(v) if (v := _cell(evaluator, org, rule, code)) is not None else ""
                    for code in codes] for rule in columns}
    shown = [rule for rule in columns if any(cells[rule])]
    blocks: list[list[str]] = []
    chosen: list[str] = []
    used = max([len("measure"), *map(len, codes)])
    for rule in shown:
        width = max([len(rule), *map(len, cells[rule])]) + 2
        if chosen and used + width > SUMMARY_WIDTH:
            blocks.append(_block(codes, chosen, cells))
            chosen, used = [], max([len("measure"), *map(len, codes)])
        chosen.append(rule)
        used += width
    if chosen:
        blocks.append(_block(codes, chosen, cells))
    return blocks


def _block(codes: list[str], rules: list[str], cells: dict[str, list[str]]) -> list[str]:
    rows = [[code, *(cells[rule][i] for rule in rules)] for i, code in enumerate(codes)]
    return _format_table(["measure", *rules], rows)


def _format_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned first column, right-aligned figures."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:]))
        return f"{first}  {rest}".rstrip()

    return [line(header), *(line(r) for r in rows)]


def _per_group_table(program: Program, st: Settlement) -> list[str]:
    """Outputs defined per group, one row per group."""
    outputs: dict[str, dict[str, Value]] = {
        name: value for name, value in st.outputs.items()
        if isinstance(value, dict) and program.rules[name].params[0].type == "group"
    }
    if not outputs:
        return []
    groups = list(dict.fromkeys(g for values in outputs.values() for g in values))
    rows = [[group, *(_shown(values[group]) if group in values else ""
                      for values in outputs.values())] for group in groups]
    return _format_table(["group", *outputs], rows)


def _notes(evaluator: Evaluator, st: Settlement, columns: list[str]) -> list[tuple[str, str]]:
    """Reasons the contract attached to per-measure values with ``because``."""
    found = []
    for rule in columns:
        for code in evaluator.contract_measures:
            value = _cell(evaluator, st.org, rule, code)
            if isinstance(value, Quantity) and value.note:
                found.append((f"{rule}({code}) {_shown(value)}", value.note))
    return found


def _not_scored(evaluator: Evaluator, st: Settlement, columns: list[str]
                ) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, value in st.outputs.items():
        items = value.items() if isinstance(value, dict) else [("", value)]
        for key, v in items:
            if isinstance(v, NotScored):
                found.append((f"{name}({key})" if key else name, v.reason))
    for rule in columns:
        for code in evaluator.contract_measures:
            value = _cell(evaluator, st.org, rule, code)
            label = f"{rule}({code})"
            if isinstance(value, NotScored) and all(label != what for what, _ in found):
                found.append((label, value.reason))
    return found


# ---- explain --------------------------------------------------------------------------

#: Lines of ``explain`` are wrapped to this many characters, tree lines included.
WIDTH = 110

#: How a trace's organizations refer to its ``peers`` section.
PEERS = "peers::"
#: Values of other organizations shown under a peer figure before the rest are counted.
_OTHERS_SHOWN = 3

#: Decimal numbers longer than this in labels and readings are shortened, marked with ≈.
_LONG_NUMBER = re.compile(rf"(?<![\d.])\d+\.\d{{{SHOWN_DIGITS + 1},}}")

_KINDS = {"definition": "rule", "output": "output", "parameter": "parameter",
          "schedule": "schedule", "measure": "measure"}

#: A line never ends in an operator: the break goes before it, where a reader looks for it.
_OPERATOR_BEFORE = re.compile(r"(?:^|\s)(?:[-+×/=<>]|!=|<=|>=|and|or|not)$")

#: Joins a name to its value so that wrapping never separates them.
_GLUE = "\u00a0"


def _decode(encoded: dict[str, str]) -> Value:
    if "not_scored" in encoded:
        return NotScored(encoded["not_scored"])
    unit, text = encoded["type"], encoded["value"]
    if unit in ("money", "count", "number", "percent", "pp"):
        number = Decimal(text)
        return Quantity(unit, shift(number, -2) if unit in SCALED_UNITS else number)
    if unit == "yesno":
        return Truth(text == "yes")
    return Text(text)


def value_text(encoded: dict[str, str]) -> str:
    """A value for reading: ``$350,000.00``, ``35%``, ``≈0.9047``; every digit stays in the
    trace, and ``≈`` says this is not all of them."""
    if "not_scored" in encoded:
        return f"not scored ({encoded['not_scored']})"
    value = _decode(encoded)
    if not isinstance(value, Quantity):
        return encoded["value"]
    digits = 2 if value.unit == "money" else SHOWN_DIGITS
    shown = display(value, digits)
    return shown if shown == display(value) else "≈" + shown


def _shorten(text: str) -> str:
    """Long decimals in a label or rule (arguments computed to 34 digits) cut for reading."""
    def cut(match: re.Match[str]) -> str:
        number = Decimal(match.group(0)).quantize(Decimal(1).scaleb(-SHOWN_DIGITS))
        return "≈" + format(number.normalize(), "f")
    return _LONG_NUMBER.sub(cut, text)


class _Prefixed(Mapping[str, Any]):
    """The nodes of a trace as seen from inside ``peers``: ids there name peers' nodes."""

    def __init__(self, nodes: dict[str, Any], prefix: str) -> None:
        self.nodes = nodes
        self.prefix = prefix

    def __getitem__(self, key: str) -> Any:
        return self.nodes[self.prefix + key]

    def __iter__(self) -> Iterator[str]:
        return (k[len(self.prefix):] for k in self.nodes if k.startswith(self.prefix))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _parts_text(parts: list[Any], nodes: Mapping[str, Any]) -> str:
    """A reading or reason: its text with each value written after the name it belongs to."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(_shorten(part))
            continue
        encoded = part.get("value")
        if encoded is None and part.get("node") in nodes:
            encoded = nodes[part["node"]]["value"]
        text = _shorten(part.get("text", part.get("node", "")))
        if encoded is None:
            out.append(text)
            continue
        # The reason a value is not scored is on its own line below; here it would drown
        # the formula. Bare, `if leveled_down(CBP) not scored then` would read as a test
        # of whether it is scored.
        value = "(not scored)" if "not_scored" in encoded else value_text(encoded)
        out.append(f"{text}{_GLUE}{value.replace(' ', _GLUE)}")
    return "".join(out)


def reading_text(node: dict[str, Any], nodes: Mapping[str, Any]) -> str | None:
    """A trace node's rule as applied, each term followed by its value (the ``=`` part of
    an explain line), with an output's rounding; None for a node without a reading."""
    if not node.get("reading"):
        return None
    text = _parts_text(node["reading"], nodes).replace(_GLUE, " ")
    return f"{text}, {node['rounded']}" if node.get("rounded") else text


def _parts_plain(parts: list[Any]) -> str:
    return "".join(p if isinstance(p, str) else p.get("text", p.get("node", "")) for p in parts)


def wrap(text: str, width: int) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width``, preferring breaks outside
    parentheses so that each line holds whole terms; a term longer than a line stays whole,
    on a line of its own, and the rest still wraps."""
    if len(text) <= width:
        return [text]
    depth, quoted, breaks = 0, False, []
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif (char == " " and index > 0
              and not _OPERATOR_BEFORE.search(text, max(0, index - 5), index)):
            # Past the width, only the first break is wanted, and only when none fits.
            if index > width and breaks:
                break
            breaks.append((index, depth))
            if index > width:
                break
    if not breaks:
        return [text]
    chosen = None
    for level in sorted({d for _, d in breaks}):
        fitting = [i for i, d in breaks if d <= level]
        if fitting and fitting[-1] >= width // 3:
            chosen = fitting[-1]
            break
    if chosen is None:
        chosen = breaks[-1][0]
    return [text[:chosen], *wrap(text[chosen + 1:], width)]


def _input_reading(node: dict[str, Any]) -> str | None:
    """How a table value comes from its rows: ``256.734 / 382.614`` for a rate."""
    rows = node.get("rows", [])
    if node["name"] != "rate" or not rows:
        return None
    if len(rows) == 1:
        return f"{rows[0]['numerator']} / {rows[0]['denominator']}"
    whole, part = rows
    return (f"({whole['numerator']} - {part['numerator']}) / "
            f"({whole['denominator']} - {part['denominator']})")


def _facts(node: dict[str, Any], reading: str) -> str:
    kind = _KINDS.get(node["kind"], node["kind"])
    facts = [f"{kind} at {node['at']}" if node.get("at") else kind]
    if node.get("rounded"):
        facts.append(node["rounded"])
    if node.get("citation"):
        facts.append(f"per \"{node['citation']}\"")
    for note in (node.get("note"), node["value"].get("note")):
        if note and note not in reading and note not in facts:
            facts.append(note)
    return ", ".join(facts)


def derivation_lines(node: dict[str, Any], nodes: Mapping[str, Any]) -> list[str]:
    """How a trace node's value was reached, as ``explain`` says it below the value: the
    rule as applied (``= ...``), the conditions that chose its branch (``since ...``), the
    table rows it read, and where the rule is, with its rounding and citation."""
    lines = []
    reading = (_parts_text(node["reading"], nodes) if node.get("reading")
               else _input_reading(node) or "")
    if reading and reading.replace(_GLUE, " ") != value_text(node["value"]):
        lines.append("= " + reading.replace(_GLUE, " "))
    for number, reason in enumerate(node.get("since", [])):
        lines.append(("since " if number == 0 else "and ")
                     + _parts_text(reason, nodes).replace(_GLUE, " "))
    for row in node.get("rows", []):
        lines.append(f"table row {row['table']}:{row['line']} (group {row['group']}, period "
                     f"{row['period']}: {row['numerator']} of {row['denominator']})")
    if node["kind"] == "input":
        if not node.get("rows"):
            lines.append("no row in the tables: counts as denominator 0")
    else:
        lines.append(_facts(node, reading).replace(_GLUE, " "))
    return lines


class _Explainer:
    """Writes one organization's derivation of a value as an indented tree."""

    def __init__(self, nodes: dict[str, Any], depth: int | None) -> None:
        self.nodes = nodes
        self.depth = depth
        self.lines: list[str] = []
        self.expanded: set[str] = set()

    def block(self, first: str, rest: str, text: str) -> None:
        """``text`` wrapped, its first line after ``first`` and the others after ``rest``."""
        for index, line in enumerate(wrap(text, max(40, WIDTH - len(rest)))):
            self.lines.append((first if index == 0 else rest) + line.replace(_GLUE, " "))

    def ordered(self, node: dict[str, Any], view: Mapping[str, Any]) -> list[str]:
        """The values a node used: first the terms of its reading, in the order they are
        written, then those its reasons name, then the rest in the order they were used."""
        texts = [_parts_plain(node.get("reading", [])),
                 " ".join(_parts_plain(c) for c in node.get("since", []))]

        def place(item: tuple[int, str]) -> tuple[int, int, int]:
            index, used = item
            name = view.get(used, {}).get("name", used)
            for section, text in enumerate(texts):
                found = re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", text)
                if found:
                    return section, found.start(), index
            return len(texts), 0, index

        return [used for _, used in sorted(enumerate(node["uses"]), key=place)]

    def walk(self, node_id: str, prefix: str, child_prefix: str, level: int) -> None:
        node = self.nodes.get(node_id)
        if node is None:
            self.lines.append(f"{prefix}{_shorten(node_id)} (not in this trace)")
            return
        # Inside `peers`, a value names the others by their ids there.
        namespace = PEERS if node_id.startswith(PEERS) else ""
        view: Mapping[str, Any] = _Prefixed(self.nodes, namespace) if namespace else self.nodes
        uses = [namespace + u for u in self.ordered(node, view)]
        others = [u for u in uses if self.nodes.get(u, {}).get("org")]
        hidden = others[_OTHERS_SHOWN:] if len(others) > _OTHERS_SHOWN + 1 else []
        if hidden:
            # A peer figure reads every organization's value: a few show the way.
            uses = [u for u in uses if u not in set(hidden)]
        repeated = node_id in self.expanded and bool(uses)
        cut = self.depth is not None and level >= self.depth and bool(uses)
        opens = bool(uses) and not repeated and not cut
        detail = child_prefix + ("│" if opens else " ") + "   "
        label = _shorten(node_id.split("::")[-1])
        if node.get("org"):
            label += f" at {node['org']}"
        head = f"{label} {value_text(node['value'])}"
        reading = (_parts_text(node["reading"], view) if node.get("reading")
                   else _input_reading(node) or "")
        if reading and reading.replace(_GLUE, " ") != value_text(node["value"]):
            one_line = f"{head} = {reading}"
            if len(prefix) + len(one_line.replace(_GLUE, " ")) <= WIDTH:
                self.lines.append(prefix + one_line.replace(_GLUE, " "))
            else:
                self.lines.append(prefix + head)
                self.block(detail + "= ", detail + "  ", reading)
        else:
            self.lines.append(prefix + head)
        if repeated:
            self.lines.append(f"{detail}(derivation shown above)")
            return
        for number, reason in enumerate(node.get("since", [])):
            self.block(detail + ("since " if number == 0 else "and "), detail + "  ",
                       _parts_text(reason, view))
        for row in node.get("rows", []):
            self.lines.append(f"{detail}table row {row['table']}:{row['line']} "
                              f"(group {row['group']}, period {row['period']})")
        cell = node.get("cell")
        if isinstance(cell, dict):
            self.lines.append(f"{detail}organization table {cell.get('table')}:"
                              f"{cell.get('line')} (column {cell.get('column')})")
        if node["kind"] == "input":
            if not node.get("rows"):
                self.lines.append(f"{detail}no row in the tables: counts as denominator 0")
        else:
            self.block(detail, detail + "  ", _facts(node, reading))
        if cut:
            count = len(uses)
            self.lines.append(f"{detail}... {counted(count, 'more value')} "
                              "behind it (raise --depth to see them)")
            return
        self.expanded.add(node_id)
        for index, used in enumerate(uses):
            last = index == len(uses) - 1 and not hidden
            self.walk(used, child_prefix + ("└─ " if last else "├─ "),
                      child_prefix + ("   " if last else "│  "), level + 1)
        if hidden:
            self.block(child_prefix + "└─ ", child_prefix + "   ",
                       f"... and the values of {counted(len(hidden), 'more organization')} "
                       f"(explain one with `eqlang explain TRACE \"{hidden[0]}\"`)")


def explain(trace: dict[str, Any], org: str, root: str, depth: int | None) -> str:
    """The derivation of one value as an indented tree, down to the table rows.

    Each line reads like the contract applied: ``measure_payout(CBP) $350,000.00 = pool
    $1,000,000.00 × rescaled_weight(CBP) 35% × measure_score(CBP) 1``, with the branch that
    was taken and why (``since ...``), where the rule is, and below it each value it used.
    """
    nodes = {**{PEERS + k: v for k, v in trace.get("peers", {}).items()},
             **trace["organizations"][org]["nodes"]}
    explainer = _Explainer(nodes, depth)
    with deep_enough():
        explainer.walk(root, "", "", 0)
    return printable("\n".join(explainer.lines) + "\n")


# ---- generated documentation ------------------------------------------------------------

#: A doc comment line that shows how a declaration is used: ``Example: EXPR [is VALUE]``.
EXAMPLE = re.compile(r"^Example: (?P<expr>.+?)(?: is (?P<value>.+))?$")
_RULER = re.compile(r"^#\s*-{2,}")
_DIRECTIONS = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}
_REFERENCES = {"best": "the best-performing group", "whole": "the whole population",
               "rest": "the rest of the population"}


@attrs.frozen
class DocModule:
    """One module to document: the name it is imported by and its parsed text."""

    name: str
    module: s.Module


def module_docs(modules: list[tuple[str, s.Module]], title: str = "Standard library") -> str:
    """A Markdown reference of modules from their ``##`` doc comments, under ``title``.

    Modules come in import order (a module after the modules it imports, otherwise
    alphabetically); each gets its introduction (the plain comments at the top of its
    file), an index, and one section per declaration with its signature, its doc comment and
    its examples.
    """
    ordered = _import_order([DocModule(name, module) for name, module in modules])
    lines = [f"# {title}", "",
             "Generated by `eqlang doc` from the doc comments (`##`) of the modules; do not "
             "edit by hand. A contract uses a module with `import NAME` and names what it "
             "declares as `NAME.declaration`; see docs/language.md, section 4.", "",
             "| Module | What it holds |", "|---|---|"]
    lines.extend(f"| [`{m.name}`](#{_anchor(m.name)}) | {_first_sentence(_intro(m.module))} |"
                 for m in ordered)
    lines.append("")
    for m in ordered:
        lines.extend(_module_section(m))
    return "\n".join(lines).rstrip() + "\n"


def _import_order(modules: list[DocModule]) -> list[DocModule]:
    names = {m.name for m in modules}
    waiting = {m.name: {d.alias for d in m.module.declarations
                        if isinstance(d, s.Import) and d.alias in names and d.alias != m.name}
               for m in modules}
    by_name = {m.name: m for m in modules}
    ordered: list[DocModule] = []
    while waiting:
        ready = sorted(n for n, deps in waiting.items() if not deps) or sorted(waiting)[:1]
        name = ready[0]
        ordered.append(by_name[name])
        del waiting[name]
        for deps in waiting.values():
            deps.discard(name)
    return ordered


def _anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces dashed."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _intro(module: s.Module) -> str:
    first = module.declarations[0] if module.declarations else None
    comments = first.leading.comments if first is not None else ()
    words = [c.lstrip("#").strip() for c in comments if not _RULER.match(c)]
    return " ".join(w for w in words if w)


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?\.)(\s|$)", text)
    return (match.group(1) if match else text) or "(no description)"


def _doc_parts(declaration: s.Declaration) -> tuple[list[str], list[tuple[str, str | None]]]:
    """A doc comment's paragraphs and its examples as (expression, value or None)."""
    paragraphs: list[list[str]] = [[]]
    examples: list[tuple[str, str | None]] = []
    for line in declaration.leading.doc:
        example = EXAMPLE.match(line.strip())
        if example:
            examples.append((example.group("expr"), example.group("value")))
        elif not line.strip():
            paragraphs.append([])
        else:
            paragraphs[-1].append(line.strip())
    return [" ".join(p) for p in paragraphs if p], examples


def _module_section(m: DocModule) -> list[str]:
    lines = [f"## `{m.name}`", ""]
    intro = _intro(m.module)
    if intro:
        lines += [intro, ""]
    imports = [d.alias for d in m.module.declarations if isinstance(d, s.Import)]
    usage = f"Use it with `import {m.name}`."
    if imports:
        usage += " It imports " + ", ".join(f"`{name}`" for name in imports) + "."
    lines += [usage, ""]
    measures = [d for d in m.module.declarations if isinstance(d, s.Measure)]
    if measures:
        lines += _measure_doc_table(measures)
    named = [d for d in m.module.declarations
             if isinstance(d, s.Stratification | s.Parameter | s.Definition | s.Output
                           | s.Schedule)]
    if named:
        lines += ["| Name | Kind | Gives | Summary |", "|---|---|---|---|"]
        for d in named:
            heading = f"{m.name}.{d.name}"
            paragraphs, _ = _doc_parts(d)
            summary = _first_sentence(paragraphs[0]) if paragraphs else "(no description)"
            lines.append(f"| [`{d.name}`](#{_anchor(heading)}) | {_kind(d)} | {_gives(d)} | "
                         f"{summary} |")
        lines.append("")
        for d in named:
            lines += _declaration_section(m.name, d)
    return lines


def _kind(d: s.Declaration) -> str:
    if isinstance(d, s.Definition):
        return "function" if d.params else "definition"
    return type(d).__name__.lower()


def _gives(d: s.Declaration) -> str:
    if isinstance(d, s.Stratification):
        return "groups"
    if isinstance(d, s.Parameter):
        return t.describe(d.type)
    if isinstance(d, s.Definition | s.Output | s.Schedule):
        return t.describe(d.return_type) if d.return_type else "(inferred)"
    return ""


def _measure_doc_table(measures: list[s.Measure]) -> list[str]:
    lines = ["| Code | Name | Direction | Description |", "|---|---|---|---|"]
    for d in measures:
        direction = next((_DIRECTIONS[a.kind] for a in d.attributes if a.kind in _DIRECTIONS),
                         "")
        paragraphs, _ = _doc_parts(d)
        description = " ".join(paragraphs) or "(no description)"
        lines.append(f"| `{d.code}` | {d.title or ''} | {direction} | {description} |")
    return [*lines, ""]


def _declaration_section(module: str, d: s.Declaration) -> list[str]:
    assert isinstance(d, s.Stratification | s.Parameter | s.Definition | s.Output
                      | s.Schedule)
    lines = [f"### `{module}.{d.name}`", ""]
    paragraphs, examples = _doc_parts(d)
    if not isinstance(d, s.Stratification):
        head = declaration_head(d)
        if isinstance(d, s.Parameter):
            head += f" = {format_expr(d.value)}"
        lines += ["```eqlang", head, "```", ""]
    for paragraph in paragraphs or ["(no description)"]:
        lines += [paragraph, ""]
    if isinstance(d, s.Stratification):
        lines += _stratification_doc(module, d)
    if isinstance(d, s.Schedule):
        lines += _tier_table(d)
    if examples:
        lines += ["Example" + ("s:" if len(examples) > 1 else ":"), "", "```eqlang"]
        lines += [expr + (f"  # {value}" if value else "") for expr, value in examples]
        lines += ["```", ""]
    return lines


def _stratification_doc(module: str, d: s.Stratification) -> list[str]:
    title = f" (\"{d.title}\")" if d.title else ""
    lines = [f"Taken with `stratification NAME from {module}.{d.name}`{title}.", "",
             "| Group | Spelled in tables |", "|---|---|"]
    groups = [g for item in d.items for g in item.groups]
    lines += [f"| `{g.name}` | {g.spelling or g.name} |" for g in groups]
    ref = next((item.reference for item in d.items if item.reference is not None), None)
    reference = "none (the contract names one)"
    if ref is not None:
        reference = f"`{ref.group}`" if ref.kind == "group" else _REFERENCES[ref.kind]
    focus = [f.name for item in d.items for f in item.focus] or [
        g.name for g in groups if ref is None or g.name != ref.group]
    order = next((item.order for item in d.items if item.order is not None), None)
    ordered = f" Ordered, {order}." if order is not None else ""
    lines += ["", f"Reference: {reference}. Focus groups: "
              f"{', '.join(f'`{name}`' for name in focus)}.{ordered}", ""]
    return lines


def _tier_table(d: s.Schedule) -> list[str]:
    lines = ["| Input | Pays |", "|---|---|"]
    if d.domain is not None:
        lines = [f"Domain: {format_range(d.domain)}.", "", *lines]
    lines += [f"| {format_range(tier.range)} | {format_expr(tier.value)} |" for tier in d.tiers]
    return [*lines, ""]
